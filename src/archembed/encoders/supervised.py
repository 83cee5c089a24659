"""Supervised baselines trained like GATES: MLPs on one-hot and path encodings, LSTM, GCN.

The MLPs reuse the hand-crafted encodings of :mod:`archembed.encoders.baseline`; the LSTM
reads one token per node (its one-hot op and its incoming-edge column of the adjacency
matrix) in topological order; the GCN (:mod:`archembed.nn.gcn`) convolves one-hot ops over
the symmetrised DAG. The encoding is the last hidden layer (MLP), the hidden state at the
output node (LSTM) or the mean over real nodes (GCN).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from archembed.checks import MAX_WIDTH, check_int, check_widths
from archembed.encoders.base import register_encoder
from archembed.encoders.baseline import OneHotEncoder, PathEncoder
from archembed.encoders.trained import Inputs, TrainedEncoder, output_rows
from archembed.graph import ArchGraph
from archembed.nn.gcn import GCNEncoder
from archembed.nn.mlp import mlp


class FeatureMLP(nn.Module):
    """MLP body (ReLU after every layer) and a linear head on fixed-size features."""

    def __init__(self, in_dim: int, hidden: tuple[int, ...], n_outputs: int) -> None:
        super().__init__()
        self.body = mlp([in_dim, *hidden], final_activation=True)
        self.head = nn.Linear(hidden[-1], n_outputs)

    def forward(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        encoding = self.body(features)
        return self.head(encoding), encoding


class FeatureMLPEncoder(TrainedEncoder):
    """An MLP trained on the vectors of a hand-crafted encoder (set by subclasses)."""

    features_: OneHotEncoder | PathEncoder

    def __init__(
        self, space: Any, *, hidden: tuple[int, ...] | list[int] = (256, 256), **training: Any
    ) -> None:
        super().__init__(space, **training)
        self.hidden = check_widths("hidden", hidden)

    def _prepare(self, graphs: Sequence[ArchGraph]) -> None:
        self.features_.fit(graphs)
        self.width_ = int(self.features_.transform(graphs[:1]).shape[1])

    def _inputs(self, graphs: Sequence[ArchGraph]) -> Inputs:
        return {"features": torch.as_tensor(self.features_.transform(graphs))}

    def _network(self, n_outputs: int) -> nn.Module:
        return FeatureMLP(self.width_, self.hidden, n_outputs)

    def _extra_state(self) -> dict[str, Any]:
        vocabulary = getattr(self.features_, "vocabulary_", {})
        return {"width": self.width_, "vocabulary": [list(p) for p in vocabulary]}

    def _load_extra_state(self, state: dict[str, Any]) -> None:
        self.width_ = int(state["width"])
        if isinstance(self.features_, PathEncoder) and not self.features_.exhaustive_:
            self.features_.vocabulary_ = {tuple(p): i for i, p in enumerate(state["vocabulary"])}


@register_encoder("mlp")
class OneHotMLP(FeatureMLPEncoder):
    """MLP on the upper-triangular adjacency and one-hot ops (``onehot`` encoding)."""

    name = "mlp"

    def __init__(self, space: Any, **params: Any) -> None:
        super().__init__(space, **params)
        self.features_ = OneHotEncoder(self.space)


@register_encoder("mlp-path")
class PathMLP(FeatureMLPEncoder):
    """MLP on the path encoding (which input-to-output op sequences a cell contains)."""

    name = "mlp-path"

    def __init__(self, space: Any, **params: Any) -> None:
        super().__init__(space, **params)
        self.features_ = PathEncoder(self.space)


class SequenceLSTM(nn.Module):
    """LSTM over node tokens; the hidden state at the output node is the encoding."""

    def __init__(self, token_dim: int, hidden: int, layers: int, n_outputs: int) -> None:
        super().__init__()
        self.lstm = nn.LSTM(token_dim, hidden, num_layers=layers, batch_first=True)
        self.head = mlp([hidden, 128, n_outputs])

    def forward(
        self, adj: torch.Tensor, ops: torch.Tensor, out_index: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        tokens = torch.cat([ops, adj.transpose(1, 2)], dim=-1)
        states, _ = self.lstm(tokens)
        encoding = output_rows(states, out_index)
        return self.head(encoding), encoding


@register_encoder("lstm")
class LSTMEncoder(TrainedEncoder):
    """LSTM on the op/edge sequence: node ``j``'s token is its op and its predecessors."""

    name = "lstm"

    def __init__(self, space: Any, *, hidden: int = 128, layers: int = 1, **training: Any) -> None:
        super().__init__(space, **training)
        self.hidden = check_int("hidden", hidden, 1, MAX_WIDTH)
        self.layers = check_int("layers", layers, 1, 16)

    def _network(self, n_outputs: int) -> nn.Module:
        token_dim = len(self.space.ops) + self.space.max_nodes
        return SequenceLSTM(token_dim, self.hidden, self.layers, n_outputs)


class GraphConvNet(nn.Module):
    """GCN over the symmetrised DAG, mean-pooled over real nodes, MLP head."""

    def __init__(self, n_ops: int, hidden: tuple[int, ...], n_outputs: int) -> None:
        super().__init__()
        self.gcn = GCNEncoder(n_ops, hidden)
        self.head = mlp([hidden[-1], 128, n_outputs])

    def forward(
        self, adj: torch.Tensor, ops: torch.Tensor, out_index: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        real = ops.sum(-1)
        nodes = self.gcn(adj + adj.transpose(1, 2), ops, real)
        encoding = nodes.sum(1) / real.sum(1, keepdim=True)
        return self.head(encoding), encoding


@register_encoder("gcn")
class GCNPredictor(TrainedEncoder):
    """GCN baseline: ``hidden`` are the widths of the graph convolutions."""

    name = "gcn"

    def __init__(
        self, space: Any, *, hidden: tuple[int, ...] | list[int] = (128,) * 4, **training: Any
    ) -> None:
        super().__init__(space, **training)
        self.hidden = check_widths("hidden", hidden)

    def _network(self, n_outputs: int) -> nn.Module:
        return GraphConvNet(len(self.space.ops), self.hidden, n_outputs)
