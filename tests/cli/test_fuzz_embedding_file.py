"""Fuzz suite for ``search --encoder FILE.parquet``: every bad embedding file is one line, exit 2.

Format mistakes are caught before the benchmark loads; ids that do not match the searched
architectures need the benchmark (real NB201 data). No case leaves an output directory.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.cli.fuzzing import assert_input_error, cases, invoke

NB201 = "nb201/cifar10-valid"
IDS = ["a1", "a2", "a3"]
VECTORS = [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]]
BAD_FILES: dict[str, pd.DataFrame | bytes] = {
    "not-parquet.parquet": b"arch,embedding\nx,1\n",
    "notes.txt": b"not a table\n",
    "no-arch.parquet": pd.DataFrame({"id": IDS, "embedding": VECTORS}),
    "no-rows.parquet": pd.DataFrame({"arch": pd.Series([], dtype=str), "x": []}),
    "arch-numbers.parquet": pd.DataFrame({"arch": [1, 2, 3], "embedding": VECTORS}),
    "arch-lists.parquet": pd.DataFrame({"arch": [[1], [2], [3]], "embedding": VECTORS}),
    "arch-null.parquet": pd.DataFrame({"arch": ["a1", None, "a3"], "embedding": VECTORS}),
    "arch-empty.parquet": pd.DataFrame({"arch": ["a1", "", "a3"], "embedding": VECTORS}),
    "arch-twice.parquet": pd.DataFrame({"arch": ["a1", "a2", "a1"], "embedding": VECTORS}),
    "no-vectors.parquet": pd.DataFrame({"arch": IDS, "native": IDS}),
    "text-column.parquet": pd.DataFrame({"arch": IDS, "x0": [1.0, 2.0, 3.0], "x1": IDS}),
    "bool-column.parquet": pd.DataFrame({"arch": IDS, "x0": [True, False, True]}),
    "embedding-text.parquet": pd.DataFrame({"arch": IDS, "embedding": ["1", "x", "3"]}),
    "embedding-null.parquet": pd.DataFrame({"arch": IDS, "embedding": [[1.0], None, [2.0]]}),
    "embedding-empty.parquet": pd.DataFrame({"arch": IDS, "embedding": [[], [], []]}),
    "ragged.parquet": pd.DataFrame({"arch": IDS, "embedding": [[1.0, 2.0], [1.0], [3.0, 4.0]]}),
    "nan.parquet": pd.DataFrame({"arch": IDS, "embedding": [[0.0, 1.0], [np.nan, 0.0], [1, 1]]}),
    "inf-column.parquet": pd.DataFrame({"arch": IDS, "x0": [0.0, 1.0, np.inf]}),
    "overflow.parquet": pd.DataFrame({"arch": IDS, "x0": [0.0, 1e300, 1.0]}),
}
SEARCH = ["search", "--benchmark", NB201, "--strategy", "bo", "--queries", "5", "--seeds", "1"]
CASES = [
    ("absent", "absent.parquet", "file not found"),
    ("not-parquet", "not-parquet.parquet", "cannot read Parquet file"),
    ("other-file", "notes.txt", "cannot read Parquet file"),
    ("no-arch-column", "no-arch.parquet", "has no column 'arch'"),
    ("no-rows", "no-rows.parquet", "has no rows"),
    ("arch-numbers", "arch-numbers.parquet", "row 0 is 1"),
    ("arch-lists", "arch-lists.parquet", "row 0 is"),
    ("arch-null", "arch-null.parquet", "must hold architecture ids (text); row 1 has none"),
    ("arch-empty", "arch-empty.parquet", "row 1 is ''"),
    ("arch-twice", "arch-twice.parquet", "'a1') appears in more than one row"),
    ("no-vectors", "no-vectors.parquet", "has no embedding columns"),
    ("text-column", "text-column.parquet", "column 'x1' is not numeric"),
    ("bool-column", "bool-column.parquet", "column 'x0' is not numeric"),
    ("embedding-text", "embedding-text.parquet", "list of numbers in every row; row 0"),
    ("embedding-null", "embedding-null.parquet", "list of numbers in every row; row 1"),
    ("embedding-empty", "embedding-empty.parquet", "list of numbers in every row; row 0"),
    ("ragged", "ragged.parquet", "row 0 has 2 values, row 1 has 1"),
    ("nan", "nan.parquet", "embedding of 'a2' (row 1) is not finite"),
    ("inf", "inf-column.parquet", "embedding of 'a3' (row 2) is not finite"),
    ("overflow", "overflow.parquet", "embedding of 'a2' (row 1) is not finite"),
]


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """Every bad file of BAD_FILES written into ``tmp_path``."""
    for name, content in BAD_FILES.items():
        if isinstance(content, bytes):
            (tmp_path / name).write_bytes(content)
        else:
            content.to_parquet(tmp_path / name)
    return tmp_path


@cases([(i, [f"{{tmp}}/{name}"], fragment) for i, name, fragment in CASES])
def test_a_bad_embedding_file_is_refused_before_the_benchmark_loads(files, args, fragment):
    path = args[0].format(tmp=files)
    assert_input_error([*SEARCH, "--encoder", path, "--out", str(files / "new")], fragment)
    assert not (files / "new").exists()


@pytest.fixture(scope="module")
def onehot_file(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One-hot embeddings of every NB201 cell, written by ``archembed embed``."""
    path = tmp_path_factory.mktemp("embeddings") / "onehot.parquet"
    result = invoke(["embed", "onehot", "--benchmark", "nb201", "--out", str(path), "--json"])
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["archs"] == 15625
    return path


def _rewritten(source: Path, target: Path, change) -> Path:
    frame = pd.read_parquet(source)
    change(frame).to_parquet(target)
    return target


MISMATCHES = [
    ("unknown-id", lambda f: f.assign(arch=["cell-0", *f.arch[1:]]), "e.g. 'cell-0'"),
    ("other-space", lambda f: f.assign(arch=f.arch + "-nb101"), "written for another space"),
    ("missing-rows", lambda f: f.iloc[:-2], "no embedding for 2 of the 15625 architectures"),
    ("native-and-id", lambda f: f.assign(arch=[f.native[1], *f.arch[1:]]), "already named"),
]


@pytest.mark.parametrize(
    ("change", "fragment"), [pytest.param(c, m, id=i) for i, c, m in MISMATCHES]
)
def test_ids_must_match_the_searched_architectures(onehot_file, tmp_path, change, fragment):
    bad = _rewritten(onehot_file, tmp_path / "bad.parquet", change)
    assert_input_error([*SEARCH, "--encoder", str(bad), "--out", str(tmp_path / "new")], fragment)
    assert not (tmp_path / "new").exists()
