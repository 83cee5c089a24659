"""Flow-aware graph transformer layers (FlowerFormer, Hwang et al., CVPR 2024), on dense DAGs.

A layer combines two views of a cell. The flow encoder passes messages asynchronously along
the DAG: nodes are updated one topological generation at a time, so each node reads the
already updated states of its predecessors (forward), then of its successors in reverse
order (backward); a node aggregates its neighbours with attention and folds the message in
with a GRU. The flow-aware global attention lets each node attend only to the nodes it
shares a path with (its ancestors, its descendants and itself). Both outputs are added to
the layer's input, normalised, summed and passed through a feed-forward block.

Graphs are batched densely: ``adj`` (B, N, N) with ``adj[b, i, j] = 1`` for an edge i -> j,
``real`` (B, N) 1 on the nodes of each graph (0 on padding), ``depth`` (B, N) the longest path
from a source to each node and ``height`` (B, N) the longest path from it to a sink.
"""

from __future__ import annotations

import math

import torch
from torch import nn

NORMS = ("batch", "layer")
"""Node normalisations: batch norm over the real nodes of a batch (the paper's), or layer norm."""


def longest_paths(adj: torch.Tensor) -> torch.Tensor:
    """(B, N) length of the longest path reaching each node (0 on sources) of DAGs ``adj``."""
    depth = adj.new_zeros(adj.shape[:2])
    for _ in range(adj.shape[1] - 1):
        reached = (depth.unsqueeze(2) + 1) * adj  # (B, i, j): i's depth + 1 along edge i -> j
        depth = torch.maximum(depth, reached.amax(dim=1))
    return depth


def reachability(adj: torch.Tensor) -> torch.Tensor:
    """(B, N, N) bool: a path (of length >= 0) joins i and j, in either direction."""
    eye = torch.eye(adj.shape[1], dtype=adj.dtype).expand_as(adj)
    closure = ((adj + eye) > 0).to(adj.dtype)
    for _ in range(max(1, math.ceil(math.log2(adj.shape[1])))):
        closure = (torch.bmm(closure, closure) > 0).to(adj.dtype)
    return (closure + closure.transpose(1, 2)) > 0


def depth_encoding(n_depths: int, dim: int) -> torch.Tensor:
    """(n_depths, dim) sinusoidal encodings of depths 0, 1, ... (the paper's DAG positions)."""
    rates = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
    angles = torch.arange(n_depths, dtype=torch.float32).unsqueeze(-1) * rates
    encoding = torch.zeros(n_depths, dim)
    encoding[..., 0::2] = torch.sin(angles)
    encoding[..., 1::2] = torch.cos(angles[..., : dim // 2])
    return encoding


class NodeNorm(nn.Module):
    """Batch norm over the real nodes of a batch, or layer norm per node; padding stays 0."""

    def __init__(self, dim: int, kind: str) -> None:
        super().__init__()
        self.norm = nn.BatchNorm1d(dim) if kind == "batch" else nn.LayerNorm(dim)

    def forward(self, x: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
        out = torch.zeros_like(x)
        mask = real > 0
        out[mask] = self.norm(x[mask])
        return out


class FlowStep(nn.Module):
    """One direction of the flow encoder: generation-by-generation attention and GRU update."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.query = nn.Linear(dim, 1)
        self.key = nn.Linear(dim, 1, bias=False)
        self.gru = nn.GRUCell(dim, dim)

    def forward(
        self, x: torch.Tensor, routing: torch.Tensor, order: torch.Tensor, real: torch.Tensor
    ) -> torch.Tensor:
        """``routing[b, j, i] = 1`` where j reads i; ``order`` the generation of each node."""
        dim = x.shape[-1]
        flat = x.reshape(-1, dim)
        sources = ((order == 0) & (real > 0)).unsqueeze(-1)
        out = self.gru(flat, torch.zeros_like(flat)).view_as(x) * sources
        has_inputs = routing.sum(-1, keepdim=True) > 0
        query = self.query(x)  # (B, N, 1): each node's own state asks
        for generation in range(1, int(order.max()) + 1):
            scores = query + self.key(out).transpose(1, 2)  # (B, j, i)
            scores = scores.masked_fill(routing == 0, float("-inf"))
            weights = torch.softmax(scores, dim=-1).nan_to_num(0.0) * has_inputs
            message = torch.bmm(weights, out)
            updated = self.gru(flat, message.reshape(-1, dim)).view_as(x)
            now = ((order == generation) & (real > 0)).unsqueeze(-1)
            out = torch.where(now, updated, out)
        return out


class FlowEncoder(nn.Module):
    """Asynchronous forward then backward message passing over the DAG (the paper's "fnb")."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.forward_step = FlowStep(dim)
        self.backward_step = FlowStep(dim)

    def forward(self, x: torch.Tensor, graph: dict[str, torch.Tensor]) -> torch.Tensor:
        adj, real = graph["adj"], graph["real"]
        forward = self.forward_step(x, adj.transpose(1, 2), graph["depth"], real)
        backward = self.backward_step(forward, adj, graph["height"], real)
        return torch.relu(backward)


class FlowAttention(nn.Module):
    """Multi-head self-attention where a node attends only to the nodes on a path with it."""

    def __init__(self, dim: int, heads: int, dropout: float) -> None:
        super().__init__()
        self.attention = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)

    def forward(self, x: torch.Tensor, graph: dict[str, torch.Tensor]) -> torch.Tensor:
        blocked = ~graph["paths"]
        heads = self.attention.num_heads
        mask = blocked.repeat_interleave(heads, dim=0)
        return self.attention(x, x, x, attn_mask=mask, need_weights=False)[0]


class FlowFormerLayer(nn.Module):
    """Flow encoder and flow-aware attention side by side, then a feed-forward block."""

    def __init__(self, dim: int, heads: int, dropout: float, attn_dropout: float, norm: str):
        super().__init__()
        self.flow = FlowEncoder(dim)
        self.attention = FlowAttention(dim, heads, attn_dropout)
        self.dropout = nn.Dropout(dropout)
        self.feed_forward = nn.Sequential(
            nn.Linear(dim, 2 * dim), nn.ReLU(), nn.Dropout(dropout), nn.Linear(2 * dim, dim)
        )
        self.norm_flow = NodeNorm(dim, norm)
        self.norm_attention = NodeNorm(dim, norm)
        self.norm_out = NodeNorm(dim, norm)

    def forward(self, x: torch.Tensor, graph: dict[str, torch.Tensor]) -> torch.Tensor:
        real = graph["real"]
        local = self.norm_flow(x + self.dropout(self.flow(x, graph)), real)
        glob = self.norm_attention(x + self.dropout(self.attention(x, graph)), real)
        h = local + glob
        return self.norm_out(h + self.dropout(self.feed_forward(h)), real)
