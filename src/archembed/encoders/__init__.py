"""Architecture encoders, registered by name (see :func:`archembed.encoders.base.load_encoder`)."""

from archembed.encoders import (
    arch2vec,
    baseline,
    contrastive,
    flowformer,
    gates,
    graph_stats,
    nao,
    supervised,
    table,
    tagates,
    unified,
    zero_cost,
)
from archembed.encoders.base import ENCODERS, Encoder, load_encoder, register_encoder

__all__ = [
    "ENCODERS",
    "Encoder",
    "arch2vec",
    "baseline",
    "contrastive",
    "flowformer",
    "gates",
    "graph_stats",
    "load_encoder",
    "nao",
    "register_encoder",
    "supervised",
    "table",
    "tagates",
    "unified",
    "zero_cost",
]
