"""The recipe-search experiment's tables and resume rule, on fake finished runs (no search)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

SCRIPT = Path(__file__).parents[2] / "experiments" / "arch2vec_recipe_search.py"


@pytest.fixture(scope="module")
def script(load_file_module) -> ModuleType:
    """The experiment script loaded as a module."""
    return load_file_module(SCRIPT)


def fake_run(run: Path, finals: list[float], status: str = "ok") -> Path:
    """A run whose search seed ``i`` ends at regret ``finals[i]`` after a two-query trajectory."""
    for seed, regret in enumerate(finals):
        folder = run / str(seed)
        folder.mkdir(parents=True)
        summary = {"status": status, "seed": seed, "regret": regret, "wall_seconds": 1.0}
        summary |= {"incumbent_val": 91.61 - regret, "incumbent_test": 94.0}
        (folder / "summary.json").write_text(json.dumps(summary))
        pd.DataFrame({"regret": [regret + 1.0, regret]}).to_parquet(folder / "trajectory.parquet")
    return run


def model_rows(text: str, strategy: str, column: str) -> list[str]:
    """The cells of the across-models row of ``strategy`` / ``column``."""
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[:2] == [strategy, column] and "/" in cells[2]:
            return cells
    raise AssertionError(f"no models row for {strategy} / {column}")


def test_the_models_table_pairs_models_by_pretraining_seed(script, tmp_path):
    plain = {"0": [0.3, 0.1], "1": [0.0, 0.0], "2": [0.2, 0.2]}
    official = {"0": [0.1, 0.1], "1": [0.1, 0.3], "2": [0.4, 0.0]}
    runs = {}
    for seed in plain:
        for recipe, finals in (("plain", plain[seed]), ("official", official[seed])):
            run = fake_run(tmp_path / seed / recipe, finals)
            runs[seed, f"dngo/{recipe}"] = run
    args = argparse.Namespace(pretrain_seeds="0,1,2", seeds=2)
    cells = model_rows(script.report(runs, args), "dngo", "regret")
    assert cells[2] == "3 / 3"
    assert cells[3] == "0.133 ± 0.115"
    assert cells[4] == "0.167 ± 0.058"
    assert cells[5] == "1 of 3"
    assert 0 < float(cells[6]) <= 1


def test_the_anytime_regret_is_the_trajectory_mean(script, tmp_path):
    frame = script.finals(fake_run(tmp_path / "run", [0.5, 0.0]))
    assert np.allclose(frame["anytime_regret"], [1.0, 0.5])
    assert list(frame.index) == [0, 1]


def test_a_finished_run_is_not_relaunched(script, tmp_path, monkeypatch):
    run = fake_run(tmp_path / "run", [0.1, 0.2])
    launched = []
    monkeypatch.setattr(script, "archembed", launched.append)
    args = argparse.Namespace(queries=100, seeds=2, threads=1, data_dir=tmp_path)
    assert script.search("dngo", "onehot", run, args) == run
    assert not launched
    script.search("dngo", "onehot", run, argparse.Namespace(**{**vars(args), "seeds": 3}))
    assert len(launched) == 1 and "--seeds" in launched[0]


def test_a_failed_seed_is_not_finished(script, tmp_path):
    assert not script.finished(fake_run(tmp_path / "run", [0.1], status="failed"), 1)
    assert script.finished(fake_run(tmp_path / "ok", [0.1]), 1)
