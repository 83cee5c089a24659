"""examples/quickstart.ipynb runs top to bottom in a fresh kernel (nbclient) without errors and
prints what its text promises: every NAS-Bench-Graph architecture embedded, two searches."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "quickstart.ipynb"


def cell_text(cell) -> str:
    """Everything a code cell printed or returned, as text."""
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def test_quickstart_notebook_executes(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    text = "\n".join(cell_text(c) for c in notebook.cells if c.cell_type == "code")
    assert "(26206, 16)" in text
    assert "Spearman rank correlation" in text
    regrets = [float(v) for v in re.findall(r"regret (\d+\.\d+)", text)]
    assert len(regrets) == 2 and all(0 <= r < 0.1 for r in regrets)
    assert not list(tmp_path.iterdir()), "the notebook must not write files"
