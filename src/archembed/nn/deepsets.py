"""DeepSets: a permutation-invariant encoder of sets of vectors (Zaheer et al., 2017).

A shared MLP embeds every point of a set, the point embeddings are mean-pooled, and a second
MLP maps the pooled vector to the set's embedding. Mean pooling keeps the output independent of
the order of the points and of their number.
"""

from __future__ import annotations

import torch
from torch import nn

from archembed.nn.mlp import mlp


class DeepSets(nn.Module):
    """``(batch, n_points, in_dim) -> (batch, out_dim)``: per-point MLP, mean, post-pool MLP.

    The per-point MLP (``layers`` layers of width ``hidden``) runs on every point and dominates
    the cost; the post-pooling MLP (``layers`` layers of width ``out_dim``) runs once per set.
    """

    def __init__(self, in_dim: int, hidden: int = 128, out_dim: int = 256, layers: int = 2) -> None:
        super().__init__()
        if layers < 1:
            raise ValueError("DeepSets needs at least one layer in each MLP")
        self.point = mlp([in_dim] + [hidden] * layers, final_activation=True)
        self.pooled = mlp([hidden] + [out_dim] * layers)

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        if points.dim() != 3:
            raise ValueError(
                f"expected (batch, n_points, dim) sets, got shape {tuple(points.shape)}"
            )
        return self.pooled(self.point(points).mean(dim=1))
