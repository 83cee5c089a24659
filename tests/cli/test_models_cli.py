"""pretrain arch2vec / embed / evaluate end to end through the command line."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.cli.fuzzing import assert_input_error, invoke

from archembed.encoders.arch2vec import Arch2Vec
from archembed.encoders.embedding import read_embeddings
from archembed.encoders.pretrain import training_graphs
from archembed.outputs import MARKER
from archembed.spaces.base import get_space

SMALL = ("--epochs", "1", "--latent-dim", "4", "--threads", "1", "--quiet")


def test_pretrain_embed_evaluate_end_to_end(run_cli, data_root, tmp_path) -> None:
    model = tmp_path / "nb201-model"
    out = run_cli(
        "pretrain",
        "arch2vec",
        "--space",
        "nb201",
        "--out",
        str(model),
        "--samples",
        "400",
        *SMALL,
        "--json",
    )
    assert out.returncode == 0, out.stderr
    history = json.loads(out.stdout)
    assert [h["epoch"] for h in history] == [1] and 0 <= history[0]["holdout_recon_acc"] <= 1
    assert sorted(p.name for p in model.iterdir()) == [".archembed.json", "config.json", "state.pt"]

    again = run_cli("pretrain", "arch2vec", "--space", "nb201", "--out", str(model), *SMALL)
    assert again.returncode == 2 and "already holds a trained model" in again.stderr

    emb_file = tmp_path / "emb.parquet"
    out = run_cli(
        "embed",
        str(model),
        "--benchmark",
        "nb201",
        "--out",
        str(emb_file),
        "--threads",
        "1",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    ids, natives, matrix, meta = read_embeddings(emb_file)
    assert matrix.shape == (15625, 4) and len(set(ids)) == 15625 and natives[0].startswith("|")
    assert meta["encoder"] == "arch2vec" and meta["space"] == "nb201"

    results = tmp_path / "eval"
    out = run_cli(
        "evaluate",
        str(model),
        "--benchmark",
        "nb201",
        "--dataset",
        "cifar10-valid",
        "--epoch",
        "200",
        "--out",
        str(results),
        "--samples",
        "200",
        "--n-train",
        "60",
        "--seeds",
        "1",
        "--walk-steps",
        "40",
        "--tsne-points",
        "60",
        "--threads",
        "1",
        "--quiet",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert set(summary) >= {"pretraining", "predictive", "smoothness", "neighbours"}
    names = {p.name for p in results.iterdir()}
    assert {
        "summary.json",
        "predictive.json",
        "tsne.png",
        "smoothness.png",
        "neighbours.png",
    } <= names


def test_embed_baseline_by_name_and_bad_inputs(run_cli, data_root, tmp_path) -> None:
    archs = tmp_path / "archs.txt"
    archs.write_text(
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|\n"
        "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|\n"
    )
    out = run_cli(
        "embed",
        "path",
        "--space",
        "nb201",
        "--archs",
        str(archs),
        "--out",
        str(tmp_path / "p.parquet"),
    )
    assert out.returncode == 0, out.stderr
    _, _, matrix, meta = read_embeddings(tmp_path / "p.parquet")
    assert matrix.shape == (2, 85) and matrix[1].sum() == 0 and meta["encoder"] == "path"

    missing = run_cli(
        "embed", str(tmp_path / "nope"), "--space", "nb201", "--out", str(tmp_path / "x.parquet")
    )
    assert missing.returncode == 2 and "neither a model directory" in missing.stderr
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "config.json").write_text("{not json")
    broken = run_cli("embed", str(tmp_path / "broken"), "--out", str(tmp_path / "x.parquet"))
    assert broken.returncode == 2 and "cannot read JSON" in broken.stderr
    assert not (tmp_path / "x.parquet").exists()


def test_pretrain_arch2vec_with_locality_loss_and_bad_options(run_cli, tmp_path) -> None:
    model = tmp_path / "a2v-margin"
    base = ("pretrain", "arch2vec", "--space", "nb201", "--samples", "200", *SMALL)
    out = run_cli(
        *base,
        "--out",
        str(model),
        "--locality-loss",
        "margin",
        "--locality-weight",
        "0.3",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)[0]["loss_metric"] >= 0
    params = json.loads((model / "config.json").read_text())["params"]
    assert params["locality_loss"] == "margin" and params["locality_weight"] == 0.3
    assert params["locality_miner"] == "semihard"

    bad = run_cli(*base, "--out", str(tmp_path / "x"), "--locality-loss", "hinge")
    assert bad.returncode == 2 and "unknown metric loss 'hinge'" in bad.stderr
    bad = run_cli(
        *base,
        "--out",
        str(tmp_path / "x"),
        "--locality-loss",
        "margin",
        "--locality-weight",
        "2",
    )
    assert bad.returncode == 2 and "locality_weight must be a finite number in [0, 1]" in bad.stderr
    bad = run_cli(*base, "--out", str(tmp_path / "x"), "--locality-weight", "0.5")
    assert bad.returncode == 2 and "need --locality-loss" in bad.stderr
    assert not (tmp_path / "x").exists()


def test_an_unmarked_model_directory_of_an_older_version_is_still_ours(tmp_path) -> None:
    """Model directories written before archembed marked its outputs resume and refuse as
    they always did (not as someone else's directory)."""
    space = get_space("nb201")
    run = tmp_path / "run"
    Arch2Vec.from_recipe("default", space, latent_dim=4, epochs=1).fit(  # the command's defaults
        training_graphs(space, 20, 0), checkpoint=run / "checkpoint.pt", progress=False
    )
    args = ["pretrain", "arch2vec", "--space", "nb201", "--samples", "20", "--out", str(run)]
    assert_input_error([*args, *SMALL], "pass --resume")
    options = ["--latent-dim", "4", "--threads", "1", "--quiet", "--json"]
    resumed = invoke([*args, "--epochs", "2", *options, "--resume"])
    assert resumed.code == 0, resumed.stderr
    assert [h["epoch"] for h in json.loads(resumed.stdout)] == [1, 2]
    assert json.loads((run / MARKER).read_text()) == {"kind": "model"}

    finished = tmp_path / "finished"
    Arch2Vec(space, hidden=(8,), latent_dim=4, epochs=1, validity_samples=0).fit(
        training_graphs(space, 20, 0), progress=False
    ).save(finished)
    assert_input_error([*args[:-1], str(finished), *SMALL], "already holds a trained model")


def test_model_commands_import_no_heavy_library_at_start() -> None:
    """The command modules import torch, pandas and the encoders only when a command runs."""
    code = (
        "import sys, types, archembed\n"
        "package = types.ModuleType('archembed.cli')\n"
        "package.__path__ = [archembed.__path__[0] + '/cli']\n"
        "sys.modules['archembed.cli'] = package\n"
        "import archembed.cli.models, archembed.cli.locality, archembed.cli.contrastive\n"
        "heavy = ('torch', 'pandas', 'pytorch_metric_learning', 'archembed.encoders')\n"
        "print([name for name in heavy if name in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
