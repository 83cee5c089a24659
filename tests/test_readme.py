"""The README's Python quickstart runs as printed, on a machine without a data directory."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Python quickstart"


def quickstart_code() -> str:
    """The first ``python`` block of the README's Python quickstart section."""
    text = (ROOT / "README.md").read_text()
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert blocks, f"no python block under {SECTION!r} in README.md"
    return blocks[0]


def test_the_quickstart_is_one_short_block():
    code = quickstart_code()
    compile(code, "README.md", "exec")
    assert "ae.search(" in code and "import archembed as ae" in code
    assert len(code.splitlines()) <= 30


@pytest.mark.slow
def test_the_quickstart_runs_without_a_data_directory(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ARCHEMBED_DATA"}
    env |= {"PYTHONPATH": str(ROOT / "src"), "ARCHEMBED_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", quickstart_code()],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    tau, regret = re.search(
        r"Kendall tau on 1,000 unseen architectures: (\S+)\n.*\(regret (\S+)\)", out.stdout
    ).groups()
    assert 0.2 < float(tau) <= 1.0  # the embeddings rank unseen architectures
    assert 0.0 <= float(regret) < 0.01  # within a point of the best of 26,206
