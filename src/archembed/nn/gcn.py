"""Dense batched graph convolution (Kipf & Welling) for padded graphs.

Generic over what the adjacency means: pass ``(B, N, N)`` (directed, symmetrised, weighted)
and node features ``(B, N, F)``; a layer returns ``(B, N, H)``. With ``self_loops`` the layer
propagates over ``D^-1/2 (A + I) D^-1/2``, D the row sums of ``A + I``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import torch
from torch import nn


def normalized_adjacency(adj: torch.Tensor, self_loops: bool = True) -> torch.Tensor:
    """``D^-1/2 (A + I) D^-1/2`` for a batch of adjacency matrices (zero rows stay zero)."""
    if self_loops:
        adj = adj + torch.eye(adj.shape[-1], dtype=adj.dtype, device=adj.device)
    degree = adj.sum(dim=-1)
    scale = torch.where(degree > 0, degree.clamp_min(1e-12).rsqrt(), torch.zeros_like(degree))
    return scale.unsqueeze(-1) * adj * scale.unsqueeze(-2)


class DenseGCNLayer(nn.Module):
    """``H' = norm(A) H W + b``; no activation (stack it with one, see :class:`GCNEncoder`)."""

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, self_loops: bool = True
    ) -> None:
        super().__init__()
        self.linear = nn.Linear(in_features, out_features, bias=bias)
        self.self_loops = self_loops

    def forward(
        self, adj: torch.Tensor, x: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        out = normalized_adjacency(adj, self.self_loops) @ self.linear(x)
        if mask is not None:
            out = out * mask.unsqueeze(-1).to(out.dtype)
        return out


class GCNEncoder(nn.Module):
    """Stacked :class:`DenseGCNLayer` with ReLU (and optional dropout) between layers.

    ``final_activation`` applies ReLU after the last layer too (for use under linear heads).
    """

    def __init__(
        self,
        in_features: int,
        hidden: Sequence[int],
        dropout: float = 0.0,
        final_activation: bool = True,
    ) -> None:
        super().__init__()
        sizes = [in_features, *hidden]
        self.layers = nn.ModuleList(DenseGCNLayer(a, b) for a, b in itertools.pairwise(sizes))
        self.dropout = nn.Dropout(dropout)
        self.final_activation = final_activation
        self.out_features = sizes[-1]

    def forward(
        self, adj: torch.Tensor, x: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            x = layer(adj, x, mask)
            if i < last or self.final_activation:
                x = self.dropout(torch.relu(x))
        return x
