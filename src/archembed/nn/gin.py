"""Dense batched Graph Isomorphism Network (GIN) layers for small padded graphs.

Graphs are dense tensors: adjacency ``(B, N, N)`` and node features ``(B, N, F)``, with an
optional boolean node mask ``(B, N)`` for padded vertices. One layer computes
``H' = MLP((1 + eps) H + A H)`` with a trainable ``eps`` and linear-BatchNorm-ReLU MLPs;
batch statistics are taken over real vertices only, so padding never shifts them. A directed
layer sums a vertex's successors and predecessors apart, ``H' = MLP([(1 + eps) H, U H, U^T H])``
with ``U`` the upper triangle of ``A`` (DAGs with vertices in topological order).
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
    """``H' = MLP((1 + eps) H + A H)``; the MLP is ``mlp_layers`` linear-BN-ReLU blocks.

    With ``directed`` the MLP reads ``[(1 + eps) H, U H, U^T H]`` (successors and predecessors
    apart, ``U`` the strict upper triangle of the symmetric ``A`` it is given).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        mlp_layers: int = 2,
        train_eps: bool = True,
        directed: bool = False,
    ) -> None:
        super().__init__()
        self.directed = directed
        width = 3 * in_features if directed else in_features
        sizes = [width] + [out_features] * mlp_layers
        self.mlp = mlp(sizes, batch_norm=True, final_activation=True)
        self.eps = nn.Parameter(torch.zeros(1), requires_grad=train_eps)

    def forward(
        self, adj: torch.Tensor, x: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        if not self.directed:
            return masked_apply(self.mlp, torch.baddbmm((1 + self.eps) * x, adj, x), mask)
        upper = torch.triu(adj, 1)
        joined = torch.cat([(1 + self.eps) * x, upper @ x, upper.transpose(1, 2) @ x], -1)
        return masked_apply(self.mlp, joined, mask)


class GINEncoder(nn.Module):
    """A stack of :class:`DenseGINLayer` with sizes ``in_features -> hidden[0] -> ...``."""

    def __init__(
        self,
        in_features: int,
        hidden: Sequence[int],
        mlp_layers: int = 2,
        train_eps: bool = True,
        directed: bool = False,
    ) -> None:
        super().__init__()
        sizes = [in_features, *hidden]
        self.layers = nn.ModuleList(
            DenseGINLayer(a, b, mlp_layers, train_eps, directed)
            for a, b in itertools.pairwise(sizes)
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
