"""FLOP counting by forward hooks, in the convention of the published NB201 zero-cost tables.

Convolutions and linear layers count multiply-accumulates (+ bias), affine BatchNorm 2 per
element, ReLU 1 per element, pooling kernel-area per output element, global pooling 1 per
input element. Zero and identity ops are free.
"""

from __future__ import annotations

import torch
from torch import nn

from archembed.nets.ops import AvgPool3x3


def _module_flops(module: nn.Module, inp: torch.Tensor, out: torch.Tensor) -> int:
    per_sample_out = out[0].numel()
    if isinstance(module, nn.Conv2d):
        kh, kw = module.kernel_size
        macs = per_sample_out * kh * kw * module.in_channels // module.groups
        return macs + (per_sample_out if module.bias is not None else 0)
    if isinstance(module, nn.Linear):
        return module.in_features * module.out_features + (
            module.out_features if module.bias is not None else 0
        )
    if isinstance(module, nn.BatchNorm2d):
        return per_sample_out * (2 if module.affine else 1)
    if isinstance(module, nn.ReLU):
        return inp[0].numel()
    if isinstance(module, nn.AvgPool2d | nn.MaxPool2d | AvgPool3x3):
        k = module.kernel_size if isinstance(module.kernel_size, int) else module.kernel_size[0]
        return per_sample_out * k * k
    if isinstance(module, nn.AdaptiveAvgPool2d):
        return inp[0].numel()
    return 0


def count_flops(net: nn.Module, input_size: int = 32, in_channels: int = 3) -> int:
    """FLOPs of one forward pass of a single image of ``input_size`` x ``input_size``."""
    total = 0

    def hook(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        nonlocal total
        total += _module_flops(module, inputs[0], output)

    handles = [m.register_forward_hook(hook) for m in net.modules() if not list(m.children())]
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad():
            net(torch.zeros(1, in_channels, input_size, input_size))
    finally:
        for h in handles:
            h.remove()
        net.train(was_training)
    return total
