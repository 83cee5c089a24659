"""examples/train_your_own.py: real training of searched cells, interrupted and resumed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "train_your_own.py"
TINY = ["--epochs", "3", "--channels", "4", "--size", "12", "--workers", "2"]
TRIALS_FILE = "trials.jsonl"


def command(out: Path, trials: int) -> list[str]:
    return [sys.executable, str(EXAMPLE), "--out", str(out), "--max-trials", str(trials), *TINY]


def records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / TRIALS_FILE).read_text().splitlines()]


def interrupt_after_first_checkpoint(out: Path, trials: int, timeout: float = 240) -> None:
    """Start the search and send it SIGTERM once a trial has saved an epoch (mid-training)."""
    process = subprocess.Popen(command(out, trials), stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    try:
        while not any((out / "checkpoints").glob("*.pt")):
            assert process.poll() is None, "the search ended before any checkpoint"
            assert time.monotonic() < deadline, "no checkpoint written in time"
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) != 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.slow
def test_search_trains_resumes_after_interruption_and_reports(tmp_path):
    out = tmp_path / "run"
    interrupt_after_first_checkpoint(out, trials=3)
    before = records(out)
    finished = {r["trial"] for r in before if r["event"] == "done"}
    saved = {int(p.stem.split("-")[1]) for p in (out / "checkpoints").glob("trial-*.pt")}
    half_trained = saved - finished
    assert half_trained, "the interruption should leave a trial with a checkpoint, unfinished"

    subprocess.run(command(out, trials=3), check=True, stdout=subprocess.DEVNULL, timeout=600)
    after = records(out)
    done = [r for r in after if r["event"] == "done"]
    assert sorted(r["trial"] for r in done) == [0, 1, 2]
    resumed = [r for r in done if r["trial"] in half_trained]
    assert resumed and all(r["resumed_from_epoch"] >= 1 for r in resumed)

    report = json.loads((out / "report.json").read_text())
    assert report["trials"] == 3 and report["resumed_trials"] >= 1
    assert report["best"]["score"] == max(r["score"] for r in done)
    assert report["best"]["score"] > 30.0  # ten classes: chance is 10%
    assert "validation accuracy" in (out / "report.md").read_text()

    subprocess.run(command(out, trials=4), check=True, stdout=subprocess.DEVNULL, timeout=600)
    final = [r for r in records(out) if r["event"] == "done"]
    assert sorted(r["trial"] for r in final) == [0, 1, 2, 3]
    assert len({r["arch"] for r in final}) == 4
