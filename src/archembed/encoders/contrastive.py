"""Contrastive embeddings from data Jacobians (Hesslow & Poli, "Contrastive Embeddings for
Neural Architectures").

Each architecture is represented by precomputed feature sets, one per random init: the
projected data-Jacobian matrix (EPDJM), a set of ``n_points`` vectors (see
:mod:`archembed.nets.feature_store`). A DeepSets encoder embeds one set; SimCLR training
(NT-Xent, temperature 0.1) pulls the embeddings of two inits of one architecture together and
pushes other architectures away, through a one-layer projection head used only for training.

At inference the embedding of an architecture is the **mean of the encoder outputs over all
its stored inits** (before the projection head). The embedding depends on the network's
function only, not on how a search space is parametrised, so one model can be fitted on stores
of several spaces at once and embed all of them in one space.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from archembed.checks import check_float, check_int, check_recipe, check_seed
from archembed.encoders.base import Encoder, register_encoder
from archembed.encoders.feature_sets import Entry, FeatureSets
from archembed.errors import (
    ConfigError,
    CorruptFileError,
    DataNotFoundError,
    InvalidArchitectureError,
)
from archembed.graph import ArchGraph
from archembed.io import read_json, write_json
from archembed.nets.feature_store import FeatureStore
from archembed.nn.contrastive import nt_xent
from archembed.nn.deepsets import DeepSets
from archembed.nn.runtime import load_checkpoint, resolve_device, save_checkpoint
from archembed.nn.training import EpochRandom, Trainer, seeded
from archembed.preprocessing import Standardizer
from archembed.spaces.base import SearchSpace

_STATS_SAMPLE = 2048
DIVERGED_HINT = "lower --lr or raise --temperature"
STATE_KEYS = ("model", "mean", "std", "n_points", "in_dim")
_EMBED_CHUNK = 256
CHECKPOINT = "checkpoint.pt"
RUN_OPTIONS = ("partial", "device", "checkpoint_dir", "progress")
"""Encoder arguments that are not part of the configuration a recipe sets."""
RECIPES = ("default", "paper", "fast")
"""The named recipes of :meth:`ContrastiveConfig.recipe`."""
MAX_EPOCHS, MAX_BATCH, MAX_WIDTH = 100_000, 1_000_000, 8192
FAST = {"embed_dim": 32, "hidden": 32, "layers": 1, "batch_size": 128, "epochs": 2}
PAPER = {
    "embed_dim": 256,
    "hidden": 256,
    "layers": 4,
    "batch_size": 1024,
    "epochs": 30,
    "lr": 5e-5,
    "lr_decay": 0.95,
    "holdout": 0.066,
}
"""The official code's settings (DeepSets of 4 + 4 layers of width 256, batch 1,024, Adam
5e-5 decayed by 0.95 per epoch, 30 epochs, 1,028 of NB201's 15,625 cells held out)."""


@dataclass(frozen=True)
class ContrastiveConfig:
    """How a contrastive encoder is built and trained; validated on creation (ConfigError).

    Recipes (:meth:`recipe`): ``default``, archembed's settings (wider steps, smaller model:
    the numbers in the docs); ``paper``, the official code's training (:data:`PAPER`; the
    same NT-Xent at temperature 0.1 with two inits as the two views); ``fast``, a small,
    short run for tests and first tries. The feature sets have a fixed shape whatever their
    search space, so no setting depends on the space.
    """

    embed_dim: int = 256
    hidden: int = 128
    layers: int = 2
    temperature: float = 0.1
    batch_size: int = 512
    epochs: int = 30
    lr: float = 1e-3
    lr_decay: float = 1.0
    holdout: float = 0.1
    seed: int = 0

    def __post_init__(self) -> None:
        check_int("batch_size", self.batch_size, 2, MAX_BATCH)
        check_float("holdout", self.holdout, 0.0, 1.0, high_open=True)
        check_int("epochs", self.epochs, 0, MAX_EPOCHS)
        check_int("embed_dim", self.embed_dim, 1, MAX_WIDTH)
        check_int("hidden", self.hidden, 1, MAX_WIDTH)
        check_int("layers", self.layers, 1, 16)
        check_float("temperature", self.temperature, 0.0, low_open=True)
        check_float("lr", self.lr, 0.0, low_open=True)
        check_float("lr_decay", self.lr_decay, 0.0, 1.0, low_open=True)
        check_seed("seed", self.seed)

    def to_dict(self) -> dict[str, Any]:
        """The fields as a dict (the keyword arguments of :class:`ContrastiveEncoder`)."""
        return asdict(self)

    @classmethod
    def recipe(cls, name: str, **overrides: Any) -> ContrastiveConfig:
        """The named recipe (:data:`RECIPES`); ``overrides`` (config fields) win."""
        check_recipe("contrastive", name, RECIPES, cls, overrides)
        base = {"fast": FAST, "paper": PAPER}.get(name, {})
        return replace(cls(**base), **overrides)


@register_encoder("contrastive")
class ContrastiveEncoder(Encoder):
    """DeepSets + SimCLR on per-init feature sets; ``fit()`` without graphs uses every row.

    ``features`` lists the feature-store directories the model trains on and looks
    architectures up in (saved in its config); ``partial`` also accepts stores still being
    computed and uses the rows written so far. ``epochs=0`` gives the untrained encoder
    (random weights, input standardisation fitted), the paper's ablation baseline.
    """

    name = "contrastive"

    def __init__(
        self,
        space: SearchSpace | str,
        features: Sequence[str | os.PathLike[str]] = (),
        partial: bool = False,
        embed_dim: int = 256,
        hidden: int = 128,
        layers: int = 2,
        temperature: float = 0.1,
        batch_size: int = 512,
        epochs: int = 30,
        lr: float = 1e-3,
        lr_decay: float = 1.0,
        holdout: float = 0.1,
        seed: int = 0,
        device: str = "cpu",
        checkpoint_dir: str | os.PathLike[str] | None = None,
        progress: bool = True,
    ) -> None:
        super().__init__(space)
        ContrastiveConfig(  # validates every setting
            embed_dim=embed_dim,
            hidden=hidden,
            layers=layers,
            temperature=temperature,
            batch_size=batch_size,
            epochs=epochs,
            lr=lr,
            lr_decay=lr_decay,
            holdout=holdout,
            seed=seed,
        )
        resolve_device(device)
        self.features = [str(Path(p).resolve()) for p in features]
        self.partial = partial
        self.embed_dim = embed_dim
        self.hidden = hidden
        self.layers = layers
        self.temperature = temperature
        self.batch_size = batch_size
        self.epochs = epochs
        self.lr = lr
        self.lr_decay = lr_decay
        self.holdout = holdout
        self.seed = seed
        self.device = device
        self.checkpoint_dir = None if checkpoint_dir is None else Path(checkpoint_dir)
        self.progress = progress
        self._sets: FeatureSets | None = None

    @classmethod
    def from_stores(
        cls, paths: Sequence[str | os.PathLike[str]], **params: Any
    ) -> ContrastiveEncoder:
        """An encoder over ``paths`` whose home space is the first store's space."""
        sets = FeatureSets.open(paths, bool(params.get("partial", False)))
        encoder = cls(sets.spaces[0], features=sets.paths, **params)
        encoder._sets = sets
        return encoder

    @classmethod
    def from_recipe(
        cls, name: str, paths: Sequence[str | os.PathLike[str]], **options: Any
    ) -> ContrastiveEncoder:
        """An encoder over the stores at ``paths`` configured by the named recipe.

        ``options`` are config fields, which override the recipe's, and the run's settings
        (``partial``, ``device``, ``checkpoint_dir``, ``progress``).
        """
        run = {key: options.pop(key) for key in RUN_OPTIONS if key in options}
        return cls.from_stores(paths, **run, **ContrastiveConfig.recipe(name, **options).to_dict())

    def config(self) -> dict[str, Any]:
        return {
            "features": self.features,
            "partial": self.partial,
            "embed_dim": self.embed_dim,
            "hidden": self.hidden,
            "layers": self.layers,
            "temperature": self.temperature,
            "batch_size": self.batch_size,
            "epochs": self.epochs,
            "lr": self.lr,
            "lr_decay": self.lr_decay,
            "holdout": self.holdout,
            "seed": self.seed,
            "device": self.device,
        }

    @property
    def feature_sets(self) -> FeatureSets:
        if self._sets is None:
            self._sets = FeatureSets.open(self.features, self.partial)
        return self._sets

    @property
    def spaces(self) -> list[str]:
        """Names of the spaces this model has features for."""
        return [s.name for s in self.feature_sets.spaces]

    def add_features(self, path: str | os.PathLike[str]) -> ContrastiveEncoder:
        """Also look architectures up in the store at ``path`` (same inputs and projection)."""
        sets = FeatureSets.open([*self.features, path], self.partial)
        if hasattr(self, "model_") and sets.set_shape != (self.n_points_, self.in_dim_):
            raise ConfigError(f"{path} holds sets of another shape than this model was trained on")
        self.features, self._sets = sets.paths, sets
        return self

    def check_space(self, space: SearchSpace | str) -> None:
        name = space if isinstance(space, str) else space.name
        if name not in self.spaces:
            raise InvalidArchitectureError(
                f"this contrastive model has features for {', '.join(self.spaces)}, not {name!r}; "
                f"compute {name} features and add them with add_features()"
            )

    # training -------------------------------------------------------------------------

    def fit(
        self, graphs: Sequence[ArchGraph] | None = None, y: np.ndarray | None = None
    ) -> ContrastiveEncoder:
        """Train on the feature sets of ``graphs`` (every stored architecture when None)."""
        sets = self.feature_sets
        entries = sets.all_entries() if graphs is None else sets.locate(graphs)
        if any(sets.stores[s].features.shape[1] < 2 for s, _ in entries) and self.epochs:
            raise ConfigError("contrastive training needs at least 2 inits per architecture")
        rng = np.random.default_rng(self.seed)
        order = rng.permutation(len(entries))
        n_held = round(self.holdout * len(entries))
        held = [entries[i] for i in order[:n_held]]
        train = [entries[i] for i in order[n_held:]]
        if len(train) < 2:
            raise ConfigError(f"only {len(train)} training architectures; give at least 2")
        head = self._build(sets, train, rng)
        network = nn.ModuleDict({"encoder": self.model_, "head": head})
        trainer = Trainer(
            "contrastive",
            self.epochs,
            self.seed,
            self.config(),
            checkpoint=None if self.checkpoint_dir is None else self.checkpoint_dir / CHECKPOINT,
            progress=self.progress,
            hint=DIVERGED_HINT,
            on_epoch=lambda epoch, metrics: {"heldout_loss": self._heldout_loss(sets, held, head)},
            extra_state=lambda: {
                "mean": torch.from_numpy(self.mean_),
                "std": torch.from_numpy(self.std_),
            },
            on_resume=self._restore_scaling,
            steps_per_epoch=-(-len(train) // self.batch_size),
        )
        optimiser = torch.optim.Adam(network.parameters(), lr=self.lr)
        decay = None
        if self.lr_decay != 1.0:
            decay = torch.optim.lr_scheduler.ExponentialLR(optimiser, self.lr_decay)
        self.history_ = trainer.fit(
            network,
            optimiser,
            lambda random: self._batches(sets, train, random),
            lambda views, random: self._loss(head, views),
            decay,
        )
        return self

    def _build(self, sets: FeatureSets, train: list[Entry], rng: np.random.Generator) -> nn.Module:
        """Fresh model and projection head (seeded), input standardisation from a sample of
        training sets; returns the head."""
        self.device_ = resolve_device(self.device)
        self.n_points_, self.in_dim_ = sets.set_shape
        with seeded(self.seed):
            self.model_ = DeepSets(self.in_dim_, self.hidden, self.embed_dim, self.layers)
            head = nn.Linear(self.embed_dim, self.embed_dim)
        self.model_.to(self.device_)
        sample = [train[i] for i in rng.permutation(len(train))[:_STATS_SAMPLE]]
        values = np.concatenate([v.reshape(-1, self.in_dim_) for v in sets.gather(sample)]).astype(
            np.float64
        )
        scaling = Standardizer(floor=1e-8).fit(values)
        self.mean_ = scaling.mean_.astype(np.float32)
        self.std_ = scaling.std_.astype(np.float32)
        return head.to(self.device_)

    def _restore_scaling(self, extra: dict[str, Any]) -> None:
        """Input standardisation of the run being resumed."""
        self.mean_, self.std_ = extra["mean"].numpy(), extra["std"].numpy()

    def _tensor(self, values: np.ndarray) -> torch.Tensor:
        return torch.from_numpy((values - self.mean_) / self.std_).to(self.device_)

    def _batches(
        self, sets: FeatureSets, train: list[Entry], random: EpochRandom
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Two random inits (views) of each architecture of each batch, in a random order."""
        rng = random.numpy()
        order = rng.permutation(len(train))
        for start in range(0, len(train), self.batch_size):
            batch = [train[i] for i in order[start : start + self.batch_size]]
            if len(batch) >= 2:
                first, second = sets.views(batch, rng)
                yield self._tensor(first), self._tensor(second)

    def _loss(
        self, head: nn.Module, views: tuple[torch.Tensor, torch.Tensor]
    ) -> tuple[torch.Tensor, dict[str, float]]:
        """NT-Xent between the projected embeddings of the two views."""
        first, second = views
        loss = nt_xent(head(self.model_(first)), head(self.model_(second)), self.temperature)
        return loss, {"NT-Xent": loss.item()}

    @torch.no_grad()
    def _heldout_loss(self, sets: FeatureSets, held: list[Entry], head: nn.Module) -> float:
        """NT-Xent on held-out architectures with fixed views (inits 0 and 1), batch-weighted."""
        if len(held) < 2:
            return float("nan")
        self.model_.eval()
        total, count = 0.0, 0
        for start in range(0, len(held), self.batch_size):
            values = sets.gather(held[start : start + self.batch_size])
            if len(values) < 2:
                continue
            first = np.stack([v[0] for v in values])
            second = np.stack([v[1] for v in values])
            loss = nt_xent(
                head(self.model_(self._tensor(first))),
                head(self.model_(self._tensor(second))),
                self.temperature,
            )
            total += float(loss) * len(values)
            count += len(values)
        return total / count

    # inference ------------------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise CorruptFileError("contrastive encoder is not fitted: call fit() or load a model")

    @torch.no_grad()
    def embed_features(self, features: np.ndarray) -> np.ndarray:
        """Embeddings of feature arrays ``(n, n_inits, n_points, dim)``: mean over inits."""
        self._check_fitted()
        features = np.asarray(features, dtype=np.float32)
        if features.ndim != 4 or features.shape[3] != self.in_dim_:
            raise ConfigError(
                f"expected features of shape (n, n_inits, n_points, {self.in_dim_}), "
                f"got {features.shape}"
            )
        self.model_.eval()
        n, n_inits = features.shape[:2]
        sets = features.reshape(n * n_inits, *features.shape[2:])
        step = _EMBED_CHUNK * n_inits
        out = np.zeros((n * n_inits, self.embed_dim), dtype=np.float32)
        for start in range(0, len(sets), step):
            out[start : start + step] = self.model_(self._tensor(sets[start : start + step])).cpu()
        return out.reshape(n, n_inits, -1).mean(axis=1)

    def embed_store(
        self, store: FeatureStore | str | os.PathLike[str], rows: np.ndarray | None = None
    ) -> np.ndarray:
        """Embeddings of a store's rows (all of them by default), in row order."""
        if not isinstance(store, FeatureStore):
            store = FeatureStore.open(store)
        rows = np.arange(len(store.ids)) if rows is None else np.asarray(rows, dtype=np.int64)
        if not store.done[rows].all():
            raise DataNotFoundError(
                f"feature store {store.directory} has no features yet for some requested rows "
                f"({store.progress}); resume the feature computation"
            )
        return self._embed_chunks(lambda chunk: store.features[chunk], rows)

    def transform(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        """Embeddings of ``graphs``, whose features are looked up in the model's stores."""
        self._check_fitted()
        sets = self.feature_sets
        entries = sets.locate(graphs)
        return self._embed_chunks(lambda chunk: np.stack(sets.gather(chunk)), entries)

    def _embed_chunks(self, read: Any, items: Sequence[Any] | np.ndarray) -> np.ndarray:
        parts = [
            self.embed_features(read(items[i : i + _EMBED_CHUNK]))
            for i in range(0, len(items), _EMBED_CHUNK)
        ]
        return np.concatenate(parts) if parts else np.zeros((0, self.embed_dim), np.float32)

    # persistence ----------------------------------------------------------------------

    def save_state(self, directory: Path) -> None:
        self._check_fitted()
        save_checkpoint(
            directory / "state.pt",
            {
                "model": self.model_.state_dict(),
                "mean": torch.from_numpy(self.mean_),
                "std": torch.from_numpy(self.std_),
                "n_points": self.n_points_,
                "in_dim": self.in_dim_,
            },
        )
        write_json(directory / "history.json", self.history_)

    def load_state(self, directory: Path) -> None:
        state = load_checkpoint(directory / "state.pt", keys=STATE_KEYS, kind="a contrastive state")
        self.device_ = resolve_device(self.device)
        self.n_points_, self.in_dim_ = int(state["n_points"]), int(state["in_dim"])
        self.model_ = DeepSets(self.in_dim_, self.hidden, self.embed_dim, self.layers)
        self.model_.load_state_dict(state["model"])
        self.model_.to(self.device_).eval()
        self.mean_, self.std_ = state["mean"].numpy(), state["std"].numpy()
        self.history_ = list(read_json(directory / "history.json"))
