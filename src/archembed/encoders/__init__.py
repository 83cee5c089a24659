"""Architecture encoders, registered by name (see :func:`archembed.encoders.base.load_encoder`)."""

from archembed.encoders import baseline, contrastive
from archembed.encoders.base import ENCODERS, Encoder, load_encoder, register_encoder

__all__ = ["ENCODERS", "Encoder", "baseline", "contrastive", "load_encoder", "register_encoder"]
