"""docs/guides/own-benchmark.md runs as written: every ``bash`` and ``python`` block, in order.

The guide's commands run in a fresh folder holding the example file as ``archs.jsonl`` (and
every block titled ``title="FILE"`` written to FILE), against an empty cache, through the
installed ``archembed`` command as a user would type them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "guides" / "own-benchmark.md"
FIXTURE = ROOT / "tests" / "fixtures" / "own_benchmark.jsonl"
FENCE = re.compile(r'^```(\w+)(?: title="([^"]+)")?\n(.*?)^```', re.MULTILINE | re.DOTALL)


def guide_blocks() -> list[tuple[str, str | None, str]]:
    """(language, title, text) of every fenced block of the guide, in order."""
    return [match.groups() for match in FENCE.finditer(GUIDE.read_text(encoding="utf-8"))]


def guide_steps() -> list[tuple[str, str]]:
    """("bash", command) per command line (continuations joined), ("python", code) per block."""
    steps = []
    for language, _, text in guide_blocks():
        if language == "python":
            steps.append(("python", text))
        elif language == "bash":
            lines = text.replace("\\\n", " ").splitlines()
            steps += [("bash", line) for line in lines if line.strip() and not line.startswith("#")]
    return steps


def test_the_guide_has_the_journey_from_a_file_to_a_report():
    commands = " | ".join(text for kind, text in guide_steps() if kind == "bash")
    for step in ("data import-graphs archs.jsonl", "predict", "search", "report", "run"):
        assert f"archembed {step}" in commands
    assert all(title for language, title, _ in guide_blocks() if language in ("yaml", "json"))


@pytest.mark.slow
def test_every_command_of_the_guide_runs(tmp_path):
    shutil.copy(FIXTURE, tmp_path / "archs.jsonl")
    for _, title, text in guide_blocks():
        if title:
            (tmp_path / title).write_text(text, encoding="utf-8")
    env = {
        **os.environ,
        "ARCHEMBED_CACHE": str(tmp_path / "cache"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    for kind, text in guide_steps():
        command = ["bash", "-c", text] if kind == "bash" else [sys.executable, "-c", text]
        done = subprocess.run(
            command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, f"{text}\n{done.stderr[-2000:]}"
    assert (tmp_path / "runs" / "mybench" / "report" / "report.md").is_file()
