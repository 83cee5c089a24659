"""NAS-Bench-101's module hash as equivalence classes of a whole batch of decoded graphs at once.

:func:`archembed.graph.hash_module` hashes one graph with MD5 strings in Python (about 0.1 ms
per 8-vertex graph); counting the distinct graphs among thousands of decoded samples needs
only which samples share a hash. :func:`module_classes` runs the same refinement on integer
colours for every graph of the batch together, numbering each distinct (own colour, sorted
in-neighbour colours, sorted out-neighbour colours) exactly, so two rows share a class exactly
when their module hashes are equal (barring an MD5 collision). Refinement stops early once a
round splits no class: the later rounds of hash_module only rename the same classes.
"""

from __future__ import annotations

import numpy as np


def module_classes(codes: np.ndarray, adjacency: np.ndarray) -> np.ndarray:
    """Class id per row of ``codes`` (n, N) and 0/1 ``adjacency`` (n, N, N): rows share an id
    exactly when ``hash_module(adjacency[i], codes[i].tolist())`` agree."""
    n, nodes = codes.shape
    if n == 0:
        return np.zeros(0, dtype=np.int32)
    edges = np.asarray(adjacency, dtype=bool)
    start = np.stack([edges.sum(axis=2), edges.sum(axis=1), codes], axis=-1)
    colours = _numbered(start.reshape(n * nodes, 3).astype(np.int32)).reshape(n, nodes)
    for _ in range(nodes):  # at most as many rounds as vertices, as hash_module
        refined = _refined(colours, edges)
        if refined.max() == colours.max():  # no class split: later rounds only rename them
            break
        colours = refined
    return _numbered(np.sort(colours, axis=1))


def _refined(colours: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """One round: each vertex's colour with the sorted colours of its in- and out-neighbours
    (absent neighbours are -1, sorted first, so each multiset is read exactly)."""
    n, nodes = colours.shape
    neighbour = np.broadcast_to(colours[:, None, :], edges.shape)
    ins = np.sort(np.where(edges.transpose(0, 2, 1), neighbour, -1), axis=2)
    outs = np.sort(np.where(edges, neighbour, -1), axis=2)
    rows = np.concatenate([colours[..., None], ins, outs], axis=2)
    return _numbered(rows.reshape(n * nodes, -1)).reshape(n, nodes)


def _numbered(rows: np.ndarray) -> np.ndarray:
    """Number the distinct rows 0, 1, ... (equal rows, equal numbers; each row is compared as
    one block of bytes, much faster than ``np.unique(axis=0)``)."""
    rows = np.ascontiguousarray(rows)
    whole = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).reshape(-1)
    return np.unique(whole, return_inverse=True)[1].reshape(-1).astype(np.int32)
