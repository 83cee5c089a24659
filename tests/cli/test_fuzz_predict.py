"""Fuzz ``archembed predict``: every bad input stops at validation, before any training.

Each case must exit 2 with one ``error:`` line naming the problem, no traceback, and leave
nothing behind. ``{bad}`` is a module-wide directory of bad split files and tiny saved
models; ``{tmp}`` is the case's own empty directory, which must still be empty afterwards.
The first tables need no benchmark data; ``WITH_DATA`` cases load NB201 to check the target,
the train fractions against the split, the predictors' parameters and ``--out``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.cli.fuzzing import assert_rejected_cleanly, cases

from archembed.encoders.baseline import OneHotEncoder
from archembed.outputs import MARKER
from archembed.spaces.base import get_space

P = ["predict", "--benchmark", "nb201", "--encoders", "mlp", "--fractions", "0.01",
     "--seeds", "1", "--threads", "1", "--quiet", "--out", "{tmp}/p"]  # fmt: skip
GP = [*P, "--encoders", "arch2vec+gp"]
FILES = [*P, "--dataset", "cifar10", "--metric", "test_acc", "--epoch", "200"]

NUMBERS = [
    ("fractions-comma", [*P, "--fractions", ","], "--fractions takes comma-separated numbers"),
    ("fractions-empty", [*P, "--fractions", ""], "--fractions takes comma-separated numbers"),
    ("fractions-text", [*P, "--fractions", "0.1,many"], "--fractions takes comma-separated"),
    ("fractions-zero", [*P, "--fractions", "0"], "--fractions must be a finite number in (0, 1]"),
    ("fractions-negative", [*P, "--fractions", "-0.1"], "got -0.1"),
    ("fractions-above-one", [*P, "--fractions", "1.5"], "got 1.5"),
    ("fractions-nan", [*P, "--fractions", "nan"], "got nan"),
    ("fractions-inf", [*P, "--fractions", "inf"], "got inf"),
    ("fractions-twice", [*P, "--fractions", "0.1,0.1"], "--fractions lists 0.1 more than once"),
    ("seeds-zero", [*P, "--seeds", "0"], "--seeds 0: run between 1 and"),
    ("seeds-negative", [*P, "--seeds", "-1"], "--seeds takes a count N >= 1"),
    ("seeds-comma", [*P, "--seeds", ","], "--seeds takes a count"),
    ("seeds-float", [*P, "--seeds", "1e10"], "--seeds takes a count"),
    ("seeds-huge", [*P, "--seeds", "10000000000"], "run between 1 and 1000 seeds"),
    ("seeds-twice", [*P, "--seeds", "3,3"], "--seeds lists 3 more than once"),
    ("seeds-list-negative", [*P, "--seeds", "1,-2"], "--seeds takes a count"),
    ("seeds-list-huge", [*P, "--seeds", "1,99999999999"], "--seeds must be a whole number"),
    ("split-seed-negative", [*P, "--split-seed", "-1"], "--split-seed must be a whole number"),
    ("split-seed-huge", [*P, "--split-seed", str(2**40)], "--split-seed"),
    ("split-seed-text", [*P, "--split-seed", "one"], "--split-seed"),
    ("train-share-zero", [*P, "--train-share", "0"], "--train-share must be a finite number"),
    ("train-share-one", [*P, "--train-share", "1"], "in (0, 1), got 1.0"),
    ("train-share-nan", [*P, "--train-share", "nan"], "got nan"),
    ("epoch-text", [*P, "--epoch", "last"], "--epoch"),
    ("param-nan", [*P, "--param", "mlp.lr=NaN"], "must be a finite number"),
    ("threads-zero", [*P, "--threads", "0"], "--threads must be at least 1"),
    ("threads-negative", [*P, "--threads", "-4"], "--threads must be at least 1"),
]  # fmt: skip

NAMES = [
    ("encoder-unknown", [*P, "--encoders", "frob"], "unknown encoder 'frob'"),
    ("encoder-empty", [*P, "--encoders", ","], "--encoders is empty"),
    ("encoder-twice", [*P, "--encoders", "mlp,mlp"], "--encoders lists mlp more than once"),
    ("encoder-needs-head", [*P, "--encoders", "onehot"], "give it a regression head"),
    ("encoder-no-head", [*P, "--encoders", "gates+gp"], "trained end to end"),
    ("head-unknown", [*P, "--encoders", "onehot+xgb"], "unknown predictor 'xgb'"),
    ("benchmark-unknown", [*P, "--benchmark", "frob"], "unknown benchmark 'frob'"),
    ("benchmark-no-protocol", [*P, "--benchmark", "nasbench_graph"], "no default protocol"),
    ("anytime-and-epoch", [*P, "--anytime", "--epoch", "200"], "does not take --epoch"),
    ("anytime-no-defaults",
     [*P, "--benchmark", "nasbench_graph", "--anytime"], "--anytime has default epochs only"),
    ("param-syntax", [*P, "--param", "epochs=3"], "--param takes NAME.KEY=VALUE"),
    ("param-no-value", [*P, "--param", "mlp.epochs"], "--param takes NAME.KEY=VALUE"),
    ("param-other-encoder", [*P, "--param", "gates.epochs=3"], "'gates' is not an encoder"),
    ("param-seed", [*P, "--param", "mlp.seed=3"], "seed comes from --seeds"),
    ("param-head-seed", [*P, "--encoders", "path+rf", "--param", "rf.seed=3"], "--seeds"),
    ("model-syntax", [*GP, "--model", "arch2vec"], "--model takes ENCODER=DIR"),
    ("model-supervised", [*P, "--model", "mlp={tmp}"], "not a self-supervised encoder"),
    ("split-files-one", [*P, "--split-files", "a.csv"], "--split-files takes TRAIN.csv,TEST.csv"),
    ("split-files-and-share",
     [*P, "--split-files", "a.csv,b.csv", "--train-share", "0.5"], "does not apply"),
]  # fmt: skip

WITH_DATA = [
    ("dataset-unknown", [*P, "--dataset", "mnist"], "unknown dataset of benchmark 'nb201'"),
    ("metric-unknown", [*P, "--metric", "loss2"], "unknown metric for nb201/cifar10-valid"),
    ("epoch-unknown", [*P, "--epoch", "7"], "unknown epoch for nb201/cifar10-valid/val_acc 7"),
    ("epoch-negative", [*P, "--epoch", "-200"], "unknown epoch"),
    ("fraction-too-small", [*P, "--fractions", "0.0005"], "trains 4 of 7813"),
    ("fraction-two-archs", [*P, "--fractions", "0.0002"], "at least 8 are needed"),
    ("param-unknown-key", [*P, "--param", "mlp.frob=1"], "unexpected keyword argument 'frob'"),
    ("param-bad-epochs", [*P, "--param", "mlp.epochs=0"], "epochs"),
    ("param-bad-loss", [*P, "--param", "mlp.loss=\"l7\""], "unknown loss 'l7'"),
    ("rf-bad-depth", [*P, "--encoders", "onehot+rf", "--param", "rf.max_depth=-3"],
     "max_depth"),
    ("rf-unknown-key", [*P, "--encoders", "onehot+rf", "--param", "rf.frob=1"], "frob"),
    ("rf-zero-trees", [*P, "--encoders", "onehot+rf", "--param", "rf.n_estimators=0"],
     "n_estimators"),
    ("lightgbm-bad-leaves",
     [*P, "--encoders", "path+lightgbm", "--param", "lightgbm.num_leaves=-3"], "num_leaves"),
    ("lightgbm-unknown-key",
     [*P, "--encoders", "path+lightgbm", "--param", "lightgbm.frob=1"],
     "unknown lightgbm parameter 'frob'"),
    ("gp-no-iterations", [*GP, "--param", "gp.fit_maxiter=0"], "fit_maxiter"),
    ("mlp-head-bad-width", [*P, "--encoders", "onehot+mlp", "--param", "mlp.hidden=[0]"],
     "hidden"),
    ("encoder-unknown-key", [*GP, "--param", "arch2vec.frob=1"], "frob"),
    ("model-missing", [*GP, "--model", "arch2vec={tmp}/none"], "does not exist"),
    ("model-file", [*GP, "--model", "arch2vec={bad}/file.txt"], "is a file"),
    ("model-empty-dir", [*GP, "--model", "arch2vec={bad}/empty"], "not a model directory"),
    ("model-other-encoder", [*GP, "--model", "arch2vec={bad}/onehot"],
     "holds a onehot model, not arch2vec"),
    ("model-other-space", [*P, "--encoders", "onehot+gp", "--model", "onehot={bad}/onehot-101"],
     "trained on space 'nb101'"),
    ("split-missing", [*FILES, "--split-files", "{bad}/good.csv,{tmp}/none.csv"],
     "does not exist"),
    ("split-dir", [*FILES, "--split-files", "{bad}/good.csv,{bad}/empty"], "is not a file"),
    ("split-binary", [*FILES, "--split-files", "{bad}/good.csv,{bad}/binary.csv"],
     "not a CSV text table"),
    ("split-empty", [*FILES, "--split-files", "{bad}/empty.csv,{bad}/good.csv"], "is empty"),
    ("split-columns", [*FILES, "--split-files", "{bad}/good.csv,{bad}/columns.csv"],
     "has no 'net' column"),
    ("split-header-only", [*FILES, "--split-files", "{bad}/good.csv,{bad}/header.csv"],
     "lists no architectures"),
    ("split-bad-tuple", [*FILES, "--split-files", "{bad}/good.csv,{bad}/tuple.csv"],
     "line 3: a NASLib NB201 tuple has 6 op indices"),
    ("split-few-archs", [*FILES, "--split-files", "{bad}/good.csv,{bad}/good.csv",
                         "--fractions", "0.5"], "at least 8 are needed"),
    ("out-file", [*P, "--out", "{bad}/file.txt"], "exists and is not a directory"),
    ("out-foreign", [*P, "--out", "{bad}/foreign"], "archembed did not create"),
    ("out-other-kind", [*P, "--out", "{bad}/evaluation"], "not a predict directory"),
    ("out-under-file", [*P, "--out", "{bad}/file.txt/p"], "is not a directory"),
    ("out-proc", [*P, "--out", "/proc/archembed-predict"], "/proc"),
]  # fmt: skip


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> Path:
    """Bad split files, plain files and directories, and two tiny saved one-hot models."""
    root = tmp_path_factory.mktemp("bad")
    (root / "good.csv").write_text(
        'net,val_accs\n"(4, 3, 3, 0, 0, 0)",0.8\n"(2, 2, 0, 4, 2, 0)",0.9\n'
    )
    (root / "binary.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe\x81" * 40)
    (root / "empty.csv").write_bytes(b"")
    (root / "columns.csv").write_text("arch,acc\n1,2\n")
    (root / "header.csv").write_text("net,val_accs\n")
    (root / "tuple.csv").write_text('net\n"(4, 3, 3, 0, 0, 0)"\n"(9, 9)"\n')
    (root / "file.txt").write_text("not a directory\n")
    (root / "empty").mkdir()
    (root / "foreign").mkdir()
    (root / "foreign" / "notes.txt").write_text("mine")
    (root / "evaluation").mkdir()
    (root / "evaluation" / MARKER).write_text(json.dumps({"kind": "evaluation"}))
    for name, space in [("onehot", "nb201"), ("onehot-101", "nb101")]:
        graphs = get_space(space).sample(4, np.random.default_rng(0))
        OneHotEncoder(space).fit(graphs).save(root / name)
    return root


@cases(NUMBERS)
def test_bad_numbers_are_rejected_before_the_data_is_read(args, fragment, bad, tmp_path):
    assert_rejected_cleanly(args, fragment, bad, tmp_path)


@cases(NAMES)
def test_bad_names_and_syntax_are_rejected(args, fragment, bad, tmp_path):
    assert_rejected_cleanly(args, fragment, bad, tmp_path)


@cases(WITH_DATA)
def test_bad_targets_parameters_files_and_outputs_are_rejected(
    args, fragment, bad, tmp_path, nb201_bench
):
    assert_rejected_cleanly(args, fragment, bad, tmp_path)


def test_the_suite_is_large_enough():
    assert len(NUMBERS) + len(NAMES) + len(WITH_DATA) >= 60
