"""GATES (Ning et al., ECCV 2020): the encoding is the information that reaches the output.

A trainable input embedding flows along the DAG; at every node the operation's embedding
gates what passes (:class:`archembed.nn.flow.GatedFlow`); one pass per hop of the longest
possible path is stacked, and the output node's vector is the encoding, scored by an MLP
head. Op-on-edge spaces (NB201, DARTS) are handled through their ArchGraphs, where each edge
operation is a node: summing the messages of the edges entering a cell node and passing them
through the next edge's gate is exactly GATES' op-on-edge flow on the line graph.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from archembed.encoders.base import register_encoder
from archembed.encoders.trained import Inputs, TrainedEncoder, graph_inputs, output_rows
from archembed.graph import ArchGraph
from archembed.nn.flow import GatedFlow
from archembed.nn.mlp import mlp


def default_passes(space: Any, width: int = 128) -> tuple[int, ...]:
    """One flow pass per hop of the longest input-to-output path of the space (NB201: 4)."""
    inner = getattr(space, "max_path_length", space.max_nodes - 2)
    return (width,) * (inner + 1)


class GatesForward(nn.Module):
    """Stacked gated flows from a trainable input embedding; returns all node states."""

    def __init__(self, input_dim: int, op_dim: int, hidden: tuple[int, ...]) -> None:
        super().__init__()
        self.input_embedding = nn.Parameter(torch.randn(input_dim))
        dims = (input_dim, *hidden)
        self.passes = nn.ModuleList(
            GatedFlow(d_in, op_dim, d_out) for d_in, d_out in itertools.pairwise(dims)
        )

    def forward(self, op_emb: torch.Tensor, adj: torch.Tensor) -> torch.Tensor:
        batch, n_nodes, _ = op_emb.shape
        x = op_emb.new_zeros(batch, n_nodes, self.input_embedding.shape[0])
        x[:, 0] = self.input_embedding
        for flow in self.passes:
            x = flow(x, op_emb, adj)
        return x


class GatesNet(nn.Module):
    """Op embedding table + :class:`GatesForward` + MLP head on the output node."""

    def __init__(
        self, n_ops: int, op_dim: int, input_dim: int, hidden: tuple[int, ...], n_outputs: int
    ) -> None:
        super().__init__()
        self.op_table = nn.Linear(n_ops, op_dim, bias=False)
        self.flow = GatesForward(input_dim, op_dim, hidden)
        self.head = mlp([hidden[-1], 128, n_outputs])

    def forward(
        self, adj: torch.Tensor, ops: torch.Tensor, out_index: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        encoding = output_rows(self.flow(self.op_table(ops), adj), out_index)
        return self.head(encoding), encoding


@register_encoder("gates")
class GATES(TrainedEncoder):
    """GATES encoder and predictor; ``hidden`` are the widths of the stacked flow passes
    (default: 128 for each hop of the space's longest path); ``prune`` cuts the edges of
    vertices on no input-to-output path (behind a ``none`` op), which transmit nothing."""

    name = "gates"

    def __init__(
        self,
        space: Any,
        *,
        op_dim: int = 48,
        input_dim: int = 48,
        hidden: tuple[int, ...] | list[int] | None = None,
        prune: bool = True,
        **training: Any,
    ) -> None:
        super().__init__(space, **training)
        self.prune = prune
        self.op_dim = op_dim
        self.input_dim = input_dim
        self.hidden = (
            default_passes(self.space) if hidden is None else tuple(int(h) for h in hidden)
        )

    def _inputs(self, graphs: Sequence[ArchGraph]) -> Inputs:
        return graph_inputs(self.space, graphs, self.prune)

    def _network(self, n_outputs: int) -> nn.Module:
        return GatesNet(len(self.space.ops), self.op_dim, self.input_dim, self.hidden, n_outputs)
