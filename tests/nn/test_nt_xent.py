"""NT-Xent: agreement with a direct computation, and the ordering it induces."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from archembed.nn.contrastive import NTXentLoss, nt_xent


def _reference(first: torch.Tensor, second: torch.Tensor, tau: float) -> float:
    """NT-Xent written out term by term, as in the SimCLR paper."""
    z = F.normalize(torch.cat([first, second]), dim=1)
    n = len(first)
    total = 0.0
    for i in range(2 * n):
        j = (i + n) % (2 * n)
        sims = [(z[i] @ z[k]).item() / tau for k in range(2 * n) if k != i]
        total += -(z[i] @ z[j]).item() / tau + math.log(sum(math.exp(s) for s in sims))
    return total / (2 * n)


def test_matches_the_term_by_term_definition() -> None:
    torch.manual_seed(0)
    first, second = torch.randn(5, 3), torch.randn(5, 3)
    assert nt_xent(first, second, 0.5).item() == pytest.approx(
        _reference(first, second, 0.5), rel=1e-5
    )
    assert NTXentLoss(0.1)(first, second).item() == pytest.approx(
        _reference(first, second, 0.1), rel=1e-5
    )


def test_aligned_views_score_lower_than_mismatched_ones() -> None:
    views = torch.eye(4)
    aligned = nt_xent(views, views.clone(), 0.1).item()
    swapped = nt_xent(views, views.roll(1, dims=0), 0.1).item()
    assert aligned < 0.01 < swapped
    assert aligned == pytest.approx(math.log(1 + 6 * math.exp(-10)), rel=1e-3)


def test_rejects_bad_inputs() -> None:
    with pytest.raises(ValueError, match="one shape"):
        nt_xent(torch.randn(3, 2), torch.randn(4, 2))
    with pytest.raises(ValueError, match="positive"):
        NTXentLoss(0.0)
