"""Standardisation of inputs and targets: the one helper every model scales data with."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from archembed.errors import CorruptFileError


@dataclass
class Standardizer:
    """Zero mean, unit spread per column; a constant column keeps a spread of 1.

    ``fit`` learns the column means and spreads; ``transform`` and ``inverse_transform`` map
    values to and from the standard scale; ``scale_std`` maps a standard deviation back.
    """

    floor: float = 0.0
    mean_: np.ndarray | None = None
    std_: np.ndarray | None = None

    def fit(self, values: np.ndarray) -> Standardizer:
        """Learn means and spreads of ``values`` (n,) or (n, d) along the first axis."""
        array = np.asarray(values, dtype=np.float64)
        spread = array.std(axis=0)
        self.mean_ = array.mean(axis=0)
        self.std_ = np.where(spread > self.floor, spread, 1.0 if self.floor == 0 else self.floor)
        return self

    def transform(self, values: np.ndarray) -> np.ndarray:
        """``(values - mean) / std``."""
        mean, std = self._fitted()
        return (np.asarray(values, dtype=np.float64) - mean) / std

    def fit_transform(self, values: np.ndarray) -> np.ndarray:
        """:meth:`fit`, then :meth:`transform` the same values."""
        return self.fit(values).transform(values)

    def inverse_transform(self, values: np.ndarray) -> np.ndarray:
        """Back from the standard scale: ``values * std + mean``."""
        mean, std = self._fitted()
        return np.asarray(values, dtype=np.float64) * std + mean

    def scale_std(self, std: np.ndarray) -> np.ndarray:
        """A standard deviation on the standard scale, in original units."""
        return np.asarray(std, dtype=np.float64) * self._fitted()[1]

    def _fitted(self) -> tuple[np.ndarray, np.ndarray]:
        if self.mean_ is None or self.std_ is None:
            raise CorruptFileError("the standardizer is not fitted: call fit() first")
        return self.mean_, self.std_
