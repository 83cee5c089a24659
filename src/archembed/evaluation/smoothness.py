"""Smoothness of a latent space (arch2vec Fig. 3): L2 distance against edit distance.

A random walk of 1-edit steps (``space.mutate``) is embedded; for every pair of cells on the
walk we compare the L2 distance of their embeddings with their edit distance
(:meth:`ArchGraph.edit_distance`). A smooth space grows its distance with the edit distance.
Works for any encoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats
from scipy.spatial.distance import cdist

from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace


def random_walk(
    space: SearchSpace, steps: int, rng: np.random.Generator, start: ArchGraph | None = None
) -> list[ArchGraph]:
    """``steps + 1`` cells: a start (random unless given) and ``steps`` random 1-edit moves."""
    walk = [start if start is not None else space.sample(1, rng)[0]]
    for _ in range(steps):
        walk.append(space.mutate(walk[-1], rng))
    return walk


def pairwise_edit_distances(graphs: Sequence[ArchGraph]) -> np.ndarray:
    """All-pairs :meth:`ArchGraph.edit_distance`, vectorised over the padded graphs."""
    size = max(g.n_nodes for g in graphs)
    padded = [g.padded(size) for g in graphs]
    rows, cols = np.triu_indices(size, k=1)
    adj = np.stack([a[rows, cols] for a, _ in padded]).astype(np.int16)
    vocab = {op: i for i, op in enumerate(sorted({op for _, ops in padded for op in ops}))}
    ops = np.array([[vocab[o] for o in ops] for _, ops in padded])
    adj_diff = np.abs(adj[:, None, :] - adj[None, :, :]).sum(axis=-1)
    return adj_diff + (ops[:, None, :] != ops[None, :, :]).sum(axis=-1)


def smoothness(
    encoder: Any, steps: int = 1000, seed: int = 0, start: ArchGraph | None = None
) -> dict[str, Any]:
    """Walk, embed, and summarise L2 distance per edit distance (over all pairs of the walk)."""
    walk = random_walk(encoder.space, steps, np.random.default_rng(seed), start)
    emb = np.asarray(encoder.transform(walk), dtype=np.float64)
    edit = pairwise_edit_distances(walk)
    l2 = cdist(emb, emb)
    upper = np.triu_indices(len(walk), k=1)
    pair_edit, pair_l2 = edit[upper], l2[upper]
    by_edit = []
    for d in np.unique(pair_edit).tolist():
        chosen = pair_l2[pair_edit == d]
        by_edit.append(
            {
                "edit_distance": int(d),
                "pairs": len(chosen),
                "l2_mean": float(chosen.mean()),
                "l2_std": float(chosen.std()),
            }
        )
    return {
        "steps": steps,
        "seed": seed,
        "spearman_edit_vs_l2": float(stats.spearmanr(pair_edit, pair_l2).statistic),
        "by_edit_distance": by_edit,
        "walk": {
            "edit_to_start": edit[0].tolist(),
            "l2_to_start": l2[0].tolist(),
            "l2_step": np.diagonal(l2, offset=1).tolist(),
        },
    }
