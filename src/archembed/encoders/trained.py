"""Supervised encoders trained end to end with a prediction head (GATES, TA-GATES, baselines).

A :class:`TrainedEncoder` turns graphs into a dict of tensors (:meth:`_inputs`), builds a torch
network (:meth:`_network`) that maps a batch of them to ``(scores (B, k), encoding (B, d))``,
and trains it with Adam on a pairwise hinge ranking loss or MSE. ``fit(graphs, y)`` takes
``y`` of shape ``(n,)`` or ``(n, k)`` (k fidelities, e.g. 12- and 200-epoch accuracy);
:meth:`predict` gives scores in the same shape, :meth:`transform` the learned encoding.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from archembed.encoders.base import Encoder
from archembed.errors import ConfigError, CorruptFileError
from archembed.estimator import Estimator, no_uncertainty
from archembed.graph import ArchGraph
from archembed.nn.ranking import LOSSES, prediction_loss
from archembed.nn.runtime import load_checkpoint, resolve_device, save_checkpoint
from archembed.nn.training import EpochRandom, Trainer, seeded
from archembed.preprocessing import Standardizer
from archembed.threads import torch_threads

Inputs = dict[str, torch.Tensor]

STATE_KEYS = ("model", "n_outputs", "target_ndim", "y_mean", "y_std", "extra")
SCHEDULES = ("cosine", "constant")
"""Learning-rate schedules: cosine annealing over the epochs, or a constant rate."""


def graph_inputs(space: Any, graphs: Sequence[ArchGraph], prune: bool = False) -> Inputs:
    """Adjacency (B, N, N), one-hot ops (B, N, V) and the output node's index (B,).

    ``prune`` drops the edges of vertices on no input-to-output path (e.g. behind a ``none``
    op): such vertices transmit nothing in the real network.
    """
    adj, ops = space.tensors(graphs)
    if prune:
        for row, graph in enumerate(graphs):
            live = np.zeros(adj.shape[1], dtype=np.float32)
            live[: graph.n_nodes] = graph.live_mask()
            adj[row] *= np.outer(live, live)
    out_index = np.array([g.n_nodes - 1 for g in graphs], dtype=np.int64)
    return {
        "adj": torch.from_numpy(adj),
        "ops": torch.from_numpy(ops),
        "out_index": torch.from_numpy(out_index),
    }


def output_rows(nodes: torch.Tensor, out_index: torch.Tensor) -> torch.Tensor:
    """The output node's row of each graph: (B, N, d) -> (B, d)."""
    return nodes[torch.arange(nodes.shape[0]), out_index]


class TrainedEncoder(Estimator, Encoder):
    """Base class: training loop, prediction, encoding, save/load; subclasses define the model.

    ``loss`` is ``"hinge"`` (ranking, ``margin``; scores are not in target units; ``pair_ratio``
    trains each batch on a random ``pair_ratio`` x batch-size of its ordered pairs instead of
    all of them, as the papers' code with 4) or ``"mse"``
    (on standardised targets; :meth:`predict` returns target units). Defaults: Adam, lr 1e-3,
    no weight decay, batch 128, 200 epochs, cosine schedule (``schedule="constant"``: a fixed
    rate); ``min_steps`` raises the epochs of small training sets (:meth:`epochs_for`; 0 here,
    2,000 for GATES and TA-GATES). On 10% of NB201 (GATES, 100
    epochs) an L2 penalty of 5e-4 underfits (Kendall tau 0.754 against 0.845 without), and
    GATES' batch of 512 leaves too few steps (0.737 against 0.754 with 128, with the
    penalty). Training is deterministic given ``seed`` on a given device. ``threads`` caps
    torch's intra-op threads while training (these models are tiny: one thread is fastest,
    more only contend; None leaves torch's).
    """

    supervised = True
    has_std = False

    def __init__(
        self,
        space: Any,
        *,
        loss: str = "hinge",
        margin: float = 0.1,
        pair_ratio: float | None = None,
        epochs: int = 200,
        min_steps: int = 0,
        batch_size: int = 128,
        lr: float = 1e-3,
        weight_decay: float = 0.0,
        schedule: str = "cosine",
        seed: int = 0,
        device: str | None = None,
        threads: int | None = 1,
    ) -> None:
        super().__init__(space)
        if loss not in LOSSES:
            raise ConfigError(f"unknown loss {loss!r}; choose one of: {', '.join(LOSSES)}")
        if epochs < 1 or batch_size < 2 or min_steps < 0:
            raise ConfigError("epochs must be >= 1, min_steps >= 0 and batch_size >= 2")
        if pair_ratio is not None and pair_ratio <= 0:
            raise ConfigError(f"pair_ratio must be > 0 (or None for all pairs), got {pair_ratio}")
        self.loss = loss
        self.margin = margin
        self.pair_ratio = pair_ratio
        self.epochs = epochs
        self.min_steps = min_steps
        self.batch_size = batch_size
        self.lr = lr
        if schedule not in SCHEDULES:
            raise ConfigError(
                f"unknown schedule {schedule!r}; choose one of: {', '.join(SCHEDULES)}"
            )
        self.weight_decay = weight_decay
        self.schedule = schedule
        self.seed = seed
        self.device = device
        self.threads = threads

    def epochs_for(self, n: int) -> int:
        """Training epochs on ``n`` architectures: ``epochs``, raised until the run takes at
        least ``min_steps`` optimiser steps (``ceil((n - 1) / batch_size)`` per epoch)."""
        per_epoch = max(1, math.ceil((n - 1) / self.batch_size))
        return max(self.epochs, math.ceil(self.min_steps / per_epoch))

    @property
    def predicts_values(self) -> bool:
        """True when :meth:`predict` is in target units (MSE training), not just a ranking."""
        return self.loss == "mse"

    @abstractmethod
    def _network(self, n_outputs: int) -> nn.Module:
        """The torch model: ``forward(**inputs) -> (scores (B, n_outputs), encoding (B, d))``."""

    def _inputs(self, graphs: Sequence[ArchGraph]) -> Inputs:
        """Tensors describing ``graphs`` (default: adjacency, one-hot ops, output index)."""
        return graph_inputs(self.space, graphs)

    def _prepare(self, graphs: Sequence[ArchGraph]) -> None:
        """Hook run on the training graphs before the network is built (e.g. feature scaling)."""

    def config(self) -> dict[str, Any]:
        return {k: v for k, v in self.get_params(deep=False).items() if k != "space"}

    def fit(
        self,
        graphs: Sequence[ArchGraph],
        y: np.ndarray | None = None,
        *,
        checkpoint: Path | None = None,
    ) -> TrainedEncoder:
        """Train on ``graphs`` and targets ``y``; with ``checkpoint``, save every epoch there
        and continue an interrupted run of the same configuration from it."""
        with torch_threads(self.threads):
            return self._fit(graphs, y, checkpoint)

    def _fit(
        self, graphs: Sequence[ArchGraph], y: np.ndarray | None, checkpoint: Path | None
    ) -> TrainedEncoder:
        if y is None:
            raise ConfigError(f"{self.name} is supervised: fit(graphs, y) needs targets")
        targets = np.asarray(y, dtype=np.float64)
        self.target_ndim_ = targets.ndim
        targets = targets.reshape(len(targets), -1)
        if len(targets) != len(graphs) or len(graphs) < 2:
            raise ConfigError(
                f"need >= 2 graphs and one target row per graph; got {len(graphs)} graphs and "
                f"{len(targets)} targets"
            )
        for graph in graphs:
            self.space.check(graph)
        device = resolve_device(self.device)
        self.scaler_ = Standardizer()
        scaled = torch.as_tensor(self.scaler_.fit_transform(targets), dtype=torch.float32)
        self._prepare(graphs)
        inputs = {k: v.to(device) for k, v in self._inputs(graphs).items()}
        scaled = scaled.to(device)
        with seeded(self.seed):
            self.model_ = self._network(targets.shape[1]).to(device)
        optimiser = torch.optim.Adam(
            self.model_.parameters(), lr=self.lr, weight_decay=self.weight_decay
        )
        epochs = self.epochs_for(len(graphs))
        schedule = (
            torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=epochs)
            if self.schedule == "cosine"
            else None
        )
        trainer = Trainer(
            self.name, epochs, self.seed, self.config(), checkpoint=checkpoint, progress=False
        )
        trainer.fit(
            self.model_,
            optimiser,
            lambda random: self._batches(len(graphs), device, random),
            lambda rows, random: self._loss(inputs, scaled, rows, random),
            schedule,
        )
        return self

    def _batches(self, n: int, device: torch.device, random: EpochRandom) -> Iterator[torch.Tensor]:
        """Row indices of one epoch's batches (a random order; a last single row is dropped)."""
        order = torch.randperm(n, generator=random.torch()).to(device)
        for start in range(0, n - 1, self.batch_size):
            yield order[start : start + self.batch_size]

    def _loss(
        self, inputs: Inputs, scaled: torch.Tensor, rows: torch.Tensor, random: EpochRandom
    ) -> tuple[torch.Tensor, dict[str, float]]:
        """Ranking or MSE loss of one batch; pairs are drawn from the epoch's stream."""
        scores, _ = self.model_(**{k: v[rows] for k, v in inputs.items()})
        max_pairs = None if self.pair_ratio is None else math.ceil(self.pair_ratio * len(rows))
        loss = prediction_loss(
            self.loss, scores, scaled[rows], self.margin, max_pairs, random.torch()
        )
        return loss, {}

    def _run(self, graphs: Sequence[ArchGraph]) -> tuple[np.ndarray, np.ndarray]:
        if not hasattr(self, "model_"):
            raise CorruptFileError(f"{self.name} model is not trained: call fit() first")
        for graph in graphs:
            self.space.check(graph)
        device = next(self.model_.parameters()).device
        inputs = self._inputs(graphs)
        scores, codes = [], []
        with torch.no_grad(), torch_threads(self.threads):
            for start in range(0, len(graphs), 2048):
                batch = {k: v[start : start + 2048].to(device) for k, v in inputs.items()}
                s, c = self.model_(**batch)
                scores.append(s.cpu())
                codes.append(c.cpu())
        return torch.cat(scores).numpy(), torch.cat(codes).numpy()

    def predict(self, graphs: Sequence[ArchGraph], return_std: bool = False) -> np.ndarray:
        """Predicted scores, shaped like the ``y`` given to fit; target units when MSE-trained."""
        if return_std:
            raise no_uncertainty(self.name)
        scores = self._run(graphs)[0].astype(np.float64)
        if self.loss == "mse":
            scores = self.scaler_.inverse_transform(scores)
        return scores[:, 0] if self.target_ndim_ == 1 else scores

    def transform(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        return self._run(graphs)[1].astype(np.float32)

    def _extra_state(self) -> dict[str, Any]:
        """Learned non-torch state subclasses need back (e.g. feature scaling)."""
        return {}

    def _load_extra_state(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`_extra_state` saved."""

    def save_state(self, directory: Path) -> None:
        save_checkpoint(
            directory / "state.pt",
            {
                "model": self.model_.state_dict(),
                "n_outputs": len(self.scaler_.mean_),
                "target_ndim": self.target_ndim_,
                "y_mean": torch.as_tensor(self.scaler_.mean_),
                "y_std": torch.as_tensor(self.scaler_.std_),
                "extra": self._extra_state(),
            },
        )

    def load_state(self, directory: Path) -> None:
        state = load_checkpoint(
            directory / "state.pt", keys=STATE_KEYS, kind=f"a {self.name} model state"
        )
        self._load_extra_state(state["extra"])
        self.model_ = self._network(int(state["n_outputs"]))
        self.model_.load_state_dict(state["model"])
        self.model_.to(resolve_device(self.device)).eval()
        self.target_ndim_ = int(state["target_ndim"])
        self.scaler_ = Standardizer(mean_=state["y_mean"].numpy(), std_=state["y_std"].numpy())
