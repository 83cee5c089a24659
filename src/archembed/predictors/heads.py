"""Tree and network regression heads (LightGBM, random forest, MLP) with the Predictor API.

Every head runs on :func:`archembed.threads.current_threads` threads (``--threads``) unless
an ``n_jobs`` parameter says otherwise: library defaults of one thread per core spin and
contend on a busy machine. Parameters are checked when the head is made (:meth:`check`), so
a typo fails before any fit.
"""

from __future__ import annotations

import contextlib
import inspect
import os
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from archembed.checks import check_int, check_widths
from archembed.errors import ConfigError
from archembed.predictors.base import Predictor, register_predictor
from archembed.threads import current_threads


def _bad_parameters(name: str, exc: Exception) -> ConfigError:
    return ConfigError(f"bad parameters for predictor {name!r}: {exc}")


def checked_estimator(name: str, build: Callable[[], Any]) -> Any:
    """A scikit-learn estimator from ``build``, its parameters validated without fitting."""
    try:
        estimator = build()
        estimator._validate_params()
    except (TypeError, ValueError) as exc:
        raise _bad_parameters(name, exc) from None
    return estimator


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null: LightGBM prints its fatal checks there itself."""
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


@register_predictor("lightgbm")
class LightGBMPredictor(Predictor):
    """LightGBM regressor; library defaults unless parameters are given."""

    name = "lightgbm"
    free_params = "params"

    def __init__(self, seed: int = 0, **params: object) -> None:
        import lightgbm

        known = set(inspect.signature(lightgbm.LGBMRegressor.__init__).parameters)
        unknown = sorted(set(params) - (known - {"self", "kwargs", "random_state"}))
        if unknown:
            choices = ", ".join(sorted(known - {"self", "kwargs", "random_state"}))
            raise ConfigError(f"unknown lightgbm parameter {unknown[0]!r}; choose from: {choices}")
        self.seed = seed
        self.params = params

    def _estimator(self) -> Any:
        import lightgbm

        params = {"n_jobs": current_threads(), **self.params}
        return lightgbm.LGBMRegressor(random_state=self.seed, verbosity=-1, **params)

    def check(self) -> None:
        """Fit 16 random points: LightGBM validates its parameters only when it trains."""
        import lightgbm

        rng = np.random.default_rng(0)
        try:
            with _native_stderr_silenced():
                self._estimator().fit(rng.random((16, 2)), rng.random(16))
        except (lightgbm.basic.LightGBMError, TypeError, ValueError) as exc:
            where = str(exc).find(" at /")  # LightGBM appends its C++ source location
            reason = str(exc)[:where] if where > 0 else str(exc)
            raise ConfigError(f"bad lightgbm parameters {self.params}: {reason}") from None

    def fit(self, X: np.ndarray, y: np.ndarray) -> LightGBMPredictor:
        self.model_ = self._estimator()
        self.model_.fit(np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64))
        return self

    def _predict_mean(self, X: np.ndarray) -> np.ndarray:
        return self.model_.predict(X)


@register_predictor("rf")
class RandomForestPredictor(Predictor):
    """scikit-learn random forest; the spread of tree predictions serves as uncertainty."""

    name = "rf"
    has_std = True
    free_params = "params"

    def __init__(self, seed: int = 0, n_estimators: int = 100, **params: object) -> None:
        self.seed = seed
        self.n_estimators = check_int("rf n_estimators", n_estimators, 1, 100_000)
        self.params = params

    def _estimator(self) -> Any:
        from sklearn.ensemble import RandomForestRegressor

        params = {"n_jobs": current_threads(), **self.params}
        return RandomForestRegressor(
            n_estimators=self.n_estimators, random_state=self.seed, **params
        )

    def check(self) -> None:
        checked_estimator(self.name, self._estimator)

    def fit(self, X: np.ndarray, y: np.ndarray) -> RandomForestPredictor:
        self.model_ = self._estimator()
        self.model_.fit(X, y)
        return self

    def _predict_mean(self, X: np.ndarray) -> np.ndarray:
        return self.model_.predict(X)

    def _predict_std(self, X: np.ndarray) -> np.ndarray:
        per_tree = np.stack([tree.predict(X) for tree in self.model_.estimators_])
        return per_tree.std(axis=0)


@register_predictor("mlp")
class MLPPredictor(Predictor):
    """scikit-learn MLP regressor on standardised inputs and targets."""

    name = "mlp"

    def __init__(
        self, seed: int = 0, hidden: tuple[int, ...] = (128, 128), max_iter: int = 500
    ) -> None:
        self.seed = seed
        self.hidden = check_widths("mlp hidden", hidden)
        self.max_iter = check_int("mlp max_iter", max_iter, 1, 1_000_000)

    def fit(self, X: np.ndarray, y: np.ndarray) -> MLPPredictor:
        from sklearn.compose import TransformedTargetRegressor
        from sklearn.neural_network import MLPRegressor
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from threadpoolctl import threadpool_limits

        network = MLPRegressor(
            hidden_layer_sizes=self.hidden,
            max_iter=self.max_iter,
            random_state=self.seed,
            early_stopping=len(y) >= 50,
        )
        self.model_ = TransformedTargetRegressor(
            regressor=make_pipeline(StandardScaler(), network), transformer=StandardScaler()
        )
        with threadpool_limits(current_threads()):
            self.model_.fit(X, y)
        return self

    def _predict_mean(self, X: np.ndarray) -> np.ndarray:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(current_threads()):
            return self.model_.predict(X)
