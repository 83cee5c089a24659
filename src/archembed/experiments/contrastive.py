"""Evaluations of the contrastive embeddings (Hesslow & Poli): predictive power and transfer.

- :func:`predictive_table` — the paper's Table 1 protocol: a predictor with default parameters
  fitted on the representations of ``n_train`` random cells, Pearson and Kendall tau on all the
  others, once per seed, for several representations and datasets.
- :func:`transfer_table` — a predictor fitted on one search space (or dataset) predicts another
  through a shared embedding space; within-space scores alongside.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from archembed import tables
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.nets.feature_store import FeatureStore
from archembed.predictors import make_predictor
from archembed.predictors.metrics import kendall_tau, pearson
from archembed.progress import ProgressBar
from archembed.spaces.base import get_space

METRICS = ("pearson", "kendall_tau")


def store_graphs(store: FeatureStore) -> list[ArchGraph]:
    """The architectures of a feature store, in row order."""
    space = get_space(store.space)
    return [space.from_stored(a, n) for a, n in zip(store.ids, store.natives)]


def raw_features(store: FeatureStore, rows: np.ndarray | None = None) -> np.ndarray:
    """The raw EPDJM baseline: per principal component, the root mean square over inits and points.

    One value per projected dimension (k = 128 by default). The flattened sets (64 x 128 =
    8,192 values) make LightGBM far too slow on two cores for the 10-seed protocol.
    """
    rows = np.arange(len(store.ids)) if rows is None else np.asarray(rows)
    out = np.empty((len(rows), store.features.shape[3]), dtype=np.float32)
    for start in range(0, len(rows), 512):
        chunk = np.asarray(store.features[rows[start : start + 512]], dtype=np.float64)
        out[start : start + len(chunk)] = np.sqrt((chunk**2).mean(axis=(1, 2)))
    return out


def fit_predictor(
    X_train: np.ndarray,
    y_train: np.ndarray,
    predictor: str,
    seed: int,
    params: Mapping[str, Any] | None = None,
) -> Any:
    """A freshly fitted predictor (threads: archembed.threads, i.e. ``--threads``)."""
    model = make_predictor(predictor, seed=seed, **dict(params or {}))
    return model.fit(X_train, y_train)


def scores(y_true: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """Pearson and Kendall tau of predictions against the true values."""
    return {"pearson": pearson(y_true, predicted), "kendall_tau": kendall_tau(y_true, predicted)}


def fit_and_score(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    predictor: str,
    seed: int,
) -> dict[str, float]:
    """Pearson and Kendall tau of a freshly fitted predictor on a test set."""
    model = fit_predictor(X_train, y_train, predictor, seed)
    return scores(y_test, np.asarray(model.predict(X_test)))


def summarise(runs: Sequence[Mapping[str, float]]) -> dict[str, Any]:
    """Mean and standard deviation over runs of each metric, with the runs themselves."""
    out: dict[str, Any] = {"runs": [dict(r) for r in runs]}
    for metric in METRICS:
        values = np.array([r[metric] for r in runs])
        out[metric] = float(values.mean())
        out[f"{metric}_std"] = float(values.std())
    return out


def split_scores(
    X: np.ndarray, y: np.ndarray, *, n_train: int, seeds: Sequence[int], predictor: str
) -> dict[str, Any]:
    """Fit on ``n_train`` random rows, score on all the other rows; once per seed."""
    if not 0 < n_train < len(y):
        raise ConfigError(f"n_train must be between 1 and {len(y) - 1}, got {n_train}")
    runs = []
    for seed in seeds:
        train = np.random.default_rng(seed).choice(len(y), size=n_train, replace=False)
        test = np.setdiff1d(np.arange(len(y)), train)
        runs.append(fit_and_score(X[train], y[train], X[test], y[test], predictor, seed))
    return summarise(runs)


def transfer_scores(
    source: tuple[np.ndarray, np.ndarray],
    target: tuple[np.ndarray, np.ndarray],
    *,
    n_train: int,
    seeds: Sequence[int],
    predictor: str,
    same_rows: bool = False,
) -> dict[str, Any]:
    """Fit on ``n_train`` random source rows, score on the target; once per seed.

    ``same_rows`` says source and target describe the same architectures (e.g. CIFAR-10 ->
    CIFAR-100 labels), so the training rows are left out of the target.
    """
    (X_src, y_src), (X_tgt, y_tgt) = source, target
    if not 0 < n_train <= len(y_src):
        raise ConfigError(f"n_train must be between 1 and {len(y_src)}, got {n_train}")
    runs = []
    for seed in seeds:
        train = np.random.default_rng(seed).choice(len(y_src), size=n_train, replace=False)
        test = np.setdiff1d(np.arange(len(y_tgt)), train) if same_rows else np.arange(len(y_tgt))
        runs.append(
            fit_and_score(X_src[train], y_src[train], X_tgt[test], y_tgt[test], predictor, seed)
        )
    return summarise(runs)


def predictive_table(
    representations: Mapping[str, np.ndarray],
    labels: Mapping[str, np.ndarray],
    *,
    n_train: int = 500,
    seeds: Sequence[int] = tuple(range(10)),
    predictor: str = "lightgbm",
    progress: bool = True,
) -> list[dict[str, Any]]:
    """One row per (representation, dataset): :func:`split_scores` of the representation."""
    rows = []
    with ProgressBar(enabled=progress) as bar:
        task = bar.add_task("predictive power", total=len(representations) * len(labels))
        for name, X in representations.items():
            for dataset, y in labels.items():
                if len(X) != len(y):
                    raise ValueError(f"{name}: {len(X)} rows but {len(y)} {dataset} labels")
                scores = split_scores(X, y, n_train=n_train, seeds=seeds, predictor=predictor)
                rows.append({"representation": name, "dataset": dataset, **scores})
                bar.update(task, advance=1, info=f"{name} {dataset}")
    return rows


def transfer_table(
    domains: Mapping[str, tuple[np.ndarray, np.ndarray]],
    pairs: Sequence[tuple[str, str]],
    *,
    same_rows: Sequence[tuple[str, str]] = (),
    n_train: int = 1000,
    seeds: Sequence[int] = tuple(range(10)),
    predictor: str = "rf",
    progress: bool = True,
) -> list[dict[str, Any]]:
    """One row per (source, target) pair; a pair (d, d) is the within-domain split."""
    rows = []
    with ProgressBar(enabled=progress) as bar:
        task = bar.add_task("transfer", total=len(pairs))
        for source, target in pairs:
            if source == target:
                X, y = domains[source]
                scores = split_scores(X, y, n_train=n_train, seeds=seeds, predictor=predictor)
            else:
                scores = transfer_scores(
                    domains[source],
                    domains[target],
                    n_train=n_train,
                    seeds=seeds,
                    predictor=predictor,
                    same_rows=(source, target) in same_rows,
                )
            rows.append({"source": source, "target": target, **scores})
            bar.update(task, advance=1, info=f"{source} -> {target}")
    return rows


def markdown_table(rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> str:
    """Rows as a Markdown table: ``keys`` columns, then mean ± std of each metric."""
    cells = [
        [*(row[k] for k in keys), *(tables.plus_minus(row[m], row[f"{m}_std"], 3) for m in METRICS)]
        for row in rows
    ]
    return "\n".join(tables.markdown_table([*keys, *METRICS], cells)) + "\n"
