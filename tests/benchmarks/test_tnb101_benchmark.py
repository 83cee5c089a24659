"""TransNAS-Bench-101 micro: 4,096 cells x 7 tasks, mapped onto NB201 strings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.cli.fuzzing import invoke

from archembed.benchmarks import load_benchmark
from archembed.benchmarks.importers.tnb101 import (
    SOURCE,
    TASKS,
    import_tnb101_micro,
    nb201_native,
    parse_tuple,
    tnb_string,
)
from archembed.errors import CorruptFileError

KNOWN = {
    # NASLib tuple: (TransNAS-Bench-101 string, NB201 string of the same cell)
    "(2, 3, 2, 3, 2, 3)": (
        "64-41414-2_32_323",
        "|nor_conv_1x1~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+"
        "|nor_conv_3x3~0|nor_conv_1x1~1|nor_conv_3x3~2|",
    ),
    "(0, 1, 2, 3, 0, 1)": (
        "64-41414-0_12_301",
        "|none~0|+|skip_connect~0|nor_conv_1x1~1|+|nor_conv_3x3~0|none~1|skip_connect~2|",
    ),
    "(1, 1, 1, 1, 1, 1)": (
        "64-41414-1_11_111",
        "|skip_connect~0|+|skip_connect~0|skip_connect~1|+"
        "|skip_connect~0|skip_connect~1|skip_connect~2|",
    ),
}


@pytest.fixture(scope="module")
def tnb(data_root):
    return load_benchmark("tnb101_micro", data_root)


@pytest.fixture(scope="module")
def source(data_root) -> pd.DataFrame:
    return pd.read_csv(data_root / SOURCE)


def test_known_cells_map_to_their_tnb_and_nb201_strings():
    for text, (tnb, nb201) in KNOWN.items():
        codes = parse_tuple(text)
        assert tnb_string(codes) == tnb
        assert nb201_native(codes) == nb201


@pytest.mark.parametrize("text", ["(0, 1, 2)", "(0, 1, 2, 3, 4, 0)", "(a, 0, 0, 0, 0, 0)"])
def test_malformed_tuples_are_refused(text):
    with pytest.raises(ValueError):
        parse_tuple(text)


def test_full_table_has_every_cell_and_task(tnb, source):
    assert len(source) == 4_096
    assert tnb.space.name == "nb201"
    assert sorted(tnb.datasets()) == sorted(TASKS)
    natives = {tnb.space.to_native(g) for g in tnb.graphs()}
    expected = {nb201_native(c) for c in np.ndindex(4, 4, 4, 4, 4, 4)}
    assert natives == expected
    for task in TASKS:
        graphs, values = tnb.labels(task, "val_acc")
        assert len(graphs) == 4_096 and np.isfinite(values).all()


def test_values_follow_the_source_rows(tnb, source):
    rows = source.set_index("arch")
    for text in KNOWN:
        graph = tnb.space.from_native(KNOWN[text][1])
        for task in TASKS:
            assert tnb.query([graph], task, "val_acc")[0] == pytest.approx(rows.loc[text, task])


def test_the_mapping_is_the_labelled_cell(tnb):
    """Cells whose output node receives only 'none' edges share one classification accuracy."""
    dead = [
        tnb.space.from_native(nb201_native((a, b, c, 0, 0, 0))) for a, b, c in np.ndindex(4, 4, 4)
    ]
    for task in ("class_scene", "class_object", "jigsaw"):
        values = tnb.query(dead, task, "val_acc")
        assert np.ptp(values) == 0
        assert values[0] < np.median(tnb.labels(task, "val_acc")[1])
    assert (tnb.labels("room_layout", "val_acc")[1] < 0).all()


def test_a_damaged_table_is_a_corrupt_file(tmp_path, source):
    (tmp_path / SOURCE).parent.mkdir(parents=True)
    source.drop(index=[5]).to_csv(tmp_path / SOURCE, index=False)
    with pytest.raises(CorruptFileError, match="4096 distinct cells"):
        import_tnb101_micro(tmp_path)


@pytest.mark.parametrize("strategy", [["evolution"], ["bo", "--encoder", "onehot"]])
def test_search_stays_in_the_4096_cells(data_root, tmp_path, strategy):
    out = tmp_path / strategy[0]
    result = invoke(
        [
            "search", "--benchmark", "tnb101_micro/class_scene", "--strategy", *strategy,
            "--queries", "25", "--seeds", "1", "--workers", "1", "--out", str(out),
            "--quiet", "--threads", "1",
        ]
    )  # fmt: skip
    assert result.code == 0, result.stderr
    visited = pd.read_parquet(out / "0" / "trajectory.parquet")["arch"]
    assert len(visited) == 25
    assert not visited.str.contains("avg_pool_3x3").any()
