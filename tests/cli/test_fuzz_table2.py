"""``contrastive table2`` and ``features jacobian --space nats_sss`` reject bad input at once."""

from __future__ import annotations

from tests.cli.fuzzing import assert_rejected_cleanly, cases


@cases(
    [
        (
            "no-seeds",
            ["contrastive", "table2", "--model", "{bad}", "--out", "{tmp}/t", "--seeds", "0"],
            "--seeds",
        ),
        (
            "missing-model",
            ["contrastive", "table2", "--model", "{bad}", "--out", "{tmp}/t"],
            "does not exist",
        ),
        (
            "missing-raw",
            [
                "contrastive",
                "table2",
                "--model",
                "{bad}",
                "--out",
                "{tmp}/t",
                "--raw-features",
                "{bad}",
            ],
            "not a feature store",
        ),
        (
            "sss-depth",
            [
                "features",
                "jacobian",
                "--space",
                "nats_sss",
                "--setting",
                "32,2",
                "--out",
                "{tmp}/f",
            ],
            "one cell per stage",
        ),
        (
            "sss-sample",
            ["features", "jacobian", "--space", "nats_sss", "--sample", "0", "--out", "{tmp}/f"],
            "--sample",
        ),
    ]
)
def test_bad_input_is_one_line_and_writes_nothing(args, fragment, tmp_path):
    assert_rejected_cleanly(args, fragment, tmp_path / "missing", tmp_path)
