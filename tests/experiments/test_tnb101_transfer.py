"""experiments/tnb101_transfer.py: several limits per predictor, partial runs merged per seed."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).parents[2] / "experiments" / "tnb101_transfer.py"


@pytest.fixture(scope="module")
def script(request):
    return request.getfixturevalue("load_file_module")(SCRIPT)


def _args(*limits: str) -> argparse.Namespace:
    return argparse.Namespace(
        predictors=["onehot+gp", "tagates"], shares=[0.01, 0.1], seeds=3, limit=list(limits)
    )


def test_each_limit_of_a_predictor_is_its_own_entry(script):
    entries = script.plan(_args("tagates:0.01:1", "tagates:0.1:1:class_scene,jigsaw"))
    tasks = script.TASKS
    assert entries == [
        ("onehot+gp", [0.01, 0.1], 3, tasks),
        ("tagates", [0.01], 1, tasks),
        ("tagates", [0.1], 1, ("class_scene", "jigsaw")),
    ]
    assert script.plan(_args())[1] == ("tagates", [0.01, 0.1], 3, tasks)


def _run(seed: int, rows: dict[int, float], spec: str = "tagates") -> dict:
    nan = float("nan")
    tau = [[rows.get(i, nan)] * 7 if i in rows else [nan] * 7 for i in range(7)]
    return {"spec": spec, "share": 0.1, "seed": seed, "n_train": 410, "tau": tau}


def test_runs_of_one_seed_on_different_sources_fill_one_matrix(script):
    runs = [_run(0, {0: 0.8}), _run(0, {i: 0.1 * i for i in range(1, 7)}), _run(1, {0: 0.6})]
    merged = script.merged_runs(runs)
    assert sorted(merged) == [("tagates", 0.1, 0), ("tagates", 0.1, 1)]
    seed0 = merged[("tagates", 0.1, 0)]
    assert not np.isnan(seed0).any()
    assert seed0[0, 0] == 0.8 and seed0[3, 5] == pytest.approx(0.3)
    stats = script.summary({"runs": runs})[("tagates", 0.1)]
    assert stats["n"] == 2
    assert stats["mean"][0, 0] == pytest.approx(0.7)  # both seeds trained row 0
    assert stats["mean"][3, 0] == pytest.approx(0.3)  # only seed 0 trained row 3
    assert math.isnan(stats["std"][3, 0]) and stats["std"][0, 0] > 0
