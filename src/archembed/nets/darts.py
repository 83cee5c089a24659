"""DARTS cells and CIFAR networks (Liu et al., 2019), without auxiliary head or drop-path.

Stem 3x3 conv (3C) + BN; ``layers`` cells with reduction cells at layers//3 and 2*layers//3
(channels doubled); each cell preprocesses its two inputs (1x1 ReLU-Conv-BN, or a factorized
reduction after a reduction cell), computes 4 nodes of two ops each and concatenates them;
global average pooling and a linear classifier.
"""

from __future__ import annotations

import torch
from torch import nn

from archembed.nets.ops import BatchNorm, conv_bn, tag
from archembed.spaces.darts import Cell, Genotype

NORMAL_FIRST_OP, REDUCE_FIRST_OP = 3, 14
"""ArchGraph vertex of the first op of the normal / reduction cell (see spaces.darts)."""


class FactorizedReduce(nn.Module):
    """Halve the resolution with two offset stride-2 1x1 convs, concatenated, then BN."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.relu = nn.ReLU()
        self.conv_a = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.conv_b = nn.Conv2d(c_in, c_out - c_out // 2, 1, stride=2, bias=False)
        self.bn = BatchNorm(c_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(x)
        shifted = nn.functional.pad(x[:, :, 1:, 1:], (0, 1, 0, 1))
        return self.bn(torch.cat([self.conv_a(x), self.conv_b(shifted)], dim=1))


def _dw_pw(c_in: int, c_out: int, kernel: int, stride: int, dilation: int) -> list[nn.Module]:
    padding = dilation * (kernel - 1) // 2
    return [
        nn.ReLU(),
        nn.Conv2d(c_in, c_in, kernel, stride, padding, dilation, groups=c_in, bias=False),
        nn.Conv2d(c_in, c_out, 1, bias=False),
        BatchNorm(c_out),
    ]


def darts_op(name: str, channels: int, stride: int) -> nn.Module:
    """One DARTS operation at ``channels`` with ``stride`` (2 on a reduction cell's inputs)."""
    if name == "max_pool_3x3":
        return nn.MaxPool2d(3, stride, padding=1)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride, padding=1, count_include_pad=False)
    if name == "skip_connect":
        return nn.Identity() if stride == 1 else FactorizedReduce(channels, channels)
    kernel = int(name[-1])
    if name.startswith("sep_conv"):
        return nn.Sequential(
            *_dw_pw(channels, channels, kernel, stride, 1),
            *_dw_pw(channels, channels, kernel, 1, 1),
        )
    if name.startswith("dil_conv"):
        return nn.Sequential(*_dw_pw(channels, channels, kernel, stride, 2))
    raise ValueError(f"unknown DARTS op {name!r}")


class DartsCell(nn.Module):
    """A normal or reduction cell; op slot ``s`` is tagged as ArchGraph node ``first_op + s``."""

    def __init__(
        self,
        pairs: Cell,
        c_prev_prev: int,
        c_prev: int,
        channels: int,
        reduction: bool,
        reduction_prev: bool,
    ) -> None:
        super().__init__()
        self.pre0 = (
            FactorizedReduce(c_prev_prev, channels)
            if reduction_prev
            else conv_bn(c_prev_prev, channels, 1)
        )
        self.pre1 = conv_bn(c_prev, channels, 1)
        first = REDUCE_FIRST_OP if reduction else NORMAL_FIRST_OP
        self.sources = [source for _, source in pairs]
        self.ops = nn.ModuleList(
            tag(darts_op(op, channels, 2 if reduction and source < 2 else 1), first + slot)
            for slot, (op, source) in enumerate(pairs)
        )

    def forward(self, s0: torch.Tensor, s1: torch.Tensor) -> torch.Tensor:
        states = [self.pre0(s0), self.pre1(s1)]
        for node in range(len(self.ops) // 2):
            a, b = 2 * node, 2 * node + 1
            states.append(
                self.ops[a](states[self.sources[a]]) + self.ops[b](states[self.sources[b]])
            )
        return torch.cat(states[2:], dim=1)


class DartsNetwork(nn.Module):
    """The DARTS CIFAR network of a genotype: ``channels`` C (36) and ``layers`` (20)."""

    def __init__(
        self, genotype: Genotype, channels: int = 36, layers: int = 20, num_classes: int = 10
    ) -> None:
        super().__init__()
        normal, reduce = genotype
        self.stem = nn.Sequential(
            nn.Conv2d(3, 3 * channels, 3, padding=1, bias=False), BatchNorm(3 * channels)
        )
        c_pp, c_p, c = 3 * channels, 3 * channels, channels
        reduction_prev = False
        self.cells = nn.ModuleList()
        for layer in range(layers):
            reduction = layers >= 3 and layer in (layers // 3, 2 * layers // 3)
            if reduction:
                c *= 2
            pairs = reduce if reduction else normal
            self.cells.append(DartsCell(pairs, c_pp, c_p, c, reduction, reduction_prev))
            reduction_prev = reduction
            c_pp, c_p = c_p, len(pairs) // 2 * c
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.classifier = nn.Linear(c_p, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1)
        return self.classifier(self.pool(s1))
