"""DARTS networks: DARTS-V2 parameter count of the reference implementation, op tagging."""

from __future__ import annotations

import numpy as np
import torch

from archembed.nets.build import NetSetting, build_network
from archembed.nets.ops import node_modules
from archembed.spaces import get_space

DARTS_V2 = (
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
    "('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), "
    "('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
    "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
    "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])"
)


def test_darts_v2_has_the_reference_parameter_count():
    graph = get_space("darts").from_native(DARTS_V2)
    net = build_network("darts", graph, "official")
    assert sum(p.numel() for p in net.parameters()) == 3_349_342  # DARTS' "3.3M"


def test_ops_are_tagged_with_their_graph_vertices():
    space = get_space("darts")
    graph = space.sample(1, np.random.default_rng(3))[0]
    net = build_network("darts", graph, NetSetting(4, 3))
    assert net(torch.randn(2, 3, 16, 16)).shape == (2, 10)
    tagged = node_modules(net)
    assert len(tagged) == 3 * 8
    for node, module in tagged:
        op = graph.ops[node]
        has_params = any(True for _ in module.parameters())
        assert op in space.ops
        if op.startswith(("sep", "dil")):
            assert has_params
        elif op.endswith("pool_3x3") or (op == "skip_connect" and node < 11):
            assert not has_params
