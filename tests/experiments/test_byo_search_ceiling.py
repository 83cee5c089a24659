"""The exact random-search regret of experiments/byo/search_ceiling.py against brute force."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "experiments" / "byo" / "search_ceiling.py"


@pytest.fixture(scope="module")
def ceiling(load_file_module):
    return load_file_module(SCRIPT)


@pytest.mark.parametrize("queries", [1, 2, 3, 5])
def test_random_regret_matches_every_subset(ceiling, queries):
    values = np.array([3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.5])
    regrets = [
        values.max() - values[list(s)].max() for s in itertools.combinations(range(7), queries)
    ]
    row = ceiling.random_regret(values, queries)
    assert row["mean"] == pytest.approx(np.mean(regrets))
    assert row["std"] == pytest.approx(np.std(regrets))
    assert row["p_best"] == pytest.approx(np.mean(np.array(regrets) == 0))


def test_ties_at_the_top_count_as_best(ceiling):
    row = ceiling.random_regret(np.array([2.0, 2.0, 1.0, 0.0]), 1)
    assert row["p_best"] == pytest.approx(0.5)
    assert row["mean"] == pytest.approx((1.0 + 2.0) / 4)


def test_all_queries_find_the_best(ceiling):
    row = ceiling.random_regret(np.arange(6.0), 6)
    assert row == {"queries": 6, "mean": 0.0, "std": 0.0, "p_best": pytest.approx(1.0)}


def test_too_many_queries_is_an_error(ceiling):
    with pytest.raises(ValueError, match="queries"):
        ceiling.best_rank_probabilities(3, 4)


def test_check_metric_helpers(ceiling):
    values = np.arange(20.0)
    assert ceiling.top_agreement(values, values * 2, 0.5) == pytest.approx(1.0)
    assert ceiling.top_agreement(values, -values, 0.5) == pytest.approx(-1.0)
    assert ceiling.regret_of_check_top(values, -values, 2) == pytest.approx(18.5)


def test_seeds_at_best_reads_run_summaries(ceiling, tmp_path):
    for seed, regret in enumerate([0.0, 0.1, 0.0]):
        (tmp_path / str(seed)).mkdir()
        (tmp_path / str(seed) / "summary.json").write_text(json.dumps({"regret": regret}))
    assert ceiling.seeds_at_best(tmp_path) == (2, 3)
