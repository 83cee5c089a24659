"""The predictor protocol: parameters, cloning, EmbeddingPredictor and TA-GATES on NB201 cells."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.base
from scipy import stats

from archembed.encoders.baseline import OneHotEncoder
from archembed.encoders.embedding import embed_to_parquet
from archembed.encoders.precomputed import read_embedding_file
from archembed.encoders.tagates import TAGATES
from archembed.errors import ConfigError
from archembed.estimator import reseeded
from archembed.predictors import (
    ArchPredictor,
    EmbeddingPredictor,
    clone,
    make_predictor,
    tabulated,
)


@pytest.fixture(scope="module")
def cells(nb201_bench):
    """300 labelled NB201 cells: 200 to train on, 100 to rank."""
    graphs, acc = nb201_bench.labels("cifar10-valid", "val_acc", 200)
    rows = np.random.default_rng(0).choice(len(graphs), 300, replace=False)
    return [graphs[i] for i in rows], acc[rows], nb201_bench.space


def shallow(params: dict) -> dict:
    """Parameters without nested estimators (those are compared through their own params)."""
    return {k: v for k, v in params.items() if not hasattr(v, "get_params")}


@pytest.mark.parametrize("name", ["gp", "lightgbm", "rf", "mlp", "dngo"])
def test_clone_is_an_unfitted_copy_with_equal_parameters(name):
    head = make_predictor(name, seed=7).fit(np.eye(4), np.arange(4.0))
    copy = clone(head)
    assert type(copy) is type(head) and copy is not head
    assert copy.get_params() == head.get_params() and copy.get_params()["seed"] == 7
    assert not [k for k in vars(copy) if k.endswith("_")]
    assert sklearn.base.clone(head).get_params() == head.get_params()


def test_get_and_set_params_round_trip_and_are_checked(nb201_bench):
    head = make_predictor("lightgbm", seed=1, num_leaves=7)
    assert head.get_params() == {"seed": 1, "num_leaves": 7}
    assert head.set_params(num_leaves=9).get_params() == {"seed": 1, "num_leaves": 9}
    assert clone(head).get_params() == {"seed": 1, "num_leaves": 9}
    predictor = EmbeddingPredictor(OneHotEncoder(nb201_bench.space), make_predictor("gp"))
    predictor.set_params(head__fit_maxiter=5, head__seed=3)
    assert predictor.get_params()["head__fit_maxiter"] == 5
    assert predictor.get_params()["head__seed"] == 3
    twin = EmbeddingPredictor(OneHotEncoder(nb201_bench.space), make_predictor("dngo"))
    twin.set_params(**shallow(predictor.get_params(deep=False)), head=clone(predictor.head))
    assert shallow(twin.get_params()) == shallow(predictor.get_params())
    with pytest.raises(ConfigError, match="no parameter 'bogus'"):
        predictor.set_params(bogus=1)
    with pytest.raises(ConfigError, match="fit_maxiter"):
        predictor.set_params(head__fit_maxiter=0)
    with pytest.raises(ConfigError, match="unknown lightgbm parameter"):
        head.set_params(bogus=1)


def test_reseeded_sets_every_seed_and_nothing_else(nb201_bench):
    predictor = EmbeddingPredictor(OneHotEncoder(nb201_bench.space), make_predictor("gp"))
    again = reseeded(predictor, 5)
    assert again.get_params()["head__seed"] == 5 and predictor.get_params()["head__seed"] == 0
    model = TAGATES(nb201_bench.space, saliency_seed=2)
    assert reseeded(model, 9).get_params(deep=False) | {"space": None} == (
        model.get_params(deep=False) | {"seed": 9, "space": None}
    )


@pytest.mark.parametrize("head", ["gp", "lightgbm"])
def test_onehot_embedding_predictor_ranks_real_nb201_cells(cells, head):
    graphs, acc, space = cells
    prototype = EmbeddingPredictor(OneHotEncoder(space), make_predictor(head, seed=0))
    assert isinstance(prototype, ArchPredictor) and prototype.name == f"onehot+{head}"
    model = clone(prototype).fit(graphs[:200], acc[:200])
    pred = model.predict(graphs[200:])
    assert pred.shape == (100,) and stats.kendalltau(pred, acc[200:]).statistic > 0.3
    assert not hasattr(prototype, "heads_") and not hasattr(prototype.head, "model_")
    X = prototype.embed(graphs)
    fast = clone(prototype).fit_embedded(X[:200], acc[:200]).predict_embedded(X[200:])
    assert np.array_equal(fast, pred)
    if model.has_std:
        mean, std = model.predict(graphs[200:], return_std=True)
        assert np.allclose(mean, pred) and std.shape == (100,) and (std > 0).all()
    else:
        with pytest.raises(ConfigError, match="no uncertainty"):
            model.predict(graphs[200:], return_std=True)


def test_embedding_predictor_fits_one_head_per_target_column(cells):
    graphs, acc, space = cells
    y = np.stack([acc, -acc], axis=1)
    model = EmbeddingPredictor(OneHotEncoder(space), make_predictor("lightgbm")).fit(
        graphs[:200], y[:200]
    )
    pred = model.predict(graphs[200:])
    assert pred.shape == (100, 2) and len(model.heads_) == 2
    assert stats.kendalltau(pred[:, 0], -pred[:, 1]).statistic > 0.9
    with pytest.raises(ConfigError, match="must be a Predictor"):
        EmbeddingPredictor(OneHotEncoder(space), "gp")


def test_tagates_follows_the_same_protocol(cells):
    graphs, acc, space = cells
    prototype = TAGATES(space, epochs=3, min_steps=0, steps=2, seed=4)
    assert isinstance(prototype, ArchPredictor) and not prototype.has_std
    copy = clone(prototype)
    assert shallow(copy.get_params()) == shallow(prototype.get_params())
    model = copy.fit(graphs[:200], acc[:200])
    pred = model.predict(graphs[200:])
    assert pred.shape == (100,) and np.isfinite(pred).all()
    assert not hasattr(prototype, "model_") and not hasattr(clone(model), "model_")
    again = clone(prototype).fit(graphs[:200], acc[:200]).predict(graphs[200:])
    assert np.array_equal(again, pred)
    with pytest.raises(ConfigError, match="no uncertainty"):
        model.predict(graphs[200:], return_std=True)


def test_tabulated_and_file_embeddings_predict_like_their_encoder(cells, tmp_path):
    graphs, acc, space = cells
    encoder = OneHotEncoder(space)
    table = tabulated(encoder, graphs[:150], graphs[150:250])
    assert np.array_equal(table.transform(graphs[::-1]), encoder.transform(graphs[::-1]))
    embed_to_parquet(encoder, space.enumerate(), tmp_path / "emb.parquet")
    stored = read_embedding_file(tmp_path / "emb.parquet").encoder(space)
    expected = None
    for source in (encoder, table, stored):
        model = EmbeddingPredictor(source, make_predictor("gp")).fit(graphs[:200], acc[:200])
        pred = model.predict(graphs[200:])
        expected = pred if expected is None else expected
        assert np.array_equal(pred, expected)
