"""arch2vec (Yan et al., NeurIPS 2020): unsupervised architecture embeddings from a VGAE.

A GIN encoder (or GCN, for the GAE/VGAE baselines) maps each vertex of a padded op-on-node
graph to a latent mean (and log-variance); the decoder rebuilds adjacency and ops from the
per-node latents (:mod:`archembed.nn.graph_autoencoder`). Training is self-supervised on the
architectures of one space, with 10% held out to measure reconstruction.

Embedding. ``transform`` returns the **mean** of the latent means of a graph's real vertices
(padding excluded). The mean keeps embeddings of graphs of different sizes (NAS-Bench-101:
2-7 vertices) on one scale, so distances compare content rather than vertex counts; the sum
(``pooling="sum"``) is also available and is what GIN's injectivity argument uses.
``encode_nodes``/``decode`` work on the per-node latents ``(n, max_nodes, latent_dim)``.

arch2vec + locality (in neither paper; off by default). With ``locality_loss`` set, each
training batch also takes ``locality_anchors`` of its cells as anchors, draws ``locality_positives``
cells 1..``locality_max_edits`` random valid edits away from each (the sampler of locality
pretraining, :mod:`archembed.encoders.locality`; held-out cells are never drawn), and adds
``locality_weight`` x the metric loss on their graph embeddings (the pooled latent means, as
``transform``) to the VAE loss.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from archembed.checks import check_choice, check_float, check_int, check_seed
from archembed.encoders.base import Encoder, register_encoder
from archembed.encoders.decoding import graphs_from_codes, validity_uniqueness
from archembed.encoders.locality import check_locality_options, locality_batch
from archembed.errors import ConfigError, CorruptFileError
from archembed.graph import ArchGraph
from archembed.nn.graph_autoencoder import (
    GRAPH_ENCODERS,
    OP_LOSSES,
    GraphAutoencoder,
    decode_predictions,
)
from archembed.nn.metric_learning import NO_METRIC_LOSS, MetricLoss
from archembed.nn.runtime import (
    check_losses,
    check_weights,
    load_checkpoint,
    resolve_device,
    save_checkpoint,
    seed_everything,
)
from archembed.progress import ProgressBar
from archembed.spaces.base import SearchSpace

DEFAULT_EPOCHS = {"nb101": 8, "nb201": 10, "darts": 10, "darts_cell": 10}
"""The paper's epochs per space; other spaces use :data:`FALLBACK_EPOCHS`."""
FALLBACK_EPOCHS = 10
POOLINGS = ("mean", "sum")
PRIORS = ("train", "standard")
STATE_FILE = "state.pt"
CHECKPOINT_FILE = "checkpoint.pt"
STATE_KEYS = ("model", "ops", "max_nodes", "latent_mean", "latent_std", "history")
CHECKPOINT_KEYS = ("model", "optimiser", "epoch", "history", "config", "fingerprint")
INFERENCE_BATCH = 8192
MAX_EPOCHS, MAX_BATCH, MAX_WIDTH = 100_000, 1_000_000, 4096
"""Upper bounds of the size parameters (beyond them a run cannot finish or fit in memory)."""


@dataclass
class GraphBatch:
    """Dense training tensors of a set of graphs (see :func:`graph_batch`)."""

    adj: torch.Tensor
    ops: torch.Tensor
    codes: torch.Tensor
    mask: torch.Tensor

    def __len__(self) -> int:
        return len(self.codes)

    def take(self, index: torch.Tensor | slice, device: torch.device) -> GraphBatch:
        return GraphBatch(
            self.adj[index].to(device),
            self.ops[index].to(device),
            self.codes[index].to(device),
            self.mask[index].to(device),
        )


def graph_batch(adj: np.ndarray, ops: np.ndarray) -> GraphBatch:
    """From ``space.tensors`` output: op class per vertex (absent = vocabulary size) and a mask."""
    mask = ops.any(axis=-1)
    codes = np.where(mask, ops.argmax(axis=-1), ops.shape[-1])
    return GraphBatch(
        torch.from_numpy(np.ascontiguousarray(adj, dtype=np.float32)),
        torch.from_numpy(np.ascontiguousarray(ops, dtype=np.float32)),
        torch.from_numpy(codes.astype(np.int64)),
        torch.from_numpy(mask),
    )


def batch_from_codes(
    codes: np.ndarray, packed_adj: np.ndarray, nodes: int, n_ops: int
) -> GraphBatch:
    """Rebuild a :class:`GraphBatch` from op classes (``n_ops`` = absent) and packed adjacency."""
    adj = np.unpackbits(packed_adj, axis=1, count=nodes * nodes).reshape(-1, nodes, nodes)
    ops = np.zeros((len(codes), nodes, n_ops), dtype=np.float32)
    rows, cols = np.nonzero(codes < n_ops)
    ops[rows, cols, codes[rows, cols]] = 1.0
    return graph_batch(adj, ops)


def _fingerprint(batch: GraphBatch) -> str:
    digest = hashlib.md5()
    digest.update(batch.codes.numpy().astype(np.int8).tobytes())
    digest.update(np.packbits(batch.adj.numpy().astype(np.uint8)).tobytes())
    return digest.hexdigest()


DATA_ORDERS = ("reshuffle", "fixed")
"""Training order: a new random order every epoch, or one random order for every epoch (the
official code shuffles once, before the first epoch)."""
LATENT_STATS = ("final", "last-epoch")
"""Where the sampling Gaussian's per-slot mean and std come from: the trained model's latent
means over the training set, or (the official code) the means its training batches produced
during the last epoch, as the weights moved."""


@register_encoder("arch2vec")
class Arch2Vec(Encoder):
    """Variational graph isomorphism autoencoder (arch2vec) and its ablations.

    ``encoder="gcn"`` with ``variational=False`` is GAE, with ``variational=True`` VGAE;
    ``kl_weight=0`` is arch2vec without the KL term; ``adj_weight`` scales the adjacency loss
    against the op loss (the official code's loss weighs it (N - 1) / 2N, see docs/ARCH2VEC.md).
    ``epochs=None`` uses the paper's number for the space (:data:`DEFAULT_EPOCHS`).
    ``decoder_dropout`` is the dropout on the latents before decoding (the official code's
    decoder uses 0.3). ``stochastic_epochs`` trains only the first epochs in training mode
    (None: every epoch); later epochs train the model in eval mode: latent means decoded as
    they are, no dropout, batch norm with its running statistics.
    The official code trains that way with ``stochastic_epochs=1`` (it switches the model to
    eval mode for its validity check after each epoch and never back; see docs/ARCH2VEC.md).
    ``grad_clip`` rescales each step's gradient to at most that norm (None: off; the official
    code clips at 5). ``op_loss`` is ``"softmax"`` (cross-entropy), ``"sigmoid"`` (one binary
    cross-entropy per op class, as the official code) or ``"sigmoid-zero-pad"`` (the same with
    padded vertices as all-zero op rows, as the official data; see
    :data:`~archembed.nn.graph_autoencoder.OP_LOSSES`).
    ``data_order="fixed"`` trains every epoch in one random order, and
    ``latent_stats="last-epoch"`` fits the sampling Gaussian to the latent means of the last
    epoch's training batches; the official code does both (:data:`DATA_ORDERS`,
    :data:`LATENT_STATS`).
    ``locality_loss`` (a metric-loss name of :mod:`archembed.nn.metric_learning`; None or
    ``"none"`` = off) adds the locality loss (module docstring); the other ``locality_*``
    options only apply with it. Learned: ``model_``, ``latent_mean_``/``latent_std_`` (per
    vertex slot and dimension, over the training set), ``history_`` (per-epoch metrics).
    """

    name = "arch2vec"

    def __init__(
        self,
        space: SearchSpace | str,
        hidden: Sequence[int] = (128, 128, 128, 128),
        latent_dim: int = 16,
        encoder: str = "gin",
        variational: bool = True,
        kl_weight: float = 0.005,
        adj_weight: float = 1.0,
        mlp_layers: int = 2,
        decoder_dropout: float = 0.0,
        stochastic_epochs: int | None = None,
        grad_clip: float | None = None,
        op_loss: str = "softmax",
        data_order: str = "reshuffle",
        latent_stats: str = "final",
        pooling: str = "mean",
        epochs: int | None = None,
        batch_size: int = 64,
        lr: float = 1e-3,
        holdout: float = 0.1,
        validity_samples: int = 1000,
        seed: int = 0,
        device: str | None = None,
        locality_loss: str | None = None,
        locality_miner: str | None = None,
        locality_weight: float = 0.5,
        locality_positives: int = 7,
        locality_max_edits: int = 3,
        locality_anchors: int = 16,
    ) -> None:
        super().__init__(space)
        if not self.space.max_nodes or len(self.space.ops) <= 2:
            raise ConfigError(
                f"space {self.space.name!r} has no op vocabulary or maximum size; arch2vec needs "
                "both (create the space with ops=[...] and max_nodes=N)"
            )
        check_choice("arch2vec encoder", encoder, GRAPH_ENCODERS)
        check_choice("pooling", pooling, POOLINGS)
        check_choice("op loss", op_loss, OP_LOSSES)
        check_choice("data order", data_order, DATA_ORDERS)
        check_choice("latent stats", latent_stats, LATENT_STATS)
        check_float("holdout", holdout, 0.0, 1.0, high_open=True)
        check_float("decoder_dropout", decoder_dropout, 0.0, 1.0, high_open=True)
        check_float("kl_weight", kl_weight, 0.0)
        check_float("adj_weight", adj_weight, 0.0, low_open=True)
        check_float("lr", lr, 0.0, low_open=True)
        if grad_clip is not None:
            check_float("grad_clip", grad_clip, 0.0, low_open=True)
        if stochastic_epochs is not None:
            check_int("stochastic_epochs", stochastic_epochs, 0, MAX_EPOCHS)
        if epochs is not None:
            check_int("epochs", epochs, 1, MAX_EPOCHS)
        check_int("batch_size", batch_size, 2, MAX_BATCH)
        check_int("latent_dim", latent_dim, 1, MAX_WIDTH)
        check_int("mlp_layers", mlp_layers, 1, 16)
        check_int("validity_samples", validity_samples, 0, 1_000_000)
        check_seed("seed", seed)
        if not hidden:
            raise ConfigError("hidden must list at least one layer width")
        for width in hidden:
            check_int("hidden width", width, 1, MAX_WIDTH)
        self.hidden = tuple(int(h) for h in hidden)
        self.latent_dim = int(latent_dim)
        self.encoder = encoder
        self.variational = bool(variational)
        self.kl_weight = float(kl_weight)
        self.adj_weight = float(adj_weight)
        self.mlp_layers = int(mlp_layers)
        self.decoder_dropout = float(decoder_dropout)
        self.stochastic_epochs = None if stochastic_epochs is None else int(stochastic_epochs)
        self.grad_clip = None if grad_clip is None else float(grad_clip)
        self.op_loss = op_loss
        self.data_order = data_order
        self.latent_stats = latent_stats
        self.pooling = pooling
        self.epochs = epochs
        self.batch_size = int(batch_size)
        self.lr = float(lr)
        self.holdout = float(holdout)
        self.validity_samples = int(validity_samples)
        self.seed = int(seed)
        self.device = resolve_device(device)
        self.locality_loss = None if locality_loss == NO_METRIC_LOSS else locality_loss
        self.locality_miner = locality_miner
        self.locality_weight = float(locality_weight)
        self.locality_positives = int(locality_positives)
        self.locality_max_edits = int(locality_max_edits)
        self.locality_anchors = int(locality_anchors)
        self._metric: MetricLoss | None = None
        if self.locality_loss is not None:
            self._metric = check_locality_options(
                self.locality_loss,
                locality_miner,
                self.locality_weight,
                self.locality_positives,
                self.locality_max_edits,
                self.locality_anchors,
                weight_name="locality_weight",
            )
            self.locality_miner = self._metric.miner_name

    def config(self) -> dict[str, Any]:
        return {
            "hidden": list(self.hidden),
            "latent_dim": self.latent_dim,
            "encoder": self.encoder,
            "variational": self.variational,
            "kl_weight": self.kl_weight,
            "adj_weight": self.adj_weight,
            "mlp_layers": self.mlp_layers,
            "decoder_dropout": self.decoder_dropout,
            "stochastic_epochs": self.stochastic_epochs,
            "grad_clip": self.grad_clip,
            "op_loss": self.op_loss,
            "data_order": self.data_order,
            "latent_stats": self.latent_stats,
            "pooling": self.pooling,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "lr": self.lr,
            "holdout": self.holdout,
            "validity_samples": self.validity_samples,
            "seed": self.seed,
            **self.locality_config(),
        }

    def locality_config(self) -> dict[str, Any]:
        """The ``locality_*`` parameters; empty when the locality loss is off, so plain arch2vec
        configs (and checkpoints) are those written before the option existed."""
        if self.locality_loss is None:
            return {}
        return {
            "locality_loss": self.locality_loss,
            "locality_miner": self.locality_miner,
            "locality_weight": self.locality_weight,
            "locality_positives": self.locality_positives,
            "locality_max_edits": self.locality_max_edits,
            "locality_anchors": self.locality_anchors,
        }

    @property
    def n_epochs(self) -> int:
        if self.epochs is not None:
            return int(self.epochs)
        return DEFAULT_EPOCHS.get(self.space.name, FALLBACK_EPOCHS)

    def _new_model(self) -> GraphAutoencoder:
        return GraphAutoencoder(
            len(self.space.ops),
            self.hidden,
            self.latent_dim,
            self.encoder,
            self.variational,
            self.mlp_layers,
            self.decoder_dropout,
            self.op_loss,
        ).to(self.device)

    def _require_fitted(self) -> GraphAutoencoder:
        model = getattr(self, "model_", None)
        if model is None:
            raise ConfigError("this arch2vec model is not trained: call fit() or load a model")
        return model

    def _split(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        order = np.random.default_rng(self.seed).permutation(n)
        n_hold = round(n * self.holdout) if n >= 10 else 0
        return np.sort(order[n_hold:]), np.sort(order[:n_hold])

    def fit(
        self,
        graphs: Sequence[ArchGraph],
        y: np.ndarray | None = None,
        *,
        checkpoint: str | os.PathLike[str] | None = None,
        resume: bool = False,
        progress: bool = True,
    ) -> Arch2Vec:
        """Train on ``graphs`` (``y`` is ignored); optionally checkpoint each epoch and resume.

        ``checkpoint`` is a file written after every epoch; with ``resume`` an existing one
        (of the same data and configuration) continues where it stopped. The number of epochs
        may differ from the checkpoint's: more continues training, fewer (or as many as done)
        finishes the model as the checkpoint left it.
        """
        data = graph_batch(*self.space.tensors(graphs))
        if len(data) < 2:
            raise ConfigError("arch2vec needs at least 2 architectures to train on")
        train_idx, hold_idx = self._split(len(data))
        train, hold = data.take(torch.from_numpy(train_idx), torch.device("cpu")), None
        if len(hold_idx):
            hold = data.take(torch.from_numpy(hold_idx), torch.device("cpu"))
        train_graphs = [graphs[i] for i in train_idx]
        held_keys = {graphs[i].exact_key for i in hold_idx}
        seed_everything(self.seed)
        model = self._new_model()
        optimiser = torch.optim.Adam(model.parameters(), lr=self.lr)
        fingerprint = _fingerprint(data)
        self.history_: list[dict[str, float]] = []
        self._training_stats: tuple[np.ndarray, np.ndarray] | None = None
        start = 0
        if checkpoint is not None and resume and Path(checkpoint).is_file():
            start = self._restore(Path(checkpoint), model, optimiser, fingerprint)
        self.model_ = model
        with ProgressBar(enabled=progress) as bar:
            task = bar.add_task("arch2vec", total=max(self.n_epochs, start), completed=start)
            for epoch in range(start, self.n_epochs):
                batch_means = self._last_epoch_collector(epoch)
                metrics = self._train_epoch(
                    model, optimiser, train, epoch, train_graphs, held_keys, batch_means
                )
                if batch_means:
                    self._training_stats = _slot_stats(torch.cat(batch_means).numpy())
                metrics.update(self._monitor(hold if hold is not None else train, epoch))
                self.history_.append(metrics)
                if checkpoint is not None:
                    save_checkpoint(
                        checkpoint,
                        {
                            "model": model.state_dict(),
                            "optimiser": optimiser.state_dict(),
                            "epoch": epoch + 1,
                            "history": self.history_,
                            "config": self.config(),
                            "fingerprint": fingerprint,
                            "training_latent_stats": _as_tensors(self._training_stats),
                        },
                    )
                bar.update(task, advance=1, info=_format_metrics(metrics))
        if self._training_stats is not None:  # only collected with latent_stats="last-epoch"
            self.latent_mean_, self.latent_std_ = self._training_stats
        else:
            self.latent_mean_, self.latent_std_ = self._latent_stats(train)
        self.holdout_ = hold
        return self

    def _last_epoch_collector(self, epoch: int) -> list[torch.Tensor] | None:
        """A list to collect the batch latent means in, when this epoch supplies the sampling
        statistics (``latent_stats="last-epoch"`` and the last epoch); otherwise None."""
        if self.latent_stats == "last-epoch" and epoch == self.n_epochs - 1:
            return []
        return None

    def _restore(
        self,
        checkpoint: Path,
        model: GraphAutoencoder,
        optimiser: torch.optim.Optimizer,
        fingerprint: str,
    ) -> int:
        """Load a checkpoint of the same data and configuration (epochs aside); its epoch."""
        state = load_checkpoint(
            checkpoint, self.device, CHECKPOINT_KEYS, "an arch2vec training checkpoint"
        )
        mine = {k: v for k, v in self.config().items() if k != "epochs"}
        theirs = state.get("config")
        theirs = (
            {k: v for k, v in theirs.items() if k != "epochs"} if isinstance(theirs, dict) else None
        )
        if state.get("fingerprint") != fingerprint or theirs != mine:
            raise ConfigError(
                f"checkpoint {checkpoint} is of another dataset or configuration; delete it "
                "or run without --resume"
            )
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        self.history_ = list(state["history"])
        stats = state.get("training_latent_stats")
        self._training_stats = None if stats is None else (stats[0].numpy(), stats[1].numpy())
        return int(state["epoch"])

    def _train_epoch(
        self,
        model: GraphAutoencoder,
        optimiser: torch.optim.Optimizer,
        train: GraphBatch,
        epoch: int,
        train_graphs: Sequence[ArchGraph] = (),
        held_keys: frozenset[str] | set[str] = frozenset(),
        batch_means: list[torch.Tensor] | None = None,
    ) -> dict[str, float]:
        """One pass in a seeded random order (so a resumed run equals an uninterrupted one).

        With the locality loss, ``train_graphs`` (aligned with ``train``) supply the anchors
        and ``held_keys`` the cells positives must avoid. ``batch_means``, when given, receives
        each batch's latent means as training computed them.
        """
        started, cpu_started = time.perf_counter(), time.process_time()
        stochastic = self.stochastic_epochs is None or epoch < self.stochastic_epochs
        model.train(stochastic)
        order_epoch = 0 if self.data_order == "fixed" else epoch
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + order_epoch)
        noise = torch.Generator(device=self.device).manual_seed(self.seed * 7_919 + epoch)
        order = torch.randperm(len(train), generator=generator)
        edits = np.random.default_rng([self.seed, 7, epoch])
        totals = np.zeros(5)
        steps = 0
        for begin in range(0, len(train), self.batch_size):
            index = order[begin : begin + self.batch_size]
            if len(index) < 2:
                continue
            batch = train.take(index, self.device)
            loss = model.loss(
                batch.adj,
                batch.ops,
                batch.codes,
                batch.mask,
                self.kl_weight,
                generator=noise,
                adj_weight=self.adj_weight,
            )
            total, metric = loss.total, loss.total.new_zeros(())
            if batch_means is not None:
                batch_means.append(loss.latent_mean.detach().cpu())
            if self._metric is not None:
                anchors = [train_graphs[i] for i in index[: self.locality_anchors].tolist()]
                metric = self._locality_loss(model, anchors, edits, held_keys)
                total = total + self.locality_weight * metric
            values = [float(v.detach()) for v in (total, loss.ops, loss.adj, loss.kl, metric)]
            self._check_terms(values, epoch)
            optimiser.zero_grad(set_to_none=True)
            total.backward()
            if self.grad_clip is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), self.grad_clip)
            optimiser.step()
            totals += values
            steps += 1
        check_weights("arch2vec", epoch + 1, model)
        means = (totals / max(steps, 1)).tolist()
        out = {
            "epoch": epoch + 1,
            "loss": means[0],
            "loss_ops": means[1],
            "loss_adj": means[2],
            "kl": means[3],
        }
        if self._metric is not None:
            out["loss_metric"] = means[4]
        out["train_seconds"] = time.perf_counter() - started
        out["train_cpu_seconds"] = time.process_time() - cpu_started
        return out

    def _check_terms(self, values: list[float], epoch: int) -> None:
        """Stop on a non-finite loss, naming the weighted term (total, op, adj, kl, metric)."""
        total, ops, adj, kl, metric = values
        terms = {"op": ops, "adjacency": self.adj_weight * adj, "kl": self.kl_weight * kl}
        if self._metric is not None:
            terms["locality"] = self.locality_weight * metric
        check_losses("arch2vec", epoch + 1, {**terms, "total": total})

    def _locality_loss(
        self,
        model: GraphAutoencoder,
        anchors: Sequence[ArchGraph],
        rng: np.random.Generator,
        held_keys: frozenset[str] | set[str],
    ) -> torch.Tensor:
        """Metric loss on the graph embeddings of ``anchors`` and freshly drawn positives."""
        assert self._metric is not None
        graphs, labels = locality_batch(
            self.space, anchors, self.locality_positives, self.locality_max_edits, rng, held_keys
        )
        group = graph_batch(*self.space.tensors(graphs)).take(slice(None), self.device)
        means = model.encode(group.adj, group.ops, group.mask)[0]
        embeddings = self._pool(means, group.mask)
        return self._metric(embeddings, torch.as_tensor(labels, device=embeddings.device))

    def _pool(self, means: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Graph embeddings from per-node latents: mean (or sum) over real vertices."""
        weights = mask.to(means.dtype).unsqueeze(-1)
        pooled = (means * weights).sum(dim=1)
        if self.pooling == "mean":
            pooled = pooled / weights.sum(dim=1).clamp_min(1.0)
        return pooled

    def _monitor(self, hold: GraphBatch, epoch: int) -> dict[str, float]:
        """Held-out reconstruction accuracy and validity of samples from the held-out latents."""
        started = time.perf_counter()
        rng = np.random.default_rng([self.seed, epoch])
        out = {"holdout_recon_acc": self.reconstruction_accuracy(hold)}
        if self.validity_samples > 0:
            mean, std = self._latent_stats(hold)
            z = rng.standard_normal((self.validity_samples, *mean.shape)) * std + mean
            quality = validity_uniqueness(self.space, self.decode(z.astype(np.float32)))
            out.update(validity=float(quality["validity"]), uniqueness=float(quality["uniqueness"]))
        out["monitor_seconds"] = time.perf_counter() - started
        return out

    def _encode_means(self, batch: GraphBatch) -> torch.Tensor:
        """Per-node latent means (n, N, d) on the CPU, in eval mode, in large chunks."""
        model = self._require_fitted()
        model.eval()
        chunks = []
        with torch.inference_mode():
            for begin in range(0, len(batch), INFERENCE_BATCH):
                part = batch.take(slice(begin, begin + INFERENCE_BATCH), self.device)
                chunks.append(model.encode(part.adj, part.ops, part.mask)[0].cpu())
        if not chunks:
            return torch.zeros(0, self.space.max_nodes, self.latent_dim)
        return torch.cat(chunks)

    def _latent_stats(self, batch: GraphBatch) -> tuple[np.ndarray, np.ndarray]:
        return _slot_stats(self._encode_means(batch).numpy())

    def reconstruction_accuracy(self, batch: GraphBatch | None = None) -> float:
        """Share of graphs whose ops and adjacency all decode right from their latent means.

        Default: the held-out graphs of the last ``fit`` (saved with the model).
        """
        return self.reconstruction_scores(batch)["graphs"]

    def reconstruction_scores(self, batch: GraphBatch | None = None) -> dict[str, float]:
        """Exact-graph share and the element-wise accuracies, decoded from the latent means.

        ``graphs``: every op and adjacency entry right (our Table 1 number). ``ops``: share of
        real vertices with the right op; ``adjacency``: share of right upper-triangle entries,
        the element-wise view the official arch2vec code reports.
        """
        batch = batch if batch is not None else getattr(self, "holdout_", None)
        if batch is None or len(batch) == 0:
            raise ConfigError("no held-out graphs: fit with holdout > 0 or pass graphs")
        model = self._require_fitted()
        means = self._encode_means(batch).to(self.device)
        nodes = self.space.max_nodes
        upper = torch.triu(torch.ones(nodes, nodes, dtype=torch.bool, device=self.device), 1)
        graphs = ops = adjacency = vertices = 0
        with torch.inference_mode():
            for begin in range(0, len(batch), INFERENCE_BATCH):
                codes, adj = decode_predictions(
                    *model.decode(means[begin : begin + INFERENCE_BATCH])
                )
                target = batch.take(slice(begin, begin + INFERENCE_BATCH), self.device)
                op_hits = codes == target.codes
                adj_hits = adj == target.adj.to(torch.uint8)
                graphs += int((op_hits.all(dim=1) & adj_hits.flatten(1).all(dim=1)).sum())
                ops += int(op_hits[target.mask].sum())
                vertices += int(target.mask.sum())
                adjacency += int(adj_hits[:, upper].sum())
        return {
            "graphs": graphs / len(batch),
            "ops": ops / max(vertices, 1),
            "adjacency": adjacency / (len(batch) * int(upper.sum())),
        }

    def encode_nodes(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        """Per-vertex latent means ``(n, max_nodes, latent_dim)`` (padding slots included)."""
        return self._encode_means(graph_batch(*self.space.tensors(graphs))).numpy()

    def transform(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        """Graph embeddings ``(n, latent_dim)`` float32: mean (or sum) over real vertices."""
        batch = graph_batch(*self.space.tensors(graphs))
        return self._pool(self._encode_means(batch), batch.mask).numpy().astype(np.float32)

    def decode(self, z: np.ndarray | torch.Tensor) -> list[ArchGraph | None]:
        """Architectures decoded from per-vertex latents ``(n, max_nodes, latent_dim)``.

        An entry is None when the decoded graph is not an architecture of the space.
        """
        return graphs_from_codes(self.space, *self.decode_codes(z))

    def decode_codes(
        self, z: np.ndarray | torch.Tensor, real_ops_only: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Raw decoder output: op class per vertex (``len(space.ops)`` = absent) and adjacency.

        With ``real_ops_only`` every vertex takes its best real op, never "absent".
        """
        model = self._require_fitted()
        latents = torch.as_tensor(np.asarray(z, dtype=np.float32)).to(self.device)
        expected = (self.space.max_nodes, self.latent_dim)
        if latents.ndim != 3 or tuple(latents.shape[1:]) != expected:
            raise ConfigError(
                f"decode needs latents of shape (n, {expected[0]}, {expected[1]}), "
                f"got {tuple(latents.shape)}"
            )
        model.eval()
        with torch.inference_mode():
            op_logits, adj_logits = model.decode(latents)
            if real_ops_only:
                op_logits = op_logits[..., : model.absent_class]
            codes, adj = decode_predictions(op_logits, adj_logits)
        return codes.cpu().numpy(), adj.cpu().numpy()

    def paper_decode_codes(self, z: np.ndarray | torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """Decoder output as the official code reads it for the paper's validity.

        Its model has no absent class: every vertex takes its best op and NAS-Bench-101's
        ModelSpec prunes the dead ones. A model trained with the zero-padding op loss is decoded
        that way; a model with a trained absent class keeps it (:meth:`decode_codes`).
        """
        return self.decode_codes(z, real_ops_only=self.op_loss == "sigmoid-zero-pad")

    def sample_latents(self, n: int, rng: np.random.Generator, prior: str = "train") -> np.ndarray:
        """``n`` per-vertex latents: ``"train"`` draws each slot and dimension from a Gaussian with
        the training latents' mean and std (as the official code), ``"standard"`` from N(0, I)."""
        self._require_fitted()
        shape = (n, self.space.max_nodes, self.latent_dim)
        draws = rng.standard_normal(shape)
        if prior == "train":
            draws = draws * self.latent_std_ + self.latent_mean_
        elif prior != "standard":
            raise ConfigError(f"unknown latent prior {prior!r}; use one of {PRIORS}")
        return draws.astype(np.float32)

    def save_state(self, directory: Path) -> None:
        model = self._require_fitted()
        hold = self.holdout_
        state: dict[str, Any] = {
            "model": model.state_dict(),
            "space": self.space.name,
            "ops": list(self.space.ops),
            "max_nodes": self.space.max_nodes,
            "latent_mean": torch.from_numpy(np.asarray(self.latent_mean_)),
            "latent_std": torch.from_numpy(np.asarray(self.latent_std_)),
            "history": self.history_,
        }
        if hold is not None:
            state["holdout_codes"] = hold.codes.to(torch.int8)
            state["holdout_adj"] = torch.from_numpy(
                np.packbits(hold.adj.numpy().astype(np.uint8).reshape(len(hold), -1), axis=1)
            )
        save_checkpoint(directory / STATE_FILE, state)

    def load_state(self, directory: Path) -> None:
        path = directory / STATE_FILE
        state = load_checkpoint(path, keys=STATE_KEYS, kind="an arch2vec model state")
        if state.get("ops") != list(self.space.ops) or state.get("max_nodes") != (
            self.space.max_nodes
        ):
            raise CorruptFileError(
                f"{path} was trained on space {state.get('space')!r}, which does not match this "
                f"model's space {self.space.name!r}; the model directory is mixed up, retrain it"
            )
        model = self._new_model()
        model.load_state_dict(state["model"])  # a mismatch: see load_encoder's error
        self.latent_mean_ = state["latent_mean"].numpy()
        self.latent_std_ = state["latent_std"].numpy()
        self.history_ = list(state["history"])
        self.model_ = model
        self.holdout_ = None
        if "holdout_codes" in state:
            codes = state["holdout_codes"].numpy().astype(np.int64)
            self.holdout_ = batch_from_codes(
                codes, state["holdout_adj"].numpy(), self.space.max_nodes, len(self.space.ops)
            )


def _slot_stats(means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per vertex slot and dimension mean and std of latent means ``(n, N, d)``."""
    return means.mean(axis=0), means.std(axis=0)


def _as_tensors(stats: tuple[np.ndarray, np.ndarray] | None) -> list[torch.Tensor] | None:
    """Latent statistics in a form a weights-only checkpoint can hold."""
    return None if stats is None else [torch.from_numpy(np.asarray(a)) for a in stats]


def _format_metrics(metrics: dict[str, float]) -> str:
    parts = [f"loss {metrics['loss']:.4f}", f"recon {metrics['holdout_recon_acc']:.2%}"]
    if "validity" in metrics:
        parts.append(f"valid {metrics['validity']:.2%} uniq {metrics['uniqueness']:.2%}")
    return " ".join(parts)
