"""Fuzz ``archembed leaderboard``: every bad input stops at validation, before any training.

Each case exits 2 with one ``error:`` line naming the problem, and leaves ``{tmp}`` empty.
``WITH_DATA`` cases load NB201 to check the target, sizes, parameters and ``--out``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.cli.fuzzing import assert_rejected_cleanly, cases

from archembed.cli.leaderboard import PROTOCOL_NAMES
from archembed.io import write_json
from archembed.outputs import MARKER
from archembed.predictors.leaderboard_splits import PROTOCOLS

L = ["leaderboard", "--benchmark", "nb201", "--predictors", "mlp", "--fractions", "0.01",
     "--seeds", "1", "--split-seeds", "1", "--threads", "1", "--quiet", "--out", "{tmp}/lb"]  # fmt: skip

OPTIONS = [
    ("protocol", [*L, "--protocol", "gates"], "unknown protocol 'gates'"),
    ("fractions-and-sizes", [*L, "--sizes", "100"], "either --fractions or --sizes"),
    ("fractions-text", [*L, "--fractions", "a"], "--fractions takes comma-separated"),
    ("sizes-text", ["leaderboard", *L[1:5], "--sizes", "1.5", "--out", "{tmp}/lb"], "--sizes"),
    ("sizes-empty", ["leaderboard", *L[1:5], "--sizes", ",", "--out", "{tmp}/lb"], "--sizes"),
    ("seeds-zero", [*L, "--seeds", "0"], "--seeds 0"),
    ("seeds-text", [*L, "--seeds", "x"], "--seeds takes"),
    ("seeds-twice", [*L, "--seeds", "3,3"], "--seeds lists a seed more than once"),
    ("split-seeds-four", [*L, "--split-seeds", "4"], "--split-seeds takes a count 1-3"),
    ("split-seeds-twice", [*L, "--split-seeds", "5,5"], "more than once"),
    ("split-seeds-negative", [*L, "--split-seeds", "-1,2"], "--split-seeds"),
    ("narformer-splits", [*L, "--protocol", "narformer", "--split-seeds", "2"], "one split"),
    ("predictor-unknown", [*L, "--predictors", "flowerpot"], "flowerpot"),
    ("predictor-twice", [*L, "--predictors", "mlp,mlp"], "mlp more than once"),
    ("predictor-empty", [*L, "--predictors", ","], "--predictors is empty"),
    ("predictor-needs-head", [*L, "--predictors", "onehot"], "give it a regression head"),
    ("head-on-supervised", [*L, "--predictors", "mlp+gp"], "trained end to end"),
    ("param-syntax", [*L, "--param", "mlp=3"], "--param takes NAME.KEY=VALUE"),
]

WITH_DATA = [
    ("benchmark", [*L, "--benchmark", "nb999"], "nb999"),
    ("dataset", [*L, "--dataset", "mnist"], "mnist"),
    ("metric", [*L, "--metric", "loss"], "loss"),
    ("epoch", [*L, "--epoch", "7"], "7"),
    ("fraction-too-small", [*L, "--fractions", "0.0001"], "8 to 7813"),
    ("fraction-above-one", [*L, "--fractions", "1.5"], "got 1.5"),
    ("sizes-above-pool", ["leaderboard", *L[1:5], "--sizes", "8000", "--out", "{tmp}/lb"], "8000"),
    ("sizes-same", [*L, "--fractions", "0.01,0.01"], "same training size"),
    ("param-unknown-name", [*L, "--param", "gp.x=1"], "--param gp.*"),
    ("param-unknown-key", [*L, "--param", "mlp.wings=2"], "bad parameters for 'mlp'"),
    ("param-seed", [*L, "--param", "mlp.seed=2"], "--param mlp.seed"),
    ("out-is-a-file", [*L, "--out", "{bad}/file"], "exists and is not a directory"),
    ("out-foreign", [*L, "--out", "{bad}"], "non-empty directory"),
    ("out-of-predict", [*L, "--out", "{bad}/predict"], "holds an archembed predict directory"),
    ("out-other-target", [*L, "--out", "{bad}/other"], "holds results of other settings"),
]


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("bad")
    (directory / "file").write_text("not a directory\n")
    write_json(directory / "predict" / MARKER, {"kind": "predict"})
    write_json(directory / "other" / MARKER, {"kind": "leaderboard"})
    write_json(directory / "other" / "runs" / MARKER, {"kind": "leaderboard-runs"})
    write_json(directory / "other" / "runs" / "settings.json", {"settings": {"dataset": "x"}})
    return directory


@cases(OPTIONS)
def test_bad_options_are_rejected_before_the_data_is_read(args, fragment, bad, tmp_path):
    assert_rejected_cleanly(args, fragment, bad, tmp_path)


@cases(WITH_DATA)
def test_bad_targets_sizes_parameters_and_outputs_are_rejected(
    args, fragment, bad, tmp_path, data_root
):
    assert_rejected_cleanly(args, fragment, bad, tmp_path)


def test_the_help_lists_the_protocols_of_the_library():
    assert PROTOCOL_NAMES == PROTOCOLS
