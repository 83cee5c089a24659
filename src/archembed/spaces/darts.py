"""DARTS / NAS-Bench-301 space: a normal and a reduction cell, 4 intermediate nodes each.

Genotype. Each cell lists 8 ``(op, input)`` pairs, two per intermediate node 2..5; node ``k``
picks two *different* inputs among ``0..k-1`` (0 = c_{k-2}, 1 = c_{k-1}, 2..k-1 = earlier
intermediate nodes) and one op per input from :data:`DARTS_OPS`; the cell output concatenates
nodes 2..5. NAS-Bench-301 encodes a cell as "which inputs each node uses, which op on each
used edge" (its ConfigSpace), so the order of a node's two pairs carries no information:
genotypes here are canonical, the two pairs of a node sorted by input.

Graph form (23 vertices, ops on vertices, as arch2vec's 11-node DARTS cell graph, made into one
graph with a single input and a single output). arch2vec turns each cell into
``c_k-2, c_k-1, 8 edge-op vertices, output``: an op vertex of edge ``j -> k`` receives from
``c_k-2`` (j = 0), ``c_k-1`` (j = 1) or both op vertices of node j (j >= 2), and every op vertex
feeds the cell output. We chain the two cells in network order, normal then reduction::

    0            input (the stem / the cells before)
    1, 2         normal c_k-2, c_k-1      (both fed by 0)
    3 .. 10      normal edge ops, node 2's two edges first, ..., node 5's last
    11           concat: the normal cell's output
    12, 13       reduction c_k-2, c_k-1   (both fed by 11: in the network a reduction cell
                 reads the outputs of the normal cells before it)
    14 .. 21     reduction edge ops
    22           output (the reduction cell's concat)

Chaining, rather than joining two cell graphs side by side, keeps the normal and reduction
cells apart in the isomorphism-invariant ``key`` (side by side, swapping the cells would give
the same graph) and follows the data flow of the network. ``identity`` is the exact layout, so
two genotypes are one benchmark entry exactly when NAS-Bench-301 would see the same config.

NASLib's compact tuples (``naslib_zc_nasbench301.json``) are ``[[(input, op) x 8] x 2]`` with op
indices into :data:`DARTS_OPS`. How the layout and the op order were checked against that file:

1. Element order. In all 500 genotypes the *first* element of pairs 2i and 2i+1 lies in
   0..i+1 (0..1, 0..2, 0..3, 0..4 for nodes 2..5), exactly the inputs node i+2 may read, while
   the *second* spans 0..6 at every position. So pairs are ``(input, op)``. No node uses one
   input twice.
2. Op order. The file's ``params`` is exactly linear (max residual 3e-15 M) in the counts of
   each op index per cell type (reduction edges split by stride: input < 2 or not). Fitted
   parameters per edge relative to index 0, in millions: normal cells
   ``[0, 0, 0, 0.09408, 0.108416, 0.04704, 0.054208]``, stride-2 reduction edges
   ``[0, 0, 0.02048, 0.044416, 0.05056, 0.022208, 0.02528]``. Indices 0 and 1 are
   parameter-free (pooling); index 2 is free except on stride-2 reduction edges (skip becomes
   FactorizedReduce); index 3 costs twice index 5 (a separable conv stacks two blocks shaped
   like one dilated conv) and (4 - 3) = 2 (6 - 5) (5x5 versus 3x3 depthwise kernels). With
   C = 32, 64, 128 for the 2+2+2 normal cells and 64, 128 for the 2 reduction cells (the
   NAS-Bench-301 network: 32 initial channels, 8 cells) and BatchNorm without affine
   parameters, ``dil_conv_3x3`` costs C^2 + 9C per edge, which reproduces 0.04704 M
   (normal) and 0.022208 M (reduction) exactly, and FactorizedReduce's C^2 gives 0.02048 M.
   This fixes skip_connect, sep_conv_3x3, sep_conv_5x5, dil_conv_3x3, dil_conv_5x5 at 2..6.
   Max and average pooling have the same parameters and FLOPs, so the data cannot order
   indices 0 and 1; we follow NASLib's op list (max_pool_3x3 first), which is DARTS'
   PRIMITIVES without ``none``. (NASLib's own compact-to-genotype function indexes its list
   with ``op - 1``; the parameter fit above rules that offset out for this file.)
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from math import comb

import numpy as np

from archembed.errors import InvalidArchitectureError
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace, parse_literal, register_space

DARTS_OPS = (
    "max_pool_3x3",
    "avg_pool_3x3",
    "skip_connect",
    "sep_conv_3x3",
    "sep_conv_5x5",
    "dil_conv_3x3",
    "dil_conv_5x5",
)
"""NAS-Bench-301 edge ops, in NASLib's index order (DARTS' PRIMITIVES without ``none``)."""

N_NODES = 4
CONCAT = (2, 3, 4, 5)
N_VERTICES = 23
NORMAL_OUT = 11
CELL_VERTICES = 2 * N_NODES + 3
CELL_OUTPUT = CELL_VERTICES - 1
CELL_INPUTS = ("c_k-2", "c_k-1")

Pair = tuple[str, int]
Cell = tuple[Pair, ...]
Genotype = tuple[Cell, Cell]


def _cell_base(cell: int) -> int:
    """Vertex of a cell's c_k-2 (its c_k-1 follows, then its 8 op vertices)."""
    return 1 + CELL_VERTICES * cell


def canonical_cell(pairs: Sequence[Sequence[object]]) -> Cell:
    """Validate one cell's 8 ``(op, input)`` pairs and sort each node's two pairs by input."""
    if len(pairs) != 2 * N_NODES:
        raise InvalidArchitectureError(
            f"a DARTS cell has {2 * N_NODES} (op, input) pairs, got {len(pairs)}"
        )
    out: list[Pair] = []
    for i in range(N_NODES):
        node = i + 2
        group = []
        for pair in pairs[2 * i : 2 * i + 2]:
            if (
                not isinstance(pair, list | tuple)
                or len(pair) != 2
                or not isinstance(pair[0], str)
                or isinstance(pair[1], bool)
            ):
                raise InvalidArchitectureError(f"a DARTS edge is (op, input), got {pair!r}")
            op, source = pair[0], pair[1]
            if op not in DARTS_OPS:
                raise InvalidArchitectureError(
                    f"unknown DARTS op {op!r}; NAS-Bench-301 ops: {', '.join(DARTS_OPS)}"
                )
            if not isinstance(source, int) or not 0 <= source < node:
                raise InvalidArchitectureError(
                    f"node {node} can take inputs 0..{node - 1}, got {source!r}"
                )
            group.append((op, source))
        if group[0][1] == group[1][1]:
            raise InvalidArchitectureError(
                f"node {node} uses input {group[0][1]} twice; its two edges need different inputs"
            )
        out.extend(sorted(group, key=lambda p: p[1]))
    return tuple(out)


def write_cell_edges(adj: np.ndarray, base: int, cell_out: int, inputs: Sequence[int]) -> None:
    """Write one cell's edges into ``adj``: its c_k-2 is vertex ``base`` (c_k-1 follows, then
    the 8 op vertices), its output ``cell_out``; ``inputs`` gives each op vertex's source."""
    first_op = base + 2
    for slot, source in enumerate(inputs):
        vertex = first_op + slot
        if source < 2:
            adj[base + source, vertex] = 1
        else:
            producer = first_op + 2 * (source - 2)
            adj[producer, vertex] = adj[producer + 1, vertex] = 1
        adj[vertex, cell_out] = 1


def read_cell_pairs(graph: ArchGraph, base: int) -> list[Pair] | None:
    """The ``(op, input)`` pairs of the cell whose c_k-2 is vertex ``base``, in layout order;
    None when an op vertex's predecessors are not one cell input or one earlier node."""
    first_op = base + 2
    pairs = []
    for slot in range(2 * N_NODES):
        vertex = first_op + slot
        preds = tuple(np.flatnonzero(graph.adj[:, vertex]).tolist())
        if preds in ((base,), (base + 1,)):
            source = preds[0] - base
        elif len(preds) == 2 and (preds[0] - first_op) % 2 == 0 and preds[1] == preds[0] + 1:
            source = 2 + (preds[0] - first_op) // 2
        else:
            return None
        pairs.append((graph.ops[vertex], source))
    return pairs


def sample_cell(rng: np.random.Generator) -> Cell:
    """A uniform canonical cell: each node draws 2 distinct inputs and an op for each."""
    pairs: list[Pair] = []
    for node in range(2, 6):
        sources = sorted(rng.choice(node, size=2, replace=False))
        codes = rng.integers(len(DARTS_OPS), size=2)
        pairs += [(DARTS_OPS[c], int(s)) for c, s in zip(codes, sources)]
    return tuple(pairs)


def cell_neighbours(cell: Cell) -> list[Cell]:
    """Canonical cells differing in one edge: another op, or another (still distinct) input."""
    seen: dict[Cell, None] = {}
    for slot, (op, source) in enumerate(cell):
        sibling = cell[slot ^ 1][1]
        node = 2 + slot // 2
        options = [(o, source) for o in DARTS_OPS if o != op]
        options += [(op, s) for s in range(node) if s not in (source, sibling)]
        for pair in options:
            pairs = list(cell)
            pairs[slot] = pair
            seen[canonical_cell(pairs)] = None
    return list(seen)


def cell_graph(pairs: Sequence[Pair]) -> ArchGraph:
    """One cell's 11-vertex graph (the ``darts_cell`` space), its pairs in the order given:
    ``c_k-2, c_k-1``, the 8 op vertices, ``output``."""
    adj = np.zeros((CELL_VERTICES, CELL_VERTICES), dtype=np.uint8)
    write_cell_edges(adj, 0, CELL_OUTPUT, [source for _, source in pairs])
    return ArchGraph.from_trusted(adj, (*CELL_INPUTS, *(op for op, _ in pairs), "output"))


def graph_from_genotype(genotype: Genotype) -> ArchGraph:
    """The 23-vertex graph of a canonical genotype (see the module docstring)."""
    adj = np.zeros((N_VERTICES, N_VERTICES), dtype=np.uint8)
    ops = ["input"]
    for cell, pairs in enumerate(genotype):
        base = _cell_base(cell)
        feeder, cell_out = (0, NORMAL_OUT) if cell == 0 else (NORMAL_OUT, N_VERTICES - 1)
        adj[feeder, base] = adj[feeder, base + 1] = 1
        write_cell_edges(adj, base, cell_out, [source for _, source in pairs])
        ops += [*CELL_INPUTS, *(op for op, _ in pairs)]
        ops.append("concat" if cell == 0 else "output")
    return ArchGraph.from_trusted(adj, tuple(ops))


def _genotype_from_graph(graph: ArchGraph) -> Genotype | None:
    """Read the genotype back from a graph; None when the graph is not in the space."""
    if graph.n_nodes != N_VERTICES:
        return None
    cells = []
    for cell in range(2):
        pairs = read_cell_pairs(graph, _cell_base(cell))
        if pairs is None:
            return None
        cells.append(pairs)
    try:
        genotype = (canonical_cell(cells[0]), canonical_cell(cells[1]))
    except InvalidArchitectureError:
        return None
    return genotype if graph_from_genotype(genotype) == graph else None


def _pairs_from_ast(node: ast.expr, field: str) -> list[object]:
    value = parse_literal(node)
    if not isinstance(value, list | tuple):
        raise InvalidArchitectureError(f"genotype field {field!r} must be a list of (op, input)")
    return list(value)


def _concat_from_ast(node: ast.expr) -> tuple[object, ...] | None:
    """The node ids of a ``*_concat`` field (a literal list or ``range(...)``), None if neither."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "range"
        and not node.keywords
    ):
        args = [parse_literal(a) for a in node.args]
        small = all(type(a) is int and abs(a) <= 2 * N_VERTICES for a in args)
        if not small or not 1 <= len(args) <= 3 or args[2:] == [0]:
            return None
        return tuple(range(*args))
    value = parse_literal(node)
    return tuple(value) if isinstance(value, list | tuple) else None


def parse_genotype(text: str) -> Genotype:
    """Parse DARTS' ``Genotype(normal=[...], normal_concat=[...], reduce=[...], ...)`` text."""
    fields = ("normal", "normal_concat", "reduce", "reduce_concat")
    try:
        call = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError, UnicodeError):
        call = None
    if not isinstance(call, ast.Call) or getattr(call.func, "id", None) != "Genotype":
        raise InvalidArchitectureError(
            f"not a DARTS genotype: {text[:60]!r}; expected Genotype(normal=[('sep_conv_3x3', 0)"
            ", ...], normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=[2, 3, 4, 5])"
        )
    values: dict[str, ast.expr] = dict(zip(fields, call.args))
    for keyword in call.keywords:
        if keyword.arg not in fields:
            raise InvalidArchitectureError(f"unknown genotype field {keyword.arg!r}")
        values[keyword.arg] = keyword.value
    missing = [f for f in fields if f not in values]
    if missing:
        raise InvalidArchitectureError(f"genotype lacks field(s) {', '.join(missing)}")
    for field in ("normal_concat", "reduce_concat"):
        if _concat_from_ast(values[field]) != CONCAT:
            raise InvalidArchitectureError(
                f"{field} must be [2, 3, 4, 5] in the NAS-Bench-301 space"
            )
    return (
        canonical_cell(_pairs_from_ast(values["normal"], "normal")),
        canonical_cell(_pairs_from_ast(values["reduce"], "reduce")),
    )


def format_genotype(genotype: Genotype) -> str:
    """DARTS' genotype text (the repr of its ``Genotype`` namedtuple)."""
    normal, reduce = ([(op, source) for op, source in cell] for cell in genotype)
    concat = list(CONCAT)
    return (
        f"Genotype(normal={normal}, normal_concat={concat}, "
        f"reduce={reduce}, reduce_concat={concat})"
    )


@register_space("darts")
class DartsSpace(SearchSpace):
    """DARTS / NAS-Bench-301 cells; native format DARTS' ``Genotype(...)`` text."""

    name = "darts"
    ops = ("input", "c_k-2", "c_k-1", *DARTS_OPS, "concat", "output")
    max_nodes = N_VERTICES
    size = int(np.prod([comb(k, 2) * len(DARTS_OPS) ** 2 for k in range(2, 6)])) ** 2
    cell_space = "darts_cell"

    def genotype(self, graph: ArchGraph) -> Genotype:
        """The canonical genotype of a graph of this space."""
        genotype = _genotype_from_graph(graph)
        if genotype is None:
            raise InvalidArchitectureError("architecture is not a graph of the darts space")
        return genotype

    def is_valid(self, graph: ArchGraph) -> bool:
        return _genotype_from_graph(graph) is not None

    def cells(self, graph: ArchGraph) -> list[ArchGraph]:
        """The normal and the reduction cell as 11-vertex graphs of the ``darts_cell`` space."""
        return [cell_graph(cell) for cell in self.genotype(graph)]

    def sample(self, n: int, rng: np.random.Generator) -> list[ArchGraph]:
        """Uniform over canonical genotypes: each node draws 2 distinct inputs and 2 ops."""
        return [graph_from_genotype((sample_cell(rng), sample_cell(rng))) for _ in range(n)]

    def neighbours(self, graph: ArchGraph) -> list[ArchGraph]:
        """Genotypes differing in one edge: another op, or another (still distinct) input."""
        normal, reduce = self.genotype(graph)
        genotypes = [(cell, reduce) for cell in cell_neighbours(normal)]
        genotypes += [(normal, cell) for cell in cell_neighbours(reduce)]
        return [graph_from_genotype(g) for g in genotypes]

    def identity(self, graph: ArchGraph) -> str:
        """Exact layout: NAS-Bench-301 tells apart genotypes that differ in any edge."""
        return graph.exact_key

    def to_native(self, graph: ArchGraph) -> str:
        return format_genotype(self.genotype(graph))

    def from_native(self, text: str) -> ArchGraph:
        return graph_from_genotype(parse_genotype(text))

    def to_naslib(self, graph: ArchGraph) -> tuple[tuple[tuple[int, int], ...], ...]:
        """NASLib's compact form: per cell 8 ``(input, op index)`` pairs (canonical order)."""
        return tuple(
            tuple((source, DARTS_OPS.index(op)) for op, source in cell)
            for cell in self.genotype(graph)
        )

    def from_naslib(self, compact: object) -> ArchGraph:
        """Inverse of :meth:`to_naslib`; accepts the nested tuples or their text."""
        if isinstance(compact, str):
            text, compact = compact, parse_literal(compact)
            if compact is None:
                raise InvalidArchitectureError(f"not a NASLib DARTS tuple: {text[:60]!r}")
        if (
            not isinstance(compact, list | tuple)
            or len(compact) != 2
            or not all(isinstance(cell, list | tuple) for cell in compact)
        ):
            raise InvalidArchitectureError(
                "a NASLib DARTS architecture is [[(input, op) x 8], [(input, op) x 8]]"
            )
        cells = []
        for cell in compact:
            pairs = []
            for pair in cell:
                if (
                    not isinstance(pair, list | tuple)
                    or len(pair) != 2
                    or not all(isinstance(v, int) for v in pair)
                    or not 0 <= pair[1] < len(DARTS_OPS)
                ):
                    raise InvalidArchitectureError(
                        f"a NASLib DARTS edge is (input, op index 0..6), got {pair!r}"
                    )
                pairs.append((DARTS_OPS[pair[1]], pair[0]))
            cells.append(canonical_cell(pairs))
        return graph_from_genotype((cells[0], cells[1]))
