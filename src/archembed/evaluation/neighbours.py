"""Nearest-neighbour sequences in a latent space (arch2vec Fig. 5).

From an anchor, repeatedly step to the nearest not yet visited architecture of a pool in
embedding space; report each cell and the edit distance between consecutive cells. For
encoders with a decoder, every cell is the one *decoded* from its latent (and the check that
it decodes back to the pool cell is reported).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from archembed.encoders.base import GraphDecoder
from archembed.graph import ArchGraph


def greedy_chain(embeddings: np.ndarray, anchor: int, length: int) -> list[int]:
    """Indices of ``length`` cells: the anchor, then each time the nearest unvisited one."""
    emb = np.asarray(embeddings, dtype=np.float64)
    visited = np.zeros(len(emb), dtype=bool)
    chain = [anchor]
    visited[anchor] = True
    for _ in range(min(length, len(emb)) - 1):
        dist = np.linalg.norm(emb - emb[chain[-1]], axis=1)
        dist[visited] = np.inf
        nxt = int(dist.argmin())
        chain.append(nxt)
        visited[nxt] = True
    return chain


def neighbour_sequence(
    encoder: Any,
    pool: Sequence[ArchGraph],
    length: int = 8,
    seed: int = 0,
    anchor: int | None = None,
) -> tuple[dict[str, Any], list[ArchGraph | None]]:
    """The greedy nearest-neighbour chain from ``anchor`` (random unless given) through ``pool``:
    a JSON-ready summary and the cells themselves (decoded ones where the encoder decodes)."""
    emb = encoder.transform(pool)
    start = int(np.random.default_rng(seed).integers(len(pool))) if anchor is None else anchor
    chain = greedy_chain(emb, start, length)
    cells: list[ArchGraph | None] = [pool[i] for i in chain]
    decoded_match = None
    if isinstance(encoder, GraphDecoder):
        decoded = encoder.decode(encoder.encode_nodes(cells))
        decoded_match = [d == c for d, c in zip(decoded, cells)]
        cells = decoded
    space = encoder.space
    steps = []
    for i, (index, cell) in enumerate(zip(chain, cells)):
        previous = cells[i - 1] if i else None
        steps.append(
            {
                "pool_index": int(index),
                "native": space.to_native(cell) if cell is not None else None,
                "l2_to_anchor": float(np.linalg.norm(emb[index] - emb[start])),
                "edit_to_previous": (
                    cell.edit_distance(previous)
                    if cell is not None and previous is not None
                    else None
                ),
            }
        )
    summary = {
        "anchor": start,
        "decoded": decoded_match is not None,
        "decoded_equals_pool": decoded_match,
        "sequence": steps,
    }
    return summary, cells
