"""``archembed features jacobian|zc`` end to end on a few NB201 cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from archembed.cli.nets import parse_setting
from archembed.errors import ConfigError
from archembed.nets.build import NetSetting
from archembed.nets.feature_store import FeatureStore

SINGLE_THREAD = {"OMP_NUM_THREADS": "1"}


def test_features_jacobian_and_zc(run_cli, data_root, tmp_path):
    out = tmp_path / "jac"
    args = ["features", "jacobian", "--space", "nb201", "--out", str(out), "--limit", "3"]
    args += ["--n-inits", "2", "--n-points", "4", "--k", "4", "--n-pool", "16", "--workers", "1"]
    result = run_cli(*args, "--quiet", env=SINGLE_THREAD)
    assert result.returncode == 0, result.stderr
    store = FeatureStore.open(out, require_complete=True)
    assert store.features.shape == (3, 2, 4, 4)
    assert np.isfinite(store.get(store.ids)).all()
    assert store.params["setting"]["channels"] == 8
    table_path = tmp_path / "zc.parquet"
    result = run_cli(
        "features", "zc", "--space", "nb201", "--out", str(table_path), "--limit", "2",
        "--proxies", "params,flops,snip", "--n-points", "8", "--quiet", env=SINGLE_THREAD,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    table = pd.read_parquet(table_path)
    assert list(table.columns) == ["arch", "native", "params", "flops", "snip"]
    assert (table["params"] > 0.07).all()  # official C=16, N=5 networks


def test_bad_setting_is_a_user_error():
    with pytest.raises(ConfigError, match="--setting"):
        parse_setting("8x1")
    assert parse_setting("8,2") == NetSetting(8, 2)
