"""ArchGraph: an immutable op-on-node DAG, its canonical key, edits and tensors.

Node 0 is the input, node ``n - 1`` the output; the adjacency matrix is strictly upper
triangular, so node order is a topological order and a cycle cannot be written down.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import numpy as np

from archembed.errors import InvalidArchitectureError

ZERO_OPS = frozenset({"none", "zero"})
"""Operations that output zeros: a vertex carrying one transmits nothing and is pruned."""

NB101_LABELS = {"conv3x3-bn-relu": 0, "conv1x1-bn-relu": 1, "maxpool3x3": 2}
"""NAS-Bench-101 op labels used by its module hash (input is -1, output is -2)."""


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def hash_module(adj: np.ndarray, labels: Sequence[object]) -> str:
    """NAS-Bench-101's iterated-MD5 neighbourhood hash of a labelled DAG.

    Each vertex starts from md5 of ``(out-degree, in-degree, label)``; for as many rounds as
    there are vertices it is rehashed with the sorted hashes of its in- and out-neighbours;
    the fingerprint is md5 of the sorted vertex hashes. Invariant to vertex renumbering.
    """
    n = adj.shape[0]
    out_deg = adj.sum(axis=1).tolist()
    in_deg = adj.sum(axis=0).tolist()
    hashes = [_md5(str((int(out_deg[v]), int(in_deg[v]), labels[v]))) for v in range(n)]
    preds = [np.flatnonzero(adj[:, v]).tolist() for v in range(n)]
    succs = [np.flatnonzero(adj[v, :]).tolist() for v in range(n)]
    for _ in range(n):
        hashes = [
            _md5(
                "".join(sorted(hashes[w] for w in preds[v]))
                + "|"
                + "".join(sorted(hashes[w] for w in succs[v]))
                + "|"
                + hashes[v]
            )
            for v in range(n)
        ]
    return _md5(str(sorted(hashes)))


def _hash_labels(ops: Sequence[str]) -> list[object]:
    last = len(ops) - 1
    return [
        -1 if i == 0 else -2 if i == last else NB101_LABELS.get(op, op) for i, op in enumerate(ops)
    ]


class ArchGraph:
    """Immutable op-on-node DAG: ``adj`` (read-only uint8, strictly upper triangular) and ``ops``.

    ``key`` is invariant to isomorphism (NAS-Bench-101 hash of the pruned graph, so NB101 keys
    equal the official ones); ``exact_key`` identifies this exact node layout.
    """

    __slots__ = ("_exact_key", "_key", "adj", "ops")

    def __init__(self, adj: np.ndarray | Sequence[Sequence[int]], ops: Iterable[str]) -> None:
        ops_t = tuple(str(o) for o in ops)
        try:
            matrix = np.asarray(adj, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InvalidArchitectureError(f"adjacency is not a numeric matrix: {exc}") from None
        n = len(ops_t)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise InvalidArchitectureError(
                f"adjacency must be a square matrix, got shape {matrix.shape}"
            )
        if matrix.shape[0] != n:
            raise InvalidArchitectureError(
                f"adjacency is {matrix.shape[0]}x{matrix.shape[0]} but {n} ops were given; "
                "give one op per node (input first, output last)"
            )
        if n < 2:
            raise InvalidArchitectureError("an architecture needs at least an input and an output")
        if not np.isin(matrix, (0.0, 1.0)).all():
            raise InvalidArchitectureError("adjacency entries must be 0 or 1")
        if np.tril(matrix).any():
            raise InvalidArchitectureError(
                "adjacency must be strictly upper triangular (edges only from a node to a later "
                "node): the graph has a cycle, a self-loop or nodes out of topological order"
            )
        frozen = matrix.astype(np.uint8)
        frozen.setflags(write=False)
        object.__setattr__(self, "adj", frozen)
        object.__setattr__(self, "ops", ops_t)
        object.__setattr__(self, "_key", None)
        object.__setattr__(self, "_exact_key", None)

    @classmethod
    def from_trusted(
        cls, adj: np.ndarray, ops: tuple[str, ...], key: str | None = None
    ) -> ArchGraph:
        """Build without validation from an already valid uint8 matrix (fast path for caches)."""
        graph = object.__new__(cls)
        frozen = adj
        if adj.flags.writeable:
            frozen = adj.copy()
            frozen.setflags(write=False)
        object.__setattr__(graph, "adj", frozen)
        object.__setattr__(graph, "ops", ops)
        object.__setattr__(graph, "_key", key)
        object.__setattr__(graph, "_exact_key", None)
        return graph

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("ArchGraph is immutable; use its edit methods to get a new graph")

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (_rebuild, (self.adj.copy(), self.ops, self._key))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ArchGraph) and self.exact_key == other.exact_key

    def __hash__(self) -> int:
        return hash(self.exact_key)

    def __repr__(self) -> str:
        edges = [(int(i), int(j)) for i, j in zip(*np.nonzero(self.adj))]
        return f"ArchGraph(ops={list(self.ops)}, edges={edges})"

    @property
    def n_nodes(self) -> int:
        return len(self.ops)

    @property
    def n_edges(self) -> int:
        return int(self.adj.sum())

    @property
    def key(self) -> str:
        """Canonical hash, equal for isomorphic graphs (computed on the pruned graph)."""
        if self._key is None:
            pruned = self.prune()
            object.__setattr__(self, "_key", hash_module(pruned.adj, _hash_labels(pruned.ops)))
        return self._key

    @property
    def exact_key(self) -> str:
        """Hash of this exact layout (node order matters)."""
        if self._exact_key is None:
            text = ",".join(self.ops) + "|" + np.packbits(self.adj).tobytes().hex()
            object.__setattr__(self, "_exact_key", _md5(text))
        return self._exact_key

    def longest_path(self) -> int:
        """Edges on the longest path of the DAG (vertices are in topological order)."""
        depth = np.zeros(self.n_nodes, dtype=int)
        for v in range(1, self.n_nodes):
            preds = np.flatnonzero(self.adj[:v, v])
            if len(preds):
                depth[v] = depth[preds].max() + 1
        return int(depth.max())

    def live_mask(self) -> np.ndarray:
        """Boolean mask of vertices on some input-to-output path (zero-op vertices excluded)."""
        n = self.n_nodes
        alive = np.array([op not in ZERO_OPS for op in self.ops])
        alive[0] = alive[-1] = True
        forward = np.zeros(n, dtype=bool)
        forward[0] = True
        for v in range(1, n):
            forward[v] = alive[v] and bool((forward & (self.adj[:, v] > 0)).any())
        backward = np.zeros(n, dtype=bool)
        backward[n - 1] = True
        for v in range(n - 2, -1, -1):
            backward[v] = alive[v] and bool((backward & (self.adj[v, :] > 0)).any())
        return forward & backward

    def is_connected(self) -> bool:
        """True when some path leads from the input to the output."""
        return bool(self.live_mask()[-1])

    def prune(self) -> ArchGraph:
        """Drop vertices not on an input-to-output path; a disconnected graph keeps in and out."""
        mask = self.live_mask()
        if not mask[-1]:
            mask = np.zeros(self.n_nodes, dtype=bool)
            mask[0] = mask[-1] = True
        if mask.all():
            return self
        keep = np.flatnonzero(mask)
        adj = self.adj[np.ix_(keep, keep)].copy()
        return ArchGraph.from_trusted(adj, tuple(self.ops[i] for i in keep))

    def flip_edge(self, i: int, j: int) -> ArchGraph:
        """Add the edge i -> j if absent, remove it if present (requires i < j)."""
        if not 0 <= i < j < self.n_nodes:
            raise InvalidArchitectureError(
                f"edge ({i}, {j}) is not a forward edge of a {self.n_nodes}-node graph"
            )
        adj = self.adj.copy()
        adj[i, j] ^= 1
        return ArchGraph.from_trusted(adj, self.ops)

    def set_op(self, i: int, op: str) -> ArchGraph:
        """Replace the op of an inner vertex."""
        if not 0 < i < self.n_nodes - 1:
            raise InvalidArchitectureError(
                f"vertex {i} is not an inner vertex; ops of input/output are fixed"
            )
        ops = list(self.ops)
        ops[i] = op
        return ArchGraph.from_trusted(self.adj.copy(), tuple(ops))

    def add_node(self, op: str, preds: Iterable[int], succs: Iterable[int]) -> ArchGraph:
        """Insert a vertex with ``op`` just before the output, wired from ``preds`` to ``succs``.

        ``succs`` may only contain the output (the new vertex is the last inner one).
        """
        n = self.n_nodes
        adj = np.zeros((n + 1, n + 1), dtype=np.uint8)
        adj[: n - 1, : n - 1] = self.adj[: n - 1, : n - 1]
        adj[: n - 1, n] = self.adj[: n - 1, n - 1]
        for p in preds:
            if not 0 <= p < n - 1:
                raise InvalidArchitectureError(
                    f"predecessor {p} is not an existing non-output vertex"
                )
            adj[p, n - 1] = 1
        for s in succs:
            if s != n - 1:
                raise InvalidArchitectureError("a new vertex can only feed the output")
            adj[n - 1, n] = 1
        return ArchGraph.from_trusted(adj, (*self.ops[:-1], op, self.ops[-1]))

    def remove_node(self, i: int) -> ArchGraph:
        """Delete an inner vertex and its edges."""
        if not 0 < i < self.n_nodes - 1:
            raise InvalidArchitectureError(f"vertex {i} is not an inner vertex")
        keep = [v for v in range(self.n_nodes) if v != i]
        adj = self.adj[np.ix_(keep, keep)].copy()
        return ArchGraph.from_trusted(adj, tuple(self.ops[v] for v in keep))

    def padded(self, n_nodes: int, pad_op: str = "pad") -> tuple[np.ndarray, tuple[str, ...]]:
        """Adjacency and ops grown to ``n_nodes`` by isolated ``pad_op`` vertices before output."""
        n = self.n_nodes
        if n_nodes < n:
            raise InvalidArchitectureError(f"graph has {n} nodes, more than the {n_nodes} allowed")
        adj = np.zeros((n_nodes, n_nodes), dtype=np.uint8)
        adj[: n - 1, : n - 1] = self.adj[: n - 1, : n - 1]
        adj[: n - 1, n_nodes - 1] = self.adj[: n - 1, n - 1]
        ops = (*self.ops[:-1], *([pad_op] * (n_nodes - n)), self.ops[-1])
        return adj, ops

    def edit_distance(self, other: ArchGraph) -> int:
        """Node-aligned edit distance: differing adjacency entries plus differing ops.

        The smaller graph is padded with isolated vertices before its output. This is the
        distance used by arch2vec and NAS-Bench-101 studies; it does not minimise over
        vertex permutations.
        """
        size = max(self.n_nodes, other.n_nodes)
        a_adj, a_ops = self.padded(size)
        b_adj, b_ops = other.padded(size)
        return int((a_adj != b_adj).sum()) + sum(x != y for x, y in zip(a_ops, b_ops))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form: ``{"adjacency": [[...]], "ops": [...]}``."""
        return {"adjacency": self.adj.astype(int).tolist(), "ops": list(self.ops)}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ArchGraph:
        """Inverse of :meth:`to_dict`; raises InvalidArchitectureError on missing fields."""
        if not isinstance(data, dict) or "adjacency" not in data or "ops" not in data:
            raise InvalidArchitectureError(
                'an architecture object needs "adjacency" (list of rows) and "ops" (list of names)'
            )
        ops = data["ops"]
        if not isinstance(ops, list) or not all(isinstance(o, str) for o in ops):
            raise InvalidArchitectureError('"ops" must be a list of op names')
        return cls(data["adjacency"], ops)  # type: ignore[arg-type]

    def to_tensors(self, ops_vocab: Sequence[str], max_nodes: int) -> tuple[np.ndarray, np.ndarray]:
        """Padded adjacency (max_nodes x max_nodes) and one-hot ops (max_nodes x len(vocab))."""
        adj, ops = batch_tensors([self], ops_vocab, max_nodes)
        return adj[0], ops[0]


def _rebuild(adj: np.ndarray, ops: tuple[str, ...], key: str | None) -> ArchGraph:
    return ArchGraph.from_trusted(adj, ops, key)


def batch_tensors(
    graphs: Sequence[ArchGraph], ops_vocab: Sequence[str], max_nodes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Stack graphs into float32 arrays: adjacency (B, N, N) and one-hot ops (B, N, V).

    Graphs with fewer than ``max_nodes`` vertices are zero-padded after their output vertex;
    padded rows of the op array are all zero. Unknown ops raise InvalidArchitectureError.
    """
    index = {op: i for i, op in enumerate(ops_vocab)}
    adj = np.zeros((len(graphs), max_nodes, max_nodes), dtype=np.float32)
    onehot = np.zeros((len(graphs), max_nodes, len(ops_vocab)), dtype=np.float32)
    for b, g in enumerate(graphs):
        n = g.n_nodes
        if n > max_nodes:
            raise InvalidArchitectureError(f"graph has {n} nodes, more than max_nodes={max_nodes}")
        adj[b, :n, :n] = g.adj
        try:
            codes = [index[op] for op in g.ops]
        except KeyError as exc:
            raise InvalidArchitectureError(
                f"unknown op {exc.args[0]!r}; known ops: {', '.join(ops_vocab)}"
            ) from None
        onehot[b, np.arange(n), codes] = 1.0
    return adj, onehot
