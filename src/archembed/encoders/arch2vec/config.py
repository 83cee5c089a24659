"""Every training choice of arch2vec in one frozen :class:`Arch2VecConfig`, and named recipes.

A recipe is a configuration computed from the space, never typed by hand:

- ``default``: the recipe whose embeddings searched best where it was measured: ``official``
  on NB201 (10 models per recipe x 10 search seeds: DNGO found better cells, GP-BO as good),
  ``plain`` on every other space (not measured there).
- ``plain``: archembed's own VAE (batch 64, softmax op loss, no dropout), and the adjacency
  decoder learns an offset when the training graphs need one (``adj_offset`` None: decided by
  ``fit``; :class:`Arch2VecConfig` alone keeps the plain decoder, as every model saved before
  the offset existed).
- ``official``: everything the official arch2vec code does: batch 32, decoder dropout 0.3, one
  stochastic epoch (it switches to eval mode for its per-epoch check and never back), the
  per-class sigmoid op loss, gradient clipping at 5, one shuffled order for every epoch, the
  sampling Gaussian fitted to the last epoch's batch latents, and its loss scaling. That code
  averages the adjacency loss over all N x N entries of an upper-triangle target (N(N - 1)/2
  real), so against our mean over the real entries it weighs the adjacency (N - 1) / 2N; it
  divides the per-vertex KL by batch size x N (:func:`official_adj_weight`,
  :func:`official_kl_weight`).
- ``paper``: the settings the paper states (batch 32, Adam 1e-3, the epochs per space), with
  archembed's loss.
- ``dag``: for node-labelled DAGs stored in a fixed vertex layout (an imported benchmark's
  cells): ``plain`` with GIN layers that sum successors and predecessors apart, each vertex's
  position as an input feature, a learned symmetric form in place of the inner product, 64
  latent dimensions and Adam 3e-3. On the 500 NAS-Bench-301 cells, where ``plain`` decodes
  none of the held-out cells, it decodes most of them (docs/benchmarks/own-spaces.md).
- ``fast``: a small, short run for tests and first tries (offset as ``plain``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from archembed.checks import (
    check_choice,
    check_float,
    check_int,
    check_options,
    check_recipe,
    check_seed,
)
from archembed.errors import ConfigError
from archembed.nn.graph_autoencoder import ADJ_DECODERS, GRAPH_ENCODERS, OP_LOSSES
from archembed.spaces.base import SearchSpace, get_space

RECIPES = ("default", "plain", "official", "paper", "dag", "fast")
"""The named recipes of :meth:`Arch2VecConfig.recipe`."""
DEFAULT_EPOCHS = {"nb101": 8, "nb201": 10, "darts": 10, "darts_cell": 10}
"""The paper's epochs per space; other spaces use :data:`FALLBACK_EPOCHS` or more (see
:data:`MIN_STEPS`)."""
FALLBACK_EPOCHS = 10
MIN_STEPS = 3000
"""Training steps a space of known size without a paper epoch count gets at least: a benchmark
of a few hundred cells has only about ten batches per epoch, so its epochs grow until it trains
as many steps as :data:`FALLBACK_EPOCHS` epochs of about 20,000 cells (NAS-Bench-Graph's 26,206
keep 10 epochs)."""
POOLINGS = ("mean", "sum")
DATA_ORDERS = ("reshuffle", "fixed")
"""Training order: a new random order every epoch, or one random order for every epoch (the
official code shuffles once, before the first epoch)."""
LATENT_STATS = ("final", "last-epoch")
"""Where the sampling Gaussian's per-slot mean and std come from: the trained model's latent
means over the training set, or (the official code) the means its training batches produced
during the last epoch, as the weights moved."""
MAX_EPOCHS, MAX_BATCH, MAX_WIDTH = 100_000, 1_000_000, 4096
"""Upper bounds of the size parameters (beyond them a run cannot finish or fit in memory)."""
LOCALITY_FIELDS = (
    "locality_loss",
    "locality_miner",
    "locality_weight",
    "locality_positives",
    "locality_max_edits",
    "locality_anchors",
)
OFFICIAL_BATCH = 32
FAST = {"hidden": (32, 32), "epochs": 2, "validity_samples": 200}


@dataclass(frozen=True)
class Arch2VecConfig:
    """How an arch2vec model is built and trained (see :class:`~.model.Arch2Vec` for each field).

    Validated on creation: a bad value raises ConfigError naming it. ``epochs=None`` means the
    paper's epochs for the space (:data:`DEFAULT_EPOCHS`).
    """

    hidden: tuple[int, ...] = (128, 128, 128, 128)
    latent_dim: int = 16
    encoder: str = "gin"
    variational: bool = True
    kl_weight: float = 0.005
    adj_weight: float = 1.0
    adj_offset: bool | None = False
    adj_decoder: str = "inner"
    positions: bool = False
    mlp_layers: int = 2
    decoder_dropout: float = 0.0
    stochastic_epochs: int | None = None
    grad_clip: float | None = None
    op_loss: str = "softmax"
    data_order: str = "reshuffle"
    latent_stats: str = "final"
    pooling: str = "mean"
    epochs: int | None = None
    batch_size: int = 64
    lr: float = 1e-3
    holdout: float = 0.1
    validity_samples: int = 1000
    seed: int = 0
    locality_loss: str | None = None
    locality_miner: str | None = None
    locality_weight: float = 0.5
    locality_positives: int = 7
    locality_max_edits: int = 3
    locality_anchors: int = 16

    def __post_init__(self) -> None:
        self._check_choices()
        self._check_numbers()
        if not self.hidden or isinstance(self.hidden, str):
            raise ConfigError("hidden must list at least one layer width")
        for width in self.hidden:
            check_int("hidden width", width, 1, MAX_WIDTH)
        self._set("hidden", tuple(int(h) for h in self.hidden))
        for name in ("kl_weight", "adj_weight", "decoder_dropout", "lr", "holdout"):
            self._set(name, float(getattr(self, name)))
        self._set("variational", bool(self.variational))
        self._set("positions", bool(self.positions))
        if self.adj_offset is not None:
            self._set("adj_offset", bool(self.adj_offset))
        if self.grad_clip is not None:
            self._set("grad_clip", float(self.grad_clip))
        self._set("locality_weight", float(self.locality_weight))
        if self.locality_loss is not None:  # metric learning is a heavy import: only when used
            from archembed.nn.metric_learning import NO_METRIC_LOSS

            if self.locality_loss == NO_METRIC_LOSS:
                self._set("locality_loss", None)
            else:
                self._set("locality_miner", self.metric_loss().miner_name)

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)

    def _check_choices(self) -> None:
        check_choice("arch2vec encoder", self.encoder, GRAPH_ENCODERS)
        check_choice("pooling", self.pooling, POOLINGS)
        check_choice("adjacency decoder", self.adj_decoder, ADJ_DECODERS)
        check_choice("op loss", self.op_loss, OP_LOSSES)
        check_choice("data order", self.data_order, DATA_ORDERS)
        check_choice("latent stats", self.latent_stats, LATENT_STATS)

    def _check_numbers(self) -> None:
        check_float("holdout", self.holdout, 0.0, 1.0, high_open=True)
        check_float("decoder_dropout", self.decoder_dropout, 0.0, 1.0, high_open=True)
        check_float("kl_weight", self.kl_weight, 0.0)
        check_float("adj_weight", self.adj_weight, 0.0, low_open=True)
        check_float("lr", self.lr, 0.0, low_open=True)
        if self.grad_clip is not None:
            check_float("grad_clip", self.grad_clip, 0.0, low_open=True)
        if self.stochastic_epochs is not None:
            check_int("stochastic_epochs", self.stochastic_epochs, 0, MAX_EPOCHS)
        if self.epochs is not None:
            check_int("epochs", self.epochs, 1, MAX_EPOCHS)
        check_int("batch_size", self.batch_size, 2, MAX_BATCH)
        check_int("latent_dim", self.latent_dim, 1, MAX_WIDTH)
        check_int("mlp_layers", self.mlp_layers, 1, 16)
        check_int("validity_samples", self.validity_samples, 0, 1_000_000)
        check_seed("seed", self.seed)

    def metric_loss(self) -> Any:
        """The locality metric loss (validated), or None when the locality loss is off."""
        if self.locality_loss is None:
            return None
        from archembed.encoders.locality import check_locality_options

        return check_locality_options(
            self.locality_loss,
            self.locality_miner,
            self.locality_weight,
            self.locality_positives,
            self.locality_max_edits,
            self.locality_anchors,
            weight_name="locality_weight",
        )

    def n_epochs(self, space: SearchSpace) -> int:
        """The epochs to train: ``epochs``, else the paper's number for ``space``, else enough
        epochs for :data:`MIN_STEPS` steps over a finite space's training share (at least
        :data:`FALLBACK_EPOCHS`)."""
        if self.epochs is not None:
            return int(self.epochs)
        if space.name in DEFAULT_EPOCHS:
            return DEFAULT_EPOCHS[space.name]
        if not space.size:
            return FALLBACK_EPOCHS
        training = space.size - round(space.size * self.holdout)
        steps = max(1, -(-training // self.batch_size))
        return max(FALLBACK_EPOCHS, -(-MIN_STEPS // steps))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields; the ``locality_*`` ones only when the locality loss is on and
        ``adj_offset``, ``adj_decoder`` and ``positions`` only when not off, so plain arch2vec
        configs (and saved models) read as they did before these existed."""
        out = asdict(self)
        out["hidden"] = list(self.hidden)
        for name, off in (("adj_offset", False), ("adj_decoder", "inner"), ("positions", False)):
            if out[name] == off:
                del out[name]
        if self.locality_loss is None:
            for name in LOCALITY_FIELDS:
                del out[name]
        return out

    def with_options(self, **overrides: Any) -> Arch2VecConfig:
        """A copy with some fields replaced (and validated again)."""
        check_options("arch2vec", Arch2VecConfig, overrides)
        return replace(self, **overrides)

    @classmethod
    def recipe(cls, name: str, space: SearchSpace | str, **overrides: Any) -> Arch2VecConfig:
        """The named recipe (:data:`RECIPES`) computed for ``space``; ``overrides`` win."""
        check_recipe("arch2vec", name, RECIPES, cls, overrides)
        space = get_space(space) if isinstance(space, str) else space
        check_space(space)
        values = RECIPE_BUILDERS[name](space, overrides.get("batch_size"))
        return cls(**{**values, **overrides})


def check_space(space: SearchSpace) -> None:
    """arch2vec needs an op vocabulary and a maximum graph size."""
    if not space.max_nodes or len(space.ops) <= 2:
        raise ConfigError(
            f"space {space.name!r} has no op vocabulary or maximum size; arch2vec needs "
            "both (create the space with ops=[...] and max_nodes=N)"
        )


def official_adj_weight(space: SearchSpace) -> float:
    """The official adjacency loss against ours: N(N - 1)/2 real entries of N x N averaged."""
    nodes = space.max_nodes
    return (nodes - 1) / (2 * nodes)


def official_kl_weight(space: SearchSpace, batch_size: int = OFFICIAL_BATCH) -> float:
    """The official KL scaling: the per-vertex KL divided by batch size x N."""
    return 1.0 / (batch_size * space.max_nodes)


DEFAULT_OFFICIAL_SPACES = ("nb201",)
"""Spaces whose ``default`` recipe is ``official`` (where the recipe study measured it)."""


def _default(space: SearchSpace, batch_size: int | None) -> dict[str, Any]:
    builder = _official if space.name in DEFAULT_OFFICIAL_SPACES else _plain
    return builder(space, batch_size)


def _plain(space: SearchSpace, batch_size: int | None) -> dict[str, Any]:
    return {"adj_offset": None}


def _official(space: SearchSpace, batch_size: int | None) -> dict[str, Any]:
    batch = OFFICIAL_BATCH if batch_size is None else batch_size
    return {
        "batch_size": batch,
        "decoder_dropout": 0.3,
        "stochastic_epochs": 1,
        "op_loss": "sigmoid",
        "grad_clip": 5.0,
        "adj_weight": official_adj_weight(space),
        "kl_weight": official_kl_weight(space, batch),
        "data_order": "fixed",
        "latent_stats": "last-epoch",
    }


def _paper(space: SearchSpace, batch_size: int | None) -> dict[str, Any]:
    return {"batch_size": OFFICIAL_BATCH, "epochs": Arch2VecConfig().n_epochs(space), "lr": 1e-3}


def _dag(space: SearchSpace, batch_size: int | None) -> dict[str, Any]:
    return {
        "adj_offset": None,
        "encoder": "gin-directed",
        "positions": True,
        "adj_decoder": "bilinear",
        "latent_dim": 64,
        "lr": 3e-3,
    }


def _fast(space: SearchSpace, batch_size: int | None) -> dict[str, Any]:
    return {**FAST, "adj_offset": None}


RECIPE_BUILDERS = {
    "default": _default,
    "plain": _plain,
    "official": _official,
    "paper": _paper,
    "dag": _dag,
    "fast": _fast,
}
