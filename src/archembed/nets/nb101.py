"""NAS-Bench-101 networks with the paper's channel handling.

Stem 3x3 Conv-BN-ReLU (128 channels), 3 stacks of ``modules`` cells with 2x2 max-pool
downsampling and channel doubling between stacks, global average pooling, linear classifier.
Inside a cell: the output vertex concatenates its inner predecessors, whose channels split
the cell's output channels (the first ``C % k`` get one more); other vertices take the largest
width among their successors; a vertex's inputs from inner vertices are truncated to its width
and the cell input reaches each successor through a 1x1 Conv-BN-ReLU projection; a direct
input->output edge adds a projection of the input to the concatenation.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from archembed.graph import ArchGraph
from archembed.nets.ops import conv_bn, tag


def vertex_channels(adj: np.ndarray, c_in: int, c_out: int) -> list[int]:
    """Channels of every vertex of a cell (input ``c_in``, output ``c_out``)."""
    n = len(adj)
    channels = [0] * n
    channels[0], channels[-1] = c_in, c_out
    if n == 2:
        return channels
    concat = [v for v in range(1, n - 1) if adj[v, n - 1]]
    base, extra = divmod(c_out, len(concat))
    for rank, v in enumerate(concat):
        channels[v] = base + (1 if rank < extra else 0)
    for v in range(n - 2, 0, -1):
        if not adj[v, n - 1]:
            channels[v] = max(channels[d] for d in range(v + 1, n - 1) if adj[v, d])
    return channels


def vertex_op(name: str, c_in: int, c_out: int) -> nn.Module:
    """An inner-vertex op: Conv-BN-ReLU at 3x3/1x1, or 3x3 max-pool (keeps ``c_in``)."""
    if name == "conv3x3-bn-relu":
        return conv_bn(c_in, c_out, 3, relu_first=False)
    if name == "conv1x1-bn-relu":
        return conv_bn(c_in, c_out, 1, relu_first=False)
    if name == "maxpool3x3":
        return nn.MaxPool2d(3, stride=1, padding=1)
    raise ValueError(f"unknown NB101 op {name!r}")


class NB101Cell(nn.Module):
    """One NB101 module; vertex ``v``'s op is tagged as ArchGraph node ``v``."""

    def __init__(self, graph: ArchGraph, c_in: int, c_out: int) -> None:
        super().__init__()
        self.adj = graph.adj
        n = graph.n_nodes
        self.channels = vertex_channels(graph.adj, c_in, c_out)
        self.ops = nn.ModuleDict()
        self.projections = nn.ModuleDict()
        for v in range(1, n - 1):
            self.ops[str(v)] = tag(vertex_op(graph.ops[v], self.channels[v], self.channels[v]), v)
        for v in range(1, n):
            if graph.adj[0, v]:
                width = c_out if v == n - 1 else self.channels[v]
                self.projections[str(v)] = conv_bn(c_in, width, 1, relu_first=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n = len(self.adj)
        values = [x]
        for v in range(1, n - 1):
            width = self.channels[v]
            parts = [values[u][:, :width] for u in range(1, v) if self.adj[u, v]]
            if self.adj[0, v]:
                parts.append(self.projections[str(v)](x))
            values.append(self.ops[str(v)](sum(parts)))
        concat = [values[u] for u in range(1, n - 1) if self.adj[u, n - 1]]
        out = torch.cat(concat, dim=1) if concat else None
        if self.adj[0, n - 1]:
            projected = self.projections[str(n - 1)](x)
            out = projected if out is None else out + projected
        return out


class NB101Network(nn.Module):
    """The NB101 network of a cell: ``channels`` stem width (128), ``modules`` per stack (3)."""

    def __init__(
        self, graph: ArchGraph, channels: int = 128, modules: int = 3, num_classes: int = 10
    ) -> None:
        super().__init__()
        self.stem = conv_bn(3, channels, 3, relu_first=False)
        layers: list[nn.Module] = []
        c = channels
        for stack in range(3):
            if stack:
                layers.append(nn.MaxPool2d(2, 2))
                c_next = 2 * c
            else:
                c_next = c
            for _ in range(modules):
                layers.append(NB101Cell(graph, c, c_next))
                c = c_next
        self.cells = nn.Sequential(*layers)
        self.classifier = nn.Linear(c, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # a spatial mean, not a pooling module, as in the reference implementations: module-level
        # FLOP counters (and the published flops column) do not see it
        return self.classifier(self.cells(self.stem(x)).mean(dim=(2, 3)))
