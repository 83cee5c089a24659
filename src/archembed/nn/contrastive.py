"""NT-Xent, the normalised temperature-scaled cross-entropy loss of SimCLR (Chen et al., 2020)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def nt_xent(first: torch.Tensor, second: torch.Tensor, temperature: float = 0.1) -> torch.Tensor:
    """Mean NT-Xent loss of paired views: row i of ``first`` and of ``second`` are positives.

    Each of the 2B embeddings is classified against the other 2B - 1 by cosine similarity over
    ``temperature``; its other view is the correct class, all other rows are negatives.
    """
    if first.shape != second.shape or first.dim() != 2:
        raise ValueError(
            f"views must be two (batch, dim) tensors of one shape, got "
            f"{tuple(first.shape)} and {tuple(second.shape)}"
        )
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    batch = first.shape[0]
    both = F.normalize(torch.cat([first, second]), dim=1)
    logits = both @ both.T / temperature
    logits = logits.masked_fill(
        torch.eye(2 * batch, dtype=torch.bool, device=both.device), -torch.inf
    )
    targets = torch.arange(2 * batch, device=both.device).roll(batch)
    return F.cross_entropy(logits, targets)


class NTXentLoss(nn.Module):
    """:func:`nt_xent` with its temperature as a module parameter (fixed, not learned)."""

    def __init__(self, temperature: float = 0.1) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError("temperature must be positive")
        self.temperature = float(temperature)

    def forward(self, first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
        return nt_xent(first, second, self.temperature)
