"""Fuzz the model commands: pretrain arch2vec/locality/contrastive, embed, evaluate, contrastive.

Every case is a bad input that must stop at validation: exit 2, one ``error:`` line naming
the problem, no traceback, and nothing written. ``{bad}`` in an argument is a module-wide
directory of bad files and tiny real models (built once, in seconds); ``{tmp}`` is the
case's own empty directory, which must still be empty afterwards. A last group checks that a
training run whose loss turns non-finite exits 1 naming the epoch and leaves no finished model.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from tests.cli.fuzzing import assert_input_error, assert_rejected_cleanly, cases, invoke

from archembed.encoders.arch2vec import Arch2Vec
from archembed.encoders.contrastive import ContrastiveEncoder
from archembed.encoders.nao import NAOEncoder
from archembed.nets.feature_store import FeatureStore
from archembed.nn.runtime import save_checkpoint
from archembed.outputs import MARKER
from archembed.spaces.base import get_space

FAST = ["--threads", "1", "--quiet"]
A2V = ["pretrain", "arch2vec", "--space", "nb201", "--samples", "20", "--epochs", "1", *FAST]
A2V_NEW = [*A2V, "--out", "{tmp}/model"]
LOC = ["pretrain", "locality", "--space", "nb201", "--anchors", "8", "--epochs", "1", *FAST]
LOC_NEW = [*LOC, "--hidden", "16", "--out", "{tmp}/model"]
CON = ["pretrain", "contrastive", "--features", "{bad}/store", "--epochs", "1", *FAST]
CON_NEW = [*CON, "--batch-size", "4", "--out", "{tmp}/model"]
EMBED = ["embed", "{bad}/arch2vec", "--space", "nb201", *FAST]
EMBED_NEW = [*EMBED, "--out", "{tmp}/e.parquet"]
EVAL = ["evaluate", "{bad}/arch2vec", "--benchmark", "nb201", "--dataset", "cifar10-valid",
        "--epoch", "200", *FAST]  # fmt: skip
EVAL_NEW = [*EVAL, "--out", "{tmp}/eval"]
TABLE1 = ["contrastive", "table1", "--model", "{bad}/contrastive", "--n-train", "4", *FAST]
TRANSFER = ["contrastive", "transfer", "--model", "{bad}/contrastive", "--n-train", "4", *FAST]
TSNE = ["contrastive", "tsne", "--model", "{bad}/contrastive", *FAST]

NUMBERS = [
    ("a2v-lr-negative", [*A2V_NEW, "--lr", "-0.1"], "lr must be a finite number > 0, got -0.1"),
    ("a2v-lr-zero", [*A2V_NEW, "--lr", "0"], "lr must be a finite number > 0, got 0"),
    ("a2v-lr-nan", [*A2V_NEW, "--lr", "nan"], "got nan"),
    ("a2v-lr-inf", [*A2V_NEW, "--lr", "inf"], "got inf"),
    ("a2v-lr-text", [*A2V_NEW, "--lr", "fast"], "--lr"),
    ("a2v-kl-nan", [*A2V_NEW, "--kl-weight", "nan"], "kl_weight must be a finite number >= 0"),
    ("a2v-kl-negative", [*A2V_NEW, "--kl-weight", "-1"], "kl_weight"),
    ("a2v-kl-inf", [*A2V_NEW, "--kl-weight", "inf"], "kl_weight"),
    ("a2v-adj-zero", [*A2V_NEW, "--adj-weight", "0"], "adj_weight must be a finite number > 0"),
    ("a2v-adj-nan", [*A2V_NEW, "--adj-weight", "nan"], "adj_weight"),
    ("a2v-epochs-zero", [*A2V_NEW, "--epochs", "0"], "epochs must be a whole number in [1,"),
    ("a2v-epochs-negative", [*A2V_NEW, "--epochs", "-3"], "got -3"),
    ("a2v-epochs-huge", [*A2V_NEW, "--epochs", "1000000000"], "epochs"),
    ("a2v-epochs-float", [*A2V_NEW, "--epochs", "1.5"], "--epochs"),
    ("a2v-batch-one", [*A2V_NEW, "--batch-size", "1"], "batch_size must be a whole number in [2,"),
    ("a2v-batch-huge", [*A2V_NEW, "--batch-size", "10000000000"], "batch_size"),
    ("a2v-latent-zero", [*A2V_NEW, "--latent-dim", "0"], "latent_dim"),
    ("a2v-latent-huge", [*A2V_NEW, "--latent-dim", "10000000"], "latent_dim"),
    ("a2v-dropout-one", [*A2V_NEW, "--decoder-dropout", "1"], "decoder_dropout"),
    ("a2v-dropout-negative", [*A2V_NEW, "--decoder-dropout", "-0.1"], "decoder_dropout"),
    ("a2v-dropout-nan", [*A2V_NEW, "--decoder-dropout", "nan"], "decoder_dropout"),
    ("a2v-samples-one", [*A2V_NEW, "--samples", "1"], "samples must be a whole number in [2,"),
    ("a2v-samples-huge", [*A2V_NEW, "--samples", "1000000000000"], "samples"),
    ("a2v-samples-negative", [*A2V_NEW, "--samples", "-5"], "samples"),
    ("a2v-seed-negative", [*A2V_NEW, "--seed", "-1"], "seed must be a whole number in [0,"),
    ("a2v-seed-huge", [*A2V_NEW, "--seed", str(2**40)], "seed"),
    ("a2v-grad-clip-zero", [*A2V_NEW, "--grad-clip", "0"], "grad_clip"),
    ("a2v-grad-clip-nan", [*A2V_NEW, "--grad-clip", "nan"], "grad_clip"),
    ("a2v-stochastic-negative", [*A2V_NEW, "--stochastic-epochs", "-1"], "stochastic_epochs"),
    ("a2v-threads-zero", [*A2V_NEW, "--threads", "0"], "--threads must be at least 1"),
    ("a2v-threads-negative", [*A2V_NEW, "--threads", "-2"], "--threads"),
    ("a2v-loc-weight-two", [*A2V_NEW, "--locality-loss", "margin", "--locality-weight", "2"],
     "locality_weight must be a finite number in [0, 1], got 2"),
    ("a2v-loc-weight-nan", [*A2V_NEW, "--locality-loss", "margin", "--locality-weight", "nan"],
     "locality_weight"),
    ("a2v-loc-positives-zero",
     [*A2V_NEW, "--locality-loss", "margin", "--locality-positives", "0"], "positives"),
    ("a2v-loc-edits-zero",
     [*A2V_NEW, "--locality-loss", "margin", "--locality-max-edits", "0"], "max_edits"),
    ("a2v-loc-anchors-one",
     [*A2V_NEW, "--locality-loss", "margin", "--locality-anchors", "1"], "anchors per batch"),
    ("a2v-loc-weight-without-loss", [*A2V_NEW, "--locality-weight", "0.5"],
     "need --locality-loss"),
    ("loc-lr-nan", [*LOC_NEW, "--lr", "nan"], "lr must be a finite number > 0, got nan"),
    ("loc-lr-negative", [*LOC_NEW, "--lr", "-1"], "lr"),
    ("loc-lambda-big", [*LOC_NEW, "--lambda-e", "1.5"], "lambda_e must be a finite number in [0, 1]"),
    ("loc-lambda-nan", [*LOC_NEW, "--lambda-e", "nan"], "lambda_e"),
    ("loc-anchors-one", [*LOC_NEW, "--anchors", "1"], "anchors must be a whole number in [2,"),
    ("loc-anchors-huge", [*LOC_NEW, "--anchors", "100000000000"], "anchors"),
    ("loc-positives-zero", [*LOC_NEW, "--positives", "0"], "positives"),
    ("loc-edits-zero", [*LOC_NEW, "--max-edits", "0"], "max_edits"),
    ("loc-per-batch-one", [*LOC_NEW, "--anchors-per-batch", "1"], "anchors per batch"),
    ("loc-epochs-zero", [*LOC_NEW, "--epochs", "0"], "epochs must be a whole number in [1,"),
    ("loc-hidden-small", [*LOC, "--hidden", "8", "--out", "{tmp}/m"], "hidden size"),
    ("loc-seed-negative", [*LOC_NEW, "--seed", "-1"], "seed"),
    ("con-lr-nan", [*CON_NEW, "--lr", "nan"], "lr must be a finite number > 0, got nan"),
    ("con-lr-zero", [*CON_NEW, "--lr", "0"], "lr"),
    ("con-temperature-zero", [*CON_NEW, "--temperature", "0"], "temperature"),
    ("con-temperature-nan", [*CON_NEW, "--temperature", "nan"], "temperature"),
    ("con-batch-one", [*CON, "--batch-size", "1", "--out", "{tmp}/m"], "batch_size"),
    ("con-holdout-one", [*CON_NEW, "--holdout", "1"], "holdout must be a finite number in [0, 1)"),
    ("con-holdout-nan", [*CON_NEW, "--holdout", "nan"], "holdout"),
    ("con-epochs-negative", [*CON_NEW, "--epochs", "-1"], "epochs"),
    ("con-embed-zero", [*CON_NEW, "--embed-dim", "0"], "embed_dim"),
    ("con-hidden-zero", [*CON_NEW, "--hidden", "0"], "hidden"),
    ("con-seed-negative", [*CON_NEW, "--seed", "-1"], "seed"),
    ("eval-samples-zero", [*EVAL_NEW, "--samples", "0"], "samples must be a whole number in [1,"),
    ("eval-n-train-one", [*EVAL_NEW, "--n-train", "1"], "n_train"),
    ("eval-seeds-zero", [*EVAL_NEW, "--seeds", "0"], "seeds"),
    ("eval-walk-zero", [*EVAL_NEW, "--walk-steps", "0"], "walk_steps"),
    ("eval-points-two", [*EVAL_NEW, "--tsne-points", "2"], "tsne_points"),
    ("eval-threshold-nan", [*EVAL_NEW, "--threshold", "nan"], "threshold"),
    ("eval-seed-negative", [*EVAL_NEW, "--seed", "-1"], "seed"),
    ("eval-epoch-negative", [*EVAL_NEW, "--epoch", "-1"], "epoch"),
    ("table1-seeds-zero", [*TABLE1, "--seeds", "0", "--out", "{tmp}/r"], "--seeds"),
    ("table1-n-train-zero", [*TABLE1, "--n-train", "0", "--out", "{tmp}/r"], "n_train"),
    ("table1-n-train-all", [*TABLE1, "--n-train", "12", "--out", "{tmp}/r"], "n_train"),
    ("transfer-seeds-huge", [*TRANSFER, "--seeds", "100000", "--out", "{tmp}/r"], "--seeds"),
    ("transfer-n-train-huge", [*TRANSFER, "--n-train", "99999", "--out", "{tmp}/r"], "n_train"),
    ("tsne-points-two", [*TSNE, "--max-points", "2", "--out", "{tmp}/r"], "max_points"),
    ("tsne-seed-negative", [*TSNE, "--seed", "-1", "--out", "{tmp}/r"], "seed"),
]  # fmt: skip

NAMES = [
    ("a2v-space", [*A2V, "--out", "{tmp}/m", "--space", "frob"], "unknown search space 'frob'"),
    ("a2v-encoder", [*A2V_NEW, "--encoder", "gat"], "unknown arch2vec encoder 'gat'"),
    ("a2v-op-loss", [*A2V_NEW, "--op-loss", "hinge"], "unknown op loss 'hinge'"),
    ("a2v-data-order", [*A2V_NEW, "--data-order", "sorted"], "unknown data order 'sorted'"),
    ("a2v-latent-stats", [*A2V_NEW, "--latent-stats", "best"], "unknown latent stats 'best'"),
    ("a2v-device", [*A2V_NEW, "--device", "tpu"], "unknown device 'tpu'"),
    ("a2v-device-missing-gpu", [*A2V_NEW, "--device", "cuda:99"], "cuda:99"),
    ("a2v-locality-loss", [*A2V_NEW, "--locality-loss", "hinge"], "unknown metric loss 'hinge'"),
    ("a2v-locality-miner", [*A2V_NEW, "--locality-loss", "margin", "--locality-miner", "hard"],
     "unknown miner 'hard'"),
    ("loc-loss", [*LOC_NEW, "--loss", "cosface"], "unknown metric loss 'cosface'"),
    ("loc-miner", [*LOC_NEW, "--miner", "hard"], "unknown miner 'hard'"),
    ("loc-space", [*LOC, "--hidden", "16", "--out", "{tmp}/m", "--space", "frob"],
     "unknown search space"),
    ("loc-device", [*LOC_NEW, "--device", "meta"], "unknown device 'meta'"),
    ("con-device", [*CON_NEW, "--device", "gpu0"], "unknown device 'gpu0'"),
    ("embed-space", ["embed", "onehot", "--space", "frob", "--out", "{tmp}/e.parquet"],
     "unknown search space"),
    ("embed-benchmark", ["embed", "onehot", "--benchmark", "frob", "--out", "{tmp}/e.parquet"],
     "unknown benchmark 'frob'"),
    ("embed-space-and-benchmark",
     [*EMBED, "--benchmark", "nb201", "--out", "{tmp}/e.parquet"], "not both"),
    ("embed-onehot-needs-space", ["embed", "onehot", "--out", "{tmp}/e.parquet"],
     "needs --space"),
    ("eval-benchmark", ["evaluate", "{bad}/arch2vec", "--benchmark", "frob", "--dataset", "x",
                        "--out", "{tmp}/eval"], "unknown benchmark 'frob'"),
    ("eval-projection", [*EVAL_NEW, "--projection", "mds"], "unknown projection 'mds'"),
    ("tsne-dataset", [*TSNE, "--dataset", "mnist", "--out", "{tmp}/r"], "unknown dataset 'mnist'"),
]  # fmt: skip

OUTPUTS = [
    ("a2v-out-file", [*A2V, "--out", "{bad}/file.txt"], "exists and is not a directory"),
    ("a2v-out-foreign", [*A2V, "--out", "{bad}/foreign"], "archembed did not create"),
    ("a2v-out-proc", [*A2V, "--out", "/proc/archembed-model"], "/proc"),
    ("a2v-out-under-file", [*A2V, "--out", "{bad}/file.txt/model"], "is not a directory"),
    ("a2v-out-eval-dir", [*A2V, "--out", "{bad}/evaluation"], "not a model directory"),
    ("a2v-out-finished", [*A2V, "--out", "{bad}/arch2vec"], "already holds a trained model"),
    ("a2v-out-unfinished", [*A2V, "--out", "{bad}/unfinished-run"], "pass --resume"),
    ("a2v-resume-truncated", [*A2V, "--out", "{bad}/unfinished-run", "--resume"],
     "cannot read checkpoint"),
    ("a2v-resume-locality-checkpoint",
     [*A2V, "--out", "{bad}/locality-run", "--resume"], "arch2vec training checkpoint"),
    ("loc-out-file", [*LOC, "--hidden", "16", "--out", "{bad}/file.txt"], "not a directory"),
    ("loc-out-foreign", [*LOC, "--hidden", "16", "--out", "{bad}/foreign"], "did not create"),
    ("loc-out-proc", [*LOC, "--hidden", "16", "--out", "/proc/archembed-model"], "/proc"),
    ("loc-out-eval-dir", [*LOC, "--hidden", "16", "--out", "{bad}/evaluation"],
     "not a model directory"),
    ("loc-out-finished", [*LOC, "--hidden", "16", "--out", "{bad}/nao"], "--force"),
    ("loc-resume-truncated", [*LOC, "--hidden", "16", "--out", "{bad}/unfinished-run"],
     "cannot read checkpoint"),
    ("loc-resume-arch2vec-checkpoint", [*LOC, "--hidden", "16", "--out", "{bad}/arch2vec-run"],
     "another configuration"),
    ("con-out-file", [*CON, "--batch-size", "4", "--out", "{bad}/file.txt"], "not a directory"),
    ("con-out-proc", [*CON, "--batch-size", "4", "--out", "/proc/archembed-model"], "/proc"),
    ("con-out-foreign", [*CON, "--batch-size", "4", "--out", "{bad}/foreign"], "did not create"),
    ("con-out-arch2vec", [*CON, "--batch-size", "4", "--out", "{bad}/arch2vec"],
     "holds a finished arch2vec model"),
    ("embed-out-foreign-file", [*EMBED, "--out", "{bad}/foreign.parquet"],
     "not written by archembed"),
    ("embed-out-suffix", [*EMBED, "--out", "{tmp}/e.csv"], "must end in .parquet"),
    ("embed-out-dir", [*EMBED, "--out", "{bad}/dir.parquet"], "is a directory"),
    ("embed-out-proc", [*EMBED, "--out", "/proc/e.parquet"], "/proc"),
    ("table1-out-file", [*TABLE1, "--out", "{bad}/file.txt"], "not a directory"),
    ("transfer-out-foreign", [*TRANSFER, "--out", "{bad}/foreign"], "did not create"),
    ("tsne-out-model-dir", [*TSNE, "--out", "{bad}/unfinished-run"],
     "not a contrastive-report directory"),
]  # fmt: skip

MODELS = [
    ("embed-missing", ["embed", "{tmp}/nope", "--space", "nb201", "--out", "{tmp}/e.parquet"],
     "neither a model directory"),
    ("embed-file", ["embed", "{bad}/file.txt", "--out", "{tmp}/e.parquet"], "is a file"),
    ("embed-empty-dir", ["embed", "{bad}/empty", "--out", "{tmp}/e.parquet"],
     "not a model directory (no config.json)"),
    ("embed-unfinished", ["embed", "{bad}/unfinished-run", "--out", "{tmp}/e.parquet"],
     "unfinished training run"),
    ("embed-binary-config", ["embed", "{bad}/binary-config", "--out", "{tmp}/e.parquet"],
     "cannot read JSON"),
    ("embed-list-config", ["embed", "{bad}/list-config", "--out", "{tmp}/e.parquet"],
     "not an archembed model config"),
    ("embed-unknown-encoder", ["embed", "{bad}/unknown-encoder", "--out", "{tmp}/e.parquet"],
     "unknown encoder 'frob'"),
    ("embed-unknown-space", ["embed", "{bad}/unknown-space", "--out", "{tmp}/e.parquet"],
     "unknown search space 'frob'"),
    ("embed-bad-param", ["embed", "{bad}/bad-param", "--out", "{tmp}/e.parquet"],
     "latent_dim must be a whole number"),
    ("embed-extra-param", ["embed", "{bad}/extra-param", "--out", "{tmp}/e.parquet"],
     "does not hold a valid arch2vec model"),
    ("embed-truncated-state", ["embed", "{bad}/truncated-state", "--out", "{tmp}/e.parquet"],
     "cannot read checkpoint"),
    ("embed-binary-state", ["embed", "{bad}/binary-state", "--out", "{tmp}/e.parquet"],
     "cannot read checkpoint"),
    ("embed-missing-state", ["embed", "{bad}/missing-state", "--out", "{tmp}/e.parquet"],
     "checkpoint not found"),
    ("embed-arch2vec-with-nao-state",
     ["embed", "{bad}/arch2vec-with-nao-state", "--out", "{tmp}/e.parquet"],
     "not an arch2vec model state"),
    ("embed-nao-with-arch2vec-state",
     ["embed", "{bad}/nao-with-arch2vec-state", "--out", "{tmp}/e.parquet"],
     "not a NAO model state"),
    ("embed-contrastive-with-nao-state",
     ["embed", "{bad}/contrastive-with-nao-state", "--out", "{tmp}/e.parquet"],
     "not a contrastive state"),
    ("embed-nao-other-size",
     ["embed", "{bad}/nao-other-size", "--out", "{tmp}/e.parquet"],
     "does not hold a valid nao model"),
    ("embed-feature-store-as-model", ["embed", "{bad}/store", "--out", "{tmp}/e.parquet"],
     "not a model directory"),
    ("embed-model-of-other-space",
     ["embed", "{bad}/nao-nb101", "--space", "nb201", "--out", "{tmp}/e.parquet"],
     "trained on space 'nb101'"),
    ("embed-archs-missing", [*EMBED_NEW, "--archs", "{tmp}/none.txt"], "does not exist"),
    ("embed-archs-dir", [*EMBED_NEW, "--archs", "{bad}/empty"], "is a directory"),
    ("embed-archs-binary", [*EMBED_NEW, "--archs", "{bad}/binary.txt"], "not UTF-8"),
    ("embed-archs-empty", [*EMBED_NEW, "--archs", "{bad}/blank.txt"], "is empty"),
    ("embed-archs-bad-line", [*EMBED_NEW, "--archs", "{bad}/file.txt"],
     "not an NB201 architecture string"),
    ("eval-model-missing", ["evaluate", "{tmp}/none", "--benchmark", "nb201", "--dataset", "x",
                            "--out", "{tmp}/eval"], "does not exist"),
    ("eval-model-file", ["evaluate", "{bad}/file.txt", "--benchmark", "nb201", "--dataset", "x",
                         "--out", "{tmp}/eval"], "cannot read Parquet file"),
    ("eval-model-unfinished", ["evaluate", "{bad}/unfinished-run", "--benchmark", "nb201",
                               "--dataset", "x", "--out", "{tmp}/eval"], "unfinished"),
    ("table1-model-arch2vec", [*TABLE1[:2], "--model", "{bad}/arch2vec", "--out", "{tmp}/r"],
     "not a contrastive one"),
    ("table1-model-missing", [*TABLE1[:2], "--model", "{tmp}/none", "--out", "{tmp}/r"],
     "does not exist"),
    ("table1-model-empty", [*TABLE1[:2], "--model", "{bad}/empty", "--out", "{tmp}/r"],
     "not a model directory"),
    ("table1-baseline-missing", [*TABLE1, "--baseline", "{tmp}/none", "--out", "{tmp}/r"],
     "does not exist"),
    ("table1-baseline-file", [*TABLE1, "--baseline", "{bad}/file.txt", "--out", "{tmp}/r"],
     "is a file"),
    ("table1-baseline-other-space",
     [*TABLE1, "--baseline", "{bad}/nao-nb101", "--out", "{tmp}/r"], "trained on space 'nb101'"),
    ("table1-eval-features-missing",
     [*TABLE1, "--eval-features", "{tmp}/none", "--out", "{tmp}/r"], "is not a feature store"),
    ("table1-eval-features-model",
     [*TABLE1, "--eval-features", "{bad}/arch2vec", "--out", "{tmp}/r"],
     "is not a feature store"),
    ("table1-eval-features-shape",
     [*TABLE1, "--eval-features", "{bad}/store-dim5", "--out", "{tmp}/r"], "same --points"),
    ("tsne-eval-features-binary-meta",
     [*TSNE, "--eval-features", "{bad}/store-binary-meta", "--out", "{tmp}/r"],
     "cannot read JSON"),
    ("transfer-model-nao", [*TRANSFER[:2], "--model", "{bad}/nao", "--out", "{tmp}/r"],
     "not a contrastive one"),
    ("con-features-missing", [*CON_NEW[:2], "--features", "{tmp}/none", "--out", "{tmp}/m"],
     "is not a feature store"),
    ("con-features-file", [*CON_NEW[:2], "--features", "{bad}/file.txt", "--out", "{tmp}/m"],
     "is not a feature store"),
    ("con-features-empty", [*CON_NEW[:2], "--features", "{bad}/empty", "--out", "{tmp}/m"],
     "is not a feature store"),
    ("con-features-model", [*CON_NEW[:2], "--features", "{bad}/arch2vec", "--out", "{tmp}/m"],
     "is not a feature store"),
    ("con-features-wrong-meta",
     [*CON_NEW[:2], "--features", "{bad}/store-wrong-meta", "--out", "{tmp}/m"],
     "not a feature-store description"),
    ("con-features-mixed-shapes",
     [*CON_NEW, "--features", "{bad}/store-dim5"], "same --points and --k"),
]  # fmt: skip


WITH_DATA = [
    ("eval-out-file", [*EVAL, "--out", "{bad}/file.txt"], "not a directory"),
    ("eval-out-foreign", [*EVAL, "--out", "{bad}/foreign"], "did not create"),
    ("eval-out-proc", [*EVAL, "--out", "/proc/archembed-eval"], "/proc"),
    ("eval-out-model-dir", [*EVAL, "--out", "{bad}/unfinished-run"], "not a evaluation directory"),
    ("eval-dataset", [*EVAL[:5], "frob", *FAST, "--out", "{tmp}/e"], "unknown dataset"),
    ("eval-metric", [*EVAL_NEW, "--metric", "loss2"], "metric"),
    ("eval-epoch", [*EVAL_NEW, "--epoch", "7"], "unknown epoch"),
    ("eval-ambiguous-epoch", [*EVAL[:6], *FAST, "--out", "{tmp}/e"], "choose one"),
    ("eval-n-train-all", [*EVAL_NEW, "--n-train", "99999"],
     "n_train must be below the 15625 labelled architectures"),
]  # fmt: skip
"""Cases that read the benchmark (labels are checked, then the output)."""


def _tiny_store(path: Path, graphs: list, dim: int) -> Path:
    space = get_space("nb201")
    rng = np.random.default_rng(dim)
    values = rng.normal(size=(len(graphs), 2, 4, dim)).astype(np.float32)
    store = FeatureStore.create(
        path,
        "nb201",
        [space.identity(g) for g in graphs],
        [space.to_native(g) for g in graphs],
        n_inits=2,
        n_points=4,
        dim=dim,
        params={"k": dim},
    )
    store.write(np.arange(len(graphs)), values)
    return path


def _copy_model(source: Path, target: Path, state: Path | None = None) -> None:
    """A model directory with ``source``'s config and ``state``'s state.pt (default: its own)."""
    target.mkdir()
    (target / "config.json").write_bytes((source / "config.json").read_bytes())
    (target / "state.pt").write_bytes(((state or source) / "state.pt").read_bytes())


def _write_config(directory: Path, config: object) -> None:
    directory.mkdir()
    (directory / "config.json").write_text(json.dumps(config))


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> Path:
    """Bad inputs and tiny real models (each trained for one epoch on a handful of cells)."""
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("bad")
    space = get_space("nb201")
    graphs = space.sample(24, np.random.default_rng(0))
    arch2vec = Arch2Vec(space, hidden=(8,), latent_dim=4, epochs=1, validity_samples=0)
    arch2vec.fit(graphs, progress=False).save(root / "arch2vec")
    for name, space_name, hidden in [("nao", "nb201", 16), ("nao-nb101", "nb101", 16)]:
        nao = NAOEncoder(space_name, hidden=hidden)
        nao.build()
        nao.save(root / name)
    _tiny_store(root / "store", graphs[:12], dim=3)
    _tiny_store(root / "store-dim5", graphs[:12], dim=5)
    contrastive = ContrastiveEncoder.from_stores(
        [root / "store"], epochs=1, batch_size=4, hidden=8, embed_dim=4, holdout=0.0
    )
    contrastive.progress = False
    contrastive.fit().save(root / "contrastive")

    (root / "file.txt").write_text("not an architecture\n")
    (root / "binary.txt").write_bytes(b"\xff\xfe\x00\x81 binary")
    (root / "blank.txt").write_text("\n  \n")
    (root / "foreign.parquet").write_text("somebody else's file")
    (root / "empty").mkdir()
    (root / "dir.parquet").mkdir()
    (root / "foreign").mkdir()
    (root / "foreign" / "notes.txt").write_text("mine")
    (root / "evaluation").mkdir()
    (root / "evaluation" / MARKER).write_text(json.dumps({"kind": "evaluation"}))
    for name, checkpoint in [
        ("unfinished-run", None),
        ("locality-run", {"model": {}, "optimiser": {}, "epoch": 1, "history": [], "config": {}}),
        ("arch2vec-run", {"model": {}, "optimizer": {}, "epoch": 1, "history": [], "seed": 0,
                          "version": "0", "config": {**arch2vec.config(), "fingerprint": "x"}}),
    ]:  # fmt: skip
        run = root / name
        run.mkdir()
        (run / MARKER).write_text(json.dumps({"kind": "model"}))
        if checkpoint is None:
            (run / "checkpoint.pt").write_bytes(b"PK\x03\x04 truncated")
        else:
            save_checkpoint(run / "checkpoint.pt", checkpoint)

    (root / "binary-config").mkdir()
    (root / "binary-config" / "config.json").write_bytes(b"\x80\x81\xff")
    _write_config(root / "list-config", [1, 2])
    a2v_config = json.loads((root / "arch2vec" / "config.json").read_text())
    _write_config(root / "unknown-encoder", {**a2v_config, "encoder": "frob"})
    _write_config(root / "unknown-space", {**a2v_config, "space": "frob"})
    _write_config(
        root / "bad-param", {**a2v_config, "params": {**a2v_config["params"], "latent_dim": "x"}}
    )
    _write_config(
        root / "extra-param", {**a2v_config, "params": {**a2v_config["params"], "bogus": 1}}
    )
    _copy_model(root / "arch2vec", root / "truncated-state")
    state = root / "truncated-state" / "state.pt"
    state.write_bytes(state.read_bytes()[:200])
    _copy_model(root / "arch2vec", root / "binary-state")
    (root / "binary-state" / "state.pt").write_bytes(np.random.default_rng(0).bytes(500))
    _write_config(root / "missing-state", a2v_config)
    _copy_model(root / "arch2vec", root / "arch2vec-with-nao-state", root / "nao")
    _copy_model(root / "nao", root / "nao-with-arch2vec-state", root / "arch2vec")
    _copy_model(root / "contrastive", root / "contrastive-with-nao-state", root / "nao")
    other = NAOEncoder("nb201", hidden=32)
    other.build()
    other.save(root / "nao-32")
    _copy_model(root / "nao", root / "nao-other-size", root / "nao-32")

    (root / "store-binary-meta").mkdir()
    (root / "store-binary-meta" / "meta.json").write_bytes(b"\xff\x00\x81")
    (root / "store-wrong-meta").mkdir()
    (root / "store-wrong-meta" / "meta.json").write_text(json.dumps({"schema_version": 99}))
    return root


@cases(NUMBERS)
def test_out_of_range_numbers_are_rejected_before_work(args, fragment, bad, tmp_path):
    assert_rejected_cleanly(args, fragment, bad, tmp_path)


@cases(NAMES)
def test_unknown_names_are_rejected(args, fragment, bad, tmp_path):
    assert_rejected_cleanly(args, fragment, bad, tmp_path)


@cases(OUTPUTS)
def test_bad_output_paths_are_rejected(args, fragment, bad, tmp_path):
    assert_rejected_cleanly(args, fragment, bad, tmp_path)


@cases(MODELS)
def test_bad_models_and_input_files_are_rejected(args, fragment, bad, tmp_path):
    assert_rejected_cleanly(args, fragment, bad, tmp_path)


@cases(WITH_DATA)
def test_bad_labels_and_outputs_of_evaluate_are_rejected(args, fragment, bad, tmp_path, data_root):
    assert_rejected_cleanly(args, fragment, bad, tmp_path)


def test_help_lists_the_registered_loss_and_miner_names():
    from archembed.cli.locality import METRIC_LOSS_NAMES, MINER_NAMES
    from archembed.nn.metric_learning import metric_loss_names, miner_names

    assert list(METRIC_LOSS_NAMES) == metric_loss_names()
    assert list(MINER_NAMES) == miner_names()


def test_the_suite_is_large_enough():
    assert len(NUMBERS) + len(NAMES) + len(OUTPUTS) + len(MODELS) >= 60


# non-finite losses: exit 1, one line naming the epoch, no finished model --------------------


def _diverging_arch2vec(out: Path, *extra: str) -> list[str]:
    return [*A2V[:4], "--samples", "40", "--epochs", "3", "--lr", "1e12", "--recipe", "plain",
            *FAST, "--out", str(out), *extra]  # fmt: skip


def test_a_diverging_arch2vec_run_exits_1_and_stays_unfinished(tmp_path):
    model = tmp_path / "model"
    result = assert_input_error(
        _diverging_arch2vec(model), "arch2vec training diverged at epoch", 1
    )
    assert "loss is nan" in result.stderr or "loss is inf" in result.stderr
    assert "lower --lr" in result.stderr and "bug" not in result.stderr
    assert not (model / "config.json").exists() and not (model / "state.pt").exists()
    resumed = assert_input_error(_diverging_arch2vec(model, "--resume"), "diverged at epoch", 1)
    assert "already holds" not in resumed.stderr
    assert_input_error(["embed", str(model), "--out", str(tmp_path / "e.parquet")], "unfinished")


def test_a_diverging_contrastive_run_exits_1_and_writes_no_model(bad, tmp_path, monkeypatch):
    from archembed.encoders import contrastive

    monkeypatch.setattr(contrastive, "nt_xent", lambda a, b, t: (a * b).sum() * math.nan)
    out = tmp_path / "model"
    args = [a.format(bad=bad, tmp=tmp_path) for a in CON_NEW]
    assert_input_error(args, "contrastive training diverged at epoch 1: NT-Xent loss is nan", 1)
    assert not (out / "config.json").exists() and not (out / "checkpoint.pt").exists()


def test_a_diverging_locality_run_exits_1_and_writes_no_model(tmp_path, monkeypatch):
    from archembed.nn import metric_learning

    def nan_metric(self, embeddings, labels):
        return embeddings.sum() * math.nan

    monkeypatch.setattr(metric_learning.MetricLoss, "__call__", nan_metric)
    out = tmp_path / "model"
    args = [a.format(tmp=tmp_path) for a in LOC_NEW]
    assert_input_error(args, "locality training diverged at epoch 1: metric loss is nan", 1)
    assert not (out / "config.json").exists() and not (out / "checkpoint.pt").exists()


def test_a_finished_run_after_rejections_still_works(bad, tmp_path):
    """The validation does not get in the way of a good run into a new directory."""
    out = tmp_path / "model"
    result = invoke([*A2V, "--latent-dim", "4", "--out", str(out), "--json"])
    assert result.code == 0, result.stderr
    history = json.loads(result.stdout)
    assert history[0]["epoch"] == 1 and math.isfinite(history[0]["loss"])
    assert json.loads((out / MARKER).read_text())["kind"] == "model"
