"""Shared steps of the locality protocols (Choi et al.): pretrained controllers and the
edit-distance profile of an embedding (how similar cells a few edits apart are embedded)."""

from __future__ import annotations

from typing import Any

import numpy as np

from archembed.encoders.base import Encoder
from archembed.encoders.locality import LocalityConfig, pretrain_locality, random_edit
from archembed.encoders.nao import NAOEncoder
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace

MAX_DISTANCE = 6
CENTRE_CELLS = 1000


def pretrained_controller(
    space: str, loss: str, anchors: int, epochs: int, hidden: int, seed: int
) -> NAOEncoder:
    """A NAO controller pretrained with metric loss ``loss`` (``none``: reconstruction only)."""
    encoder = NAOEncoder(space, hidden=hidden, seed=seed)
    config = LocalityConfig(loss=loss, anchors=anchors, epochs=epochs, seed=seed)
    pretrain_locality(encoder, config, progress=False)
    return encoder


def edited(
    space: SearchSpace, anchor: ArchGraph, edits: int, rng: np.random.Generator
) -> ArchGraph:
    """``anchor`` after ``edits`` random edits (the result may be fewer edits away)."""
    graph = anchor
    for _ in range(edits):
        graph = random_edit(space, graph, rng)
    return graph


def _cosines(za: np.ndarray, zo: np.ndarray) -> np.ndarray:
    """Row-wise cosine similarity (of the rows scaled to unit length)."""
    unit_a = za / np.linalg.norm(za, axis=1, keepdims=True)
    return (unit_a * (zo / np.linalg.norm(zo, axis=1, keepdims=True))).sum(1)


def edit_distance_profile(
    encoder: Encoder, anchors: list[ArchGraph], rng: np.random.Generator
) -> dict[str, Any]:
    """Centred cosine and L2 between anchors and cells 1..6 random edits away, and random pairs.

    Embeddings are centred on the mean of 1,000 random cells first: a controller's embeddings
    share a large common component that makes raw cosines all close to 1. L2 is
    scale-dependent, so it is also given relative to the mean L2 of random pairs.
    """
    space = encoder.space
    centre = encoder.transform(space.sample(CENTRE_CELLS, rng)).mean(axis=0)
    za = encoder.transform(anchors) - centre
    cosines: dict[int, list[float]] = {}
    l2: dict[int, list[float]] = {}
    for edits in range(1, MAX_DISTANCE + 1):
        others = [edited(space, a, edits, rng) for a in anchors]
        zo = encoder.transform(others) - centre
        dist = np.linalg.norm(za - zo, axis=1)
        for a, o, c, d2 in zip(anchors, others, _cosines(za, zo), dist):
            d = a.edit_distance(o)
            if d > 0:
                cosines.setdefault(d, []).append(float(c))
                l2.setdefault(d, []).append(float(d2))
    far = encoder.transform(space.sample(len(anchors), rng)) - centre
    random_l2 = float(np.linalg.norm(za - far, axis=1).mean())
    distances = sorted(cosines)
    return {
        "distance": distances,
        "pairs": [len(cosines[d]) for d in distances],
        "mean_cosine": [float(np.mean(cosines[d])) for d in distances],
        "mean_l2": [float(np.mean(l2[d])) for d in distances],
        "relative_l2": [float(np.mean(l2[d])) / random_l2 for d in distances],
        "random_pairs_cosine": float(_cosines(za, far).mean()),
        "random_pairs_l2": random_l2,
    }
