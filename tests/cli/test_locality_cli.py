import json

import numpy as np
from typer.testing import CliRunner

from archembed.cli import app
from archembed.encoders.base import load_encoder


def test_pretrain_locality_writes_a_loadable_model(data_root, tmp_path):
    out = tmp_path / "model"
    args = ["pretrain", "locality", "--space", "nb201", "--loss", "margin", "--out", str(out)]
    small = ["--anchors", "64", "--epochs", "1", "--hidden", "16", "--threads", "1", "--quiet"]
    done = CliRunner().invoke(app, [*args, *small, "--json"])
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert summary["loss"] == "margin" and summary["final"]["metric"] > 0
    model = load_encoder(out)
    assert model.pretraining["anchors"] == 64
    cells = model.space.sample(5, np.random.default_rng(0))
    assert model.transform(cells).shape == (5, 16)
    assert not (out / "checkpoint.pt").exists()
    again = CliRunner().invoke(app, [*args, *small])
    assert again.exit_code != 0 and "--force" in str(again.exception)


def test_bad_loss_exits_2_with_one_line(run_cli, tmp_path):
    done = run_cli(
        "pretrain", "locality", "--space", "nb201", "--out", str(tmp_path), "--loss", "cosface"
    )
    assert done.returncode == 2
    assert "unknown metric loss 'cosface'" in done.stderr and "Traceback" not in done.stderr


def test_search_with_a_pretrained_controller_through_the_runner(data_root, tmp_path):
    model = tmp_path / "model"
    small = ["--anchors", "64", "--epochs", "1", "--hidden", "16", "--threads", "1", "--quiet"]
    pretrain = ["pretrain", "locality", "--space", "nb201", "--out", str(model), *small]
    assert CliRunner().invoke(app, pretrain).exit_code == 0
    search = [
        "search", "--benchmark", "nb201/cifar10-valid", "--strategy", "nao",
        "--encoder", str(model), "--queries", "20", "--seeds", "1", "--workers", "1",
        "-p", "n_init=10", "-p", "train_epochs=3", "--out", str(tmp_path / "run"),
        "--quiet", "--json",
    ]  # fmt: skip
    done = CliRunner().invoke(app, search)
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert not result["failed"] and len(result["runs"]) == 1
    assert list((tmp_path / "run").rglob("trajectory.parquet"))
