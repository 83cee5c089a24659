"""One predictor protocol: architectures in, predicted scores out (scikit-learn conventions).

:class:`ArchPredictor` is all that ``archembed predict``, ``evaluate`` and the search
surrogates rely on: ``fit(graphs, y)``, ``predict(graphs, return_std=False)``, the parameter
methods of :class:`~archembed.estimator.Estimator` and :func:`~archembed.estimator.clone`.
GATES and TA-GATES implement it end to end; :class:`EmbeddingPredictor` composes any encoder
with any regression head of :mod:`archembed.predictors`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from archembed.errors import ConfigError, CorruptFileError
from archembed.estimator import Estimator, clone
from archembed.graph import ArchGraph
from archembed.predictors.base import Predictor

if TYPE_CHECKING:
    from archembed.encoders.base import Encoder
    from archembed.encoders.precomputed import PrecomputedEncoder

Prediction = np.ndarray | tuple[np.ndarray, np.ndarray]
"""Means ``(n,)`` (or ``(n, k)`` for k target columns), with standard deviations if asked."""


@runtime_checkable
class ArchPredictor(Protocol):
    """Predicts a target (higher is better) of architectures from a few labelled ones.

    ``has_std``: ``predict(graphs, return_std=True)`` works. ``predicts_values``: predictions
    are in target units (else only their ranking means something, e.g. a hinge-trained GATES).
    """

    name: str
    has_std: bool
    predicts_values: bool

    def fit(self, graphs: Sequence[ArchGraph], y: np.ndarray) -> ArchPredictor:
        """Learn from ``graphs`` and targets ``y`` of shape ``(n,)`` or ``(n, k)``."""
        ...

    def predict(self, graphs: Sequence[ArchGraph], return_std: bool = False) -> Prediction:
        """Predictions shaped like ``y``; ``(mean, std)`` when ``return_std``."""
        ...

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters."""
        ...

    def set_params(self, **params: Any) -> ArchPredictor:
        """Change constructor parameters."""
        ...


class EmbeddingPredictor(Estimator):
    """An encoder's embeddings fed to a regression head, one head per target column.

    ``encoder`` is used as given: pretrained (arch2vec, contrastive, locality), fitted without
    labels, a baseline (one-hot, path) or precomputed embeddings (:func:`tabulated`, an
    embedding file's :class:`~archembed.encoders.precomputed.PrecomputedEncoder`);
    :meth:`fit` trains the head only.
    ``head`` is a :class:`~archembed.predictors.Predictor` (``make_predictor("gp")``,
    ``"lightgbm"``, ``"rf"``, ``"mlp"``, ``"dngo"``), cloned for every fit. Callers that
    already hold embeddings (a search's candidate pool) use :meth:`fit_embedded` /
    :meth:`predict_embedded` and skip the encoder.
    """

    predicts_values = True

    def __init__(self, encoder: Encoder, head: Predictor) -> None:
        if not isinstance(head, Predictor):
            raise ConfigError(
                f"head must be a Predictor (e.g. make_predictor('gp')), not {type(head).__name__}"
            )
        self.encoder = encoder
        self.head = head

    @property
    def name(self) -> str:
        """``encoder+head``, as ``archembed predict`` names it."""
        return f"{self.encoder.name}+{self.head.name}"

    @property
    def has_std(self) -> bool:
        """Whether the head gives a predictive standard deviation."""
        return self.head.has_std

    def embed(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        """The encoder's ``(n, d)`` embeddings of ``graphs``."""
        return self.encoder.transform(graphs)

    def fit(self, graphs: Sequence[ArchGraph], y: np.ndarray) -> EmbeddingPredictor:
        """Fit the head on the embeddings of ``graphs``."""
        return self.fit_embedded(self.embed(graphs), y)

    def predict(self, graphs: Sequence[ArchGraph], return_std: bool = False) -> Prediction:
        """The head's predictions on the embeddings of ``graphs``."""
        return self.predict_embedded(self.embed(graphs), return_std)

    def fit_embedded(self, X: np.ndarray, y: np.ndarray) -> EmbeddingPredictor:
        """Fit a fresh head per target column on embeddings ``X`` ``(n, d)``."""
        targets = np.asarray(y)
        if len(X) != len(targets):
            raise ConfigError(f"got {len(X)} embeddings but {len(targets)} targets")
        columns = targets.reshape(len(targets), -1)
        self.target_ndim_ = targets.ndim
        self.heads_ = [clone(self.head).fit(X, columns[:, i]) for i in range(columns.shape[1])]
        return self

    def predict_embedded(self, X: np.ndarray, return_std: bool = False) -> Prediction:
        """Predictions of the fitted heads on embeddings ``X``, shaped like the fitted ``y``."""
        if not hasattr(self, "heads_"):
            raise CorruptFileError("the embedding predictor is not fitted: call fit() first")
        outputs = [head.predict(X, return_std) for head in self.heads_]
        if not return_std:
            return self._shaped([np.asarray(out) for out in outputs])
        return self._shaped([out[0] for out in outputs]), self._shaped([out[1] for out in outputs])

    def _shaped(self, columns: list[np.ndarray]) -> np.ndarray:
        out = np.stack(columns, axis=1)
        return out[:, 0] if self.target_ndim_ == 1 else out


def tabulated(encoder: Encoder, *groups: Sequence[ArchGraph]) -> PrecomputedEncoder:
    """``encoder`` with its embeddings of ``groups`` computed now, one ``transform`` call per
    group, and looked up afterwards (other architectures still go to ``encoder``): the
    runs of a protocol then share one embedding of each architecture."""
    from archembed.encoders.precomputed import PrecomputedEncoder

    ids = [encoder.space.identity(g) for group in groups for g in group]
    matrix = np.concatenate([encoder.transform(group) for group in groups])
    return PrecomputedEncoder(encoder.space, ids, matrix, inner=encoder)
