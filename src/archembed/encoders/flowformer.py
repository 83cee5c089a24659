"""FlowerFormer (Hwang et al., CVPR 2024): a flow-aware graph transformer predictor.

Each node of a cell's ArchGraph starts from its operation and a sinusoidal encoding of its
depth; stacked :class:`~archembed.nn.flow_attention.FlowFormerLayer` s mix asynchronous
forward/backward message passing along the DAG with attention restricted to nodes that share
a path; the mean over real nodes is the encoding, scored by an MLP head and trained with a
ranking loss. It works on any space whose architectures are ArchGraphs (operations on nodes;
op-on-edge cells such as NB201 through their line graphs).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from archembed.checks import MAX_WIDTH, check_choice, check_float, check_int, check_widths
from archembed.encoders.base import register_encoder
from archembed.encoders.trained import Inputs, TrainedEncoder, graph_inputs
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.nn.flow_attention import (
    NORMS,
    FlowFormerLayer,
    depth_encoding,
    longest_paths,
    reachability,
)
from archembed.nn.mlp import mlp

MAX_LAYERS = 32
FLOWFORMER_EPOCHS = 100
FLOWFORMER_MIN_STEPS = 2000
"""Default training length: 100 epochs, raised to at least 2,000 optimiser steps.

On 1 % of NB201 (78 cells, one batch per epoch) 2,000 steps reach Kendall tau 0.727 on the
validation cells (mean of 3 splits) against 0.718 with 200; at 10 % (781 cells) the 2,000
steps took 213 s of CPU on one thread.
"""


def flow_inputs(space: Any, graphs: Sequence[ArchGraph], prune: bool) -> Inputs:
    """Dense tensors of ``graphs``: adjacency, one-hot ops, real-node mask, each node's depth
    and height (generations of the forward and backward flow) and the path mask."""
    base = graph_inputs(space, graphs, prune)
    adj, ops = base["adj"], base["ops"]
    return {
        "adj": adj,
        "ops": ops,
        "real": ops.sum(-1),
        "depth": longest_paths(adj).long(),
        "height": longest_paths(adj.transpose(1, 2)).long(),
        "paths": reachability(adj),
    }


class FlowFormerNet(nn.Module):
    """Op and depth embedding, flow-aware transformer layers, mean pooling, MLP head."""

    def __init__(
        self,
        n_ops: int,
        max_nodes: int,
        dim: int,
        layers: int,
        heads: int,
        dropout: float,
        attn_dropout: float,
        norm: str,
        head: tuple[int, ...],
        n_outputs: int,
    ) -> None:
        super().__init__()
        self.embed = nn.Linear(n_ops, dim)
        self.register_buffer("positions", depth_encoding(max_nodes, dim), persistent=False)
        self.layers = nn.ModuleList(
            FlowFormerLayer(dim, heads, dropout, attn_dropout, norm) for _ in range(layers)
        )
        self.head = mlp([dim, *head, n_outputs])

    def forward(self, **graph: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        real = graph["real"]
        x = (self.embed(graph["ops"]) + self.positions[graph["depth"]]) * real.unsqueeze(-1)
        for layer in self.layers:
            x = layer(x, graph)
        encoding = x.sum(1) / real.sum(1, keepdim=True)
        return self.head(encoding), encoding


@register_encoder("flowformer")
class FlowFormer(TrainedEncoder):
    """FlowerFormer encoder and predictor: ``dim`` wide, ``layers`` deep, ``heads`` attention
    heads; ``dropout`` on the layers' outputs, ``attn_dropout`` on the attention weights;
    ``norm`` one of :data:`~archembed.nn.flow_attention.NORMS`; ``head`` the hidden widths of
    the scoring MLP; ``prune`` cuts the edges of vertices on no input-to-output path. Training
    options are :class:`TrainedEncoder`'s (ranking hinge loss by default), trained for
    :data:`FLOWFORMER_EPOCHS` epochs and at least :data:`FLOWFORMER_MIN_STEPS` steps."""

    name = "flowformer"

    def __init__(
        self,
        space: Any,
        *,
        dim: int = 64,
        layers: int = 3,
        heads: int = 8,
        dropout: float = 0.0,
        attn_dropout: float = 0.5,
        norm: str = "batch",
        head: tuple[int, ...] | list[int] = (),
        prune: bool = True,
        **training: Any,
    ) -> None:
        training.setdefault("epochs", FLOWFORMER_EPOCHS)
        training.setdefault("min_steps", FLOWFORMER_MIN_STEPS)
        super().__init__(space, **training)
        self.dim = check_int("dim", dim, 1, MAX_WIDTH)
        self.layers = check_int("layers", layers, 1, MAX_LAYERS)
        self.heads = check_int("heads", heads, 1, self.dim)
        if self.dim % self.heads:
            raise ConfigError(f"dim {dim} must be a multiple of heads {heads}")
        self.dropout = check_float("dropout", dropout, 0.0, 1.0, high_open=True)
        self.attn_dropout = check_float("attn_dropout", attn_dropout, 0.0, 1.0, high_open=True)
        self.norm = check_choice("norm", norm, NORMS)
        empty = isinstance(head, list | tuple) and not head
        self.head = () if empty else check_widths("head", head)
        self.prune = prune

    def _inputs(self, graphs: Sequence[ArchGraph]) -> Inputs:
        return flow_inputs(self.space, graphs, self.prune)

    def _network(self, n_outputs: int) -> nn.Module:
        return FlowFormerNet(
            len(self.space.ops),
            self.space.max_nodes,
            self.dim,
            self.layers,
            self.heads,
            self.dropout,
            self.attn_dropout,
            self.norm,
            self.head,
            n_outputs,
        )
