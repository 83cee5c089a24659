"""Architecture encoders, registered by name (see :func:`archembed.encoders.base.load_encoder`)."""

from archembed.encoders import arch2vec, baseline, contrastive, gates, nao, supervised, tagates
from archembed.encoders.base import ENCODERS, Encoder, load_encoder, register_encoder

__all__ = [
    "ENCODERS",
    "Encoder",
    "arch2vec",
    "baseline",
    "contrastive",
    "gates",
    "load_encoder",
    "nao",
    "register_encoder",
    "supervised",
    "tagates",
]
