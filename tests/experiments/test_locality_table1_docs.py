"""docs/locality/table1: the published table is what the script's report makes of the stored runs."""

import runpy
import shutil
from pathlib import Path

from archembed.experiments.results import ResultStore

ROOT = Path(__file__).parents[2]
DOCS = ROOT / "docs" / "locality" / "table1"
SETTINGS = {"runs": 5, "budget": 200, "n_init": 20, "anchors": 4000}
SETTINGS |= {"pretrain_epochs": 2, "hidden": 32, "seed": 0}


def test_the_published_table_is_regenerated_from_the_stored_runs(tmp_path):
    script = runpy.run_path(str(ROOT / "experiments" / "locality_table1.py"))
    store = ResultStore(tmp_path / "table1", script["KIND"], SETTINGS)
    for unit in script["CONFIGS"]:
        shutil.copy(DOCS / f"{unit}.json", store.directory)
    script["report"](store)
    table = (store.directory / "table1.md").read_text()
    assert table == (DOCS / "table1.md").read_text()
    assert "| angular | 5 | 91.800 ± 36.972 | 91.495 ± 0.114 |" in table
