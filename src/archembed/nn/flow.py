"""Gated information flow along a DAG (GATES' message passing), batched as dense tensors.

One pass moves information one hop: node ``j`` keeps a linear map of its own state and adds
the sum of its predecessors' transformed states, gated elementwise by
``sigmoid(W_g @ op_embedding_j)`` (the operation decides what passes). Stacking as many passes
as the longest path has hops carries the input's information to the output along every path.
``reverse=True`` runs the pass over the transposed DAG (successors instead of predecessors).
"""

from __future__ import annotations

import torch
from torch import nn


class GatedFlow(nn.Module):
    """``h_j = W_s x_j + sigmoid(W_g e_j) * sum_{i -> j} W_m x_i``.

    ``x`` (B, N, in_dim) node states, ``op_emb`` (B, N, op_dim) operation embeddings,
    ``adj`` (B, N, N) with ``adj[b, i, j] = 1`` for an edge i -> j. With
    ``self_loops=False`` (GATES' own flow) only source nodes, which have no predecessors
    (the input; the output in reverse), keep a map of their state, ``W_m x_j``: every other
    node is just the gated sum of what reaches it. ``open_gate`` (B, N), 1 on nodes whose
    operation is the identity (skip connections), fixes their gate at 1: they pass the
    information unchanged.
    """

    def __init__(self, in_dim: int, op_dim: int, out_dim: int, self_loops: bool = True) -> None:
        super().__init__()
        self.self_loops = self_loops
        self.self_map = nn.Linear(in_dim, out_dim) if self_loops else None
        self.message = nn.Linear(in_dim, out_dim, bias=False)
        self.gate = nn.Linear(op_dim, out_dim)

    def forward(
        self,
        x: torch.Tensor,
        op_emb: torch.Tensor,
        adj: torch.Tensor,
        reverse: bool = False,
        open_gate: torch.Tensor | None = None,
    ) -> torch.Tensor:
        routing = adj if reverse else adj.transpose(1, 2)  # routing[b, j, i]: i sends to j
        sent = self.message(x)
        gate = torch.sigmoid(self.gate(op_emb))
        if open_gate is not None:
            is_open = open_gate.unsqueeze(-1)
            gate = is_open + (1.0 - is_open) * gate
        incoming = gate * torch.bmm(routing, sent)
        if self.self_map is not None:
            return self.self_map(x) + incoming
        source = (routing.sum(-1, keepdim=True) == 0).to(x.dtype)
        return source * sent + incoming
