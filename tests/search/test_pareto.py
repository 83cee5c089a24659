"""Pareto machinery on small hand-made sets (every column minimised)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from archembed.search import pareto

STAIRS = np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0], [3.0, 3.0], [2.5, 2.5]])


def test_dominance_and_non_dominated_set():
    assert pareto.dominates(np.array([1, 1]), np.array([1, 2]))
    assert not pareto.dominates(np.array([1, 2]), np.array([1, 2]))  # equal: no dominance
    assert not pareto.dominates(np.array([1, 3]), np.array([2, 2]))  # a trade-off
    assert pareto.non_dominated(STAIRS).tolist() == [True, True, True, False, False]
    assert pareto.nondominated_ranks(STAIRS).tolist() == [0, 0, 0, 2, 1]


def test_crowding_distance_favours_the_boundary_and_sparse_points():
    front = np.array([[0.0, 4.0], [1.0, 3.0], [1.5, 2.5], [4.0, 0.0]])
    distance = pareto.crowding_distance(front)
    assert np.isinf(distance[[0, 3]]).all()
    # (1.5 - 0) / 4 + (4 - 2.5) / 4 = 0.75 for the second; (4 - 1) / 4 + (3 - 0) / 4 = 1.5
    assert distance[1:3] == pytest.approx([0.75, 1.5])


def test_hypervolume_against_hand_computed_values():
    # 2-D staircase under reference (4, 4): 1*1 + 1*2 + 1*3 = 6 (dominated points add nothing)
    assert pareto.hypervolume(STAIRS, np.array([4.0, 4.0])) == pytest.approx(6.0)
    # 3-D: boxes 1 x 1 x 0.5 and 0.5 x 0.5 x 1 overlap in 0.5 x 0.5 x 0.5: 0.5 + 0.25 - 0.125
    points = np.array([[0.0, 0.0, 0.5], [0.5, 0.5, 0.0]])
    assert pareto.hypervolume(points, np.ones(3)) == pytest.approx(0.625)
    assert pareto.hypervolume(np.array([[5.0, 0.0]]), np.array([4.0, 4.0])) == 0.0
    assert pareto.hypervolume(np.zeros((0, 2)), np.array([1.0, 1.0])) == 0.0


@settings(max_examples=30, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(2, 4)), elements=st.floats(0, 1))
)
def test_hypervolume_equals_inclusion_exclusion_of_boxes(points):
    """Exact: equals inclusion-exclusion over the boxes of up to 8 points in 2 to 4-D."""
    reference = np.full(points.shape[1], 1.1)
    expected = 0.0
    n = len(points)
    for mask in range(1, 1 << n):
        chosen = points[[i for i in range(n) if mask >> i & 1]]
        sign = 1.0 if bin(mask).count("1") % 2 else -1.0
        expected += sign * np.prod(reference - chosen.max(axis=0))
    assert pareto.hypervolume(points, reference) == pytest.approx(expected, abs=1e-9)


def test_igd_plus_and_front_share_on_a_hand_made_set():
    front = np.array([[0.0, 1.0], [1.0, 0.0]])
    found = np.array([[0.0, 1.0], [1.0, 0.5]])
    # first target found exactly (0); second: nearest dominance gap is (0, 0.5) -> 0.5
    assert pareto.igd_plus(found, front) == pytest.approx(0.25)
    assert pareto.front_share(found, front) == 0.5
    assert pareto.igd_plus(front, front) == 0.0
    assert pareto.igd_plus(np.zeros((0, 2)), front) == np.inf
