"""The leaderboard's split definitions: the published sizes, disjointness, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from archembed.errors import ConfigError, UnknownNameError
from archembed.predictors.leaderboard_splits import (
    OFFICIAL_SPLIT_SEEDS,
    pool_size,
    share_of,
    split_indices,
    split_order,
    split_seeds,
    train_size,
    train_sizes,
)

NB201 = 15_625


@pytest.mark.parametrize(("fraction", "size"), [(0.01, 78), (0.05, 390), (0.1, 781), (0.5, 3906)])
def test_tagates_sizes_are_the_published_ones(fraction, size):
    assert pool_size("tagates", NB201) == 7813
    assert train_size("tagates", NB201, fraction) == size
    rows = split_indices("tagates", NB201, size, 2021)
    assert (len(rows.train), len(rows.valid), len(rows.test)) == (size, 40, 7772)


@pytest.mark.parametrize("seed", OFFICIAL_SPLIT_SEEDS)
def test_tagates_cells_are_disjoint_and_cover_the_space(seed):
    rows = split_indices("tagates", NB201, 3906, seed)
    pool = split_order(NB201, seed, True)[:7813]
    assert set(rows.train) <= set(pool)
    assert not set(rows.valid) & set(pool) and not set(rows.test) & set(pool)
    assert not set(rows.valid) & set(rows.test)
    assert len(set(rows.valid) | set(rows.test) | set(pool)) == NB201


def test_smaller_training_sets_are_prefixes_of_larger_ones():
    small, large = (split_indices("tagates", NB201, n, 2021) for n in (78, 781))
    np.testing.assert_array_equal(small.train, large.train[:78])
    np.testing.assert_array_equal(small.test, large.test)
    np.testing.assert_array_equal(small.valid, large.valid)


def test_split_seeds_are_deterministic_and_follow_flowerformer():
    first, again = (split_indices("tagates", NB201, 78, 2021) for _ in range(2))
    np.testing.assert_array_equal(first.train, again.train)
    # np.random.seed(s); np.random.permutation(15625)[:6], as FlowerFormer's get_perms
    assert split_order(NB201, 2021, True)[:6].tolist() == [3828, 4092, 8618, 131, 6364, 12970]
    assert split_order(NB201, 202121, True)[:6].tolist() == [2303, 8507, 7799, 10380, 2960, 2237]
    other = split_indices("tagates", NB201, 78, 202121)
    assert len(set(first.test) & set(other.test)) < 7772


def test_seed_21_keeps_the_file_order_only_where_the_file_order_is_the_official_one():
    np.testing.assert_array_equal(split_order(NB201, 21, True), np.arange(NB201))
    assert not np.array_equal(split_order(NB201, 21, False), np.arange(NB201))


@pytest.mark.parametrize(
    ("fraction", "size"), [(0.01, 156), (0.03, 469), (0.05, 781), (0.1, 1563), (0.5, 7813)]
)
def test_narformer_sizes_are_the_published_ones(fraction, size):
    assert train_size("narformer", NB201, fraction) == size
    assert share_of("narformer", NB201, size) == pytest.approx(fraction, abs=5e-5)
    assert share_of("tagates", NB201, size) == size / 7813


def test_narformer_trains_on_the_first_cells_and_tests_on_all():
    rows = split_indices("narformer", NB201, 156, 0)
    np.testing.assert_array_equal(rows.train, np.arange(156))
    np.testing.assert_array_equal(rows.valid, np.arange(156, 356))
    assert len(rows.test) == NB201


def test_split_seed_options():
    assert split_seeds("tagates", None) == [21, 2021, 202121]
    assert split_seeds("tagates", "2") == [21, 2021]
    assert split_seeds("tagates", "7,8") == [7, 8]
    assert split_seeds("narformer", None) == [0]
    for text in ("0", "4", "x", "7,7", ","):
        with pytest.raises(ConfigError, match="--split-seeds"):
            split_seeds("tagates", text)
    with pytest.raises(ConfigError, match="one split"):
        split_seeds("narformer", "3")
    with pytest.raises(UnknownNameError, match="protocol"):
        split_seeds("nasbench", None)


def test_sizes_outside_the_pool_or_repeated_are_errors():
    assert train_sizes("tagates", NB201, None, [100, 7813]) == [100, 7813]
    with pytest.raises(ConfigError, match="8 to 7813"):
        train_sizes("tagates", NB201, None, [7814])
    with pytest.raises(ConfigError, match="8 to"):
        train_sizes("tagates", NB201, [0.0001], None)
    with pytest.raises(ConfigError, match="same training size"):
        train_sizes("tagates", NB201, [0.01, 0.0100001], None)
    with pytest.raises(ConfigError, match="either"):
        train_sizes("tagates", NB201, None, None)
