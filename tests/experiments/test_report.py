import json

import pytest
from tests.experiments.fake_runs import write_finished_run

from archembed.errors import ConfigError
from archembed.experiments.report import report_points, summary_rows, write_report
from archembed.tables import format_mean_std, mean_std


def test_mean_std_keeps_numbers_and_skips_missing_values():
    stats = mean_std([1.0, 3.0, None, float("nan")])
    assert stats == {"mean": 2.0, "std": 1.0, "n": 2}
    assert format_mean_std(stats) == "2.000 ± 1.000"
    assert mean_std([None]) == {"mean": None, "std": None, "n": 0}
    assert format_mean_std(mean_std([])) == "-"


def test_summary_rows_count_failures_and_average_the_finished_seeds():
    summaries = [
        {"run": "r", "seed": 0, "status": "ok", "queries": 10, "regret": 0.5},
        {"run": "r", "seed": 1, "status": "ok", "queries": 10, "regret": 1.5},
        {"run": "r", "seed": 2, "status": "failed", "error": "x"},
    ]
    (row,) = summary_rows(summaries)
    assert (row["seeds"], row["failed"], row["queries"]) == (2, 1, 10)
    assert row["regret"] == {"mean": 1.0, "std": 0.5, "n": 2}
    assert row["val"]["n"] == 0


def test_points_default_to_the_budget_and_never_exceed_it():
    assert report_points(None, 60) == [10, 25, 50, 60]
    assert report_points(None, 100) == [10, 25, 50, 100]
    assert report_points([20, 5, 20], 20) == [5, 20]
    with pytest.raises(ConfigError, match="--at 21 is beyond the runs' budget of 20"):
        report_points([10, 21], 20)


def test_runs_with_the_same_name_keep_apart_in_a_joint_report(tmp_path):
    for parent in ("a", "b"):
        write_finished_run(tmp_path / parent / "nb201-random", queries=12)
    rows = write_report([tmp_path / "a", tmp_path / "b"], tmp_path / "joint")
    assert sorted({r["run"] for r in rows}) == ["a/nb201-random", "b/nb201-random"]
    assert [r["queries"] for r in rows] == [10, 12, 10, 12]
    final = rows[-1]["regret"]
    assert final["n"] == 2 and final["mean"] == pytest.approx(0.0, abs=1e-12)
    assert json.loads((tmp_path / "joint" / "report.json").read_text()) == rows
    assert "| a/nb201-random | 12 | 2 | 0 |" in (tmp_path / "joint" / "report.md").read_text()


def test_a_report_never_replaces_a_directory_it_did_not_write(tmp_path):
    write_finished_run(tmp_path / "run", queries=5)
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "todo.txt").write_text("mine\n")
    with pytest.raises(ConfigError, match="did not create"):
        write_report([tmp_path / "run"], foreign)
    assert sorted(p.name for p in foreign.iterdir()) == ["todo.txt"]
