"""arch2vec training on the shared loop (:class:`archembed.nn.training.Trainer`).

:class:`TrainingRun` supplies the loop's batches, loss and per-epoch check for one model on its
data. Every random draw of epoch k comes from ``EpochRandom(seed, k)`` (stream
:data:`ORDER` the batch order, :data:`NOISE` the reparameterisation noise and decoder dropout,
:data:`EDITS` the locality positives, :data:`MONITOR` the validity samples), so a run resumed
at an epoch boundary equals an uninterrupted one bit for bit. Epochs from
``stochastic_epochs`` on train in eval mode, as the official code does after its first
validity check; with ``data_order="fixed"`` every epoch takes epoch 0's order.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from archembed.encoders.arch2vec.data import GraphBatch, fingerprint, graph_batch, slot_stats
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.nn.graph_autoencoder import GraphAutoencoder, LossTargets, unlinked_twins
from archembed.nn.runtime import check_losses
from archembed.nn.training import EpochRandom, FlatAdam, Trainer

ORDER, NOISE, EDITS, MONITOR = range(4)
"""Stream numbers of :meth:`EpochRandom.numpy` / :meth:`EpochRandom.torch`."""
Batch = tuple[torch.Tensor, GraphBatch, LossTargets]


class TrainingRun:
    """The batches, loss and held-out check of one arch2vec model on its training data."""

    def __init__(
        self,
        encoder: Any,
        model: GraphAutoencoder,
        train: GraphBatch,
        hold: GraphBatch | None,
        train_graphs: Sequence[ArchGraph],
        held_keys: set[str],
    ) -> None:
        self.encoder, self.model, self.settings = encoder, model, encoder.settings
        self.train, self.hold = train, hold
        self.train_graphs, self.held_keys = train_graphs, held_keys
        self.metric = self.settings.metric_loss()
        self.epochs = self.settings.n_epochs(encoder.space)
        self.training_stats: tuple[np.ndarray, np.ndarray] | None = None
        self._collected: list[torch.Tensor] | None = None
        self._noise: torch.Generator | None = None
        self._edits: np.random.Generator | None = None

    def batches(self, random: EpochRandom) -> Iterator[Batch]:
        """One epoch's batches (index into the training set, tensors on the model's device)."""
        settings, device = self.settings, self.encoder.device
        stochastic = settings.stochastic_epochs is None or random.epoch < settings.stochastic_epochs
        self.model.train(stochastic)
        ordering = EpochRandom(random.seed, 0) if settings.data_order == "fixed" else random
        order = torch.randperm(len(self.train), generator=ordering.torch(ORDER))
        self._noise = random.torch(NOISE, device)
        self._edits = random.numpy(EDITS)
        last = settings.latent_stats == "last-epoch" and random.epoch == self.epochs - 1
        self._collected = [] if last else None
        ordered = self.train.take(order, device)  # one gather per epoch; batches are views
        targets = self.model.targets(ordered.adj, ordered.codes, ordered.mask)
        for begin in range(0, len(order), settings.batch_size):
            index = order[begin : begin + settings.batch_size]
            if len(index) >= 2:
                end = begin + len(index)
                yield index, ordered.take(slice(begin, end), device), targets.rows(begin, end)

    def loss(self, item: Batch, random: EpochRandom) -> tuple[torch.Tensor, dict[str, float]]:
        """The VAE loss of one batch (plus the weighted locality loss when it is on)."""
        index, batch, targets = item
        settings = self.settings
        out = self.model.loss(
            batch.adj,
            batch.ops,
            batch.codes,
            batch.mask,
            settings.kl_weight,
            generator=self._noise,
            adj_weight=settings.adj_weight,
            targets=targets,
        )
        ops, adj, kl = (float(term.detach()) for term in (out.ops, out.adj, out.kl))
        weighted = {
            "op": ops,
            "adjacency": settings.adj_weight * adj,
            "kl": settings.kl_weight * kl,
        }
        check_losses("arch2vec", random.epoch + 1, weighted)  # names the term that diverged
        if self._collected is not None:
            self._collected.append(out.latent_mean.detach().cpu())
        total = out.total
        terms = {"loss_ops": ops, "loss_adj": adj, "kl": kl}
        if self.metric is not None:
            metric = self._locality_loss(index)
            total = total + settings.locality_weight * metric
            terms["loss_metric"] = float(metric.detach())
        return total, terms

    def _locality_loss(self, index: torch.Tensor) -> torch.Tensor:
        """Metric loss on the graph embeddings of the batch's anchors and fresh positives."""
        from archembed.encoders.locality import locality_batch  # heavy import, only when used

        settings, space = self.settings, self.encoder.space
        anchors = [self.train_graphs[i] for i in index[: settings.locality_anchors].tolist()]
        graphs, labels = locality_batch(
            space,
            anchors,
            settings.locality_positives,
            settings.locality_max_edits,
            self._edits,
            self.held_keys,
        )
        group = graph_batch(*space.tensors(graphs)).take(slice(None), self.encoder.device)
        means = self.model.encode(group.adj, group.ops, group.mask)[0]
        embeddings = self.encoder.pool(means, group.mask)
        return self.metric(embeddings, torch.as_tensor(labels, device=embeddings.device))

    def on_epoch(self, epoch: int, metrics: dict[str, float]) -> dict[str, float]:
        """Keep the last epoch's latent statistics; check reconstruction and validity."""
        if self._collected:
            self.training_stats = slot_stats(torch.cat(self._collected).numpy())
        self._collected = None
        return self.monitor(epoch)

    def monitor(self, epoch: int) -> dict[str, float]:
        """Held-out reconstruction, and validity / uniqueness (paper's and strict) of samples
        from a Gaussian fitted to the held-out latents."""
        started = time.perf_counter()
        encoder, samples = self.encoder, self.settings.validity_samples
        hold = self.hold if self.hold is not None else self.train
        means = encoder.encode_means(hold)
        out = {"holdout_recon_acc": encoder.reconstruction_scores(hold, means)["graphs"]}
        if samples > 0:
            mean, std = slot_stats(means.numpy())
            rng = EpochRandom(self.settings.seed, epoch).numpy(MONITOR)
            z = rng.standard_normal((samples, *mean.shape)) * std + mean
            out.update(encoder.latent_quality(z.astype(np.float32)))
        out["monitor_seconds"] = time.perf_counter() - started
        return out

    def extra_state(self) -> dict[str, Any]:
        """What a checkpoint keeps besides weights and optimiser: the last-epoch statistics."""
        stats = self.training_stats
        return {
            "training_latent_stats": None if stats is None else [torch.from_numpy(a) for a in stats]
        }

    def restore(self, extra: dict[str, Any]) -> None:
        """Take back :meth:`extra_state` from a checkpoint."""
        stats = extra.get("training_latent_stats")
        self.training_stats = None if stats is None else (stats[0].numpy(), stats[1].numpy())


def split(n: int, holdout: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Training and held-out indices (sorted); nothing is held out of fewer than 10 graphs."""
    order = np.random.default_rng(seed).permutation(n)
    n_hold = round(n * holdout) if n >= 10 else 0
    return np.sort(order[n_hold:]), np.sort(order[:n_hold])


def fit_encoder(
    encoder: Any,
    graphs: Sequence[ArchGraph],
    checkpoint: str | os.PathLike[str] | None,
    resume: bool,
    progress: bool,
) -> None:
    """Train ``encoder`` (an Arch2Vec) on ``graphs`` through the shared loop; set its state."""
    data = graph_batch(*encoder.space.tensors(graphs))
    if len(data) < 2:
        raise ConfigError("arch2vec needs at least 2 architectures to train on")
    if encoder.settings.adj_offset is None:
        twins = unlinked_twins(data.adj, data.codes, len(encoder.settings.hidden))
        encoder.adj_offset = bool(twins.any())
    settings = encoder.settings
    train_idx, hold_idx = split(len(data), settings.holdout, settings.seed)
    cpu = torch.device("cpu")
    train = data.take(torch.from_numpy(train_idx), cpu)
    hold = data.take(torch.from_numpy(hold_idx), cpu) if len(hold_idx) else None
    model = encoder.new_model()
    run = TrainingRun(
        encoder,
        model,
        train,
        hold,
        [graphs[i] for i in train_idx],
        {graphs[i].exact_key for i in hold_idx},
    )
    path = None if checkpoint is None else Path(checkpoint)
    trainer = Trainer(
        "arch2vec",
        epochs=run.epochs,
        seed=settings.seed,
        config={**encoder.config(), "fingerprint": fingerprint(data)},
        checkpoint=path,
        resume=resume,
        progress=progress,
        on_epoch=run.on_epoch,
        extra_state=run.extra_state,
        on_resume=run.restore,
    )
    encoder.model_ = model
    optimizer = FlatAdam(model.parameters(), lr=settings.lr, grad_clip=settings.grad_clip)
    encoder.history_ = trainer.fit(model, optimizer, run.batches, run.loss)
    if run.training_stats is not None:  # only collected with latent_stats="last-epoch"
        encoder.latent_mean_, encoder.latent_std_ = run.training_stats
    else:
        encoder.latent_mean_, encoder.latent_std_ = slot_stats(encoder.encode_means(train).numpy())
    encoder.holdout_ = hold
