"""NATS-Bench size-space networks: published parameter counts, skeleton, settings, features."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from archembed.errors import ConfigError
from archembed.nets.build import NetSetting, build_network, resolve_setting
from archembed.nets.flops import count_flops
from archembed.nets.jacobian import compute_jacobian_features, normalise_store
from archembed.nets.nats_sss import SizeNetwork, scaled
from archembed.spaces import get_space

PUBLISHED_PARAMS = {
    "8:8:8:8:8": 11_714,
    "8:8:16:40:40": 107_826,
    "64:64:64:64:64": 713_674,
}
"""NATS-Bench's cost info (params 0.011714, 0.107826 and 0.713674 M, CIFAR-10 head)."""


def _params(net: torch.nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


@pytest.mark.parametrize("native", sorted(PUBLISHED_PARAMS))
def test_parameter_count_equals_the_published_one(native):
    net = build_network("nats_sss", get_space("nats_sss").from_native(native), "official")
    assert _params(net) == PUBLISHED_PARAMS[native]


def test_each_layer_count_sets_its_layer():
    base = [16] * 5
    outputs = [c.shape[1] for c in _stage_outputs(SizeNetwork(base))]
    assert outputs == base
    for layer in range(5):
        wider = list(base)
        wider[layer] = 40
        assert [c.shape[1] for c in _stage_outputs(SizeNetwork(wider))] == wider


def _stage_outputs(net: SizeNetwork) -> list[torch.Tensor]:
    """Outputs of stem+cell 1, reduction 1, cell 2, reduction 2, cell 3 on one image."""
    x = net.stem(torch.zeros(1, 3, 32, 32))
    found = []
    for block in net.cells:
        x = block(x)
        found.append(x)
    return found


def test_wider_layers_cost_more_parameters_and_flops():
    base = SizeNetwork([24] * 5)
    for layer in range(5):
        wider = [24] * 5
        wider[layer] = 32
        net = SizeNetwork(wider)
        assert _params(net) > _params(base)
        assert count_flops(net) > count_flops(base)


def test_proxy_halves_every_channel_count_and_depth_is_fixed():
    graph = get_space("nats_sss").from_native("8:16:24:32:64")
    proxy = build_network("nats_sss", graph, "proxy")
    assert [b.shape[1] for b in _stage_outputs(proxy)] == [4, 8, 12, 16, 32]
    assert scaled((8, 64), 16) == (2, 16)
    assert proxy(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
    with pytest.raises(ConfigError, match="one cell per stage"):
        build_network("nats_sss", graph, NetSetting(64, 2))
    assert resolve_setting("nats_sss", NetSetting(16, 1)).channels == 16


def test_jacobian_features_and_normalisation(tmp_path):
    space = get_space("nats_sss")
    graphs = [space.from_native(s) for s in ("8:8:8:8:8", "64:8:32:16:56")]
    options = dict(n_inits=2, n_points=6, k=8, inputs="noise", n_pool=32, progress=False)
    store = compute_jacobian_features("nats_sss", graphs, tmp_path / "raw", workers=1, **options)
    assert store.space == "nats_sss" and store.features.shape == (2, 2, 6, 8)
    assert store.natives == ["8:8:8:8:8", "64:8:32:16:56"]
    values = store.get(store.ids)
    assert np.isfinite(values).all() and not np.allclose(values[0], values[1])
    normalised = normalise_store(tmp_path / "raw", tmp_path / "norm", progress=False)
    sigma = np.linalg.norm(normalised.get(normalised.ids).astype(np.float64), ord=2, axis=(2, 3))
    np.testing.assert_allclose(sigma, 1.0, rtol=1e-5)
