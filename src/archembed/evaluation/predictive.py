"""Predictive power of embeddings (arch2vec Fig. 2): a GP on a few labelled architectures.

For each seed, a predictor is fitted on ``n_train`` random labelled architectures and scored
(RMSE, Pearson r) on the remaining ones whose target exceeds ``threshold`` (the good region,
where search happens). Works for any encoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.predictors import make_predictor
from archembed.predictors.metrics import pearson, rmse


def predictive_power(
    embeddings: np.ndarray,
    targets: np.ndarray,
    n_train: int = 250,
    threshold: float = 80.0,
    seeds: Sequence[int] = range(10),
    predictor: str = "gp",
) -> dict[str, Any]:
    """Per-seed and mean RMSE / Pearson r on test architectures with target > ``threshold``."""
    X = np.asarray(embeddings, dtype=np.float64)
    y = np.asarray(targets, dtype=np.float64)
    if len(X) != len(y) or len(y) <= n_train:
        raise ConfigError(f"need more than n_train={n_train} labelled architectures, got {len(y)}")
    runs = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        order = rng.permutation(len(y))
        train, rest = order[:n_train], order[n_train:]
        test = rest[y[rest] > threshold]
        if len(test) < 3:
            raise ConfigError(f"fewer than 3 test architectures above threshold {threshold}")
        model = make_predictor(predictor, seed=int(seed)).fit(X[train], y[train])
        pred = np.asarray(model.predict(X[test]))
        runs.append(
            {
                "seed": int(seed),
                "n_test": len(test),
                "rmse": rmse(y[test], pred),
                "pearson": pearson(y[test], pred),
            }
        )
    summary = {
        f"{m}_{stat}": float(fn([r[m] for r in runs]))
        for m in ("rmse", "pearson")
        for stat, fn in (("mean", np.mean), ("std", np.std))
    }
    return {
        "predictor": predictor,
        "n_train": n_train,
        "threshold": threshold,
        **summary,
        "runs": runs,
    }


def predictive_power_of(
    encoder: Any, graphs: Sequence[ArchGraph], targets: np.ndarray, **options: Any
) -> dict[str, Any]:
    """:func:`predictive_power` on ``encoder.transform(graphs)``."""
    return predictive_power(encoder.transform(graphs), targets, **options)
