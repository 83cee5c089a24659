"""Fuzz cases for multi-objective and constrained ``search`` / ``run``: exit 2, one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.cli.fuzzing import assert_input_error, cases

SEARCH = ["search", "--benchmark", "nb201/cifar10-valid", "--queries", "5", "--seeds", "1"]
RANDOM = [*SEARCH, "--strategy", "random", "--out", "{tmp}/new"]
TWO = ["--objectives", "val_acc:max,edgegpu_latency:min"]


@cases(
    [
        ("no-direction", [*RANDOM, "--objectives", "val_acc"], "METRIC:max"),
        ("bad-direction", [*RANDOM, "--objectives", "val_acc:up"], "METRIC:max"),
        ("twice", [*RANDOM, "--objectives", "val_acc:max,val_acc:min"], "distinct"),
        ("empty", [*RANDOM, "--objectives", ""], "objective"),
        ("bad-op", [*RANDOM, "--constraint", "pixel3_latency<4"], "METRIC<=NUMBER"),
        ("nan-bound", [*RANDOM, "--constraint", "pixel3_latency<=nan"], "METRIC<=NUMBER"),
        ("no-bound", [*RANDOM, "--constraint", "pixel3_latency<="], "METRIC<=NUMBER"),
        ("noise", [*RANDOM, *TWO, "--noise"], "noise"),
        ("free-alone", [*RANDOM, "--free-metrics", "params"], "free_metrics"),
        ("free-unnamed", [*RANDOM, *TWO, "--free-metrics", "params"], "free metric 'params'"),
        ("free-one-cell", [*RANDOM, *TWO, "--free-metrics", "edgegpu_latency~1"], "at least 2"),
        ("free-bad-count", [*RANDOM, *TWO, "--free-metrics", "edgegpu_latency~x"], "METRIC~N"),
        (
            "free-too-many",
            [*RANDOM, *TWO, "--free-metrics", "edgegpu_latency~20000"],
            "only 15625 cells",
        ),
        ("unknown-metric", [*RANDOM, "--objectives", "nope:max"], "nope"),
        ("impossible", [*RANDOM, "--constraint", "edgegpu_latency<=0.01"], "meets"),
        ("time-budget", [*RANDOM, *TWO, "--seconds", "100"], "seconds"),
        (
            "single-strategy",
            [*SEARCH, "--strategy", "evolution", "--out", "{tmp}/new", *TWO],
            "optimises one objective",
        ),
        (
            "constrained-bo-two-objectives",
            [*SEARCH, "--strategy", "constrained_bo", "--out", "{tmp}/new", *TWO],
            "optimises one objective",
        ),
        (
            "nsga2-param",
            [*SEARCH, "--strategy", "nsga2", "-p", "population_size=1", "--out", "{tmp}/new"],
            "population_size",
        ),
    ]
)
def test_search_rejects(args, fragment, tmp_path, data_root):
    assert_input_error([a.replace("{tmp}", str(tmp_path)) for a in args], fragment)
    assert not (tmp_path / "new").exists() or not any((tmp_path / "new").glob("*/summary.json"))


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("objectives: [val_acc]", "METRIC:max"),
        ("objectives: 3", "objectives"),
        ("constraints: [latency=3]", "METRIC<=NUMBER"),
        ("constraints: latency<=3", "constraints"),
    ],
)
def test_run_file_rejects(body, fragment, tmp_path: Path):
    path = tmp_path / "e.yaml"
    path.write_text(
        "name: demo\nbenchmarks:\n  - name: nb201/cifar10-valid\n    "
        f"{body}\nstrategies: [random]\nseeds: 1\nqueries: 5\n"
    )
    assert_input_error(["run", str(path), "--out", str(tmp_path / "out")], fragment)
