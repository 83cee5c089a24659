"""Zero-cost proxies: published params/flops, per-op saliency layout, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from archembed.errors import UnknownNameError
from archembed.nets.zero_cost import PROXIES, network_proxies, per_op_saliencies, proxy_table
from archembed.spaces import get_space

SPACE = get_space("nb201")
CONV_CELL = SPACE.from_native(
    "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|"
)


def test_params_and_flops_match_published(data_root):
    table = pd.read_csv(data_root / "nb201" / "nb201_cifar10_zc_proxies.csv").iloc[[0, 7, 100]]
    for native, params, flops in zip(table["net_str"], table["params"], table["flops"]):
        ours = network_proxies("nb201", SPACE.from_native(native), ("params", "flops"))
        assert round(ours["params"] * 1e6) == round(params * 1e6)
        assert round(ours["flops"] * 1e6) == round(flops * 1e6)


def test_network_proxies_are_finite_and_deterministic():
    first = network_proxies("nb201", CONV_CELL, PROXIES, setting="proxy", n_points=16)
    again = network_proxies("nb201", CONV_CELL, PROXIES, setting="proxy", n_points=16)
    assert list(first) == list(PROXIES)
    assert all(np.isfinite(v) for v in first.values())
    assert first == again
    assert first["grad_norm"] > 0 and first["snip"] > 0 and first["nwot"] > 0
    with pytest.raises(UnknownNameError):
        network_proxies("nb201", CONV_CELL, ("zen",))


def test_per_op_saliencies_follow_node_order():
    cells = [
        CONV_CELL,
        SPACE.from_native("|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|"),
    ]
    scores = per_op_saliencies("nb201", cells, n_points=16)
    assert scores.shape == (2, SPACE.max_nodes, 5)
    ops = SPACE.edge_ops(CONV_CELL)
    has_params = np.array([False, *(op.startswith("nor_conv") for op in ops), False])
    assert np.all(scores[0, ~has_params] == 0)
    assert np.all(scores[0, has_params][:, [0, 1, 4]] > 0)  # grad_norm, snip, synflow
    assert np.all(scores[1] == 0)
    np.testing.assert_array_equal(scores, per_op_saliencies("nb201", cells, n_points=16))
    table = proxy_table("nb201", cells[:1], ("snip",), setting="proxy", n_points=16)
    assert table["snip"][0] > scores[0, :, 1].sum() > 0  # ops hold part of the network's total


def test_synflow_does_not_depend_on_the_input_batch():
    natural = network_proxies("nb201", CONV_CELL, ("synflow",), setting="proxy", n_points=8)
    noise = network_proxies(
        "nb201", CONV_CELL, ("synflow",), setting="proxy", n_points=8, inputs="noise"
    )
    assert natural == noise
