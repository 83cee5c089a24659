"""Layers shared by the network builders: conv blocks, pooling, zero/identity, BatchNorm.

Every cell operation module carries an ``arch_node`` attribute (the ArchGraph node it
implements) so per-operation saliencies can be aggregated without knowing the builder.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class BatchNorm(nn.BatchNorm2d):
    """BatchNorm2d that can treat the batch statistics as constants (``detach_stats``).

    With detached statistics each sample's output depends on its own input only (the batch
    mean and variance still normalise it), so one backward pass of a summed loss yields exact
    per-sample input gradients.
    """

    detach_stats: bool = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not (self.training and self.detach_stats):
            return super().forward(x)
        with torch.no_grad():  # raw moments: an order of magnitude faster than Tensor.var on CPU
            mean = x.mean(dim=(0, 2, 3))
            var = (x * x).mean(dim=(0, 2, 3)) - mean * mean
        return F.batch_norm(x, mean, var, self.weight, self.bias, False, 0.0, self.eps)


def set_batchnorm_mode(model: nn.Module, mode: str) -> nn.Module:
    """``"batch"``: normal training BN; ``"detached"``: batch stats as constants; ``"eval"``."""
    if mode not in BATCHNORM_MODES:
        raise ValueError(f"unknown BatchNorm mode {mode!r}; choose one of {BATCHNORM_MODES}")
    model.train(mode != "eval")
    for module in model.modules():
        if isinstance(module, BatchNorm):
            module.detach_stats = mode == "detached"
    return model


BATCHNORM_MODES = ("batch", "detached", "eval")


def conv_bn(c_in: int, c_out: int, kernel: int, stride: int = 1, relu_first: bool = True):
    """ReLU-Conv-BN (``relu_first``) or Conv-BN-ReLU, no conv bias, affine BN."""
    conv = nn.Conv2d(c_in, c_out, kernel, stride, kernel // 2, bias=False)
    if relu_first:
        return nn.Sequential(nn.ReLU(inplace=False), conv, BatchNorm(c_out))
    return nn.Sequential(conv, BatchNorm(c_out), nn.ReLU(inplace=False))


class Zero(nn.Module):
    """The ``none`` operation: zeros of the (possibly strided) output shape."""

    def __init__(self, stride: int = 1) -> None:
        super().__init__()
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride == 1:
            return x.mul(0.0)
        return x[:, :, :: self.stride, :: self.stride].mul(0.0)


class AvgPool3x3(nn.Module):
    """3x3 average pooling, stride 1, padding 1, padded zeros not counted.

    Same values as ``nn.AvgPool2d(3, 1, 1, count_include_pad=False)``, computed as shifted
    sums, which is several times faster on CPU forward and backward.
    """

    kernel_size = 3

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        padded = F.pad(x, (1, 1, 1, 1))
        rows = padded[:, :, :-2] + padded[:, :, 1:-1] + padded[:, :, 2:]
        total = rows[..., :-2] + rows[..., 1:-1] + rows[..., 2:]
        return total / _window_counts(x.shape[-2], x.shape[-1], x.dtype, x.device)


def _window_counts(h: int, w: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """How many in-image pixels each 3x3 window covers (3 inside, 2 on a border, per axis)."""
    rows = torch.full((h,), 3.0, dtype=dtype, device=device)
    cols = torch.full((w,), 3.0, dtype=dtype, device=device)
    rows[0] = rows[-1] = cols[0] = cols[-1] = 2.0
    if h == 1:
        rows[0] = 1.0
    if w == 1:
        cols[0] = 1.0
    return rows[:, None] * cols[None, :]


class ResidualReduction(nn.Module):
    """NB201's reduction block: two 3x3 ReLU-Conv-BN (first strided) + avg-pool/1x1 shortcut."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.conv_a = conv_bn(c_in, c_out, 3, stride=2)
        self.conv_b = conv_bn(c_out, c_out, 3)
        self.shortcut = nn.Sequential(nn.AvgPool2d(2, 2), nn.Conv2d(c_in, c_out, 1, bias=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv_b(self.conv_a(x)) + self.shortcut(x)


def tag(module: nn.Module, node: int) -> nn.Module:
    """Mark ``module`` as the implementation of ArchGraph node ``node``."""
    module.arch_node = node
    return module


def node_modules(model: nn.Module) -> list[tuple[int, nn.Module]]:
    """All (node, module) pairs tagged by :func:`tag`, in module order."""
    return [(m.arch_node, m) for m in model.modules() if hasattr(m, "arch_node")]
