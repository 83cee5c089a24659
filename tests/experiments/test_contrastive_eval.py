"""Table 1 / transfer protocol on real NB201 labels (one-hot encodings keep it fast)."""

from __future__ import annotations

import numpy as np
import pytest

from archembed.encoders.baseline import OneHotEncoder
from archembed.errors import ConfigError
from archembed.experiments.contrastive import (
    markdown_table,
    predictive_table,
    split_scores,
    transfer_table,
)


@pytest.fixture(scope="module")
def nb201_slice(nb201_bench):
    graphs = nb201_bench.graphs()
    rows = np.random.default_rng(0).choice(len(graphs), 1500, replace=False)
    graphs = [graphs[r] for r in rows]
    X = OneHotEncoder("nb201").transform(graphs)
    labels = {d: nb201_bench.query(graphs, d, "test_acc", 200) for d in ("cifar10", "cifar100")}
    return X, labels


def test_split_scores_learn_accuracy_from_an_encoding(nb201_slice) -> None:
    X, labels = nb201_slice
    real = split_scores(X, labels["cifar10"], n_train=300, seeds=[0, 1], predictor="lightgbm")
    shuffled = np.random.default_rng(0).permutation(labels["cifar10"])
    noise = split_scores(X, shuffled, n_train=300, seeds=[0, 1], predictor="lightgbm")
    assert len(real["runs"]) == 2 and real["runs"][0] != real["runs"][1]
    assert real["kendall_tau"] > 0.5 and real["pearson"] > 0.6
    assert abs(noise["kendall_tau"]) < 0.1
    with pytest.raises(ConfigError, match="n_train"):
        split_scores(X, labels["cifar10"], n_train=len(X), seeds=[0], predictor="rf")


def test_tables_over_representations_and_domains(nb201_slice) -> None:
    X, labels = nb201_slice
    rows = predictive_table(
        {"one-hot": X}, labels, n_train=300, seeds=[0], predictor="lightgbm", progress=False
    )
    assert [r["dataset"] for r in rows] == ["cifar10", "cifar100"]
    domains = {"c10": (X, labels["cifar10"]), "c100": (X, labels["cifar100"])}
    transfer = transfer_table(
        domains,
        [("c10", "c100")],
        same_rows=[("c10", "c100")],
        n_train=300,
        seeds=[0],
        progress=False,
    )
    assert transfer[0]["kendall_tau"] > 0.5
    table = markdown_table(transfer, ["source", "target"])
    assert table.count("\n") == 3 and "| c10 | c100 |" in table
