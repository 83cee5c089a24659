"""The arch2vec encoder: a (variational) graph autoencoder trained on one space's cells."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import torch

from archembed.encoders.arch2vec.config import Arch2VecConfig, check_space
from archembed.encoders.arch2vec.data import (
    GraphBatch,
    batch_from_codes,
    graph_batch,
    pack_adjacency,
)
from archembed.encoders.arch2vec.sampling import Sampling
from archembed.encoders.arch2vec.training import fit_encoder
from archembed.encoders.base import Encoder, register_encoder
from archembed.errors import ConfigError, CorruptFileError
from archembed.graph import ArchGraph
from archembed.nn.graph_autoencoder import GraphAutoencoder, decode_predictions
from archembed.nn.runtime import load_checkpoint, resolve_device, save_checkpoint
from archembed.nn.training import seeded
from archembed.spaces.base import SearchSpace

STATE_FILE = "state.pt"
STATE_KEYS = ("model", "ops", "max_nodes", "latent_mean", "latent_std", "history")
INFERENCE_BATCH = 8192
FIELDS = frozenset(f.name for f in fields(Arch2VecConfig))


@register_encoder("arch2vec")
class Arch2Vec(Sampling, Encoder):
    """Variational graph isomorphism autoencoder (arch2vec) and its ablations.

    Built from an :class:`Arch2VecConfig` (``config``), from keyword options (the config's
    fields, e.g. ``Arch2Vec(space, epochs=10)``), or from a named recipe
    (:meth:`from_recipe`); every option reads back as an attribute (``model.kl_weight``).
    ``encoder="gcn"`` with ``variational=False`` is GAE, with ``variational=True`` VGAE;
    ``kl_weight=0`` is arch2vec without the KL term; ``adj_weight`` scales the adjacency loss
    against the op loss; ``adj_offset`` adds a learned offset to the adjacency logits (None, as
    the default recipe: decided by ``fit``, on exactly when a training graph has unlinked
    twins, two vertices the encoder cannot tell apart, which the plain decoder always links).
    ``decoder_dropout`` is the dropout on the latents before decoding; ``stochastic_epochs``
    trains only the first epochs in training mode (None: every epoch), later ones in eval mode;
    ``grad_clip`` bounds each step's gradient norm; ``op_loss`` is
    one of :data:`~archembed.nn.graph_autoencoder.OP_LOSSES`; ``data_order`` and
    ``latent_stats`` select the official code's fixed order and last-epoch sampling
    statistics. ``locality_loss`` (a metric-loss name; None = off) adds the locality loss.
    Learned: ``model_``, ``latent_mean_`` / ``latent_std_`` (per vertex slot and dimension),
    ``history_`` (per-epoch metrics), ``holdout_`` (the held-out graphs).
    """

    name = "arch2vec"

    def __init__(
        self,
        space: SearchSpace | str,
        config: Arch2VecConfig | None = None,
        *,
        device: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(space)
        check_space(self.space)
        base = config if config is not None else Arch2VecConfig()
        self.settings = base.with_options(**options) if options else base
        self.device = resolve_device(device)

    @classmethod
    def from_recipe(
        cls, name: str, space: SearchSpace | str, *, device: str | None = None, **overrides: Any
    ) -> Arch2Vec:
        """A model configured by the named recipe for ``space`` (``overrides`` win)."""
        return cls(space, Arch2VecConfig.recipe(name, space, **overrides), device=device)

    @classmethod
    def from_config(cls, space: SearchSpace, config: dict[str, Any]) -> Arch2Vec:
        """A model of a saved config (an unknown key is a TypeError: a damaged model file)."""
        return cls(space, Arch2VecConfig(**config))

    def __getattr__(self, name: str) -> Any:
        settings = self.__dict__.get("settings")
        if settings is not None and name in FIELDS:
            return getattr(settings, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in FIELDS:  # an option: a new (validated) config, never a stray attribute
            value, name = self.settings.with_options(**{name: value}), "settings"
        super().__setattr__(name, value)

    def config(self) -> dict[str, Any]:
        return self.settings.to_dict()

    @property
    def n_epochs(self) -> int:
        return self.settings.n_epochs(self.space)

    def new_model(self) -> GraphAutoencoder:
        """A freshly initialised network, its weights drawn from the seed (global RNG kept)."""
        settings = self.settings
        with seeded(settings.seed):
            model = GraphAutoencoder(
                len(self.space.ops),
                settings.hidden,
                settings.latent_dim,
                settings.encoder,
                settings.variational,
                settings.mlp_layers,
                settings.decoder_dropout,
                settings.op_loss,
                bool(settings.adj_offset),
                settings.adj_decoder,
                self.space.max_nodes if settings.positions else 0,
            )
        return model.to(self.device)

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
        fit_encoder(self, graphs, checkpoint, resume, progress)
        return self

    def pool(self, means: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Graph embeddings from per-node latents: mean (or sum) over real vertices."""
        weights = mask.to(means.dtype).unsqueeze(-1)
        pooled = (means * weights).sum(dim=1)
        if self.settings.pooling == "mean":
            pooled = pooled / weights.sum(dim=1).clamp_min(1.0)
        return pooled

    def encode_means(self, batch: GraphBatch) -> torch.Tensor:
        """Per-node latent means (n, N, d) on the CPU, in eval mode, in large chunks."""
        model = self._require_fitted()
        model.eval()
        chunks = []
        with torch.inference_mode():
            for begin in range(0, len(batch), INFERENCE_BATCH):
                part = batch.take(slice(begin, begin + INFERENCE_BATCH), self.device)
                chunks.append(model.encode(part.adj, part.ops, part.mask)[0].cpu())
        if not chunks:
            return torch.zeros(0, self.space.max_nodes, self.settings.latent_dim)
        return torch.cat(chunks)

    def reconstruction_accuracy(self, batch: GraphBatch | None = None) -> float:
        """Share of graphs whose ops and adjacency all decode right from their latent means.

        Default: the held-out graphs of the last ``fit`` (saved with the model).
        """
        return self.reconstruction_scores(batch)["graphs"]

    def reconstruction_scores(
        self, batch: GraphBatch | None = None, means: torch.Tensor | None = None
    ) -> dict[str, float]:
        """Exact-graph share and the element-wise accuracies, decoded from the latent means.

        ``graphs``: every op and adjacency entry right (our Table 1 number). ``ops``: share of
        real vertices with the right op; ``adjacency``: share of right upper-triangle entries,
        the element-wise view the official arch2vec code reports. ``means``: the batch's
        :meth:`encode_means`, when the caller has them already.
        """
        batch = batch if batch is not None else getattr(self, "holdout_", None)
        if batch is None or len(batch) == 0:
            raise ConfigError("no held-out graphs: fit with holdout > 0 or pass graphs")
        model = self._require_fitted()
        means = (self.encode_means(batch) if means is None else means).to(self.device)
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
        return self.encode_means(graph_batch(*self.space.tensors(graphs))).numpy()

    def transform(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        """Graph embeddings ``(n, latent_dim)`` float32: mean (or sum) over real vertices."""
        batch = graph_batch(*self.space.tensors(graphs))
        return self.pool(self.encode_means(batch), batch.mask).numpy().astype(np.float32)

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
            state["holdout_adj"] = pack_adjacency(hold)
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
        model = self.new_model()
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
