"""The 423,624 unique NAS-Bench-101 cells: enumerated once, hashed, cached on disk as arrays.

A NAS-Bench-101 cell is a DAG of 2-7 vertices and at most 9 edges in which every vertex lies on
an input-to-output path, with one of three ops on each inner vertex. Hashing every candidate
matrix is far too slow in Python, so the enumeration works in two cheap steps and hashes once
per isomorphism class:

1. unlabelled shapes: all upper-triangular matrices are screened with bit operations (edge count,
   every vertex fed and feeding), then reduced to one canonical matrix per class (the smallest
   bit code over the orderings of the inner vertices) with its automorphisms;
2. labellings: the op labellings of a shape are reduced to orbits of its automorphism group.

Each class is then hashed with NAS-Bench-101's iterated MD5 (:func:`hash_labellings`, identical
to :func:`archembed.graph.hash_module`), spread over worker processes.
"""

from __future__ import annotations

import hashlib
import itertools
import zipfile
from binascii import hexlify
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import numpy as np

from archembed.errors import InvalidArchitectureError
from archembed.graph import ArchGraph
from archembed.io import atomic_path, cache_dir
from archembed.progress import ProgressBar

MAX_VERTICES = 7
MAX_EDGES = 9
INNER_OPS = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")
"""Inner ops in NAS-Bench-101's label order (label 0, 1, 2)."""
INPUT_LABEL, OUTPUT_LABEL, PAD_LABEL = -1, -2, -3
N_CELLS = 423_624
CACHE_NAME = "nb101-cells-v1.npz"


@dataclass(frozen=True)
class NB101Cells:
    """All cells as arrays, sorted by key.

    ``adjacency`` (N, 7, 7) uint8 and ``labels`` (N, 7) int8 are padded after the output vertex
    (labels as in NAS-Bench-101: -1 input, -2 output, 0/1/2 the ops of :data:`INNER_OPS`,
    -3 padding), so ``adjacency[i, :n, :n]`` with ``n = n_nodes[i]`` is cell i.
    """

    keys: np.ndarray
    n_nodes: np.ndarray
    adjacency: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.keys)

    def positions(self, keys: Sequence[str]) -> np.ndarray:
        """Index of each key in the arrays, -1 where a key is not a NAS-Bench-101 cell."""
        wanted = np.asarray(keys, dtype=self.keys.dtype)
        pos = np.searchsorted(self.keys, wanted).clip(max=len(self.keys) - 1)
        return np.where(self.keys[pos] == wanted, pos, -1)

    def graphs(self, indices: Sequence[int] | np.ndarray | None = None) -> list[ArchGraph]:
        """ArchGraphs of the given cells (all cells when ``indices`` is None), keys preset."""
        chosen = np.arange(len(self)) if indices is None else np.asarray(indices, dtype=np.int64)
        out: list[ArchGraph | None] = [None] * len(chosen)
        sizes = self.n_nodes[chosen]
        keys = self.keys[chosen].tolist()
        # one op tuple per distinct label row, shared by every graph with that row
        _, first, inverse = np.unique(
            (self.labels[chosen].astype(np.int64) - PAD_LABEL) @ 6 ** np.arange(MAX_VERTICES),
            return_index=True,
            return_inverse=True,
        )
        names = [labels_to_ops(row) for row in self.labels[chosen[first]].tolist()]
        ops = [names[i] for i in inverse.tolist()]
        for n in np.unique(sizes).tolist():
            slots = np.flatnonzero(sizes == n)
            adj = np.ascontiguousarray(self.adjacency[chosen[slots], :n, :n])
            adj.setflags(write=False)
            for slot, matrix in zip(slots.tolist(), adj):
                out[slot] = ArchGraph.from_trusted(matrix, ops[slot], keys[slot])
        return out  # type: ignore[return-value]

    def tensors(self, vocabulary: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Float32 adjacency (N, 7, 7) and one-hot ops (N, 7, V), as ``batch_tensors`` pads them."""
        index = {op: i for i, op in enumerate(vocabulary)}
        missing = [op for op in ("input", "output", *INNER_OPS) if op not in index]
        if missing:
            raise InvalidArchitectureError(
                f"vocabulary lacks NAS-Bench-101 ops {missing}; use NB101Space.ops"
            )
        # column of each label, indexed by label - PAD_LABEL (padding, output, input, ops)
        column = np.array([-1, index["output"], index["input"], *(index[op] for op in INNER_OPS)])
        onehot = np.zeros((len(self), MAX_VERTICES, len(vocabulary)), dtype=np.float32)
        cells, slots = np.nonzero(self.labels != PAD_LABEL)
        onehot[cells, slots, column[self.labels[cells, slots] - PAD_LABEL]] = 1.0
        return self.adjacency.astype(np.float32), onehot


def labels_to_ops(labels: Sequence[int]) -> tuple[str, ...]:
    """Op names of a row of NAS-Bench-101 labels (padding dropped)."""
    names = {INPUT_LABEL: "input", OUTPUT_LABEL: "output"}
    return tuple(names.get(label) or INNER_OPS[label] for label in labels if label != PAD_LABEL)


def _md5_hex(data: bytes) -> bytes:
    return hexlify(hashlib.md5(data).digest())


def hash_labellings(adj: np.ndarray, label_rows: Sequence[Sequence[int]]) -> list[str]:
    """NAS-Bench-101 keys of one (pruned) adjacency under several label rows.

    Same result as :func:`archembed.graph.hash_module` per row, computed column-wise: each vertex
    holds the hex hashes of all rows, and one round rehashes a whole column, so the neighbour
    lookups are shared by every row.
    """
    n, rows = adj.shape[0], len(label_rows)
    preds = [np.flatnonzero(adj[:, v]).tolist() for v in range(n)]
    succs = [np.flatnonzero(adj[v, :]).tolist() for v in range(n)]
    seeds: dict[tuple[int, int, int], bytes] = {}
    columns = []
    for v in range(n):
        column = []
        for labels in label_rows:
            seed_key = (len(succs[v]), len(preds[v]), labels[v])
            seed = seeds.get(seed_key)
            if seed is None:
                seed = seeds[seed_key] = _md5_hex(str(seed_key).encode())
            column.append(seed)
        columns.append(column)
    join = b"".join
    for _ in range(n):
        updated = []
        for v in range(n):
            ins = zip(*[columns[w] for w in preds[v]]) if preds[v] else repeat((), rows)
            outs = zip(*[columns[w] for w in succs[v]]) if succs[v] else repeat((), rows)
            updated.append(
                [
                    _md5_hex(join(sorted(i)) + b"|" + join(sorted(o)) + b"|" + own)
                    for i, o, own in zip(ins, outs, columns[v])
                ]
            )
        columns = updated
    return [
        hashlib.md5(str(sorted([h.decode() for h in vertex_hashes])).encode()).hexdigest()
        for vertex_hashes in zip(*columns)
    ]


@dataclass(frozen=True)
class _Shape:
    """One unlabelled isomorphism class and the label rows of its labelled classes."""

    adjacency: np.ndarray
    label_rows: np.ndarray


def _upper_pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the upper-triangular entries; bit b of a code is entry b."""
    return np.triu_indices(n, k=1)


def _full_dag_codes(n: int) -> np.ndarray:
    """Bit codes (over the upper-triangular entries) of full DAGs with <= MAX_EDGES edges."""
    rows, cols = _upper_pairs(n)
    bits = len(rows)
    codes = np.arange(1 << bits, dtype=np.int32)
    count = np.zeros(len(codes), dtype=np.int8)
    for b in range(bits):
        count += ((codes >> b) & 1).astype(np.int8)
    keep = count <= MAX_EDGES
    for v in range(n - 1):
        keep &= (codes & int(sum(1 << b for b in np.flatnonzero(rows == v)))) != 0
    for v in range(1, n):
        keep &= (codes & int(sum(1 << b for b in np.flatnonzero(cols == v)))) != 0
    return codes[keep]


def _decode(codes: np.ndarray, n: int) -> np.ndarray:
    rows, cols = _upper_pairs(n)
    adj = np.zeros((len(codes), n, n), dtype=np.uint8)
    adj[:, rows, cols] = (codes[:, None] >> np.arange(len(rows))) & 1
    return adj


def _permuted_codes(adj: np.ndarray, perms: np.ndarray) -> np.ndarray:
    """(K, P) bit codes of every matrix under every vertex order; -1 where not upper-triangular."""
    n = adj.shape[1]
    rows, cols = _upper_pairs(n)
    weights = (1 << np.arange(len(rows))).astype(np.int64)
    out = np.empty((len(adj), len(perms)), dtype=np.int64)
    for j, perm in enumerate(perms):
        moved = adj[:, perm][:, :, perm]
        upper = ~np.tril(moved).any(axis=(1, 2))
        out[:, j] = np.where(upper, moved[:, rows, cols].astype(np.int64) @ weights, -1)
    return out


def _shapes(n: int) -> list[_Shape]:
    """Unlabelled classes on ``n`` vertices, each with one label row per labelled class."""
    perms = np.array([(0, *p, n - 1) for p in itertools.permutations(range(1, n - 1))])
    codes = _permuted_codes(_decode(_full_dag_codes(n), n), perms)
    canonical = np.unique(np.where(codes < 0, np.iinfo(np.int64).max, codes).min(axis=1))
    reps = _decode(canonical, n)
    automorphic = _permuted_codes(reps, perms) == canonical[:, None]
    inner = n - 2
    labellings = np.array(list(itertools.product(range(len(INNER_OPS)), repeat=inner)))
    labellings = labellings.reshape(len(INNER_OPS) ** inner, inner)
    place = len(INNER_OPS) ** np.arange(inner - 1, -1, -1)
    shapes = []
    for rep, auts in zip(reps, automorphic):
        orbit_codes = np.stack([labellings[:, p[1:-1] - 1] @ place for p in perms[auts]])
        chosen = np.unique(orbit_codes.min(axis=0))
        rows = np.empty((len(chosen), n), dtype=np.int8)
        rows[:, 0], rows[:, -1] = INPUT_LABEL, OUTPUT_LABEL
        rows[:, 1:-1] = (chosen[:, None] // place) % len(INNER_OPS)
        shapes.append(_Shape(rep, rows))
    return shapes


def _hash_shapes(shapes: list[_Shape]) -> list[list[str]]:
    return [hash_labellings(s.adjacency, s.label_rows.tolist()) for s in shapes]


def _chunks(shapes: list[_Shape], parts: int) -> list[list[_Shape]]:
    """Split shapes into ``parts`` lists of similar hashing work (cells x vertices squared)."""
    chunks: list[list[_Shape]] = [[] for _ in range(parts)]
    load = np.zeros(parts)
    work = [len(s.label_rows) * s.adjacency.shape[0] ** 2 for s in shapes]
    for i in np.argsort(work)[::-1]:
        target = int(load.argmin())
        chunks[target].append(shapes[i])
        load[target] += work[i]
    return [c for c in chunks if c]


def compute_cells(workers: int | None = None, progress: bool = True) -> NB101Cells:
    """Enumerate and hash every cell (about a minute on two cores); see the module docstring.

    Hashing runs in ``workers`` worker processes (default: the ``--threads`` count, so the
    pool never uses more cores than asked for); one worker runs in this process.
    """
    from concurrent.futures import as_completed

    from archembed.threads import current_threads
    from archembed.workers import process_pool

    shapes = [s for n in range(2, MAX_VERTICES + 1) for s in _shapes(n)]
    workers = workers or current_threads()
    if workers < 2:
        chunks = _chunks(shapes, 16)
        return _collect(((c, _hash_shapes(c)) for c in chunks), len(shapes), progress)
    chunks = _chunks(shapes, workers * 8)
    with process_pool(workers) as pool:
        futures = {pool.submit(_hash_shapes, chunk): chunk for chunk in chunks}
        done = ((futures[f], f.result()) for f in as_completed(futures))
        return _collect(done, len(shapes), progress)


def _collect(
    done: Iterator[tuple[list[_Shape], list[list[str]]]], n_shapes: int, progress: bool
) -> NB101Cells:
    keyed: list[tuple[_Shape, list[str]]] = []
    with ProgressBar(enabled=progress, transient=True) as bar:
        task = bar.add_task("hashing NAS-Bench-101 cells", total=n_shapes)
        for chunk, keys in done:
            keyed.extend(zip(chunk, keys))
            bar.advance(task, len(chunk))
    return _assemble(keyed)


def _assemble(keyed: list[tuple[_Shape, list[str]]]) -> NB101Cells:
    total = sum(len(keys) for _, keys in keyed)
    keys = np.empty(total, dtype="U32")
    n_nodes = np.empty(total, dtype=np.int8)
    adjacency = np.zeros((total, MAX_VERTICES, MAX_VERTICES), dtype=np.uint8)
    labels = np.full((total, MAX_VERTICES), PAD_LABEL, dtype=np.int8)
    start = 0
    for shape, shape_keys in keyed:
        n, stop = shape.adjacency.shape[0], start + len(shape_keys)
        keys[start:stop] = shape_keys
        n_nodes[start:stop] = n
        adjacency[start:stop, :n, :n] = shape.adjacency
        labels[start:stop, :n] = shape.label_rows
        start = stop
    if total != N_CELLS:
        raise RuntimeError(f"enumerated {total} NAS-Bench-101 cells, expected {N_CELLS}")
    order = np.argsort(keys, kind="stable")
    return _frozen(keys[order], n_nodes[order], adjacency[order], labels[order])


def _frozen(keys: np.ndarray, n_nodes: np.ndarray, adj: np.ndarray, labels: np.ndarray):
    for array in (keys, n_nodes, adj, labels):
        array.setflags(write=False)
    return NB101Cells(keys=keys, n_nodes=n_nodes, adjacency=adj, labels=labels)


def cache_path() -> Path:
    return cache_dir() / "spaces" / CACHE_NAME


def save_cells(cells: NB101Cells, path: Path) -> None:
    """Write the arrays atomically (adjacency bit-packed, keys as ASCII)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.savez(
            handle,
            keys=cells.keys.astype("S32"),
            n_nodes=cells.n_nodes,
            adjacency=np.packbits(cells.adjacency.reshape(len(cells), -1), axis=1),
            labels=cells.labels,
        )


def read_cells(path: Path) -> NB101Cells | None:
    """The cached arrays, or None when the file is missing, unreadable or incomplete."""
    try:
        with np.load(path) as data:
            keys = data["keys"].astype("U32")
            packed, n_nodes, labels = data["adjacency"], data["n_nodes"], data["labels"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    cells = MAX_VERTICES * MAX_VERTICES
    if not (len(keys) == len(packed) == len(n_nodes) == len(labels) == N_CELLS):
        return None
    adj = np.unpackbits(packed, axis=1, count=cells).reshape(-1, MAX_VERTICES, MAX_VERTICES)
    return _frozen(keys, n_nodes, adj, labels)


_LOADED: dict[Path, NB101Cells] = {}


def load_cells(workers: int | None = None, progress: bool = True) -> NB101Cells:
    """All cells: from memory, else from the disk cache, else computed and cached."""
    path = cache_path()
    if path not in _LOADED:
        cells = read_cells(path) if path.is_file() else None
        if cells is None:
            cells = compute_cells(workers, progress)
            save_cells(cells, path)
        _LOADED[path] = cells
    return _LOADED[path]
