"""Pretraining quality (arch2vec Table 1): reconstruction, validity and uniqueness of samples."""

from __future__ import annotations

from typing import Any

import numpy as np

from archembed.encoders.base import GraphDecoder
from archembed.encoders.decoding import (
    graphs_from_codes,
    paper_quality,
    validity_uniqueness,
    well_formed_ops,
)
from archembed.errors import ConfigError

PRIOR_LABELS = {
    "train": "per-dimension Gaussian fitted to the training latents (official arch2vec sampling)",
    "standard": "standard normal N(0, I)",
}


def sample_quality(
    encoder: Any, n: int = 10_000, prior: str = "train", seed: int = 0
) -> dict[str, Any]:
    """Decode ``n`` latent samples of ``prior``; strict, op-only and paper validity, uniqueness.

    ``validity`` counts decoded graphs that are architectures of the space (uniqueness among
    them by identity). ``op_validity`` only asks for a well-formed op sequence (input, inner
    ops, output), adjacency ignored. ``paper_validity`` is the definition the arch2vec paper's
    Table 1 was computed with (:func:`~archembed.encoders.decoding.paper_valid`: on
    NAS-Bench-201 an op check that skips vertex 1, on NAS-Bench-101 ModelSpec's prune-then-check,
    elsewhere the strict one), and ``paper_uniqueness`` counts, as the official code, distinct
    decoded graphs among the paper-valid samples, hashed as decoded before pruning
    (:func:`~archembed.encoders.decoding.decoded_fingerprints`); both read the samples as the
    official code decodes them (``encoder.paper_decode_codes``).
    """
    z = encoder.sample_latents(n, np.random.default_rng(seed), prior=prior)
    codes, adjacency = encoder.decode_codes(z)
    decoded = graphs_from_codes(encoder.space, codes, adjacency)
    quality = validity_uniqueness(encoder.space, decoded)
    well_formed = well_formed_ops(encoder.space, codes)
    op_rows = {codes[i].tobytes() for i in np.flatnonzero(well_formed)}
    strict = np.array([graph is not None for graph in decoded], dtype=bool)
    paper = paper_quality(encoder.space, *encoder.paper_decode_codes(z), strict)
    return {
        "prior": prior,
        "prior_description": PRIOR_LABELS[prior],
        **quality,
        "op_validity": float(well_formed.mean()),
        "op_uniqueness": len(op_rows) / max(int(well_formed.sum()), 1),
        "paper_validity": paper["validity"],
        "paper_uniqueness": paper["uniqueness"],
    }


def pretraining_quality(encoder: Any, n_samples: int = 10_000, seed: int = 0) -> dict[str, Any]:
    """Held-out reconstruction (exact graphs, and element-wise ops / adjacency) and sample
    quality under both priors."""
    if not isinstance(encoder, GraphDecoder):
        raise ConfigError(f"encoder {encoder.name!r} has no decoder: no pretraining quality")
    scores = encoder.reconstruction_scores()
    return {
        "reconstruction_accuracy": scores["graphs"],
        "reconstruction_elementwise": {"ops": scores["ops"], "adjacency": scores["adjacency"]},
        "samples": [sample_quality(encoder, n_samples, prior, seed) for prior in PRIOR_LABELS],
    }
