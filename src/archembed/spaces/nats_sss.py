"""NATS-Bench size space: the channel counts of 5 layers, each 8..64 in steps of 8.

NATS-Bench keeps one cell topology and searches the widths of its network's five layers
(32,768 choices). The native string is the official ``c1:c2:c3:c4:c5``, e.g. ``8:16:32:64:64``;
the official index counts in base 8 with the last layer fastest (``8:8:8:8:8`` is 0,
``8:8:8:8:16`` is 1, ``64:64:64:64:64`` is 32,767), the order of :meth:`NatsSizeSpace.enumerate`.

As a graph it is a chain: input -> one vertex per layer, labelled with its width (``ch8`` ..
``ch64``) -> output. The adjacency never changes (like NB201's fixed cell), so graph encoders
see a sequence of channel choices and the one-hot encoding is one-hot of each layer's width.
"""

from __future__ import annotations

import numpy as np

from archembed.errors import InvalidArchitectureError
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace, register_space

CHANNELS = (8, 16, 24, 32, 40, 48, 56, 64)
"""The width choices of every layer, in index order."""
LAYERS = 5
CHANNEL_OPS = tuple(f"ch{c}" for c in CHANNELS)
"""The op label of a layer vertex of each width."""


def _chain_adjacency() -> np.ndarray:
    adj = np.eye(LAYERS + 2, k=1, dtype=np.uint8)
    adj.setflags(write=False)
    return adj


CHAIN = _chain_adjacency()
_WIDTH_TEXT = tuple(str(c) for c in CHANNELS)
EXAMPLE = "8:16:32:64:64"


def graph_from_channels(channels: tuple[int, ...] | list[int]) -> ArchGraph:
    """The chain graph of five widths (each one of :data:`CHANNELS`; not checked)."""
    return ArchGraph.from_trusted(CHAIN, ("input", *(f"ch{c}" for c in channels), "output"))


@register_space("nats_sss")
class NatsSizeSpace(SearchSpace):
    """32,768 channel configurations; native format ``c1:c2:c3:c4:c5`` (each 8..64 step 8)."""

    name = "nats_sss"
    ops = ("input", *CHANNEL_OPS, "output")
    max_nodes = LAYERS + 2
    max_path_length = LAYERS
    size = len(CHANNELS) ** LAYERS

    def channels(self, graph: ArchGraph) -> tuple[int, ...]:
        """The five layer widths of an architecture of the space."""
        self.check(graph)
        return tuple(int(op[2:]) for op in graph.ops[1:-1])

    def is_valid(self, graph: ArchGraph) -> bool:
        return (
            graph.n_nodes == LAYERS + 2
            and graph.ops[0] == "input"
            and graph.ops[-1] == "output"
            and all(op in CHANNEL_OPS for op in graph.ops[1:-1])
            and np.array_equal(graph.adj, CHAIN)
        )

    def sample(self, n: int, rng: np.random.Generator) -> list[ArchGraph]:
        codes = rng.integers(len(CHANNELS), size=(n, LAYERS))
        return [graph_from_channels([CHANNELS[c] for c in row]) for row in codes]

    def enumerate(self) -> list[ArchGraph]:
        """All architectures in the official index order (last layer varies fastest)."""
        return [self.from_index(i) for i in range(self.size)]

    def index(self, graph: ArchGraph) -> int:
        """The official NATS-Bench size-space index of an architecture."""
        out = 0
        for width in self.channels(graph):
            out = out * len(CHANNELS) + CHANNELS.index(width)
        return out

    def from_index(self, index: int) -> ArchGraph:
        """The architecture at an official index (0..32,767)."""
        if not 0 <= index < self.size:
            raise InvalidArchitectureError(
                f"a {self.name} index is in 0..{self.size - 1}, got {index}"
            )
        digits = []
        for _ in range(LAYERS):
            index, digit = divmod(index, len(CHANNELS))
            digits.append(CHANNELS[digit])
        return graph_from_channels(digits[::-1])

    def neighbours(self, graph: ArchGraph) -> list[ArchGraph]:
        """Architectures one channel step (8) wider or narrower in one layer."""
        widths = self.channels(graph)
        out = []
        for layer, width in enumerate(widths):
            for step in (-8, 8):
                if width + step in CHANNELS:
                    out.append(
                        graph_from_channels([*widths[:layer], width + step, *widths[layer + 1 :]])
                    )
        return out

    def identity(self, graph: ArchGraph) -> str:
        """Benchmarks store an architecture under its native string (the official one)."""
        return self.to_native(graph)

    def to_native(self, graph: ArchGraph) -> str:
        return ":".join(str(c) for c in self.channels(graph))

    def from_native(self, text: str) -> ArchGraph:
        parts = text.strip().split(":")
        if len(parts) != LAYERS or not all(p.isascii() and p.isdigit() for p in parts):
            raise InvalidArchitectureError(
                f"not a {self.name} architecture string: {text!r}; expected {LAYERS} channel "
                f"counts joined by ':', e.g. {EXAMPLE!r}"
            )
        bad = [p for p in parts if p not in _WIDTH_TEXT]
        if bad:
            raise InvalidArchitectureError(
                f"{self.name} channel count {bad[0]} in {text!r} is not one of "
                f"{', '.join(_WIDTH_TEXT)}"
            )
        return graph_from_channels([int(p) for p in parts])
