"""Every experiment script under experiments/ answers --help without doing any work."""

import runpy
import sys
from pathlib import Path

import pytest

from archembed.experiments.results import ResultStore

ROOT = Path(__file__).parents[2]
SCRIPTS = sorted((ROOT / "experiments").glob("*.py"))


def test_the_paper_protocols_live_in_experiments():
    names = {script.stem for script in SCRIPTS}
    moved = {"locality_table1", "locality_analysis", "arch2vec_locality", "zc_correlation"}
    assert moved | {"arch2vec_recipe_search"} <= names
    assert not {path.stem for path in (ROOT / "bench").glob("*.py")} & moved


@pytest.mark.parametrize("script", SCRIPTS, ids=[script.stem for script in SCRIPTS])
def test_help_works_without_data(script, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ARCHEMBED_DATA", str(tmp_path / "no-data"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(script), "--help"])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_path(str(script), run_name="__main__")
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage:")
    assert "--out" in out
    assert not list(tmp_path.iterdir())


def test_a_results_directory_of_other_settings_is_one_error_line(tmp_path, monkeypatch, capsys):
    script = ROOT / "experiments" / "zc_correlation.py"
    out = tmp_path / "zc"
    ResultStore(out, "zc-correlation", {"n": 5})
    monkeypatch.setenv("ARCHEMBED_DATA", str(tmp_path / "no-data"))
    monkeypatch.setattr(sys, "argv", [str(script), "--out", str(out), "--n", "6"])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_path(str(script), run_name="__main__")
    assert exit_.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("error: ") and "holds results of other settings" in line
