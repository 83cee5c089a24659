"""Dense batched Graph Isomorphism Network (GIN) layers for small padded graphs.

Graphs are dense tensors: adjacency ``(B, N, N)`` and node features ``(B, N, F)``, with an
optional boolean node mask ``(B, N)`` for padded vertices. One layer computes
``H' = MLP((1 + eps) H + A H)`` with a trainable ``eps`` and linear-BatchNorm-ReLU MLPs;
batch statistics are taken over real vertices only, so padding never shifts them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import torch
from torch import nn

from archembed.nn.mlp import mlp


def masked_apply(module: nn.Module, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """Apply a per-node ``module`` to the real vertices of ``x`` (B, N, F); padding stays zero."""
    batch, nodes, _ = x.shape
    if mask is None or bool(mask.all()):
        out = module(x.reshape(batch * nodes, -1))
        return out.reshape(batch, nodes, -1)
    picked = module(x[mask])
    out = picked.new_zeros(batch, nodes, picked.shape[-1])
    out[mask] = picked
    return out


class DenseGINLayer(nn.Module):
    """``H' = MLP((1 + eps) H + A H)``; the MLP is ``mlp_layers`` linear-BN-ReLU blocks."""

    def __init__(
        self, in_features: int, out_features: int, mlp_layers: int = 2, train_eps: bool = True
    ) -> None:
        super().__init__()
        sizes = [in_features] + [out_features] * mlp_layers
        self.mlp = mlp(sizes, batch_norm=True, final_activation=True)
        self.eps = nn.Parameter(torch.zeros(1), requires_grad=train_eps)

    def forward(
        self, adj: torch.Tensor, x: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        return masked_apply(self.mlp, torch.baddbmm((1 + self.eps) * x, adj, x), mask)


class GINEncoder(nn.Module):
    """A stack of :class:`DenseGINLayer` with sizes ``in_features -> hidden[0] -> ...``."""

    def __init__(
        self,
        in_features: int,
        hidden: Sequence[int],
        mlp_layers: int = 2,
        train_eps: bool = True,
    ) -> None:
        super().__init__()
        sizes = [in_features, *hidden]
        self.layers = nn.ModuleList(
            DenseGINLayer(a, b, mlp_layers, train_eps) for a, b in itertools.pairwise(sizes)
        )
        self.out_features = sizes[-1]

    def forward(
        self, adj: torch.Tensor, x: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        if mask is not None and bool(mask.all()):
            mask = None  # no padding: every layer takes the plain path, checked once
        for layer in self.layers:
            x = layer(adj, x, mask)
        return x
