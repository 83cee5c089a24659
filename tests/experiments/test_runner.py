import json

import numpy as np
import pandas as pd
import pytest

from archembed.experiments.config import parse_config
from archembed.experiments.executors import LocalExecutor
from archembed.experiments.report import write_report
from archembed.experiments.runner import run_experiment
from archembed.search.base import Strategy, register_strategy


@register_strategy("test-fails-on-seed-1")
class FailsOnSeedOne(Strategy):
    """Random search that raises for one seed: the runner must record it and carry on."""

    name = "test-fails-on-seed-1"

    def __init__(self, space, rng):
        super().__init__(space, rng)
        if rng.integers(2**31) == np.random.default_rng(
            np.random.SeedSequence(1).spawn(2)[0]
        ).integers(2**31):
            raise RuntimeError("deliberate failure")

    def ask(self, n=1):
        return self.space.sample(n, self.rng)

    def tell(self, graphs, scores):
        pass


def experiment(**changes):
    config = {
        "name": "e2e",
        "benchmarks": ["nb201/cifar10-valid"],
        "strategies": [
            "random",
            {"name": "bo", "params": {"n_init": 5, "q": 5, "fit_maxiter": 10}},
        ],
        "encoders": ["onehot"],
        "seeds": 2,
        "queries": 15,
        "workers": 1,
    }
    config.update(changes)
    return parse_config(config)


def test_runner_writes_resumes_and_reports(nb201_bench, tmp_path):
    summaries = run_experiment(experiment(), tmp_path, progress=False)
    assert sorted((s["run"], s["seed"]) for s in summaries) == [
        ("nb201-cifar10-valid-bo-onehot", 0),
        ("nb201-cifar10-valid-bo-onehot", 1),
        ("nb201-cifar10-valid-random", 0),
        ("nb201-cifar10-valid-random", 1),
    ]
    seed_dir = tmp_path / "nb201-cifar10-valid-bo-onehot" / "0"
    trajectory = pd.read_parquet(seed_dir / "trajectory.parquet")
    summary = json.loads((seed_dir / "summary.json").read_text())
    assert len(trajectory) == 15 and summary["status"] == "ok"
    assert summary["incumbent_val"] == trajectory["val"].max()
    assert 0 <= summary["regret"] < 91.61
    assert "cifar10/test_acc@200" in (seed_dir / "config.yaml").read_text()
    assert not list(tmp_path.rglob("*.tmp"))

    stamp = (seed_dir / "summary.json").stat().st_mtime_ns
    again = run_experiment(experiment(), tmp_path, progress=False)
    assert len(again) == 4 and (seed_dir / "summary.json").stat().st_mtime_ns == stamp

    rows = write_report([tmp_path], tmp_path / "report", [5, 15])
    assert {(r["run"], r["queries"]) for r in rows} >= {("nb201-cifar10-valid-random", 15)}
    assert all(r["seeds"] == 2 for r in rows)
    report = (tmp_path / "report" / "report.md").read_text()
    assert "regret_queries_0.png" in report and (tmp_path / "report" / "regret_cdf_0.png").is_file()


def test_failing_seed_is_recorded_and_others_finish(nb201_bench, tmp_path):
    config = experiment(strategies=["test-fails-on-seed-1"], encoders=[], seeds=3)
    summaries = run_experiment(config, tmp_path, progress=False, executor=LocalExecutor(1))
    status = {s["seed"]: s["status"] for s in summaries}
    assert status == {0: "ok", 1: "failed", 2: "ok"}
    failed = json.loads(
        (tmp_path / "nb201-cifar10-valid-test-fails-on-seed-1" / "1" / "summary.json").read_text()
    )
    assert "deliberate failure" in failed["error"]


def test_changed_config_in_the_same_directory_is_refused(nb201_bench, tmp_path):
    from archembed.errors import ConfigError

    run_experiment(experiment(strategies=["random"], seeds=1), tmp_path, progress=False)
    with pytest.raises(ConfigError, match="different configuration"):
        run_experiment(
            experiment(strategies=["random"], seeds=1, queries=20), tmp_path, progress=False
        )
