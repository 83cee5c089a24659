"""Training losses for performance predictors: pairwise hinge ranking loss and MSE."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from archembed.errors import UnknownNameError

LOSSES = ("hinge", "mse")


def pairwise_hinge_loss(
    scores: torch.Tensor, targets: torch.Tensor, margin: float = 0.1
) -> torch.Tensor:
    """Mean of ``max(0, margin - (s_i - s_j))`` over all pairs of the batch with ``y_i > y_j``.

    GATES' ranking loss: only the order of the targets matters, so scores need no scaling.
    ``scores`` and ``targets`` are ``(B,)`` or ``(B, k)`` (one loss per column, summed).
    """
    if scores.ndim == 1:
        scores, targets = scores.unsqueeze(1), targets.unsqueeze(1)
    score_diff = scores.unsqueeze(1) - scores.unsqueeze(0)  # (B, B, k): s_i - s_j
    better = (targets.unsqueeze(1) > targets.unsqueeze(0)).to(scores.dtype)
    n_pairs = better.sum(dim=(0, 1)).clamp_min(1.0)
    per_column = (F.relu(margin - score_diff) * better).sum(dim=(0, 1)) / n_pairs
    return per_column.sum()


def prediction_loss(
    name: str, scores: torch.Tensor, targets: torch.Tensor, margin: float = 0.1
) -> torch.Tensor:
    """``"hinge"`` (pairwise ranking, ``margin``) or ``"mse"`` (on standardised targets)."""
    if name == "hinge":
        return pairwise_hinge_loss(scores, targets, margin)
    if name == "mse":
        return F.mse_loss(scores, targets, reduction="mean") * (
            targets.shape[1] if targets.ndim == 2 else 1
        )
    raise UnknownNameError("predictor loss", name, LOSSES)
