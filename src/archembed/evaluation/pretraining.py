"""Pretraining quality (arch2vec Table 1): reconstruction, validity and uniqueness of samples."""

from __future__ import annotations

from typing import Any

import numpy as np

from archembed.encoders.decoding import graphs_from_codes, validity_uniqueness, well_formed_ops
from archembed.errors import ConfigError

PRIOR_LABELS = {
    "train": "per-dimension Gaussian fitted to the training latents (official arch2vec sampling)",
    "standard": "standard normal N(0, I)",
}


def sample_quality(
    encoder: Any, n: int = 10_000, prior: str = "train", seed: int = 0
) -> dict[str, Any]:
    """Decode ``n`` latent samples of ``prior``; strict and op-only validity, uniqueness.

    ``validity`` counts decoded graphs that are architectures of the space; ``op_validity``
    only asks for a well-formed op sequence, which is what the official code checks on
    NAS-Bench-201 (adjacency ignored). Uniqueness is among the valid ones, by identity.
    """
    z = encoder.sample_latents(n, np.random.default_rng(seed), prior=prior)
    codes, adjacency = encoder.decode_codes(z)
    decoded = graphs_from_codes(encoder.space, codes, adjacency)
    quality = validity_uniqueness(encoder.space, decoded)
    well_formed = well_formed_ops(encoder.space, codes)
    op_rows = {codes[i].tobytes() for i in np.flatnonzero(well_formed)}
    return {
        "prior": prior,
        "prior_description": PRIOR_LABELS[prior],
        **quality,
        "op_validity": float(well_formed.mean()),
        "op_uniqueness": len(op_rows) / max(int(well_formed.sum()), 1),
    }


def pretraining_quality(encoder: Any, n_samples: int = 10_000, seed: int = 0) -> dict[str, Any]:
    """Held-out reconstruction accuracy and sample quality under both priors."""
    if not hasattr(encoder, "decode_codes"):
        raise ConfigError(f"encoder {encoder.name!r} has no decoder: no pretraining quality")
    return {
        "reconstruction_accuracy": encoder.reconstruction_accuracy(),
        "samples": [sample_quality(encoder, n_samples, prior, seed) for prior in PRIOR_LABELS],
    }
