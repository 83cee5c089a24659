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

from archembed.checks import MAX_WIDTH, check_float, check_int, check_widths
from archembed.encoders.base import register_encoder
from archembed.encoders.trained import Inputs, TrainedEncoder, graph_inputs, output_rows
from archembed.graph import ArchGraph
from archembed.nn.flow import GatedFlow
from archembed.nn.mlp import mlp

GATES_MIN_STEPS = 2000
"""Default least number of optimiser steps of GATES / TA-GATES training.

200 epochs of batches of 128 give 200 steps on 78 cells (1% of the NB201 split) but 1,400 on
781 (10%); with fewer than about 2,000 steps the small-data runs stop short of convergence
(NB201 GATES at 5%: Kendall tau 0.841 with 1,000 steps, 0.870 with 2,000). Epochs are raised
until a run takes this many steps (:meth:`TrainedEncoder.epochs_for`).
"""

GATES_PAIR_RATIO = 4.0
"""Default ordered pairs per architecture in each GATES / TA-GATES training batch.

The papers' code trains each batch on at most 4n random pairs of its n architectures. On 1% of
NB201 this beats all pairs for TA-GATES on each of 9 seeds (Kendall tau 0.762 against 0.754).
"""


def default_passes(space: Any, width: int = 128) -> tuple[int, ...]:
    """One flow pass per hop of the longest input-to-output path of the space (NB201: 4)."""
    inner = getattr(space, "max_path_length", space.max_nodes - 2)
    return (width,) * (inner + 1)


class GatesForward(nn.Module):
    """Stacked gated flows from a trainable input embedding; returns all node states.

    ``self_loops`` and ``open_gate`` as in :class:`GatedFlow`; ``relu`` puts a ReLU between
    passes (not after the last).
    """

    def __init__(
        self,
        input_dim: int,
        op_dim: int,
        hidden: tuple[int, ...],
        self_loops: bool = True,
        relu: bool = False,
    ) -> None:
        super().__init__()
        self.input_embedding = nn.Parameter(torch.randn(input_dim))
        self.relu = relu
        dims = (input_dim, *hidden)
        self.passes = nn.ModuleList(
            GatedFlow(d_in, op_dim, d_out, self_loops=self_loops)
            for d_in, d_out in itertools.pairwise(dims)
        )

    def forward(
        self, op_emb: torch.Tensor, adj: torch.Tensor, open_gate: torch.Tensor | None = None
    ) -> torch.Tensor:
        batch, n_nodes, _ = op_emb.shape
        x = op_emb.new_zeros(batch, n_nodes, self.input_embedding.shape[0])
        x[:, 0] = self.input_embedding
        last = len(self.passes) - 1
        for i, flow in enumerate(self.passes):
            x = flow(x, op_emb, adj, open_gate=open_gate)
            if self.relu and i < last:
                x = torch.relu(x)
        return x


IDENTITY_OPS = ("skip_connect",)
"""Operations that pass their input unchanged: their gate is fixed open with ``open_skip``."""


def identity_mask(space: Any, ops: torch.Tensor) -> torch.Tensor:
    """(B, N) 1.0 on nodes whose operation is in :data:`IDENTITY_OPS`, from one-hot ops."""
    is_identity = torch.tensor([float(op in IDENTITY_OPS) for op in space.ops], dtype=ops.dtype)
    return ops @ is_identity


class GatesNet(nn.Module):
    """Op embedding table + :class:`GatesForward` + MLP head on the output node."""

    def __init__(
        self,
        n_ops: int,
        op_dim: int,
        input_dim: int,
        hidden: tuple[int, ...],
        n_outputs: int,
        self_loops: bool = True,
        relu: bool = False,
        head: tuple[int, ...] = (128,),
        dropout: float = 0.0,
        op_init_std: float | None = None,
    ) -> None:
        super().__init__()
        self.op_table = nn.Linear(n_ops, op_dim, bias=False)
        if op_init_std is not None:
            nn.init.normal_(self.op_table.weight, std=op_init_std)
        self.flow = GatesForward(input_dim, op_dim, hidden, self_loops=self_loops, relu=relu)
        self.head = mlp([hidden[-1], *head, n_outputs], dropout=dropout)

    def forward(
        self,
        adj: torch.Tensor,
        ops: torch.Tensor,
        out_index: torch.Tensor,
        open_gate: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        nodes = self.flow(self.op_table(ops), adj, open_gate=open_gate)
        encoding = output_rows(nodes, out_index)
        return self.head(encoding), encoding


@register_encoder("gates")
class GATES(TrainedEncoder):
    """GATES encoder and predictor; ``hidden`` are the widths of the stacked flow passes
    (default: 128 for each hop of the space's longest path); ``prune`` cuts the edges of
    vertices on no input-to-output path (behind a ``none`` op), which transmit nothing.
    ``self_loops``, ``relu`` and ``open_skip`` choose the flow (:class:`GatesForward`);
    ``head`` are the hidden widths of the scoring MLP, ``dropout`` its dropout."""

    name = "gates"

    def __init__(
        self,
        space: Any,
        *,
        op_dim: int = 48,
        input_dim: int = 48,
        hidden: tuple[int, ...] | list[int] | None = None,
        prune: bool = True,
        self_loops: bool = False,
        relu: bool = True,
        open_skip: bool = True,
        head: tuple[int, ...] | list[int] = (200,),
        dropout: float = 0.1,
        op_init_std: float | None = 1.0,
        **training: Any,
    ) -> None:
        training.setdefault("min_steps", GATES_MIN_STEPS)
        training.setdefault("pair_ratio", GATES_PAIR_RATIO)
        super().__init__(space, **training)
        self.prune = prune
        self.op_dim = check_int("op_dim", op_dim, 1, MAX_WIDTH)
        self.input_dim = check_int("input_dim", input_dim, 1, MAX_WIDTH)
        self.hidden = (
            default_passes(self.space) if hidden is None else check_widths("hidden", hidden)
        )
        self.self_loops = self_loops
        self.relu = relu
        self.open_skip = open_skip
        self.head = check_widths("head", head)
        self.dropout = check_float("dropout", dropout, 0.0, 1.0, high_open=True)
        self.op_init_std = (
            None if op_init_std is None else check_float("op_init_std", op_init_std, 0.0)
        )

    def _inputs(self, graphs: Sequence[ArchGraph]) -> Inputs:
        inputs = graph_inputs(self.space, graphs, self.prune)
        if self.open_skip:
            inputs["open_gate"] = identity_mask(self.space, inputs["ops"])
        return inputs

    def _flow_options(self) -> dict[str, Any]:
        """Flow and head options shared by the GATES and TA-GATES networks."""
        return {
            "self_loops": self.self_loops,
            "relu": self.relu,
            "head": self.head,
            "dropout": self.dropout,
            "op_init_std": self.op_init_std,
        }

    def _network(self, n_outputs: int) -> nn.Module:
        return GatesNet(
            len(self.space.ops),
            self.op_dim,
            self.input_dim,
            self.hidden,
            n_outputs,
            **self._flow_options(),
        )
