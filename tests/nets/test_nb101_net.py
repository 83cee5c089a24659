"""NB101 networks: exact trainable-parameter counts of the benchmark, channel splitting."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from archembed.nets.build import build_network
from archembed.nets.nb101 import vertex_channels
from archembed.spaces import get_space

LABELS = {0: "conv3x3-bn-relu", 1: "conv1x1-bn-relu", 2: "maxpool3x3", -1: "input", -2: "output"}


@pytest.fixture(scope="module")
def labelled(data_root):
    data = json.loads((data_root / "nb101" / "nb101_data-1k.json").read_text())
    space = get_space("nb101")
    cells = []
    for i in range(0, 1000, 125):
        ops = [LABELS[o] for o in data["operations"][i] if o != -3]
        adj = np.asarray(data["adjacency"][i], dtype=int)[: len(ops), : len(ops)]
        cells.append((space.from_spec(adj, ops), data["trainable_parameters"][i]))
    return cells


def test_parameter_counts_equal_the_benchmark(labelled):
    for graph, published in labelled:
        net = build_network("nb101", graph, "official")
        assert sum(p.numel() for p in net.parameters()) == published


def test_output_channels_are_split_with_remainder_first():
    adj = np.zeros((5, 5), dtype=int)
    adj[0, 1] = adj[0, 2] = adj[0, 3] = adj[1, 4] = adj[2, 4] = adj[3, 4] = 1
    assert vertex_channels(adj, 128, 128) == [128, 43, 43, 42, 128]
    adj[1, 4], adj[1, 2] = 0, 1  # vertex 1 feeds vertex 2 only: takes its width
    assert vertex_channels(adj, 64, 128) == [64, 64, 64, 64, 128]


def test_proxy_network_runs_on_every_sampled_cell():
    for graph in get_space("nb101").sample(3, np.random.default_rng(0)):
        net = build_network("nb101", graph, "proxy")
        assert net(torch.randn(2, 3, 32, 32)).shape == (2, 10)
