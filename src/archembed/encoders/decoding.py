"""Turn decoded tensors (op classes + adjacency) into ArchGraphs of a space, and score them.

Shared by every encoder with a decoder. A decoded graph keeps the vertices whose class is not
"absent"; it is returned when it belongs to the space, or when pruning its dead vertices makes it
belong, and is None otherwise (strict validity). The arch2vec paper's own, looser checks are
:func:`paper_valid`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from archembed.encoders.module_classes import module_classes
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace


def well_formed_ops(space: SearchSpace, codes: np.ndarray) -> np.ndarray:
    """Per sample: the present vertices read the space's input ops, inner ops only, output
    (no adjacency check).

    This is the validity test of the official arch2vec code for NAS-Bench-201.
    """
    absent, heads = len(space.ops), [space.ops.index(op) for op in space.input_ops]
    output_code = space.ops.index("output")
    present = codes != absent
    sizes = present.sum(axis=1)
    order = np.argsort(~present, axis=1, kind="stable")
    rows = np.arange(len(codes))
    last = order[rows, np.maximum(sizes - 1, 0)]
    endpoint = np.isin(codes, [*heads, output_code])
    return (
        (sizes > len(heads))
        & (codes[rows[:, None], order[:, : len(heads)]] == heads).all(axis=1)
        & (codes[rows, last] == output_code)
        & (endpoint.sum(axis=1) == len(heads) + 1)
    )


def paper_valid(space: SearchSpace, codes: np.ndarray, adjacency: np.ndarray) -> np.ndarray | None:
    """Per sample: valid by the check the arch2vec paper's numbers were computed with, or None.

    NAS-Bench-201 (:func:`official_op_check`), NAS-Bench-101 (:func:`modelspec_valid`) and the
    DARTS cell (:func:`darts_cell_paper_valid`) have checks of their own in the official code;
    elsewhere the paper checks the decoded graph itself, which is our strict validity, so this
    returns None there.
    """
    if space.name == "nb201":
        return official_op_check(space, codes)
    if space.name == "nb101":
        return modelspec_valid(space, codes, adjacency)
    if space.name == "darts_cell":
        return darts_cell_paper_valid(space, codes, adjacency)
    return None


def official_op_check(space: SearchSpace, codes: np.ndarray) -> np.ndarray:
    """The official op check of a fixed-size cell: the first vertices decode to the input ops,
    the last to output, and vertices 2 .. N-2 to inner ops. The adjacency is not looked at, nor,
    on NAS-Bench-201 (one input), vertex 1 (the first edge)."""
    heads = [space.ops.index(op) for op in space.input_ops]
    inner = [space.ops.index(op) for op in space.ops if op not in (*space.input_ops, "output")]
    return (
        (codes[:, : len(heads)] == heads).all(axis=1)
        & (codes[:, -1] == space.ops.index("output"))
        & np.isin(codes[:, 2:-1], inner).all(axis=1)
    )


def darts_cell_paper_valid(
    space: SearchSpace, codes: np.ndarray, adjacency: np.ndarray
) -> np.ndarray:
    """The official DARTS cell check: :func:`official_op_check`, and every edge-op vertex has a
    predecessor among the cell inputs and the op vertices of earlier nodes.

    How many predecessors, whether a vertex of node j reads both of node j's op vertices, and
    the edges into the output are not looked at, so a valid sample need not be a cell.
    """
    valid = official_op_check(space, codes)
    for vertex in range(2, space.max_nodes - 1):
        earlier = 2 + 2 * ((vertex - 2) // 2)
        valid &= adjacency[:, :earlier, vertex].any(axis=1)
    return valid


def modelspec_valid(space: SearchSpace, codes: np.ndarray, adjacency: np.ndarray) -> np.ndarray:
    """NAS-Bench-101's ModelSpec check of each decoded graph: prune first, then check.

    The vertices off every input-to-output path are dropped before the ops, the size and the
    edge count are looked at, so a dead vertex may decode to input or output. The official code
    counts such a sample; our strict validity (:func:`well_formed_ops` first) does not.
    """
    valid = np.zeros(len(codes), dtype=bool)
    for i in np.flatnonzero((codes != len(space.ops)).sum(axis=1) >= 2).tolist():
        graph = _present_graph(space, codes[i], adjacency[i])
        valid[i] = space.is_valid(graph.prune())
    return valid


def _present_graph(space: SearchSpace, code: np.ndarray, adjacency: np.ndarray) -> ArchGraph:
    """The decoded graph on the vertices of one sample whose class is not "absent"."""
    keep = np.flatnonzero(code != len(space.ops))
    adj = np.ascontiguousarray(adjacency[np.ix_(keep, keep)], dtype=np.uint8)
    adj.setflags(write=False)
    return ArchGraph.from_trusted(adj, tuple(space.ops[c] for c in code[keep].tolist()))


def decoded_fingerprints(codes: np.ndarray, adjacency: np.ndarray, rows: np.ndarray) -> set[int]:
    """Distinct decoded graphs among ``rows``, as the official arch2vec code counts them.

    Each sample is hashed as decoded, before any pruning, with NAS-Bench-101's module hash of
    its 0/1 adjacency and per-vertex op classes: relabelled copies of one graph coincide, but
    decodings that differ only in dead vertices or edges stay distinct. The hash's classes are
    computed for all rows at once (:func:`~archembed.encoders.module_classes.module_classes`).
    """
    return set(module_classes(codes[rows], adjacency[rows]).tolist())


def paper_quality(
    space: SearchSpace, codes: np.ndarray, adjacency: np.ndarray, strict: np.ndarray
) -> dict[str, float]:
    """Validity and uniqueness as the arch2vec paper counts them (the numbers of its Table 1).

    ``codes`` / ``adjacency`` are the samples as the official code decodes them; ``strict``
    marks the samples that decode to architectures of the space, the paper's check where
    :func:`paper_valid` has none. Uniqueness: distinct decoded graphs among the valid samples,
    hashed before pruning (:func:`decoded_fingerprints`).
    """
    valid = paper_valid(space, codes, adjacency)
    if valid is None:
        valid = np.asarray(strict, dtype=bool)
    rows = np.flatnonzero(valid)
    return {
        "validity": float(valid.mean()) if len(valid) else float("nan"),
        "uniqueness": len(decoded_fingerprints(codes, adjacency, rows)) / max(len(rows), 1),
    }


def graphs_from_codes(
    space: SearchSpace, codes: np.ndarray, adjacency: np.ndarray
) -> list[ArchGraph | None]:
    """Graphs from op classes ``codes`` (n, N; ``len(space.ops)`` = absent) and 0/1 adjacency.

    The cheap structural checks (:func:`well_formed_ops`) run vectorised over the batch; only
    survivors go through ``space.is_valid``.
    """
    out: list[ArchGraph | None] = [None] * len(codes)
    for i in np.flatnonzero(well_formed_ops(space, codes)).tolist():
        graph = _present_graph(space, codes[i], adjacency[i])
        if space.is_valid(graph):
            out[i] = graph
            continue
        pruned = graph.prune()
        if pruned is not graph and space.is_valid(pruned):
            out[i] = pruned
    return out


def validity_uniqueness(
    space: SearchSpace, decoded: Sequence[ArchGraph | None]
) -> dict[str, float]:
    """Share of decoded samples that are valid, and share of distinct architectures among those."""
    valid = [g for g in decoded if g is not None]
    unique = {space.identity(g) for g in valid}
    return {
        "samples": len(decoded),
        "valid": len(valid),
        "unique": len(unique),
        "validity": len(valid) / len(decoded) if decoded else float("nan"),
        "uniqueness": len(unique) / len(valid) if valid else 0.0,
    }
