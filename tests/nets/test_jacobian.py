"""Jacobian features: per-sample exactness under BatchNorm, determinism, resume, workers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from archembed.encoders.feature_sets import open_stores
from archembed.errors import ConfigError, DataNotFoundError, UserError
from archembed.nets import jacobian
from archembed.nets.build import build_network
from archembed.nets.feature_store import FeatureStore
from archembed.nets.jacobian import (
    PROJECTION_FILE,
    compute_jacobian_features,
    input_jacobian,
    normalise_store,
)
from archembed.nets.ops import set_batchnorm_mode
from archembed.spaces import get_space
from archembed.threads import cpu_count

SPACE = get_space("nb201")
CELLS = [
    SPACE.from_native(s)
    for s in (
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|",
        "|avg_pool_3x3~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|avg_pool_3x3~1|nor_conv_1x1~2|",
        "|none~0|+|none~0|none~1|+|skip_connect~0|none~1|avg_pool_3x3~2|",
        "|nor_conv_1x1~0|+|none~0|nor_conv_1x1~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_1x1~2|",
    )
]
OPTS = dict(n_inits=2, n_points=6, k=8, inputs="noise", n_pool=32, progress=False)


def _cross_gradient(mode: str) -> float:
    torch.manual_seed(0)
    net = set_batchnorm_mode(build_network("nb201", CELLS[0], "proxy"), mode)
    x = torch.randn(5, 3, 16, 16, requires_grad=True)
    net(x)[0].abs().sum().backward()
    return float(x.grad[1:].abs().max())


def test_detached_batchnorm_makes_samples_independent():
    assert _cross_gradient("detached") == 0.0
    assert _cross_gradient("batch") > 0.0
    torch.manual_seed(0)
    net = build_network("nb201", CELLS[0], "proxy")
    x = torch.randn(5, 3, 16, 16)
    batched = input_jacobian(net, x)
    x0 = x.clone().requires_grad_(True)
    net(x0)[2].abs().sum().backward()
    torch.testing.assert_close(batched[2], x0.grad[2].reshape(-1))


def test_features_are_deterministic_and_resumable(tmp_path):
    full = compute_jacobian_features("nb201", CELLS, tmp_path / "a", workers=1, **OPTS)
    assert full.complete and full.features.shape == (4, 2, 6, 8)
    values = full.get(full.ids)
    assert np.isfinite(values).all() and np.abs(values[0]).sum() > 0
    assert not np.allclose(values[:, 0], values[:, 1])  # two inits differ
    assert (tmp_path / "a" / PROJECTION_FILE).is_file()
    partial = compute_jacobian_features("nb201", CELLS[:2], tmp_path / "b", workers=1, **OPTS)
    np.testing.assert_array_equal(partial.get(partial.ids), values[:2])
    store = FeatureStore.open(tmp_path / "a", writable=True)
    store.done[:] = False
    store.done[[0, 2]] = True
    store.features[[1, 3]] = 0
    np.save(tmp_path / "a" / "done.npy", store.done)
    resumed = compute_jacobian_features("nb201", CELLS, tmp_path / "a", workers=1, **OPTS)
    np.testing.assert_array_equal(resumed.get(resumed.ids), values)
    with pytest.raises(ConfigError):
        compute_jacobian_features("nb201", CELLS, tmp_path / "a", workers=1, **{**OPTS, "k": 4})


def test_normalised_features_have_unit_spectral_norm(tmp_path):
    store = compute_jacobian_features(
        "nb201", CELLS[:1], tmp_path / "n", normalise=True, workers=1, **OPTS
    )
    norms = np.linalg.norm(store.get(store.ids)[0], ord=2, axis=(1, 2))
    np.testing.assert_allclose(norms, 1.0, rtol=1e-5)


def test_normalising_a_stored_run_equals_normalising_while_computing(tmp_path):
    direct = compute_jacobian_features(
        "nb201", CELLS[:2], tmp_path / "n", normalise=True, workers=1, **OPTS
    )
    compute_jacobian_features("nb201", CELLS[:2], tmp_path / "r", workers=1, **OPTS)
    after = normalise_store(tmp_path / "r", tmp_path / "r-norm", progress=False)
    np.testing.assert_allclose(after.get(after.ids), direct.get(direct.ids), rtol=1e-5, atol=1e-8)
    assert after.params == direct.params
    assert (tmp_path / "r-norm" / PROJECTION_FILE).is_file()
    with pytest.raises(DataNotFoundError):
        normalise_store(tmp_path / "r-norm" / "absent", tmp_path / "x", progress=False)


@pytest.mark.slow  # two spawned workers each import torch
@pytest.mark.skipif(cpu_count() < 2, reason="needs 2 CPUs for 2 workers")
def test_parallel_workers_give_the_same_features(tmp_path, monkeypatch):
    monkeypatch.setattr(jacobian, "PILOT", 1)  # 1 pilot cell, then 3 chunks of 1 for 2 workers
    monkeypatch.setattr(jacobian, "CHUNK", 1)
    serial = compute_jacobian_features("nb201", CELLS, tmp_path / "s", workers=1, **OPTS)
    parallel = compute_jacobian_features("nb201", CELLS, tmp_path / "p", workers=2, **OPTS)
    # equal up to float32 rounding: CPU kernels may sum in another order in another process
    np.testing.assert_allclose(parallel.get(parallel.ids), serial.get(serial.ids), atol=1e-6)


@pytest.mark.parametrize(
    ("option", "value", "fragment"),
    [
        ("n_inits", 0, "--n-inits"),
        ("n_inits", 10**6, "--n-inits"),
        ("n_points", -1, "--n-points"),
        ("n_pool", 10**6, "--n-pool"),
        ("k", 33, "--k"),  # more components than the 32 pool images
        ("workers", 10**4, "--workers"),
        ("seed", -1, "--seed"),
        ("inputs", "nowhere.npy", "--inputs"),
        ("device", "banana", "device"),
        ("jacobian", "banana", "--jacobian"),
        ("projection", "banana", "--projection"),
        ("projection", "own", "--k"),  # own SVD: at most n_points = 6 components, not 8
    ],
)
def test_bad_options_fail_before_the_store_is_made(tmp_path, option, value, fragment):
    with pytest.raises(UserError, match=fragment):
        compute_jacobian_features("nb201", CELLS, tmp_path / "x", **{**OPTS, option: value})
    assert not (tmp_path / "x").exists()


def test_nb101_cells_share_the_projection_of_nb201(tmp_path):
    cells = get_space("nb101").sample(2, np.random.default_rng(0))
    nb101 = compute_jacobian_features("nb101", cells, tmp_path / "101", workers=1, **OPTS)
    nb201 = compute_jacobian_features("nb201", CELLS[:1], tmp_path / "201", workers=1, **OPTS)
    assert nb101.features.shape == (2, 2, 6, 8) and np.isfinite(nb101.get(nb101.ids)).all()
    assert nb101.params["inputs"] == nb201.params["inputs"]
    np.testing.assert_array_equal(
        np.load(tmp_path / "101" / PROJECTION_FILE), np.load(tmp_path / "201" / PROJECTION_FILE)
    )


def test_paper_jacobian_is_the_logit_sum_gradient_in_training_mode():
    torch.manual_seed(0)
    net = build_network("nb201", CELLS[0], "proxy")
    x = torch.randn(5, 3, 16, 16)
    paper = input_jacobian(net, x, "paper")
    torch.manual_seed(0)
    reference = build_network("nb201", CELLS[0], "proxy").train()
    x0 = x.clone().requires_grad_(True)
    reference(x0).sum().backward()
    torch.testing.assert_close(paper, x0.grad.reshape(5, -1))
    assert not torch.allclose(paper, input_jacobian(net, x, "exact"))


def test_own_projection_keeps_each_matrix_spectrum_and_saves_no_basis(tmp_path):
    opts = {**OPTS, "k": 4}
    own = compute_jacobian_features(
        "nb201", CELLS[:2], tmp_path / "own", projection="own", workers=1, **opts
    )
    assert own.params["projection"] == "own" and not (tmp_path / "own" / PROJECTION_FILE).exists()
    shared = compute_jacobian_features("nb201", CELLS[:2], tmp_path / "shared", workers=1, **opts)
    values = own.get(own.ids)
    columns = np.linalg.norm(values, axis=2)  # U_k S_k: column norms are singular values
    np.testing.assert_allclose(columns, np.linalg.svd(values, compute_uv=False), rtol=1e-4)
    assert np.all(np.diff(columns, axis=-1) <= 1e-6)  # in decreasing order
    with pytest.raises(ConfigError, match="projection"):
        open_stores([tmp_path / "own", tmp_path / "shared"])
    assert shared.params["projection"] == "shared"


def test_paper_jacobian_store_records_its_definition(tmp_path):
    store = compute_jacobian_features(
        "nb201", CELLS[:1], tmp_path / "p", jacobian="paper", workers=1, **OPTS
    )
    exact = compute_jacobian_features("nb201", CELLS[:1], tmp_path / "e", workers=1, **OPTS)
    assert store.params["output"] == "sum of logits" and exact.params["output"] != "sum of logits"
    assert not np.allclose(store.get(store.ids), exact.get(exact.ids))
