"""Architectures as named parameters (Optuna distributions), and back, for every kind of space.

One :class:`ArchParams` per space says which decisions make an architecture, so a
hyperparameter optimiser can model them:

- **NB201**: one categorical per cell edge (``arch_edge_0_1`` ... ``arch_edge_2_3``, 5 ops);
  **NATS-Bench size**: one categorical per layer width (``arch_layer1`` ... ``arch_layer5``);
  **DARTS**: per cell and intermediate node the pair of inputs (``"0,1"`` ...) and the op of
  each of its two edges (``arch_normal_node2_inputs``, ``..._op_a``, ``..._op_b``); a DARTS
  cell alone likewise. Every combination is an architecture and every architecture has
  exactly one combination.
- **NB101 and bounded generic spaces**: the ops of ``max_nodes - 2`` inner vertices and one
  0/1 per forward edge of a ``max_nodes``-vertex DAG (``arch_op1``, ``arch_edge_0_1`` ...).
  A combination outside the space is *repaired* deterministically: an input-to-output edge is
  added when no path joins them, the graph is pruned, then edges are removed from the last one
  backwards (keeping a path) until the space accepts it. Valid pruned cells (every NB101
  cell, every cell a generic space samples) map onto themselves, so a sampler that proposes
  such a cell gets exactly that cell back.
- **Other finite spaces** (benchmark subsets, NAS-Bench-Graph, small described spaces): one
  integer, the position in the space's enumeration (``arch_index``).
"""

from __future__ import annotations

import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np
from optuna.distributions import BaseDistribution, CategoricalDistribution, IntDistribution

from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace
from archembed.spaces.darts import (
    DARTS_OPS,
    DartsSpace,
    canonical_cell,
    cell_graph,
    graph_from_genotype,
)
from archembed.spaces.darts_cell import DartsCellSpace
from archembed.spaces.generic import GenericSpace
from archembed.spaces.nats_sss import CHANNELS, LAYERS, NatsSizeSpace, graph_from_channels
from archembed.spaces.nb101 import NB101Space
from archembed.spaces.nb201 import EDGES, NB201_OPS, NB201Space, graph_from_edge_ops
from archembed.spaces.restricted import RestrictedSpace

Lookup = Callable[[str, BaseDistribution], Any]
"""``(parameter name, distribution) -> value``: a trial's suggest call, or a stored value."""
BINARY = CategoricalDistribution((0, 1))
DARTS_CELLS = ("normal", "reduce")
DARTS_NODES = (2, 3, 4, 5)


class ArchParams(ABC):
    """The parameters of one architecture of ``space``, all named ``<prefix>_...``."""

    kind = ""

    def __init__(self, space: SearchSpace, prefix: str) -> None:
        self.space = space
        self.prefix = prefix

    def name(self, key: str) -> str:
        return f"{self.prefix}_{key}"

    @abstractmethod
    def distributions(self) -> dict[str, BaseDistribution]:
        """Every parameter an architecture may use, with its distribution."""

    @abstractmethod
    def build(self, value: Lookup) -> ArchGraph | None:
        """The architecture the parameters give (None when no repair makes it valid)."""

    @abstractmethod
    def params(self, graph: ArchGraph) -> dict[str, Any]:
        """The parameter values that :meth:`build` turns into ``graph``."""

    def decode(self, params: Mapping[str, Any]) -> ArchGraph | None:
        """The architecture of a finished trial's parameters; None when some are missing."""
        try:
            return self.build(lambda name, _: params[name])
        except KeyError:
            return None


class ChoiceParams(ArchParams):
    """One categorical per decision; ``make`` and ``read`` convert value tuples and graphs."""

    kind = "categorical"

    def __init__(
        self,
        space: SearchSpace,
        prefix: str,
        decisions: Sequence[tuple[str, Sequence[Any]]],
        make: Callable[[tuple[Any, ...]], ArchGraph],
        read: Callable[[ArchGraph], tuple[Any, ...]],
    ) -> None:
        super().__init__(space, prefix)
        self._distributions = {
            self.name(key): CategoricalDistribution(tuple(choices)) for key, choices in decisions
        }
        self._make = make
        self._read = read

    def distributions(self) -> dict[str, BaseDistribution]:
        return dict(self._distributions)

    def build(self, value: Lookup) -> ArchGraph:
        return self._make(tuple(value(n, d) for n, d in self._distributions.items()))

    def params(self, graph: ArchGraph) -> dict[str, Any]:
        return dict(zip(self._distributions, self._read(graph), strict=True))


def _nb201(space: NB201Space, prefix: str) -> ChoiceParams:
    decisions = [(f"edge_{src}_{dst}", NB201_OPS) for src, dst in EDGES]
    return ChoiceParams(space, prefix, decisions, graph_from_edge_ops, space.edge_ops)


def _nats(space: NatsSizeSpace, prefix: str) -> ChoiceParams:
    decisions = [(f"layer{i + 1}", CHANNELS) for i in range(LAYERS)]
    return ChoiceParams(space, prefix, decisions, graph_from_channels, space.channels)


def _input_pairs(node: int) -> tuple[str, ...]:
    """The two distinct inputs a DARTS node may read, as text ``"a,b"`` with ``a < b``."""
    return tuple(f"{a},{b}" for a in range(node) for b in range(a + 1, node))


def _darts_decisions(cells: Sequence[str]) -> list[tuple[str, Sequence[Any]]]:
    decisions: list[tuple[str, Sequence[Any]]] = []
    for cell in cells:
        for node in DARTS_NODES:
            stem = f"{cell}_node{node}"
            decisions += [(f"{stem}_inputs", _input_pairs(node))]
            decisions += [(f"{stem}_op_a", DARTS_OPS), (f"{stem}_op_b", DARTS_OPS)]
    return decisions


def _cell_from_values(values: Sequence[Any]) -> tuple[tuple[str, int], ...]:
    """A canonical DARTS cell from (inputs, op_a, op_b) per node."""
    pairs = []
    for inputs, op_a, op_b in zip(values[0::3], values[1::3], values[2::3], strict=True):
        first, second = (int(x) for x in str(inputs).split(","))
        pairs += [(op_a, first), (op_b, second)]
    return canonical_cell(pairs)


def _values_from_cell(cell: Sequence[tuple[str, int]]) -> tuple[Any, ...]:
    out: list[Any] = []
    for (op_a, first), (op_b, second) in zip(cell[0::2], cell[1::2], strict=True):
        out += [f"{first},{second}", op_a, op_b]
    return tuple(out)


def _darts(space: DartsSpace, prefix: str) -> ChoiceParams:
    half = 3 * len(DARTS_NODES)

    def make(values: tuple[Any, ...]) -> ArchGraph:
        cells = (_cell_from_values(values[:half]), _cell_from_values(values[half:]))
        return graph_from_genotype(cells)

    def read(graph: ArchGraph) -> tuple[Any, ...]:
        normal, reduce = space.genotype(graph)
        return _values_from_cell(normal) + _values_from_cell(reduce)

    return ChoiceParams(space, prefix, _darts_decisions(DARTS_CELLS), make, read)


def _darts_cell(space: DartsCellSpace, prefix: str) -> ChoiceParams:
    def read(graph: ArchGraph) -> tuple[Any, ...]:
        return _values_from_cell(space.cell(graph))

    def make(values: tuple[Any, ...]) -> ArchGraph:
        return cell_graph(_cell_from_values(values))

    return ChoiceParams(space, prefix, _darts_decisions(("cell",)), make, read)


class RepairedDagParams(ArchParams):
    """Inner ops and forward edges of a ``max_nodes``-vertex DAG, repaired into the space."""

    kind = "dag"

    def __init__(
        self, space: SearchSpace, prefix: str, inner_ops: Sequence[str], max_nodes: int
    ) -> None:
        super().__init__(space, prefix)
        self.inner_ops = tuple(inner_ops)
        self.max_nodes = max_nodes
        ops = CategoricalDistribution(self.inner_ops)
        n = max_nodes
        self._ops = {self.name(f"op{v}"): ops for v in range(1, n - 1)}
        self._edges = {
            self.name(f"edge_{i}_{j}"): (i, j) for i in range(n) for j in range(i + 1, n)
        }

    def distributions(self) -> dict[str, BaseDistribution]:
        return {**self._ops, **dict.fromkeys(self._edges, BINARY)}

    def build(self, value: Lookup) -> ArchGraph | None:
        ops = ["input", *(value(name, d) for name, d in self._ops.items()), "output"]
        adj = np.zeros((self.max_nodes, self.max_nodes), dtype=np.uint8)
        for name, (i, j) in self._edges.items():
            adj[i, j] = int(value(name, BINARY))
        return repair(self.space, ArchGraph(adj, ops))

    def params(self, graph: ArchGraph) -> dict[str, Any]:
        n = graph.n_nodes
        place = [*range(n - 1), self.max_nodes - 1]
        ops = [self.inner_ops[0]] * (self.max_nodes - 2)
        for v in range(1, n - 1):
            ops[v - 1] = graph.ops[v]
        adj = np.zeros((self.max_nodes, self.max_nodes), dtype=np.uint8)
        adj[np.ix_(place, place)] = graph.adj
        out: dict[str, Any] = dict(zip(self._ops, ops, strict=True))
        out.update({name: int(adj[i, j]) for name, (i, j) in self._edges.items()})
        return out


def repair(space: SearchSpace, graph: ArchGraph) -> ArchGraph | None:
    """``graph`` pruned, joined input to output if needed, then edges dropped from the last
    backwards (keeping a path) until ``space`` accepts it; None when nothing is left to drop."""
    if not graph.is_connected():
        adj = graph.adj.copy()
        adj[0, -1] = 1
        graph = ArchGraph(adj, graph.ops)
    graph = graph.prune()
    while not space.is_valid(graph):
        for i, j in reversed(list(zip(*np.nonzero(graph.adj)))):
            smaller = graph.flip_edge(int(i), int(j))
            if smaller.is_connected():
                graph = smaller.prune()
                break
        else:
            return None
    return graph


class IndexParams(ArchParams):
    """One integer: the architecture's position in the space's enumeration."""

    kind = "index"

    def distributions(self) -> dict[str, BaseDistribution]:
        return {self.name("index"): IntDistribution(0, len(self._graphs) - 1)}

    @cached_property
    def _graphs(self) -> list[ArchGraph]:
        return self.space.enumerate()

    @cached_property
    def _rows(self) -> dict[str, int]:
        return {self.space.identity(g): i for i, g in enumerate(self._graphs)}

    def build(self, value: Lookup) -> ArchGraph:
        name, distribution = next(iter(self.distributions().items()))
        return self._graphs[int(value(name, distribution))]

    def params(self, graph: ArchGraph) -> dict[str, Any]:
        return {self.name("index"): self._rows[self.space.identity(graph)]}


_CACHE: weakref.WeakKeyDictionary[SearchSpace, dict[str, ArchParams]] = weakref.WeakKeyDictionary()


def arch_params(space: SearchSpace, prefix: str = "arch") -> ArchParams:
    """The parameters of ``space``'s architectures (made once per space and prefix)."""
    known = _CACHE.setdefault(space, {})
    if prefix not in known:
        known[prefix] = _make_params(space, prefix)
    return known[prefix]


def _make_params(space: SearchSpace, prefix: str) -> ArchParams:
    if isinstance(space, RestrictedSpace):
        if space.base.size is not None and space.size == space.base.size:
            return _make_params(space.base, prefix)
        return IndexParams(space, prefix)
    builders: dict[type[Any], Callable[[Any, str], ArchParams]] = {
        NB201Space: _nb201,
        NatsSizeSpace: _nats,
        DartsSpace: _darts,
        DartsCellSpace: _darts_cell,
    }
    for kind, builder in builders.items():
        if isinstance(space, kind):
            return builder(space, prefix)
    if isinstance(space, NB101Space):
        return RepairedDagParams(space, prefix, space.ops[1:-1], space.max_nodes)
    if space.finite and space.size is not None:
        return IndexParams(space, prefix)
    if isinstance(space, GenericSpace) and space.inner_ops and space.max_nodes:
        return RepairedDagParams(space, prefix, space.inner_ops, space.max_nodes)
    raise ConfigError(
        f"search space {space.name!r} has no parameter encoding: it is neither finite nor a "
        "DAG space with an op vocabulary and a maximum size"
    )
