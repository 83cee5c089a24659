"""Pareto machinery in NumPy: dominance, non-dominated sorting, hypervolume, IGD+.

Every function here takes points as an ``(n, m)`` array in which EVERY column is minimised
(the convention of the hypervolume and IGD+ literature); negate maximised objectives first.
The hypervolume is exact: a sweep in 2-D and slicing along the last objective above (fine for
the few objectives and the fronts of at most a few hundred points a search meets).
"""

from __future__ import annotations

import numpy as np

DECIMALS = 12
"""Points are compared after rounding to this many decimals (float noise is not a new point)."""


def dominates(a: np.ndarray, b: np.ndarray) -> bool:
    """True when ``a`` is no worse than ``b`` in every objective and better in one."""
    return bool(np.all(a <= b) and np.any(a < b))


def non_dominated(points: np.ndarray) -> np.ndarray:
    """Boolean mask of the points no other point dominates (duplicates of a front point kept)."""
    points = np.asarray(points, dtype=float)
    if len(points) == 0:
        return np.zeros(0, dtype=bool)
    order = np.lexsort(points.T[::-1])
    front: list[int] = []
    for i in order:
        kept = points[front]
        beaten = np.all(kept <= points[i], axis=1) & np.any(kept < points[i], axis=1)
        if not beaten.any():
            front.append(int(i))
    mask = np.zeros(len(points), dtype=bool)
    mask[front] = True
    return mask


def nondominated_ranks(points: np.ndarray) -> np.ndarray:
    """Front number of each point (0: non-dominated, 1: non-dominated once 0 is removed...)."""
    points = np.asarray(points, dtype=float)
    ranks = np.full(len(points), -1)
    left = np.arange(len(points))
    rank = 0
    while len(left):
        mask = non_dominated(points[left])
        ranks[left[mask]] = rank
        left, rank = left[~mask], rank + 1
    return ranks


def crowding_distance(points: np.ndarray) -> np.ndarray:
    """NSGA-II's crowding distance within one front (boundary points: infinity)."""
    points = np.asarray(points, dtype=float)
    n, m = points.shape
    distance = np.zeros(n)
    if n <= 2:
        return np.full(n, np.inf)
    for j in range(m):
        order = np.argsort(points[:, j], kind="stable")
        column = points[order, j]
        span = column[-1] - column[0]
        distance[order[[0, -1]]] = np.inf
        if span > 0:
            distance[order[1:-1]] += (column[2:] - column[:-2]) / span
    return distance


def hypervolume(points: np.ndarray, reference: np.ndarray) -> float:
    """Exact volume dominated by ``points`` and bounded by ``reference`` (outside points: 0)."""
    points = np.asarray(points, dtype=float)
    reference = np.asarray(reference, dtype=float)
    if points.size == 0:
        return 0.0
    inside = points[np.all(points < reference, axis=1)]
    if len(inside) == 0:
        return 0.0
    return _volume(inside[non_dominated(inside)], reference)


def _volume(points: np.ndarray, reference: np.ndarray) -> float:
    """Hypervolume of mutually non-dominated points that all lie below ``reference``."""
    m = points.shape[1]
    if m == 1:
        return float(reference[0] - points[:, 0].min())
    if m == 2:
        order = np.argsort(points[:, 0], kind="stable")
        x, y = points[order, 0], points[order, 1]
        widths = np.append(x[1:], reference[0]) - x
        return float(np.sum(widths * (reference[1] - np.minimum.accumulate(y))))
    order = np.argsort(points[:, -1], kind="stable")
    ordered = points[order]
    tops = np.append(ordered[1:, -1], reference[-1])
    total = 0.0
    for i in range(len(ordered)):
        height = tops[i] - ordered[i, -1]
        if height > 0:
            below = ordered[: i + 1, :-1]
            total += height * _volume(below[non_dominated(below)], reference[:-1])
    return total


def igd_plus(found: np.ndarray, front: np.ndarray) -> float:
    """IGD+ (Ishibuchi et al., 2015): mean over ``front`` of the dominance-aware distance to
    the nearest found point, ``sqrt(sum(max(found - target, 0)**2))``; inf when none is found."""
    found = np.asarray(found, dtype=float)
    front = np.asarray(front, dtype=float)
    if len(found) == 0:
        return float("inf")
    gaps = np.maximum(found[None, :, :] - front[:, None, :], 0.0)
    return float(np.sqrt((gaps**2).sum(axis=2)).min(axis=1).mean())


def front_share(found: np.ndarray, front: np.ndarray) -> float:
    """Share of the distinct points of ``front`` that occur among ``found``."""
    targets = {tuple(row) for row in np.round(np.asarray(front, dtype=float), DECIMALS)}
    if not targets:
        return float("nan")
    seen = {tuple(row) for row in np.round(np.asarray(found, dtype=float), DECIMALS)}
    return len(targets & seen) / len(targets)
