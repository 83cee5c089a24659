import json
from pathlib import Path

import pytest
from tests.cli.fuzzing import invoke

from archembed.search.base import Strategy, register_strategy


@register_strategy("test-always-fails")
class AlwaysFails(Strategy):
    """A strategy whose every seed raises: the command must end with exit 1 and one line."""

    name = "test-always-fails"

    def ask(self, n=1):
        raise RuntimeError("deliberate failure")

    def tell(self, graphs, scores):
        pass


def _is_stats(value, n):
    return set(value) == {"mean", "std", "n"} and value["n"] == n and value["std"] >= 0


def test_search_with_local_processes_then_report(data_root, run_cli, tmp_path):
    out = tmp_path / "rs"
    args = ["search", "--benchmark", "nb201/cifar10-valid", "--strategy", "evolution"]
    args += ["--queries", "20", "--seeds", "2", "--workers", "2", "--out", str(out)]
    args += ["-p", "population_size=5", "-p", "sample_size=2", "--threads", "2"]
    result = run_cli(*args, "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    run = payload["runs"][0]
    assert run["seeds"] == 2 and run["queries"] == 20 and not payload["failed"]
    assert _is_stats(run["val"], 2) and _is_stats(run["regret"], 2)
    assert run["regret"]["mean"] >= 0 and run["regret"]["std"] == pytest.approx(run["val"]["std"])
    assert payload["out"] == str(out) and payload["report"] is None
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["0", "1"]
    assert "rs: seeds: 2/2 (100%)" in result.stderr  # plain progress lines off a terminal

    again = run_cli(*args, "--json", "--quiet")  # resumed: nothing to do, nothing printed
    assert again.returncode == 0 and again.stderr == ""
    assert json.loads(again.stdout)["runs"] == payload["runs"]

    report = run_cli("report", str(out), "--at", "10,20", "--json")
    assert report.returncode == 0, report.stderr
    rows = json.loads(report.stdout)["rows"]
    assert [r["queries"] for r in rows] == [10, 20]
    assert all(_is_stats(r["test"], 2) for r in rows)
    assert rows[0]["regret"]["mean"] >= rows[1]["regret"]["mean"]  # the incumbent only improves
    assert (out / "report" / "regret_queries_0.png").stat().st_size > 1000
    assert "± " in (out / "report" / "report.md").read_text()


def test_run_prints_progress_writes_a_report_and_reports_failures(data_root, tmp_path):
    experiment = tmp_path / "e.yaml"
    experiment.write_text(
        "name: e\nbenchmarks: [nb201/cifar10-valid]\nstrategies: [random]\n"
        "seeds: 2\nqueries: 12\nworkers: 1\n"
    )
    out = tmp_path / "out"
    result = invoke(["run", str(experiment), "--out", str(out), "--json", "--threads", "1"])
    assert result.code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["report"] == str(out / "report" / "report.md")
    assert _is_stats(payload["runs"][0]["test"], 2)
    assert "e: seeds: 2/2" in result.stderr
    report = json.loads((out / "report" / "report.json").read_text())
    assert [r["queries"] for r in report] == [10, 12]  # default points up to the budget

    experiment.write_text(experiment.read_text().replace("[random]", "[test-always-fails]"))
    failed = invoke(["run", str(experiment), "--out", str(tmp_path / "f"), "--quiet"])
    lines = failed.stderr.strip().splitlines()
    assert failed.code == 1 and len(lines) == 1, failed.stderr
    assert "2 of 2 seeds failed" in lines[0] and "deliberate failure" in lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--strategy", "dngo"], "needs an encoder"),
        (["--strategy", "evolution", "-p", "popsize=3"], "'popsize'"),
        (["--strategy", "evolution", "-p", "sample_size=0"], "sample_size must be"),
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
    assert not (tmp_path / "x").exists()


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


@pytest.mark.slow
def test_an_embedding_file_searches_like_the_encoder_that_wrote_it(data_root, tmp_path):
    import pandas as pd

    emb = tmp_path / "onehot.parquet"
    assert invoke(["embed", "onehot", "--benchmark", "nb201", "--out", str(emb)]).code == 0
    search = ["search", "--benchmark", "nb201/cifar10-valid", "--strategy", "bo", "--quiet"]
    search += ["--queries", "12", "--seeds", "1", "--workers", "1", "--threads", "1"]
    search += ["-p", "n_init=5", "-p", "fit_maxiter=10", "--json"]
    runs = {}
    for encoder in ("onehot", str(emb)):
        out = tmp_path / ("file" if encoder == str(emb) else "name")
        result = invoke([*search, "--encoder", encoder, "--out", str(out)])
        assert result.code == 0, result.stderr
        runs[encoder] = json.loads(result.stdout)["runs"][0]
        runs[encoder]["archs"] = pd.read_parquet(out / "0" / "trajectory.parquet")["arch"].tolist()
    by_name, by_file = runs["onehot"], runs[str(emb)]
    assert by_file["run"] == "nb201-cifar10-valid-bo-onehot"  # named after the file
    assert len(by_file["archs"]) == 12 and by_file["archs"] == by_name["archs"]
    assert by_file["val"] == by_name["val"] and by_file["regret"] == by_name["regret"]
