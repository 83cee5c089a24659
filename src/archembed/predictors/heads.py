"""Tree and network regression heads (LightGBM, random forest, MLP) with the Predictor API."""

from __future__ import annotations

import numpy as np

from archembed.predictors.base import Predictor, register_predictor


@register_predictor("lightgbm")
class LightGBMPredictor(Predictor):
    """LightGBM regressor; library defaults unless parameters are given."""

    name = "lightgbm"

    def __init__(self, seed: int = 0, **params: object) -> None:
        self.seed = seed
        self.params = params

    def fit(self, X: np.ndarray, y: np.ndarray) -> LightGBMPredictor:
        import lightgbm

        self.model_ = lightgbm.LGBMRegressor(random_state=self.seed, verbosity=-1, **self.params)
        self.model_.fit(np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64))
        return self

    def _predict_mean(self, X: np.ndarray) -> np.ndarray:
        return self.model_.predict(X)


@register_predictor("rf")
class RandomForestPredictor(Predictor):
    """scikit-learn random forest; the spread of tree predictions serves as uncertainty."""

    name = "rf"
    has_std = True

    def __init__(self, seed: int = 0, n_estimators: int = 100, **params: object) -> None:
        self.seed = seed
        self.n_estimators = n_estimators
        self.params = params

    def fit(self, X: np.ndarray, y: np.ndarray) -> RandomForestPredictor:
        from sklearn.ensemble import RandomForestRegressor

        self.model_ = RandomForestRegressor(
            n_estimators=self.n_estimators, random_state=self.seed, **self.params
        )
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
        self.hidden = tuple(hidden)
        self.max_iter = max_iter

    def fit(self, X: np.ndarray, y: np.ndarray) -> MLPPredictor:
        from sklearn.compose import TransformedTargetRegressor
        from sklearn.neural_network import MLPRegressor
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        network = MLPRegressor(
            hidden_layer_sizes=self.hidden,
            max_iter=self.max_iter,
            random_state=self.seed,
            early_stopping=len(y) >= 50,
        )
        self.model_ = TransformedTargetRegressor(
            regressor=make_pipeline(StandardScaler(), network), transformer=StandardScaler()
        )
        self.model_.fit(X, y)
        return self

    def _predict_mean(self, X: np.ndarray) -> np.ndarray:
        return self.model_.predict(X)
