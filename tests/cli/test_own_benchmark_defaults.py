"""Defaults that fit: a benchmark with one dataset (or one metric) needs no --dataset (--metric).

An imported benchmark has a single dataset, so ``query``, ``predict``, ``search``, ``evaluate``
and experiment files take it without ``--dataset default``; a benchmark with several datasets
still asks for one, in one line listing them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.cli.fuzzing import assert_input_error, cases, invoke

from archembed.benchmarks.groups import GroupIndex
from archembed.errors import AmbiguousRequestError
from archembed.spaces.generic import GenericSpace

ONE = "defaults-one-metric"
MANY = "defaults-many-metrics"
NO_VAL = "defaults-no-val-acc"
CHAIN = '{"adjacency": [[0, 1, 0], [0, 0, 1], [0, 0, 0]], "ops": ["input", "conv", "output"]}'


def _score(graph) -> float:
    """A deterministic accuracy: more convolutions and edges score higher."""
    return 50.0 + 5.0 * graph.ops.count("conv") + float(np.sum(graph.adj)) - graph.ops.count("pool")


def _write(path: Path, metrics: dict[str, float]) -> Path:
    """120 random DAGs (some repeated, so --duplicates first) plus the chain, with metrics."""
    space = GenericSpace(["conv", "pool", "skip", "sep"], 6)
    graphs = space.sample(120, np.random.default_rng(0))
    lines = [{**json.loads(CHAIN), **{m: 60.0 + v for m, v in metrics.items()}}]
    lines += [{**g.to_dict(), **{m: _score(g) + v for m, v in metrics.items()}} for g in graphs]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


@pytest.fixture(scope="module")
def benchmarks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three imported benchmarks: one metric, several with val_acc, several without it."""
    from archembed.benchmarks.user import import_graphs

    tmp = tmp_path_factory.mktemp("defaults")
    for name, metrics in [
        (ONE, {"acc": 0.0}),
        (MANY, {"val_acc": 0.0, "latency": -40.0}),
        (NO_VAL, {"acc": 0.0, "loss": -50.0}),
    ]:
        import_graphs(_write(tmp / f"{name}.jsonl", metrics), name, duplicates="first")
    return tmp


def _json(args: list[str]) -> dict:
    result = invoke([*args, "--json"])
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


def test_query_needs_no_dataset_and_takes_the_only_metric(benchmarks):
    answer = _json(["query", ONE, CHAIN])
    assert (answer["dataset"], answer["metric"], answer["value"]) == ("default", "acc", 60.0)
    assert "n_records" not in answer  # imported with --duplicates first: no averaging


def test_query_prefers_val_acc_among_several_metrics(benchmarks):
    answer = _json(["query", MANY, CHAIN])
    assert (answer["metric"], answer["value"]) == ("val_acc", 60.0)
    assert _json(["query", MANY, CHAIN, "--metric", "latency"])["value"] == 20.0


def test_search_and_run_need_no_dataset(benchmarks, tmp_path):
    args = ["search", "--benchmark", ONE, "--strategy", "random", "--queries", "8"]
    payload = _json([*args, "--seeds", "2", "--workers", "1", "--out", str(tmp_path / "s")])
    run = payload["runs"][0]
    assert run["run"] == f"{ONE}-default-random" and run["queries"] == 8
    assert 50 <= run["val"]["mean"] <= 80  # values of the only metric, acc
    experiment = tmp_path / "e.yaml"
    experiment.write_text(
        f"name: e\nbenchmarks: [{ONE}]\nstrategies: [random]\nseeds: 1\nqueries: 5\nworkers: 1\n"
    )
    result = invoke(["run", str(experiment), "--out", str(tmp_path / "r"), "--json"])
    assert result.code == 0, result.stderr


def test_experiment_config_fills_dataset_and_metric(benchmarks):
    from archembed.experiments.config import parse_config

    config = parse_config(
        {
            "name": "x",
            "benchmarks": [ONE, {"name": NO_VAL, "metric": "loss"}],
            "strategies": ["random"],
        }
    )
    one, no_val = config.benchmarks
    assert (one.dataset, one.label) == ("default", f"{ONE}/default")
    assert one.requests()[0].metric == "acc" and one.requests()[1] is None
    assert no_val.requests()[0].metric == "loss"


def test_predict_needs_no_dataset_or_metric(benchmarks, tmp_path):
    args = ["predict", "--benchmark", ONE, "--encoders", "onehot+rf", "--fractions", "0.5"]
    payload = _json([*args, "--train-share", "0.5", "--seeds", "1", "--out", str(tmp_path)])
    assert payload["config"]["dataset"] == "default"
    assert [r["target"] for r in payload["results"]] == ["acc@-1"]


def test_evaluate_needs_no_dataset(benchmarks, tmp_path):
    from archembed.encoders.baseline import OneHotEncoder
    from archembed.spaces.base import get_space

    OneHotEncoder(get_space(ONE)).save(tmp_path / "onehot")
    args = ["evaluate", str(tmp_path / "onehot"), "--benchmark", ONE, "--out", str(tmp_path / "e")]
    args += ["--samples", "5", "--n-train", "20", "--seeds", "1", "--walk-steps", "5"]
    summary = _json([*args, "--tsne-points", "10", "--projection", "pca", "--threshold", "0", "-q"])
    assert (summary["settings"]["dataset"], summary["settings"]["metric"]) == ("default", "acc")


def test_a_benchmark_with_several_datasets_still_asks_for_one():
    index = GroupIndex("two", [(("a", "acc", -1, -1), 3), (("b", "acc", -1, -1), 3)])
    with pytest.raises(AmbiguousRequestError, match=r"2 datasets \(a, b\): choose one with --x"):
        index.default_dataset(None, "--x")
    assert index.default_dataset("b") == "b"
    assert index.default_metric("a", None) == "acc"


@pytest.fixture(scope="module")
def nasbench_graph() -> str:
    """NAS-Bench-Graph (nine datasets) in the cache; it ships with its package, no data dir."""
    from archembed.benchmarks.catalog import open_benchmark

    open_benchmark("nasbench_graph")
    return "nasbench_graph"


GNN = '{"link": [0, 0, 1, 2], "ops": ["gat", "gat", "gcn", "cheb"]}'
SEVERAL = "9 datasets (arxiv, citeseer, computers, cora, cs, photo, physics, proteins, pubmed)"


@cases(
    [
        ("query-several-datasets", ["query", "nasbench_graph", GNN], f"{SEVERAL}: choose one"),
        (
            "search-several-datasets",
            ["search", "--benchmark", "nasbench_graph", "--strategy", "random", "--out", "x"],
            f"give the dataset: benchmark 'nasbench_graph' has {SEVERAL}",
        ),
        (
            "predict-several-datasets",
            ["predict", "--benchmark", "nasbench_graph", "--out", "x", "--fractions", "0.1"],
            "give --dataset, --metric, --train-share",
        ),
        ("query-no-val-acc", ["query", NO_VAL, CHAIN], "unknown metric"),
        ("query-unknown-dataset", ["query", ONE, CHAIN, "--dataset", "cifar10"], "choose one of"),
        (
            "search-unknown-dataset",
            ["search", "--benchmark", f"{ONE}/cifar10", "--strategy", "random", "--out", "x"],
            "unknown dataset",
        ),
    ]
)
def test_missing_or_wrong_datasets_are_one_line_errors(benchmarks, nasbench_graph, args, fragment):
    assert_input_error(args, fragment)
