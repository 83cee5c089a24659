"""Cheap mode with a predicted free metric (``METRIC~N``): the strategy sees the prediction,
scoring uses the table; reproducible by seed; resumes through the runner."""

import json

import numpy as np
import pandas as pd
import pytest

from archembed.errors import ConfigError
from archembed.experiments.config import parse_config
from archembed.experiments.runner import run_experiment
from archembed.search import make_strategy
from archembed.search.budget import Budget
from archembed.search.mo_loop import run_mo_search
from archembed.search.multiobjective import (
    MultiObjective,
    parse_constraint,
    parse_free,
    parse_objectives,
)

CAP = "edgegpu_latency<=5"


@pytest.fixture(scope="module")
def capped(nb201_bench):
    """Best validation accuracy under an edge GPU cap, latency predicted from 20 cells."""
    return MultiObjective(
        nb201_bench,
        "cifar10-valid",
        parse_objectives("val_acc:max"),
        [parse_constraint(CAP)],
        free=["edgegpu_latency~20"],
    )


def test_free_metric_specs_parse_and_reject_mistakes(nb201_bench):
    assert parse_free(["net_params", " edgegpu_latency ~ 20 "]) == {
        "net_params": None,
        "edgegpu_latency": 20,
    }
    for bad in ("edgegpu_latency~1", "edgegpu_latency~x", "~20", "lat~-3", ""):
        with pytest.raises(ConfigError, match="free metric"):
            parse_free([bad])
    with pytest.raises(ConfigError, match="only 15625 cells"):
        MultiObjective(
            nb201_bench,
            "cifar10-valid",
            parse_objectives("val_acc:max,edgegpu_latency:min"),
            free=["edgegpu_latency~20000"],
        )


def test_prediction_is_fitted_per_seed_and_exact_only_on_measured_cells(capped):
    truth = capped.raw["edgegpu_latency"]
    assert capped.space.size == 15625  # a predicted constraint prunes nothing up front
    seen = capped.observed(np.random.default_rng(7))
    predicted = seen.predicted["edgegpu_latency"]
    exact = np.isclose(predicted, truth)
    assert 20 <= exact.sum() < 200  # the 20 measured cells (and a few lucky ones)
    assert 0.3 < seen.rmse["edgegpu_latency"] < 3.0
    assert np.corrcoef(predicted, truth)[0, 1] > 0.5  # edge GPU latency is near-additive
    assert np.array_equal(seen.slacks[:, 0], 5 - predicted)
    assert np.array_equal(seen.scores, capped.scores)  # accuracy is not predicted
    again = capped.observed(np.random.default_rng(7)).predicted["edgegpu_latency"]
    other = capped.observed(np.random.default_rng(8)).predicted["edgegpu_latency"]
    assert np.array_equal(predicted, again) and not np.allclose(predicted, other)


class Spy:
    """Wraps a strategy and keeps the slacks it was told."""

    def __init__(self, strategy):
        self.strategy, self.told = strategy, []

    def __getattr__(self, name):
        return getattr(self.strategy, name)

    def tell(self, graphs, scores, slack=None):
        self.told.append(np.asarray(slack))
        self.strategy.tell(graphs, scores, slack)


@pytest.mark.parametrize("name", ["random", "nsga2"])
def test_strategy_sees_the_prediction_and_scoring_uses_the_truth(capped, name):
    def run(seed):
        spy = Spy(make_strategy(name, capped.space, np.random.default_rng(seed)))
        trajectory, extras = run_mo_search(spy, capped, Budget(40), np.random.default_rng(seed))
        return trajectory, extras, np.concatenate(spy.told)[:, 0]

    trajectory, extras, told = run(3)
    latency, predicted = (
        trajectory["metric.edgegpu_latency"],
        trajectory["predicted.edgegpu_latency"],
    )
    assert np.allclose(told, 5 - predicted)
    assert not np.allclose(latency, predicted)
    assert (trajectory["feasible"] == (latency <= 5)).all()
    assert trajectory["infeasible"].iloc[-1] == (latency > 5).sum()
    best = trajectory.loc[latency <= 5, "metric.val_acc"].max()
    assert trajectory["regret"].iloc[-1] == pytest.approx(capped.optimum - best)
    assert extras["edgegpu_latency_measured"] == 20 and extras["edgegpu_latency_rmse"] > 0
    again, _, _ = run(3)
    pd.testing.assert_frame_equal(trajectory, again)


def test_constrained_bo_models_the_predicted_slack(capped):
    strategy = make_strategy(
        "constrained_bo",
        capped.space,
        np.random.default_rng(0),
        _onehot(capped),
        n_init=6,
        fit_maxiter=5,
        pool_size=200,
    )
    trajectory, _ = run_mo_search(strategy, capped, Budget(10), np.random.default_rng(0))
    told = np.stack(strategy.slack)[:, 0]
    assert np.allclose(told, 5 - trajectory["predicted.edgegpu_latency"])
    assert (trajectory["feasible"] == (trajectory["metric.edgegpu_latency"] <= 5)).all()


def _onehot(objective):
    from archembed.encoders.baseline import OneHotEncoder
    from archembed.encoders.precomputed import precompute

    return precompute(OneHotEncoder(objective.space.base), objective.space)


@pytest.mark.slow
def test_predicted_runs_resume_through_the_runner(nb201_bench, tmp_path):
    config = parse_config(
        {
            "name": "predicted",
            "benchmarks": [
                {
                    "name": "nb201/cifar10-valid",
                    "constraints": [CAP],
                    "free_metrics": ["edgegpu_latency~20"],
                }
            ],
            "strategies": ["random"],
            "seeds": 2,
            "queries": 15,
            "workers": 1,
        }
    )
    summaries = run_experiment(config, tmp_path, progress=False)
    assert all(s["status"] == "ok" and s["edgegpu_latency_measured"] == 20 for s in summaries)
    (seed_dir,) = [p / "1" for p in tmp_path.iterdir() if (p / "1").is_dir()]
    first = pd.read_parquet(seed_dir / "trajectory.parquet")
    assert "edgegpu_latency~20" in (seed_dir / "config.yaml").read_text()
    (seed_dir / "summary.json").unlink()
    (seed_dir / "trajectory.parquet").unlink()
    run_experiment(config, tmp_path, progress=False)
    pd.testing.assert_frame_equal(pd.read_parquet(seed_dir / "trajectory.parquet"), first)
    summary = json.loads((seed_dir / "summary.json").read_text())
    assert summary["infeasible"] == (~first["feasible"]).sum()
