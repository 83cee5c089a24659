"""Multi-objective and constrained runs through the runner, resume, report and Python API."""

import json
from pathlib import Path

import pandas as pd

import archembed as ae
from archembed.benchmarks.user import import_graphs
from archembed.experiments.config import parse_config
from archembed.experiments.report import write_report
from archembed.experiments.runner import run_experiment

OBJECTIVES = "val_acc:max,edgegpu_latency:min"


def experiment(**changes):
    config = {
        "name": "mo",
        "benchmarks": [
            {"name": "nb201/cifar10-valid", "objectives": OBJECTIVES},
            {"name": "nb201/cifar10-valid", "constraints": ["edgegpu_latency<=3"]},
        ],
        "strategies": ["random", "nsga2"],
        "seeds": 2,
        "queries": 30,
        "workers": 1,
    }
    config.update(changes)
    return parse_config(config)


def test_runs_resume_after_an_interruption_and_report_the_front(nb201_bench, tmp_path):
    summaries = run_experiment(experiment(), tmp_path, progress=False)
    assert len(summaries) == 8 and all(s["status"] == "ok" for s in summaries)
    run = tmp_path / "nb201-cifar10-valid-val_acc-max-edgegpu_latency-min-nsga2"
    seed_dir = run / "1"
    first = pd.read_parquet(seed_dir / "trajectory.parquet")
    summary = json.loads((seed_dir / "summary.json").read_text())
    assert summary["hv_ratio"] == first["hv_ratio"].iloc[-1] > 0.5
    assert "edgegpu_latency:min" in (seed_dir / "config.yaml").read_text()

    (seed_dir / "summary.json").unlink()  # killed before the seed finished
    (seed_dir / "trajectory.parquet").unlink()
    again = run_experiment(experiment(), tmp_path, progress=False)
    assert len(again) == 8
    pd.testing.assert_frame_equal(pd.read_parquet(seed_dir / "trajectory.parquet"), first)

    rows = write_report([tmp_path], tmp_path / "report", [10, 30])
    front = [r for r in rows if r["hv_ratio"]["n"] and r["queries"] == 30]
    assert len(front) == 4 and all(r["seeds"] == 2 for r in front)
    constrained = [r for r in front if r["regret"]["n"]]
    assert len(constrained) == 2 and all(r["infeasible"]["mean"] >= 0 for r in constrained)
    report = (tmp_path / "report" / "report.md").read_text()
    assert "HV ratio" in report and (tmp_path / "report" / "hv_ratio_queries_0.png").is_file()


def test_python_api_takes_objectives_and_constraints(nb201_bench):
    result = ae.search(
        "nb201/cifar10-valid",
        "nsga2",
        objectives=OBJECTIVES,
        constraints=["pixel3_latency<=4"],
        queries=20,
        seed=2,
    )
    trajectory = result.trajectory
    assert len(trajectory) == 20 and result.summary["hv_ratio"] is not None
    assert trajectory.loc[trajectory["feasible"], "metric.pixel3_latency"].max() <= 4
    assert result.summary["infeasible"] == (~trajectory["feasible"]).sum()


def test_an_imported_benchmark_declares_any_numeric_column_an_objective():
    fixture = Path(__file__).parents[1] / "fixtures" / "own_benchmark.jsonl"
    import_graphs(fixture, "mo-own", duplicates="mean")
    result = ae.search("mo-own", "nsga2", objectives="val_acc:max,latency_ms:min", queries=30)
    trajectory = result.trajectory
    assert {"metric.val_acc", "metric.latency_ms"} <= set(trajectory.columns)
    assert 0 < result.summary["hv_ratio"] <= 1
