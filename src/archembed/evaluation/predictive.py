"""Predictive power of embeddings (arch2vec Fig. 2): a GP on a few labelled architectures.

For each seed, a predictor is fitted on ``n_train`` random labelled architectures and scored
(RMSE, Pearson r) on the remaining ones whose target exceeds ``threshold`` (the good region,
where search happens). The official arch2vec Fig. 2 script also drops the test architectures
whose *prediction* is under the threshold; ``prediction_filtered`` scores that way too, so a
seed whose training draw holds a diverged network (NB101: 9.5 % accuracy) does not dominate.
Works for any :class:`~archembed.predictors.ArchPredictor`; :func:`predictive_power_of`
scores an encoder's embeddings with a regression head.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from archembed.encoders.base import Encoder
from archembed.errors import ConfigError
from archembed.estimator import reseeded
from archembed.graph import ArchGraph
from archembed.predictors import ArchPredictor, EmbeddingPredictor, make_predictor, tabulated
from archembed.predictors.metrics import pearson, rmse

PREDICT_CHUNK = 1024
"""Test points per predict call: a GP posterior over all of them at once needs O(n^2) memory."""


def chunks(index: np.ndarray) -> int:
    return max(1, int(np.ceil(len(index) / PREDICT_CHUNK)))


def predictive_power(
    predictor: ArchPredictor,
    graphs: Sequence[ArchGraph],
    targets: np.ndarray,
    n_train: int = 250,
    threshold: float = 80.0,
    seeds: Sequence[int] = range(10),
) -> dict[str, Any]:
    """Per-seed and mean RMSE / Pearson r on test architectures with target > ``threshold``,
    and (``prediction_filtered``) on those whose prediction exceeds it as well. Each seed
    draws the training architectures and seeds a clone of ``predictor``."""
    y = np.asarray(targets, dtype=np.float64)
    if len(graphs) != len(y) or len(y) <= n_train:
        raise ConfigError(f"need more than n_train={n_train} labelled architectures, got {len(y)}")
    runs = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        order = rng.permutation(len(y))
        train, rest = order[:n_train], order[n_train:]
        test = rest[y[rest] > threshold]
        if len(test) < 3:
            raise ConfigError(f"fewer than 3 test architectures above threshold {threshold}")
        model = reseeded(predictor, int(seed)).fit([graphs[i] for i in train], y[train])
        pred = np.concatenate(
            [
                np.asarray(model.predict([graphs[i] for i in part]))
                for part in np.array_split(test, chunks(test))
            ]
        )
        kept = pred > threshold
        truth, kept_truth, kept_pred = y[test], y[test][kept], pred[kept]
        enough = len(kept_pred) >= 3
        runs.append(
            {
                "seed": int(seed),
                "n_test": len(test),
                "rmse": rmse(truth, pred),
                "pearson": pearson(truth, pred),
                "n_kept": len(kept_pred),
                "rmse_kept": rmse(kept_truth, kept_pred) if enough else float("nan"),
                "pearson_kept": pearson(kept_truth, kept_pred) if enough else float("nan"),
            }
        )
    return {
        "predictor": predictor.name,
        "n_train": n_train,
        "threshold": threshold,
        **_mean_std(runs, ""),
        "prediction_filtered": {
            **_mean_std(runs, "_kept"),
            "kept_share": float(np.mean([r["n_kept"] / r["n_test"] for r in runs])),
        },
        "runs": runs,
    }


def _mean_std(runs: Sequence[dict[str, Any]], suffix: str) -> dict[str, float]:
    """Mean and std over seeds of ``rmse{suffix}`` and ``pearson{suffix}``."""
    return {
        f"{metric}_{stat}": float(fn([run[metric + suffix] for run in runs]))
        for metric in ("rmse", "pearson")
        for stat, fn in (("mean", np.nanmean), ("std", np.nanstd))
    }


def predictive_power_of(
    encoder: Encoder,
    graphs: Sequence[ArchGraph],
    targets: np.ndarray,
    head: str = "gp",
    **options: Any,
) -> dict[str, Any]:
    """:func:`predictive_power` of ``encoder``'s embeddings (computed once) with a ``head``."""
    table = tabulated(encoder, graphs)
    return predictive_power(
        EmbeddingPredictor(table, make_predictor(head)), graphs, targets, **options
    )
