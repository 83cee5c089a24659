"""``archembed predict`` end to end on real NB201 data (small fraction, one seed)."""

from __future__ import annotations

import json

import pytest

from archembed.cli.predict import parse_models, parse_params, parse_seeds
from archembed.errors import ConfigError


def test_predict_writes_tables_and_plots(run_cli, data_root, tmp_path):
    out = tmp_path / "pred"
    result = run_cli(
        "predict",
        "--benchmark",
        "nb201",
        "--encoders",
        "mlp,onehot+rf",
        "--fractions",
        "0.01",
        "--seeds",
        "1",
        "--param",
        "mlp.epochs=20",
        "--param",
        "mlp.hidden=[64,64]",
        "--out",
        str(out),
        "--quiet",
        "--json",
        env={"ARCHEMBED_DATA": str(data_root)},
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["results"]
    assert {r["predictor"] for r in rows} == {"mlp", "onehot+rf"}
    assert all(r["n_train"] == 78 and 0.2 < r["kendall_tau"] <= 1 for r in rows)
    saved = json.loads((out / "results.json").read_text())
    assert saved["config"]["n_test"] == 7812 and len(saved["runs"]) == 2
    assert "| onehot+rf |" in (out / "results.md").read_text()
    for plot in ("precision_at_k.png", "predicted_vs_true.png"):
        assert (out / plot).read_bytes()[:4] == b"\x89PNG"


def test_param_and_model_options_parse():
    assert parse_params(["gates.epochs=3", "gates.hidden=[8,8]", "tagates.symmetry=noise"]) == {
        "gates": {"epochs": 3, "hidden": [8, 8]},
        "tagates": {"symmetry": "noise"},
    }
    assert parse_models(["arch2vec=runs/a"]) == {"arch2vec": "runs/a"}
    assert parse_seeds("3") == [0, 1, 2] and parse_seeds("4,7") == [4, 7]
    with pytest.raises(ConfigError):
        parse_seeds("x")
    for bad in (["epochs=3"], ["gates.epochs"]):
        with pytest.raises(ConfigError):
            parse_params(bad)
    with pytest.raises(ConfigError):
        parse_models(["arch2vec"])
