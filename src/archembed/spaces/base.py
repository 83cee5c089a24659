"""SearchSpace: the interface every search space implements, and its registry."""

from __future__ import annotations

import ast
import json
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence

import numpy as np

from archembed.errors import InvalidArchitectureError
from archembed.graph import ArchGraph
from archembed.registry import Registry

SPACES: Registry[type[SearchSpace]] = Registry("search space")
register_space = SPACES.register


class SearchSpace(ABC):
    """A set of architectures: sampling, enumeration, edits, validity and native formats.

    ``ops`` is the vocabulary of one-hot op features, input and output included; ``max_nodes``
    the largest graph. ``size`` is the number of architectures, or None when unknown/infinite.
    ``input_ops`` are the ops of a graph's first vertices, in order (a DARTS cell has two
    inputs); the last vertex is ``"output"``. A space built from cells names the space of one
    cell in ``cell_space`` and splits a graph with :meth:`cells`.
    """

    name: str = ""
    ops: tuple[str, ...] = ()
    input_ops: tuple[str, ...] = ("input",)
    cell_space: str | None = None
    max_nodes: int = 0
    size: int | None = None

    @abstractmethod
    def sample(self, n: int, rng: np.random.Generator) -> list[ArchGraph]:
        """Draw ``n`` valid architectures uniformly (as the space defines uniform)."""

    @abstractmethod
    def is_valid(self, graph: ArchGraph) -> bool:
        """True when ``graph`` belongs to the space."""

    @abstractmethod
    def neighbours(self, graph: ArchGraph) -> list[ArchGraph]:
        """All valid architectures one edit away."""

    @abstractmethod
    def to_native(self, graph: ArchGraph) -> str:
        """The space's own text format (NB201 string, JSON adjacency+ops, DARTS genotype)."""

    @abstractmethod
    def from_native(self, text: str) -> ArchGraph:
        """Parse the native format; raise InvalidArchitectureError with a fix-it message."""

    def from_stored(self, arch_id: str, native: str) -> ArchGraph:
        """Rebuild an architecture a benchmark stored as (identity, native string)."""
        return self.from_native(native)

    def enumerate(self) -> list[ArchGraph]:
        """Every architecture of a finite space, in a fixed order."""
        raise InvalidArchitectureError(f"search space {self.name!r} cannot be enumerated")

    @property
    def finite(self) -> bool:
        return type(self).enumerate is not SearchSpace.enumerate

    def mutate(self, graph: ArchGraph, rng: np.random.Generator) -> ArchGraph:
        """A random valid neighbour (uniform over :meth:`neighbours`)."""
        options = self.neighbours(graph)
        if not options:
            raise InvalidArchitectureError("architecture has no valid neighbour to mutate into")
        return options[int(rng.integers(len(options)))]

    def cells(self, graph: ArchGraph) -> list[ArchGraph]:
        """The cells of ``graph`` as graphs of :attr:`cell_space` (no cells: the graph itself)."""
        return [graph]

    def identity(self, graph: ArchGraph) -> str:
        """The id under which benchmarks of this space store ``graph`` (default: its key)."""
        return graph.key

    def check(self, graph: ArchGraph) -> ArchGraph:
        """Return ``graph`` if valid, else raise InvalidArchitectureError."""
        if not self.is_valid(graph):
            raise InvalidArchitectureError(f"architecture is not in search space {self.name!r}")
        return graph

    def tensors(self, graphs: Sequence[ArchGraph]) -> tuple[np.ndarray, np.ndarray]:
        """Padded adjacency and one-hot op arrays over this space's vocabulary."""
        from archembed.graph import batch_tensors

        return batch_tensors(graphs, self.ops, self.max_nodes)

    def iter_native(self, graphs: Sequence[ArchGraph]) -> Iterator[str]:
        return (self.to_native(g) for g in graphs)


def parse_json(text: str, what: str, example: str) -> object:
    """JSON of a native architecture string; malformed text raises InvalidArchitectureError.

    The message names ``what`` the text should be and shows an ``example``.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        reason = f"{exc.msg} at column {exc.colno}"
    except ValueError:
        reason = "a number with too many digits"
    except RecursionError:
        reason = "nested too deeply"
    raise InvalidArchitectureError(f"not {what} ({reason}); expected JSON like {example}")


def parse_literal(text: str | ast.expr) -> object:
    """A Python literal (DARTS' formats) from text or an AST node; None when it is not one."""
    try:
        return ast.literal_eval(text.strip() if isinstance(text, str) else text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError, UnicodeError):
        return None


def get_space(name: str, **options: object) -> SearchSpace:
    """Instantiate a registered space by name (or the space of a user benchmark of that name)."""
    from archembed import spaces  # noqa: F401  (registers the built-in spaces)

    if name not in SPACES and not options:
        from archembed.spaces.generic import user_space

        found = user_space(name)
        if found is not None:
            return found
    return SPACES.get(name)(**options)
