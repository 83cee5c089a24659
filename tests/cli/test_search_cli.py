import json
from pathlib import Path

import pytest


def test_search_with_local_processes_then_report(data_root, run_cli, tmp_path):
    out = tmp_path / "rs"
    result = run_cli(
        "search",
        "--benchmark",
        "nb201/cifar10-valid",
        "--strategy",
        "evolution",
        "--queries",
        "20",
        "--seeds",
        "2",
        "--workers",
        "2",
        "--out",
        str(out),
        "-p",
        "population_size=5",
        "-p",
        "sample_size=2",
        "--json",
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["runs"][0]["seeds"] == 2 and not payload["failed"]
    assert sorted(p.name for p in out.iterdir()) == ["0", "1"]
    report = run_cli("report", str(out), "--at", "10,20", "--json")
    assert report.returncode == 0, report.stderr
    rows = json.loads(report.stdout)["rows"]
    assert [r["queries"] for r in rows] == [10, 20]
    assert (out / "report" / "regret_queries_0.png").stat().st_size > 1000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--strategy", "bo"], "needs an encoder"),
        (["--strategy", "evolution", "-p", "popsize=3"], "'popsize'"),
        (["--strategy", "anneal"], "unknown strategy"),
        (["--strategy", "random", "--seconds", "100"], "time budget (seconds)"),
    ],
)
def test_search_mistakes_are_user_errors(data_root, tmp_path, args, message):
    from typer.testing import CliRunner

    from archembed.cli import app
    from archembed.errors import UserError

    result = CliRunner().invoke(
        app,
        [
            "search",
            "--benchmark",
            "nb201/cifar10-valid",
            "--queries",
            "5",
            "--seeds",
            "1",
            "--workers",
            "1",
            "--out",
            str(tmp_path / "x"),
            "--quiet",
            *args,
        ],
    )
    assert isinstance(result.exception, UserError)
    assert message in str(result.exception)
    assert not (tmp_path / "x" / "0" / "summary.json").exists()


def test_experiment_on_a_local_ray_instance(data_root, tmp_path):
    ray = pytest.importorskip("ray")
    from archembed.experiments.config import parse_config
    from archembed.experiments.executors import RayExecutor
    from archembed.experiments.runner import run_experiment

    src = str(Path(__file__).resolve().parents[2] / "src")
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": src}},
    )
    try:
        config = parse_config(
            {
                "name": "ray",
                "benchmarks": ["nb201/cifar10-valid"],
                "strategies": ["random", "local"],
                "seeds": 2,
                "queries": 10,
            }
        )
        address = ray.get_runtime_context().gcs_address
        summaries = run_experiment(config, tmp_path, executor=RayExecutor(address), progress=False)
    finally:
        ray.shutdown()
    assert sorted((s["run"], s["seed"], s["status"]) for s in summaries) == [
        ("nb201-cifar10-valid-local", 0, "ok"),
        ("nb201-cifar10-valid-local", 1, "ok"),
        ("nb201-cifar10-valid-random", 0, "ok"),
        ("nb201-cifar10-valid-random", 1, "ok"),
    ]
    assert (tmp_path / "nb201-cifar10-valid-local" / "1" / "trajectory.parquet").is_file()
