"""Architecture encoders, registered by name (see :func:`archembed.encoders.base.load_encoder`)."""

from archembed.encoders import arch2vec, baseline, nao
from archembed.encoders.base import ENCODERS, Encoder, load_encoder, register_encoder

__all__ = [
    "ENCODERS",
    "Encoder",
    "arch2vec",
    "baseline",
    "load_encoder",
    "nao",
    "register_encoder",
]
