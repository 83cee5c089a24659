"""Metric-learning losses and miners of pytorch-metric-learning, selected by name.

:func:`make_metric_loss` returns a callable ``(embeddings, labels) -> loss``: samples with
the same label are positives of each other, all others negatives. ``"none"`` is the
NoMetricLoss baseline (always zero), so a pretraining run without it is reconstruction only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from pytorch_metric_learning import losses, miners

from archembed.errors import ConfigError

NO_METRIC_LOSS = "none"

METRIC_LOSSES: dict[str, Callable[..., Any]] = {
    "triplet": losses.TripletMarginLoss,
    "contrastive": losses.ContrastiveLoss,
    "margin": losses.MarginLoss,
    "multisimilarity": losses.MultiSimilarityLoss,
    "npairs": losses.NPairsLoss,
    "angular": losses.AngularLoss,
    "lifted": losses.LiftedStructureLoss,
    "generalized_lifted": losses.GeneralizedLiftedStructureLoss,
}
"""Loss names accepted by :func:`make_metric_loss` (besides ``"none"``)."""

MINERS: dict[str, Callable[[], Any]] = {
    "semihard": lambda: miners.TripletMarginMiner(margin=0.2, type_of_triplets="semihard"),
    "angular": lambda: miners.AngularMiner(angle=20),
}
"""Miner names; ``"none"`` uses every pair/triplet of the batch."""

DEFAULT_MINERS = {"triplet": "semihard", "margin": "semihard", "angular": "angular"}
"""The paper's pairing: semi-hard triplet mining for triplet-based losses, angular for Angular."""


def metric_loss_names() -> list[str]:
    return [NO_METRIC_LOSS, *METRIC_LOSSES]


def miner_names() -> list[str]:
    return [NO_METRIC_LOSS, *MINERS]


def default_miner(loss: str) -> str:
    """The miner used with ``loss`` when none is given."""
    return DEFAULT_MINERS.get(loss, NO_METRIC_LOSS)


class MetricLoss:
    """A pytorch-metric-learning loss with an optional miner, or the zero loss for ``"none"``."""

    def __init__(self, loss: str, miner: str | None = None) -> None:
        if loss != NO_METRIC_LOSS and loss not in METRIC_LOSSES:
            raise ConfigError(
                f"unknown metric loss {loss!r}; choose one of: {', '.join(metric_loss_names())}"
            )
        miner = default_miner(loss) if miner is None else miner
        if miner != NO_METRIC_LOSS and miner not in MINERS:
            raise ConfigError(f"unknown miner {miner!r}; choose one of: {', '.join(miner_names())}")
        self.loss_name, self.miner_name = loss, miner
        self.loss = METRIC_LOSSES[loss]() if loss != NO_METRIC_LOSS else None
        self.miner = MINERS[miner]() if miner != NO_METRIC_LOSS and self.loss else None

    @property
    def active(self) -> bool:
        """False for the NoMetricLoss baseline."""
        return self.loss is not None

    def __call__(self, embeddings: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if self.loss is None:
            return embeddings.new_zeros(())
        tuples = self.miner(embeddings, labels) if self.miner is not None else None
        return self.loss(embeddings, labels, tuples)


def make_metric_loss(loss: str, miner: str | None = None) -> MetricLoss:
    """The named loss with ``miner`` (default: :func:`default_miner`); bad names -> ConfigError."""
    return MetricLoss(loss, miner)
