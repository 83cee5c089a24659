"""One DARTS cell as an 11-vertex graph: the representation the arch2vec paper pretrains on.

Vertices: 0 ``c_k-2``, 1 ``c_k-1``, 2..9 the cell's 8 edge ops (node 2's two edges first, ...,
node 5's last), 10 ``output``. An op vertex of edge ``j -> k`` receives from ``c_k-2`` (j = 0),
``c_k-1`` (j = 1) or both op vertices of node j (j >= 2), and every op vertex feeds the output.
This is the cell graph of :mod:`archembed.spaces.darts` on its own; a genotype there chains a
normal and a reduction cell (23 vertices). Here a normal and a reduction cell are the same
kind of object, so training on cells sees twice the cells of a genotype sample and the graph
is half the size.

Membership is structural: any graph with this layout whose nodes read two distinct inputs is
a cell, whatever the order of a node's two edges; ``identity`` is that of the canonical layout
(each node's edges sorted by input), so the two orders are one cell. The native format is the
cell's list in a DARTS genotype, ``[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ...]``.
"""

from __future__ import annotations

from math import comb

import numpy as np

from archembed.errors import InvalidArchitectureError
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace, parse_literal, register_space
from archembed.spaces.darts import (
    CELL_INPUTS,
    CELL_VERTICES,
    DARTS_OPS,
    Cell,
    canonical_cell,
    cell_graph,
    cell_neighbours,
    read_cell_pairs,
    sample_cell,
)


def _cell_from_graph(graph: ArchGraph) -> Cell | None:
    """The canonical cell of a graph with this layout; None when the graph is not a cell."""
    heads_ok = graph.ops[:2] == CELL_INPUTS and graph.ops[-1] == "output"
    if graph.n_nodes != CELL_VERTICES or not heads_ok:
        return None
    pairs = read_cell_pairs(graph, 0)
    if pairs is None or cell_graph(pairs) != graph:
        return None
    try:
        return canonical_cell(pairs)
    except InvalidArchitectureError:
        return None


@register_space("darts_cell")
class DartsCellSpace(SearchSpace):
    """Single DARTS / NAS-Bench-301 cells (arch2vec's 11-vertex DARTS graph)."""

    name = "darts_cell"
    ops = (*CELL_INPUTS, *DARTS_OPS, "output")
    input_ops = CELL_INPUTS
    max_nodes = CELL_VERTICES
    size = int(np.prod([comb(k, 2) * len(DARTS_OPS) ** 2 for k in range(2, 6)]))

    def cell(self, graph: ArchGraph) -> Cell:
        """The canonical ``(op, input)`` pairs of a graph of this space."""
        cell = _cell_from_graph(graph)
        if cell is None:
            raise InvalidArchitectureError("architecture is not a graph of the darts_cell space")
        return cell

    def is_valid(self, graph: ArchGraph) -> bool:
        return _cell_from_graph(graph) is not None

    def sample(self, n: int, rng: np.random.Generator) -> list[ArchGraph]:
        """Uniform over canonical cells: each node draws 2 distinct inputs and 2 ops."""
        return [cell_graph(sample_cell(rng)) for _ in range(n)]

    def neighbours(self, graph: ArchGraph) -> list[ArchGraph]:
        """Cells differing in one edge: another op, or another (still distinct) input."""
        return [cell_graph(cell) for cell in cell_neighbours(self.cell(graph))]

    def identity(self, graph: ArchGraph) -> str:
        """The exact key of the canonical layout: a node's two edge orders are one cell."""
        return cell_graph(self.cell(graph)).exact_key

    def to_native(self, graph: ArchGraph) -> str:
        return repr(list(self.cell(graph)))

    def from_native(self, text: str) -> ArchGraph:
        pairs = parse_literal(text)
        if not isinstance(pairs, list | tuple):
            raise InvalidArchitectureError(
                f"not a DARTS cell: {text[:60]!r}; expected a list of 8 (op, input) pairs such as "
                "[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ...]"
            )
        return cell_graph(canonical_cell(pairs))
