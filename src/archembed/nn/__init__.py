"""Reusable torch blocks: MLP, dense GIN, DeepSets, losses."""

from archembed.nn.mlp import mlp

__all__ = ["mlp"]
