"""NB201 networks: exact published parameter counts, closed form vs real builds, shapes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from archembed.nets.build import NetSetting, build_network
from archembed.nets.nb201 import count_parameters
from archembed.spaces import get_space
from archembed.spaces.nb201 import NB201_OPS


def _n_params(net: torch.nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


@pytest.fixture(scope="module")
def zc_table(data_root):
    return pd.read_csv(data_root / "nb201" / "nb201_cifar10_zc_proxies.csv")


def test_every_published_parameter_count_is_reproduced(zc_table):
    space = get_space("nb201")
    graphs = [space.from_native(s) for s in zc_table["net_str"]]
    codes = np.array([[NB201_OPS.index(o) for o in space.edge_ops(g)] for g in graphs])
    published = np.round(zc_table["params"].to_numpy() * 1e6).astype(np.int64)
    assert len(published) == 9445
    np.testing.assert_array_equal(count_parameters(codes), published)
    for row in np.random.default_rng(0).choice(len(graphs), 6, replace=False):
        assert _n_params(build_network("nb201", graphs[row], "official")) == published[row]


@pytest.mark.parametrize("channels,cells", [(8, 1), (4, 2)])
def test_closed_form_matches_builds_in_reduced_settings(channels, cells):
    space = get_space("nb201")
    for graph in space.sample(4, np.random.default_rng(channels)):
        code = [[NB201_OPS.index(o) for o in space.edge_ops(graph)]]
        net = build_network("nb201", graph, NetSetting(channels, cells, num_classes=7))
        assert _n_params(net) == count_parameters(code, channels, cells, 7)[0]
        assert net(torch.randn(2, 3, 16, 16)).shape == (2, 7)
