"""NAS-Bench-201 / NATS-Bench topology networks: the benchmark's macro skeleton.

Stem (3x3 conv + BN), three stages of ``N`` cells at ``C``, ``2C``, ``4C`` channels joined by
residual reduction blocks, then BN-ReLU, global average pooling and a linear classifier. Cell
node ``j`` sums ``op(i -> j)`` over ``i < j``; ops follow the official definitions (ReLU-Conv-BN
convolutions, 3x3 average pooling without padding in the count, identity, zero).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from archembed.nets.ops import AvgPool3x3, BatchNorm, ResidualReduction, Zero, conv_bn, tag
from archembed.spaces.nb201 import EDGES, NB201_OPS


def edge_op(name: str, channels: int) -> nn.Module:
    """One NB201 edge operation at stride 1 (cells never change resolution)."""
    if name == "none":
        return Zero()
    if name == "skip_connect":
        return nn.Identity()
    if name == "nor_conv_1x1":
        return conv_bn(channels, channels, 1)
    if name == "nor_conv_3x3":
        return conv_bn(channels, channels, 3)
    if name == "avg_pool_3x3":
        return AvgPool3x3()
    raise ValueError(f"unknown NB201 op {name!r}")


class NB201Cell(nn.Module):
    """A 4-node cell; edge ``k`` (string order) is tagged as ArchGraph node ``k + 1``."""

    def __init__(self, edge_ops: Sequence[str], channels: int) -> None:
        super().__init__()
        self.edges = nn.ModuleList(
            tag(edge_op(op, channels), k + 1) for k, op in enumerate(edge_ops)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes = [x]
        for dst in (1, 2, 3):
            nodes.append(sum(op(nodes[src]) for op, (src, d) in zip(self.edges, EDGES) if d == dst))
        return nodes[3]


class NB201Network(nn.Module):
    """The NB201 network of a cell: ``channels`` C and ``cells`` N per stage (official 16, 5)."""

    def __init__(
        self, edge_ops: Sequence[str], channels: int = 16, cells: int = 5, num_classes: int = 10
    ) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, channels, 3, padding=1, bias=False), BatchNorm(channels)
        )
        layers: list[nn.Module] = []
        c = channels
        for stage in range(3):
            if stage:
                layers.append(ResidualReduction(c, 2 * c))
                c *= 2
            layers.extend(NB201Cell(edge_ops, c) for _ in range(cells))
        self.cells = nn.Sequential(*layers)
        self.head = nn.Sequential(BatchNorm(c), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.classifier = nn.Linear(c, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.head(self.cells(self.stem(x))))


_OP_PARAMS = {"nor_conv_1x1": (1, 2), "nor_conv_3x3": (9, 2)}
"""Parameters of an edge op at C channels: a*C^2 + b*C (conv weights + BN affine)."""


def count_parameters(
    op_codes: np.ndarray, channels: int = 16, cells: int = 5, num_classes: int = 10
) -> np.ndarray:
    """Parameter counts of many NB201 networks at once from ``(n, 6)`` NB201_OPS indices.

    Closed form of :class:`NB201Network`'s parameters (checked against real builds in tests).
    """
    codes = np.asarray(op_codes)
    per_cell = np.zeros(len(codes), dtype=np.int64)
    fixed = 27 * channels + 2 * channels  # stem conv + BN
    c = channels
    for stage in range(3):
        if stage:
            fixed += 9 * c * 2 * c + 2 * 2 * c + 9 * (2 * c) ** 2 + 2 * 2 * c + c * 2 * c
            c *= 2
        for name, (a, b) in _OP_PARAMS.items():
            n_ops = (codes == NB201_OPS.index(name)).sum(axis=1)
            per_cell += cells * n_ops * (a * c * c + b * c)
    fixed += 2 * c + c * num_classes + num_classes
    return per_cell + fixed
