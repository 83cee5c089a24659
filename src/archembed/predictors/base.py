"""Predictor: a regression head on embeddings (``fit(X, y)``, ``predict(X, return_std)``)."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from archembed.errors import ConfigError
from archembed.estimator import Estimator, no_uncertainty
from archembed.registry import Registry

PREDICTORS: Registry[type[Predictor]] = Registry("predictor")
register_predictor = PREDICTORS.register


class Predictor(Estimator, ABC):
    """Maps embeddings to a scalar target; ``return_std`` is supported where the model has one.

    ``__init__`` stores and checks parameters only (scikit-learn conventions: ``get_params``,
    ``set_params``, :func:`archembed.estimator.clone`).
    """

    name: str = ""
    has_std: bool = False

    @abstractmethod
    def fit(self, X: np.ndarray, y: np.ndarray) -> Predictor:
        """Learn from ``X`` (n, d) and targets ``y`` (n,)."""

    @abstractmethod
    def _predict_mean(self, X: np.ndarray) -> np.ndarray: ...

    def _predict_std(self, X: np.ndarray) -> np.ndarray:
        raise no_uncertainty(self.name)

    def check(self) -> None:
        """Raise ConfigError now for a parameter that ``fit`` would reject (default: none)."""

    def _predict_mean_std(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Both moments; models that compute them together override this to do it once."""
        return self._predict_mean(X), self._predict_std(X)

    def predict(
        self, X: np.ndarray, return_std: bool = False
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Predicted means, and standard deviations when ``return_std``."""
        X = np.asarray(X, dtype=np.float64)
        return self._predict_mean_std(X) if return_std else self._predict_mean(X)


def make_predictor(name: str, **params: object) -> Predictor:
    """Instantiate a registered predictor by name with keyword parameters."""
    from archembed.predictors import dngo, gp, heads  # noqa: F401  (registers the built-in heads)

    cls = PREDICTORS.get(name)
    try:
        return cls(**params)
    except TypeError as exc:
        raise ConfigError(f"bad parameters for predictor {name!r}: {exc}") from None


def check_predictor(name: str, params: dict[str, object] | None = None) -> None:
    """Validate a head's name and parameters before any work (a dry construction)."""
    make_predictor(name, seed=0, **(params or {})).check()
