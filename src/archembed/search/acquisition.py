"""Acquisition functions on predictive means and standard deviations (maximisation)."""

from __future__ import annotations

import numpy as np
from scipy import special

_SQRT_HALF_PI = np.sqrt(np.pi / 2.0)
_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)
_ABOVE_MINUS_ONE = np.nextafter(-1.0, 0.0)


def log_expected_improvement(mean: np.ndarray, std: np.ndarray, best: float) -> np.ndarray:
    """log EI(x) = log(sigma * h(u)), u = (mu - best) / sigma, h(u) = u Phi(u) + phi(u).

    Stable far below the incumbent (where EI underflows to 0 and plain EI cannot rank
    candidates): for u < 0, h(u) = phi(u) * (1 + u * sqrt(pi/2) * erfcx(-u / sqrt(2))), and
    h(u) ~ phi(u) / u^2 where that factor rounds to 0 (u below about -1e8).
    """
    mean = np.asarray(mean, dtype=np.float64)
    sigma = np.maximum(np.asarray(std, dtype=np.float64), 1e-12)
    u = (mean - best) / sigma
    log_phi = -0.5 * u**2 - _LOG_SQRT_2PI
    out = np.empty_like(u)
    positive = u >= 0
    up = u[positive]
    out[positive] = np.log(up * special.ndtr(up) + np.exp(log_phi[positive]))
    un = u[~positive]
    ratio = un * _SQRT_HALF_PI * special.erfcx(-un / np.sqrt(2.0))
    log_factor = np.where(
        ratio > -1.0, np.log1p(np.maximum(ratio, _ABOVE_MINUS_ONE)), -2.0 * np.log(-un)
    )
    out[~positive] = log_phi[~positive] + log_factor
    return out + np.log(sigma)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest scores, best first (ties broken by position)."""
    k = min(int(k), len(scores))
    if k <= 0:
        return np.zeros(0, dtype=int)
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]
