"""The edit-distance profile of the locality protocols, on an embedding with a known answer."""

import numpy as np

from archembed.encoders.baseline import OneHotEncoder
from archembed.experiments.locality import MAX_DISTANCE, edit_distance_profile, edited
from archembed.spaces import get_space


def test_one_hot_distances_grow_as_the_square_root_of_the_edits():
    space = get_space("nb201")
    rng = np.random.default_rng(0)
    anchors = space.sample(20, rng)
    profile = edit_distance_profile(OneHotEncoder(space), anchors, rng)
    distances = np.array(profile["distance"])
    assert distances.min() >= 1 and distances.max() <= MAX_DISTANCE
    assert sum(profile["pairs"]) <= MAX_DISTANCE * len(anchors)
    # NB201 cells differ only in their operations: each edit moves two one-hot entries
    np.testing.assert_allclose(profile["mean_l2"], np.sqrt(2 * distances))
    assert np.all(np.diff(profile["mean_cosine"]) < 0)
    assert all(-1 <= c <= 1 for c in [*profile["mean_cosine"], profile["random_pairs_cosine"]])
    assert profile["relative_l2"][0] < 1


def test_edits_are_reproducible_and_at_most_the_number_asked():
    space = get_space("nb201")
    anchor = space.sample(1, np.random.default_rng(1))[0]
    first = edited(space, anchor, 3, np.random.default_rng(2))
    assert first == edited(space, anchor, 3, np.random.default_rng(2))
    assert 0 <= anchor.edit_distance(first) <= 3
