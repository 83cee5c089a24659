"""Multi-layer perceptron builder shared by every model."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from torch import nn


def mlp(
    sizes: Sequence[int],
    *,
    activation: type[nn.Module] = nn.ReLU,
    batch_norm: bool = False,
    final_activation: bool = False,
    dropout: float = 0.0,
) -> nn.Sequential:
    """Linear layers ``sizes[0] -> sizes[1] -> ... -> sizes[-1]`` with activations in between.

    ``batch_norm`` inserts BatchNorm1d after each hidden linear layer (linear-BN-activation,
    as GIN's MLPs); the last layer is linear unless ``final_activation``.
    """
    if len(sizes) < 2:
        raise ValueError("an MLP needs at least an input and an output size")
    layers: list[nn.Module] = []
    last = len(sizes) - 2
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(n_in, n_out))
        if i < last or final_activation:
            if batch_norm:
                layers.append(nn.BatchNorm1d(n_out))
            layers.append(activation())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)
