"""Predictor specs used by the protocol: a supervised encoder, or ``encoder+head``.

``"gates"``, ``"tagates"``, ``"mlp"``, ``"mlp-path"``, ``"lstm"``, ``"gcn"`` name supervised
encoders trained end to end; ``"arch2vec+gp"``, ``"onehot+lightgbm"``, ``"path+rf"`` name a
self-supervised encoder (fitted once, without labels) whose embeddings feed a regression head
of :mod:`archembed.predictors` (one head per target column for several fidelities).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from archembed.encoders.base import ENCODERS, Encoder, load_encoder
from archembed.encoders.cellwise import encoder_for_space
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.predictors.base import PREDICTORS, make_predictor


@dataclass(frozen=True)
class PredictorSpec:
    """A parsed spec: encoder name and, for self-supervised encoders, a head name."""

    text: str
    encoder: str
    head: str | None

    @property
    def supervised(self) -> bool:
        return self.head is None


def parse_spec(text: str) -> PredictorSpec:
    """Check ``text`` against the registries: ``name`` (supervised) or ``encoder+head``."""
    from archembed import encoders  # noqa: F401  (registers the built-in encoders)
    from archembed.predictors import gp, heads  # noqa: F401  (registers the built-in heads)

    name, _, head = text.strip().partition("+")
    cls = ENCODERS.get(name)
    if head:
        PREDICTORS.get(head)
        if cls.supervised:
            raise ConfigError(
                f"{name!r} is trained end to end with its own head; use {name!r}, not {text!r}"
            )
        return PredictorSpec(text.strip(), name, head)
    if not cls.supervised:
        raise ConfigError(
            f"{name!r} is self-supervised: give it a regression head, e.g. {name}+gp, "
            f"{name}+lightgbm, {name}+rf or {name}+mlp"
        )
    return PredictorSpec(text.strip(), name, None)


def supervised_model(
    spec: PredictorSpec, space: Any, seed: int, params: dict[str, Any] | None = None
) -> Encoder:
    """A fresh supervised encoder for one run."""
    try:
        return ENCODERS.get(spec.encoder)(space, seed=seed, **(params or {}))
    except TypeError as exc:
        raise ConfigError(f"bad parameters for {spec.encoder!r}: {exc}") from None


def fitted_embedder(
    spec: PredictorSpec,
    space: Any,
    graphs: Sequence[ArchGraph],
    *,
    model_dir: str | None = None,
    params: dict[str, Any] | None = None,
) -> Encoder:
    """The self-supervised encoder of ``spec``: loaded from ``model_dir``, else fitted on
    ``graphs`` without labels (seed 0)."""
    if model_dir is not None:
        return encoder_for_space(load_encoder(model_dir), space)
    try:
        encoder = ENCODERS.get(spec.encoder)(space, **(params or {}))
    except TypeError as exc:
        raise ConfigError(f"bad parameters for {spec.encoder!r}: {exc}") from None
    return encoder.fit(graphs)


class EmbeddingRegressor:
    """Regression heads on fixed embeddings, one per target column."""

    def __init__(self, head: str, seed: int, params: dict[str, Any] | None = None) -> None:
        self.head = head
        self.seed = seed
        self.params = params or {}

    predicts_values = True

    def fit(self, X: np.ndarray, y: np.ndarray) -> EmbeddingRegressor:
        columns = y.reshape(len(y), -1)
        self.target_ndim_ = y.ndim
        self.heads_ = [
            make_predictor(self.head, seed=self.seed, **self.params).fit(X, columns[:, i])
            for i in range(columns.shape[1])
        ]
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        out = np.stack([np.asarray(h.predict(X)) for h in self.heads_], axis=1)
        return out[:, 0] if self.target_ndim_ == 1 else out
