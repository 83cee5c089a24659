"""Training losses for performance predictors: pairwise hinge ranking loss and MSE."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from archembed.errors import UnknownNameError

LOSSES = ("hinge", "mse")


def sample_pairs(
    better: torch.Tensor, max_pairs: int, generator: torch.Generator | None = None
) -> torch.Tensor:
    """``better`` (B, B, k) with at most ``max_pairs`` of its ordered pairs kept per column, drawn
    uniformly at random (the papers' code trains on at most 4 random pairs per architecture)."""
    keys = torch.rand(better.shape, generator=generator).to(better.device)
    keys = torch.where(better > 0, keys, torch.full_like(keys, 2.0)).reshape(-1, better.shape[-1])
    cutoff = keys.kthvalue(min(max_pairs, keys.shape[0]), dim=0).values
    return better * (keys <= cutoff).reshape(better.shape).to(better.dtype)


def pairwise_hinge_loss(
    scores: torch.Tensor,
    targets: torch.Tensor,
    margin: float = 0.1,
    max_pairs: int | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Mean of ``max(0, margin - (s_i - s_j))`` over all pairs of the batch with ``y_i > y_j``
    (or over a random ``max_pairs`` of them, :func:`sample_pairs`).

    GATES' ranking loss: only the order of the targets matters, so scores need no scaling.
    ``scores`` and ``targets`` are ``(B,)`` or ``(B, k)`` (one loss per column, summed).
    """
    if scores.ndim == 1:
        scores, targets = scores.unsqueeze(1), targets.unsqueeze(1)
    score_diff = scores.unsqueeze(1) - scores.unsqueeze(0)  # (B, B, k): s_i - s_j
    better = (targets.unsqueeze(1) > targets.unsqueeze(0)).to(scores.dtype)
    if max_pairs is not None:
        better = sample_pairs(better, max_pairs, generator)
    n_pairs = better.sum(dim=(0, 1)).clamp_min(1.0)
    per_column = (F.relu(margin - score_diff) * better).sum(dim=(0, 1)) / n_pairs
    return per_column.sum()


def prediction_loss(
    name: str,
    scores: torch.Tensor,
    targets: torch.Tensor,
    margin: float = 0.1,
    max_pairs: int | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """``"hinge"`` (pairwise ranking, ``margin``, optionally ``max_pairs`` random pairs) or
    ``"mse"`` (on standardised targets)."""
    if name == "hinge":
        return pairwise_hinge_loss(scores, targets, margin, max_pairs, generator)
    if name == "mse":
        return F.mse_loss(scores, targets, reduction="mean") * (
            targets.shape[1] if targets.ndim == 2 else 1
        )
    raise UnknownNameError("predictor loss", name, LOSSES)
