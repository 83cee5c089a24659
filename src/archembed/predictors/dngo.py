"""DNGO (Snoek et al., 2015) as used by arch2vec: an adaptive-basis network with Bayesian
linear regression on its last hidden layer.

A one-hidden-layer tanh network (``hidden`` units) is trained on standardised data by
full-batch Adam; its hidden activations (plus a bias) are the basis of a Bayesian linear
regression whose weight precision ``alpha`` and noise precision ``beta`` maximise the marginal
likelihood (evidence). The predictive std combines noise and weight uncertainty.
"""

from __future__ import annotations

import numpy as np
import torch

from archembed.checks import check_float, check_int
from archembed.errors import ConfigError
from archembed.nn.mlp import mlp
from archembed.nn.training import Trainer, seeded
from archembed.predictors.base import Predictor, register_predictor
from archembed.preprocessing import Standardizer


@register_predictor("dngo")
class DNGOPredictor(Predictor):
    """Adaptive basis (one hidden layer) + Bayesian linear regression; ``return_std`` works."""

    name = "dngo"
    has_std = True

    def __init__(
        self,
        hidden: int = 128,
        epochs: int = 500,
        lr: float = 0.01,
        weight_decay: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.hidden = check_int("dngo hidden", hidden, 1, 65_536)
        self.epochs = check_int("dngo epochs", epochs, 1, 1_000_000)
        self.lr = check_float("dngo lr", lr, 0.0, low_open=True)
        self.weight_decay = check_float("dngo weight_decay", weight_decay, 0.0)
        self.seed = seed

    def fit(self, X: np.ndarray, y: np.ndarray) -> DNGOPredictor:
        X_arr = np.asarray(X, dtype=np.float64)
        y_arr = np.asarray(y, dtype=np.float64).reshape(-1)
        if X_arr.ndim != 2 or len(X_arr) != len(y_arr) or len(y_arr) < 2:
            raise ConfigError(
                f"DNGO needs X of shape (n, d) and y of shape (n,) with n >= 2; got "
                f"{X_arr.shape} and {y_arr.shape}"
            )
        self.x_scaler_ = Standardizer().fit(X_arr)
        self.y_scaler_ = Standardizer().fit(y_arr)
        inputs = torch.as_tensor(self.x_scaler_.transform(X_arr), dtype=torch.float32)
        targets = torch.as_tensor(self.y_scaler_.transform(y_arr), dtype=torch.float32)
        with seeded(self.seed):
            self.net_ = mlp([X_arr.shape[1], self.hidden, 1], activation=torch.nn.Tanh)
        opt = torch.optim.Adam(self.net_.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        Trainer("DNGO", self.epochs, self.seed, progress=False).fit(
            self.net_,
            opt,
            lambda random: [(inputs, targets)],
            lambda batch, random: (
                torch.mean((self.net_(batch[0]).squeeze(-1) - batch[1]) ** 2),
                {},
            ),
        )
        self._fit_blr(self._basis(inputs), targets.numpy().astype(np.float64))
        return self

    def _basis(self, inputs: torch.Tensor) -> np.ndarray:
        with torch.no_grad():
            hidden = self.net_[:-1](inputs).numpy().astype(np.float64)
        return np.hstack([hidden, np.ones((len(hidden), 1))])

    def _fit_blr(self, phi: np.ndarray, t: np.ndarray, iterations: int = 200) -> None:
        """Choose alpha, beta by maximising the evidence (MacKay's fixed-point updates)."""
        n = len(phi)
        eigvals, eigvecs = np.linalg.eigh(phi.T @ phi)
        eigvals = np.maximum(eigvals, 0.0)
        proj = eigvecs.T @ (phi.T @ t)
        alpha, beta = 1.0, 100.0
        for _ in range(iterations):
            diag = beta * eigvals + alpha
            coords = beta * proj / diag
            gamma = float(np.sum(beta * eigvals / diag))
            residual = float(np.sum((t - phi @ (eigvecs @ coords)) ** 2))
            new_alpha = min(max(gamma / max(float(coords @ coords), 1e-12), 1e-6), 1e6)
            new_beta = min(max((n - gamma) / max(residual, 1e-12), 1e-3), 1e6)
            converged = abs(np.log(new_alpha / alpha)) + abs(np.log(new_beta / beta)) < 1e-6
            alpha, beta = new_alpha, new_beta
            if converged:
                break
        diag = beta * eigvals + alpha
        self.alpha_, self.beta_ = float(alpha), float(beta)
        self.weights_ = eigvecs @ (beta * proj / diag)
        self.cov_ = (eigvecs / diag) @ eigvecs.T

    def _standard_basis(self, X: np.ndarray) -> np.ndarray:
        inputs = torch.as_tensor(self.x_scaler_.transform(X), dtype=torch.float32)
        return self._basis(inputs)

    def _predict_mean(self, X: np.ndarray) -> np.ndarray:
        return self.y_scaler_.inverse_transform(self._standard_basis(X) @ self.weights_)

    def _predict_std(self, X: np.ndarray) -> np.ndarray:
        phi = self._standard_basis(X)
        var = 1.0 / self.beta_ + ((phi @ self.cov_) * phi).sum(axis=1)
        return self.y_scaler_.scale_std(np.sqrt(np.maximum(var, 1e-12)))
