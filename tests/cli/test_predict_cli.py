"""``archembed predict`` end to end on real NB201 data (small fraction, one seed)."""

from __future__ import annotations

import json

import pytest
from tests.cli.fuzzing import invoke

from archembed.cli.predict import parse_models, parse_params, parse_seeds
from archembed.errors import ConfigError
from archembed.outputs import MARKER


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
    payload = json.loads(result.stdout)
    rows = payload["results"]
    assert {r["predictor"] for r in rows} == {"mlp", "onehot+rf"}
    for row in rows:
        tau = row["kendall_tau"]
        assert row["n_train"] == 78 and row["seeds"] == 1 and tau["n"] == 1
        assert isinstance(tau["mean"], float) and 0.2 < tau["mean"] <= 1
        assert tau["std"] is None  # one seed: no spread (NaN is null in JSON)
    assert payload["config"]["n_test"] == 7812
    assert set(payload["files"]) == {"markdown", "json", "precision_at_k", "predicted_vs_true"}
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
    for bad in ("x", "0", ",", "-1", "5000"):
        with pytest.raises(ConfigError):
            parse_seeds(bad)
    for bad in (["epochs=3"], ["gates.epochs"]):
        with pytest.raises(ConfigError):
            parse_params(bad)
    with pytest.raises(ConfigError):
        parse_models(["arch2vec"])


def test_predict_shows_progress_when_piped_and_resumes_its_own_output(data_root, tmp_path):
    out = tmp_path / "pred"
    args = ["predict", "--benchmark", "nb201", "--encoders", "mlp", "--fractions", "0.001",
            "--seeds", "2", "--param", "mlp.epochs=2", "--threads", "1", "--out", out]  # fmt: skip
    first = invoke(args)
    assert first.code == 0, first.stderr
    progress = [line for line in first.stderr.splitlines() if line.startswith("predictors:")]
    assert progress[0].startswith("predictors: 0/2 (0%)")
    assert progress[-1].startswith("predictors: 2/2 (100%)")
    runs = sorted(p.name for p in (out / "runs").iterdir())
    (out / MARKER).unlink()  # an output directory written before the mark existed
    again = invoke([*args, "--quiet", "--threads", "2"])  # other thread count: same runs
    assert again.code == 0, again.stderr
    assert again.stderr == "" and sorted(p.name for p in (out / "runs").iterdir()) == runs
    assert (out / MARKER).is_file()
