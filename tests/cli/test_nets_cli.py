"""``archembed features jacobian|normalise|zc`` end to end on a few NB201 cells (in-process)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from tests.cli.fuzzing import invoke

from archembed.cli.nets import parse_setting
from archembed.errors import ConfigError
from archembed.nets.build import NetSetting
from archembed.nets.feature_store import FeatureStore
from archembed.outputs import MARKER

JACOBIAN = ["--limit", "3", "--n-inits", "2", "--n-points", "4", "--k", "4", "--n-pool", "16"]


def test_features_jacobian_normalise_and_zc_print_json(tmp_path):
    out = tmp_path / "jac"
    args = ["features", "jacobian", "--space", "nb201", "--out", out, *JACOBIAN]
    result = invoke([*args, "--threads", "1", "--quiet", "--json"])
    assert result.code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["architectures"] == 3 and summary["complete"] is True
    assert (summary["inits"], summary["points"], summary["dim"]) == (2, 4, 4)
    assert summary["params"]["setting"]["channels"] == 8
    store = FeatureStore.open(out, require_complete=True)
    assert store.features.shape == (3, 2, 4, 4) and np.isfinite(store.get(store.ids)).all()
    assert (out / MARKER).is_file()

    again = invoke([*args, "--threads", "1", "--quiet", "--json"])  # resumes its own store
    assert again.code == 0 and json.loads(again.stdout)["written"] == 3

    normalised = invoke(
        ["features", "normalise", "--features", out, "--out", tmp_path / "n", "-q", "--json"]
    )
    assert normalised.code == 0, normalised.stderr
    assert json.loads(normalised.stdout)["params"]["normalise"] is True

    table_path = tmp_path / "zc.parquet"
    result = invoke(
        ["features", "zc", "--space", "nb201", "--out", table_path, "--limit", "2",
         "--proxies", "params,flops,snip", "--n-points", "8", "--quiet", "--json"]
    )  # fmt: skip
    assert result.code == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["architectures"] == 2 and set(stats["proxies"]) == {"params", "flops", "snip"}
    assert stats["proxies"]["params"]["n"] == 2 and stats["proxies"]["params"]["min"] > 0.07
    table = pd.read_parquet(table_path)
    assert list(table.columns) == ["arch", "native", "params", "flops", "snip"]
    assert (table["params"] > 0.07).all()  # official C=16, N=5 networks


def test_a_store_from_before_the_output_mark_still_resumes(tmp_path):
    out = tmp_path / "old"
    args = ["features", "jacobian", "--space", "nb201", "--out", out, *JACOBIAN, "-q"]
    assert invoke(args).code == 0
    (out / MARKER).unlink()
    result = invoke(args)
    assert result.code == 0, result.stderr
    assert (out / MARKER).is_file()


def test_zc_prints_plain_progress_lines_when_piped(tmp_path):
    result = invoke(
        ["features", "zc", "--space", "nb201", "--out", tmp_path / "z.parquet", "--limit", "2",
         "--proxies", "params"]
    )  # fmt: skip
    assert result.code == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("zero-cost proxies: 0/2 (0%)")
    assert lines[-1].startswith("zero-cost proxies: 2/2 (100%)")


def test_bad_setting_is_a_user_error():
    with pytest.raises(ConfigError, match="--setting"):
        parse_setting("8x1")
    assert parse_setting("8,2") == NetSetting(8, 2)
