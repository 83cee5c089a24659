"""NATS-Bench size-space networks: one fixed cell, five searched channel counts.

The size space keeps NB201's macro skeleton with ``N = 1`` cell per stage and searches the
output channels of its five layers (``c1:c2:c3:c4:c5``, each 8..64 step 8): stem and first
cell at ``c1``; residual reduction to ``c2``; second cell ``c2 -> c3``; residual reduction to
``c4``; third cell ``c4 -> c5``; BN-ReLU, global average pooling and a linear classifier. Every
cell is :data:`CELL`, the best topology-space cell chosen by the NATS-Bench authors. In a cell,
edges leaving the input node map ``C_in -> C_out`` and the others ``C_out -> C_out``; a skip
edge between different widths is a 1x1 convolution + BN (NATS-Bench's stride-1
``FactorizedReduce``). Parameter counts equal the benchmark's (see the tests).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from archembed.nets.build import NetSetting
from archembed.nets.ops import BatchNorm, ResidualReduction, conv_bn
from archembed.spaces.nats_sss import CHANNELS
from archembed.spaces.nb201 import EDGES

CELL = (
    "nor_conv_3x3",
    "nor_conv_3x3",
    "nor_conv_3x3",
    "skip_connect",
    "nor_conv_3x3",
    "nor_conv_3x3",
)
"""The fixed cell, edges in NB201 string order:
``|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|``."""

WIDEST = CHANNELS[-1]
"""The official width: a network built at ``width`` W scales every count by ``W / 64``."""


def scaled(channels: Sequence[int], width: int) -> tuple[int, ...]:
    """Channel counts of a network at ``width`` (64 = official); at least one channel each."""
    return tuple(max(1, c * width // WIDEST) for c in channels)


class SizeCell(nn.Module):
    """The fixed 4-node cell from ``c_in`` to ``c_out`` channels (stride 1)."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.edges = nn.ModuleList(
            _edge(op, c_in if src == 0 else c_out, c_out) for op, (src, _) in zip(CELL, EDGES)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes = [x]
        for dst in (1, 2, 3):
            nodes.append(sum(op(nodes[src]) for op, (src, d) in zip(self.edges, EDGES) if d == dst))
        return nodes[3]


def _edge(name: str, c_in: int, c_out: int) -> nn.Module:
    """A 3x3 ReLU-Conv-BN, or a skip: identity, or a 1x1 conv + BN between different widths."""
    if name == "nor_conv_3x3":
        return conv_bn(c_in, c_out, 3)
    if c_in == c_out:
        return nn.Identity()
    return nn.Sequential(nn.Conv2d(c_in, c_out, 1, bias=False), BatchNorm(c_out))


class SizeNetwork(nn.Module):
    """The size-space network of five channel counts (NATS-Bench's ``infer.shape.tiny``)."""

    def __init__(self, channels: Sequence[int], num_classes: int = 10) -> None:
        super().__init__()
        c1, c2, c3, c4, c5 = channels
        self.stem = nn.Sequential(nn.Conv2d(3, c1, 3, padding=1, bias=False), BatchNorm(c1))
        self.cells = nn.Sequential(
            SizeCell(c1, c1),
            ResidualReduction(c1, c2),
            SizeCell(c2, c3),
            ResidualReduction(c3, c4),
            SizeCell(c4, c5),
        )
        self.head = nn.Sequential(BatchNorm(c5), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.classifier = nn.Linear(c5, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.head(self.cells(self.stem(x))))


def size_network(channels: Sequence[int], setting: NetSetting) -> SizeNetwork:
    """The network of five channel counts at ``setting`` (channels = width, 64 official)."""
    return SizeNetwork(scaled(channels, setting.channels), setting.num_classes)
