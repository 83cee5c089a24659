"""Gaussian-process regression on embeddings (BoTorch SingleTaskGP, Matern-5/2 kernel).

Inputs are scaled to the unit cube and targets standardised inside the model, so the same
defaults work for 16-d arch2vec and 84-d one-hot embeddings. The fitted BoTorch model is
exposed as ``model_`` for acquisition functions (see :mod:`archembed.search`).
"""

from __future__ import annotations

import numpy as np
import torch

from archembed.errors import ConfigError
from archembed.predictors.base import Predictor, register_predictor


@register_predictor("gp")
class GPPredictor(Predictor):
    """Exact GP with a scaled Matern-5/2 kernel, hyperparameters fitted by marginal likelihood.

    ``ard`` gives one lengthscale per dimension; ``fit_maxiter`` caps L-BFGS iterations (the
    main cost of refitting inside a search loop).
    """

    name = "gp"
    has_std = True

    def __init__(self, ard: bool = True, fit_maxiter: int = 100, seed: int = 0) -> None:
        self.ard = ard
        self.fit_maxiter = fit_maxiter
        self.seed = seed

    def fit(self, X: np.ndarray, y: np.ndarray) -> GPPredictor:
        from botorch.fit import fit_gpytorch_mll
        from botorch.models import SingleTaskGP
        from botorch.models.transforms import Normalize, Standardize
        from gpytorch.kernels import MaternKernel, ScaleKernel
        from gpytorch.mlls import ExactMarginalLogLikelihood

        X_arr = np.asarray(X, dtype=np.float64)
        y_arr = np.asarray(y, dtype=np.float64).reshape(-1)
        if X_arr.ndim != 2 or len(X_arr) != len(y_arr) or len(y_arr) < 2:
            raise ConfigError(
                f"GP needs X of shape (n, d) and y of shape (n,) with n >= 2; got "
                f"{X_arr.shape} and {y_arr.shape}"
            )
        self.lower_ = X_arr.min(axis=0)
        self.scale_ = np.where(np.ptp(X_arr, axis=0) > 0, np.ptp(X_arr, axis=0), 1.0)
        torch.manual_seed(self.seed)
        train_x = torch.as_tensor(X_arr, dtype=torch.float64)
        train_y = torch.as_tensor(y_arr, dtype=torch.float64).unsqueeze(-1)
        dims = X_arr.shape[1]
        kernel = ScaleKernel(MaternKernel(nu=2.5, ard_num_dims=dims if self.ard else None))
        model = SingleTaskGP(
            train_x,
            train_y,
            covar_module=kernel,
            input_transform=Normalize(dims, bounds=self._bounds(dims)),
            outcome_transform=Standardize(m=1),
        )
        mll = ExactMarginalLogLikelihood(model.likelihood, model)
        fit_gpytorch_mll(mll, optimizer_kwargs={"options": {"maxiter": self.fit_maxiter}})
        model.eval()
        self.model_ = model
        return self

    def _bounds(self, dims: int) -> torch.Tensor:
        lower = torch.as_tensor(self.lower_, dtype=torch.float64)
        return torch.stack([lower, lower + torch.as_tensor(self.scale_, dtype=torch.float64)])

    def _posterior(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with torch.no_grad():
            posterior = self.model_.posterior(torch.as_tensor(X, dtype=torch.float64))
            mean = posterior.mean.squeeze(-1).numpy()
            std = posterior.variance.clamp_min(1e-12).sqrt().squeeze(-1).numpy()
        return mean, std

    def _predict_mean(self, X: np.ndarray) -> np.ndarray:
        return self._posterior(X)[0]

    def _predict_std(self, X: np.ndarray) -> np.ndarray:
        return self._posterior(X)[1]
