"""Fuzz ``--recipe`` of `pretrain contrastive` and `pretrain locality`: an unknown recipe or a
bad override stops at validation (exit 2, one line), and the recipe names in the help texts
are the configs' own."""

from __future__ import annotations

from tests.cli.fuzzing import assert_input_error, cases

from archembed.cli.contrastive import CONTRASTIVE_RECIPES
from archembed.cli.locality import LOCALITY_RECIPES
from archembed.encoders import contrastive, locality

FAST = ["--threads", "1", "--quiet"]
LOC = ["pretrain", "locality", "--space", "nb201", "--out", "{tmp}/model", *FAST]
CON = ["pretrain", "contrastive", "--features", "{tmp}/none", "--out", "{tmp}/model", *FAST]

RECIPE_CASES = [
    ("loc-unknown", [*LOC, "--recipe", "official"],
     "unknown locality recipe 'official'; choose one of: default, paper, fast"),
    ("loc-empty", [*LOC, "--recipe", ""], "unknown locality recipe ''"),
    ("loc-case", [*LOC, "--recipe", "Paper"], "choose one of: default, paper, fast"),
    ("loc-paper-lambda", [*LOC, "--recipe", "paper", "--lambda-e", "2"], "lambda_e"),
    ("loc-paper-edits", [*LOC, "--recipe", "paper", "--max-edits", "0"], "max_edits"),
    ("loc-fast-anchors", [*LOC, "--recipe", "fast", "--anchors", "1"], "anchors"),
    ("loc-fast-hidden", [*LOC, "--recipe", "fast", "--hidden", "8"], "hidden size"),
    ("loc-fast-loss", [*LOC, "--recipe", "fast", "--loss", "hinge"], "unknown metric loss"),
    ("loc-paper-space", [*LOC[:3], "nb999", *LOC[4:], "--recipe", "paper"], "nb999"),
    ("con-unknown", [*CON, "--recipe", "official"],
     "unknown contrastive recipe 'official'; choose one of: default, paper, fast"),
    ("con-fast-temperature", [*CON, "--recipe", "fast", "--temperature", "0"], "temperature"),
    ("con-paper-batch", [*CON, "--recipe", "paper", "--batch-size", "1"], "batch_size"),
    ("con-fast-holdout", [*CON, "--recipe", "fast", "--holdout", "1"], "holdout"),
    ("con-fast-lr-nan", [*CON, "--recipe", "fast", "--lr", "nan"], "lr"),
    ("con-fast-no-store", [*CON, "--recipe", "fast"], "none"),
]  # fmt: skip


@cases(RECIPE_CASES)
def test_bad_recipes_and_overrides_are_input_errors(args, fragment, tmp_path) -> None:
    assert_input_error([a.format(tmp=tmp_path) for a in args], fragment)
    assert not (tmp_path / "model").exists()


def test_help_recipe_names_are_the_configs() -> None:
    assert CONTRASTIVE_RECIPES == contrastive.RECIPES
    assert LOCALITY_RECIPES == locality.RECIPES
