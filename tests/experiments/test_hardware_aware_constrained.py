"""The constrained-search script: any encoder ``archembed search`` takes, settings that name a
non-default encoder, resume, and one error line for an unknown encoder."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).parents[2] / "experiments" / "hardware_aware_constrained.py"
CAP = ["--dataset", "cifar100", "--constraint", "fpga_latency<=4.0"]


@pytest.fixture(scope="module")
def script(load_file_module) -> ModuleType:
    """The experiment script loaded as a module."""
    return load_file_module(SCRIPT)


def run(script: ModuleType, monkeypatch, *args: str) -> None:
    """Call the script's ``main`` under the CLI contract with ``args`` as its command line."""
    from archembed.cli.script import run_script

    monkeypatch.setattr(sys, "argv", [str(SCRIPT), *args])
    run_script(script.main)


@pytest.mark.slow
def test_zcstats_runs_and_records_its_encoder(script, nb201_bench, tmp_path, monkeypatch, capsys):
    out = tmp_path / "cbo"
    run(
        script,
        monkeypatch,
        "--out",
        str(out),
        *CAP,
        "--queries",
        "12",
        "--seeds",
        "1",
        "--encoder",
        "zcstats",
    )
    assert "| cifar100 | fpga_latency<=4.0 | zcstats | defaults | 1 |" in capsys.readouterr().out
    assert json.loads((out / "settings.json").read_text())["settings"]["encoder"] == "zcstats"
    seed = json.loads((out / "seed-0.json").read_text())
    assert seed["regret"] >= 0 and 0 <= seed["infeasible"] <= 12


def test_onehot_keeps_the_settings_of_earlier_runs_and_resumes(
    script, nb201_bench, tmp_path, monkeypatch
):
    out = tmp_path / "cbo"
    args = ["--out", str(out), *CAP, "--seeds", "2", "--queries", "11"]
    run(script, monkeypatch, *args)
    settings = json.loads((out / "settings.json").read_text())["settings"]
    assert settings == {
        "dataset": "cifar100",
        "constraint": "fpga_latency<=4.0",
        "queries": 11,
        "params": {},
    }
    before = json.loads((out / "seed-1.json").read_text())
    (out / "seed-1.json").unlink()
    run(script, monkeypatch, *args)
    after = json.loads((out / "seed-1.json").read_text())
    assert (after["regret"], after["infeasible"]) == (before["regret"], before["infeasible"])


def test_an_unknown_encoder_is_one_error_line_and_writes_nothing(
    script, nb201_bench, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "cbo"
    with pytest.raises(SystemExit) as exit_:
        run(script, monkeypatch, "--out", str(out), *CAP, "--encoder", "no-such-encoder")
    assert exit_.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("error: ") and "no-such-encoder" in line
    assert not out.exists()
