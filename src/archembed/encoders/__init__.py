"""Architecture encoders, registered by name (see :func:`archembed.encoders.base.load_encoder`)."""

from archembed.encoders import baseline, nao
from archembed.encoders.base import ENCODERS, Encoder, load_encoder, register_encoder

__all__ = ["ENCODERS", "Encoder", "baseline", "load_encoder", "nao", "register_encoder"]
