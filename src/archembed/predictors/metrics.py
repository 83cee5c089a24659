"""Ranking and regression metrics used by every evaluation (one implementation for all)."""

from __future__ import annotations

import numpy as np
from scipy import stats


def kendall_tau(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Kendall's tau-b between truth and prediction."""
    return float(stats.kendalltau(y_true, y_pred).statistic)


def spearman(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(stats.spearmanr(y_true, y_pred).statistic)


def pearson(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(stats.pearsonr(y_true, y_pred).statistic)


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2)))


def mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2))


def precision_at_k(y_true: np.ndarray, y_pred: np.ndarray, k: int) -> float:
    """Fraction of the true top-k architectures among the predicted top-k (GATES' P@K)."""
    k = min(int(k), len(y_true))
    true_top = set(np.argsort(-np.asarray(y_true), kind="stable")[:k].tolist())
    pred_top = np.argsort(-np.asarray(y_pred), kind="stable")[:k].tolist()
    return len(true_top.intersection(pred_top)) / k


def regression_report(
    y_true: np.ndarray, y_pred: np.ndarray, ks: tuple[int, ...] = ()
) -> dict[str, float]:
    """Kendall tau, Spearman, Pearson, RMSE, MSE and P@K in one dict."""
    report = {
        "kendall_tau": kendall_tau(y_true, y_pred),
        "spearman": spearman(y_true, y_pred),
        "pearson": pearson(y_true, y_pred),
        "rmse": rmse(y_true, y_pred),
        "mse": mse(y_true, y_pred),
    }
    report.update({f"p@{k}": precision_at_k(y_true, y_pred, k) for k in ks})
    return report


def precision_at_share(y_true: np.ndarray, y_pred: np.ndarray, share: float) -> float:
    """P@K with K = ``int(share * n)`` (at least 1): the official FlowerFormer / TA-GATES
    definition, so P@top-1 % of 7,772 test cells looks at K = 77."""
    return precision_at_k(y_true, y_pred, max(1, int(share * len(y_true))))


def best_rank_at_k(y_true: np.ndarray, y_pred: np.ndarray, k: int = 10) -> int:
    """N@K: the best true rank (1 = the best architecture) among the K predicted best; what a
    search that trains the predictor's top K would find."""
    order = np.argsort(-np.asarray(y_true), kind="stable")
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(1, len(order) + 1)
    chosen = np.argsort(-np.asarray(y_pred), kind="stable")[: min(int(k), len(order))]
    return int(ranks[chosen].min())
