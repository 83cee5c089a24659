"""Zero-cost proxies by equivalence class and the MLP ranker on unified features (real NB201)."""

from __future__ import annotations

import numpy as np
import pytest

from archembed.encoders import ENCODERS, load_encoder
from archembed.encoders.zero_cost import cell_proxies, proxy_names
from archembed.errors import ConfigError
from archembed.predictors.metrics import kendall_tau
from archembed.spaces.base import get_space

FAST = {"epochs": 25, "batch_size": 50, "lr": 3e-3, "hidden": [64, 64]}


@pytest.mark.slow
def test_every_cell_gets_the_proxies_of_its_class(nb201_bench):
    graphs, _ = nb201_bench.labels("cifar10-valid", "val_acc", 200)
    names = proxy_names(nb201_bench, "cifar10")
    assert "zc_synflow" in names and "params" in names
    has = nb201_bench.has(graphs, "cifar10", names[0])
    assert 0 < has.sum() < len(graphs)
    shipped = {g.key: g for g, h in zip(graphs, has) if h}
    without = [g for g, h in zip(graphs, has) if not h][:50]
    twins = [shipped[g.key] for g in without]
    assert all(twin.exact_key != g.exact_key for twin, g in zip(twins, without))
    space = get_space("nb201")
    assert np.allclose(
        cell_proxies(space, without, "cifar10"), cell_proxies(space, twins, "cifar10")
    )
    synflow = nb201_bench.query(twins, "cifar10", "zc_synflow")
    column = names.index("zc_synflow")
    logged = cell_proxies(space, twins, "cifar10")[:, column]
    assert np.corrcoef(logged, np.log1p(synflow))[0, 1] > 0.99


@pytest.mark.parametrize(
    ("space", "params", "fragment"),
    [("nb201", {"zc_dataset": "mnist"}, "mnist"), ("nb101", {}, "no zero-cost proxies")],
)
def test_a_space_or_dataset_without_proxies_is_refused_at_construction(space, params, fragment):
    for name in ("mlp-unified", "zcstats", "gates-unified"):
        with pytest.raises(ConfigError, match=fragment):
            ENCODERS.get(name)(space, **params)


@pytest.fixture(scope="module")
def nb201_slice(nb201_labelled_split):
    return nb201_labelled_split(seed=1, n_train=100, n_test=600)


def test_unified_mlp_ranks_unseen_cells_and_reloads(nb201_slice, tmp_path):
    train, y_train, test, y_test = nb201_slice
    model = ENCODERS.get("mlp-unified")("nb201", seed=0, **FAST).fit(train, y_train)
    scores = model.predict(test)
    assert scores.shape == (len(test),)
    assert kendall_tau(y_test, scores) > 0.5
    restored = load_encoder(model.save(tmp_path / "unified"))
    assert np.allclose(restored.predict(test[:20]), scores[:20], atol=1e-6)


def test_zcstats_embedding_is_standardised_and_reloads(nb201_slice, tmp_path):
    train, _, test, _ = nb201_slice
    encoder = ENCODERS.get("zcstats")("nb201").fit(train)
    codes = encoder.transform(train)
    assert np.allclose(codes.mean(axis=0), 0, atol=1e-5)
    assert codes.shape[1] == len(encoder.raw(train[:1])[0]) > 20
    restored = load_encoder(encoder.save(tmp_path / "zcstats"))
    assert np.allclose(restored.transform(test[:20]), encoder.transform(test[:20]))


GATES_SMALL = {"op_dim": 16, "input_dim": 16, "hidden": [32] * 4, "head": [32], "min_steps": 0}


def test_gates_unified_ranks_unseen_cells_and_reloads(nb201_slice, tmp_path):
    train, y_train, test, y_test = nb201_slice
    params = {**GATES_SMALL, "epochs": 25, "batch_size": 50, "lr": 3e-3}
    model = ENCODERS.get("gates-unified")("nb201", seed=0, **params).fit(train, y_train)
    scores = model.predict(test)
    assert scores.shape == (len(test),)
    assert kendall_tau(y_test, scores) > 0.5
    features = ENCODERS.get("zcstats")("nb201").fit(train).transform(test[:5])
    assert np.allclose(model.transform(test[:5])[:, -features.shape[1] :], features, atol=1e-5)
    restored = load_encoder(model.save(tmp_path / "gates-unified"))
    assert np.allclose(restored.predict(test[:20]), scores[:20], atol=1e-6)
