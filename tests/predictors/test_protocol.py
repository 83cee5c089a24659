"""The ranking protocol on real NB201 data: splits, subsets, scoring, resuming."""

from __future__ import annotations

import re

import numpy as np
import pytest

from archembed.errors import ConfigError, CorruptFileError, DataNotFoundError, UnknownNameError
from archembed.predictors.models import parse_spec
from archembed.predictors.protocol import (
    MIN_TRAIN,
    ProtocolRun,
    Split,
    check_plan,
    file_split,
    fixed_split,
    run_protocol,
    score,
    summarise,
    training_subset,
)
from archembed.predictors.report import markdown_table


def test_nb201_split_is_the_papers_half_and_fixed(nb201_bench):
    split = fixed_split(nb201_bench, "cifar10-valid", "val_acc", (200,), 0.5)
    assert (len(split.train), len(split.test)) == (7813, 7812)
    keys = {g.exact_key for g in split.train}
    assert not keys & {g.exact_key for g in split.test}
    again = fixed_split(nb201_bench, "cifar10-valid", "val_acc", (200,), 0.5)
    assert [g.exact_key for g in again.train[:50]] == [g.exact_key for g in split.train[:50]]
    anytime = fixed_split(nb201_bench, "cifar10-valid", "val_acc", (12, 200), 0.5)
    assert anytime.y_train.shape == (7813, 2) and anytime.targets == ("val_acc@12", "val_acc@200")
    assert np.array_equal(anytime.y_train[:, 1], split.y_train)


def test_shared_split_files_map_to_nb201_cells(nb201_bench, data_root):
    folder = data_root / "nb201"
    split = file_split(
        nb201_bench,
        folder / "ta_gates_nb201_train.csv",
        folder / "ta_gates_nb201_test.csv",
        "cifar10",
        "test_acc",
        (200,),
    )
    assert (len(split.train), len(split.test)) == (4675, 4770)
    # the files store cifar10 test accuracy as a fraction: our targets must agree
    import pandas as pd

    stored = pd.read_csv(folder / "ta_gates_nb201_train.csv")["val_accs"].to_numpy()
    assert np.abs(split.y_train / 100 - stored).max() < 0.03


def test_training_subsets_and_scores():
    rows = training_subset(7813, 0.001, seed=3)
    assert len(rows) == 8 and len(set(rows)) == 8 and rows.max() < 7813
    assert len(training_subset(7813, 0.1, 0)) == 781
    assert not np.array_equal(training_subset(100, 0.1, 0), training_subset(100, 0.1, 1))
    for fraction in (0.0, -0.1, 1.5, float("nan"), 0.07):  # 0.07 of 100 trains 7 < MIN_TRAIN
        with pytest.raises(ConfigError):
            training_subset(100, fraction, 0)
    assert len(training_subset(100, 1.0, 0)) == 100
    y = np.arange(200.0)
    perfect = score(y, y, predicts_values=True)
    assert perfect["kendall_tau"] == pytest.approx(1.0) and perfect["p@5%"] == 1.0
    assert perfect["mse"] == 0.0
    assert np.isnan(score(y, -y, predicts_values=False)["mse"])
    assert score(y, -y, predicts_values=False)["kendall_tau"] == pytest.approx(-1.0)


@pytest.mark.parametrize(
    ("specs", "fractions", "seeds", "fragment"),
    [
        (["mlp"], [], [0], "--fractions is empty"),
        (["mlp"], [0.1], [], "--seeds is empty"),
        (["mlp", "mlp"], [0.1], [0], "--encoders lists mlp more than once"),
        (["mlp"], [0.1, 0.1], [0], "--fractions lists 0.1 more than once"),
        (["mlp"], [0.1], [2, 2], "--seeds lists 2 more than once"),
        (["mlp"], [0.001], [0], f"at least {MIN_TRAIN} are needed"),
        (["mlp"], [0.1], [-1], "--seeds must be a whole number"),
    ],
)
def test_plans_are_checked_before_any_run(specs, fractions, seeds, fragment):
    with pytest.raises(ConfigError, match=re.escape(fragment)):
        check_plan(ProtocolRun(specs, fractions, seeds), n_train=1000)


def test_bad_split_files_are_user_errors(nb201_bench, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text('net\n"(4, 3, 3, 0, 0, 0)"\n')
    files = {
        "binary.csv": b"\x89PNG\r\n\x1a\n\x00\xff\xfe" * 50,
        "empty.csv": b"",
        "columns.csv": b"arch,acc\n1,2\n",
        "header.csv": b"net\n",
        "tuple.csv": b'net\n"(9, 9)"\n',
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(CorruptFileError):
            file_split(nb201_bench, good, tmp_path / name, "cifar10", "test_acc", (200,))
    with pytest.raises(DataNotFoundError):
        file_split(nb201_bench, good, tmp_path, "cifar10", "test_acc", (200,))


def test_specs_are_checked_against_the_registries():
    assert parse_spec("gates").supervised and parse_spec("onehot+gp").head == "gp"
    with pytest.raises(ConfigError):
        parse_spec("onehot")
    with pytest.raises(ConfigError):
        parse_spec("gates+gp")
    with pytest.raises(UnknownNameError):
        parse_spec("path+xgb")


def test_protocol_runs_resume_and_summarise(nb201_bench, tmp_path):
    split = fixed_split(nb201_bench, "cifar10-valid", "val_acc", (200,), 0.5)
    split.test, split.y_test = split.test[:1500], split.y_test[:1500]
    plan = ProtocolRun(
        specs=["mlp", "path+rf"],
        fractions=[0.02],
        seeds=[0, 1],
        params={"mlp": {"epochs": 20, "hidden": [64, 64]}},
    )
    records = run_protocol(split, nb201_bench.space, plan, out_dir=tmp_path, progress=False)
    assert len(records) == 4 and len(list((tmp_path / "runs").glob("*-s[01]-*.json"))) == 4
    assert "predictions" in records[0] and "predictions" not in records[1]
    summary = summarise(records)
    assert set(summary["encoder"]) == {"mlp", "path+rf"}
    assert (summary["n_train"] == 156).all() and (summary["seeds"] == 2).all()
    assert (summary["kendall_tau_mean"] > 0.3).all()
    assert summary.loc[summary["encoder"] == "mlp", "mse_mean"].isna().all()
    table = markdown_table(summary)
    assert "| mlp |" in table and "0.02 (156)" in table
    resumed = run_protocol(split, nb201_bench.space, plan, out_dir=tmp_path, progress=False)
    assert [r["kendall_tau"] for r in resumed] == [r["kendall_tau"] for r in records]
    other = fixed_split(nb201_bench, "cifar10-valid", "val_acc", (200,), 0.5, seed=1)
    with pytest.raises(ConfigError, match="holds results of other settings"):
        run_protocol(other, nb201_bench.space, plan, out_dir=tmp_path, progress=False)


def test_pretrained_self_supervised_encoder_feeds_a_gp_head(nb201_bench, tmp_path):
    from archembed.encoders.arch2vec import Arch2Vec

    full = fixed_split(nb201_bench, "cifar10-valid", "val_acc", (200,), 0.5)
    split = Split(
        "small",
        full.train[:400],
        full.y_train[:400],
        full.test[:400],
        full.y_test[:400],
        full.targets,
    )
    model_dir = tmp_path / "a2v"
    Arch2Vec("nb201", hidden=(16, 16), latent_dim=4, epochs=1, validity_samples=10).fit(
        full.train[:300]
    ).save(model_dir)
    plan = ProtocolRun(
        specs=["arch2vec+gp"],
        fractions=[0.02],
        seeds=[0],
        params={"gp": {"fit_maxiter": 20}},
        model_dirs={"arch2vec": str(model_dir)},
    )
    (record,) = run_protocol(split, nb201_bench.space, plan, progress=False)
    assert record["n_train"] == 8 and np.isfinite(record["mse"])
    assert -1.0 <= record["kendall_tau"] <= 1.0
