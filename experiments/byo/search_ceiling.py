"""How much room a benchmark leaves search to beat random search, computed from its table.

For a budget of ``q`` queries, random search (uniform, no repeats) returns the best of ``q``
distinct architectures; its expected simple regret and the chance that it finds the best one
follow exactly from the sorted values. With ``--check-metric`` (a second measurement of the same
trained networks, e.g. ``test_acc``) it also reports how far the top of the table is signal:
the rank agreement of the two metrics inside the top share, and the regret, in the searched
metric, of the architectures that the check metric ranks first. ``--runs`` counts, per search
run directory, the seeds whose incumbent is the best architecture (regret 0).

    python experiments/byo/search_ceiling.py byo-nbg_cora --metric val_acc --check-metric test_acc
    python experiments/byo/search_ceiling.py byo-tnb_macro --metric class_scene --runs runs/tnb/*
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from scipy.special import gammaln
from scipy.stats import spearmanr

QUERIES = (10, 50, 100, 200)
TOP_SHARES = (0.1, 0.01, 0.001)
MIN_TOP = 10


def best_rank_probabilities(n: int, queries: int) -> np.ndarray:
    """P(the best of ``queries`` distinct uniform draws out of ``n`` has rank r), r = 1..n."""
    if not 1 <= queries <= n:
        raise ValueError(f"queries must be in 1..{n}, got {queries}")
    ranks = np.arange(1, n + 1)
    free = n - ranks
    log_ways = np.full(n, -np.inf)
    ok = free >= queries - 1
    log_ways[ok] = _log_comb(free[ok], queries - 1)
    return np.exp(log_ways - _log_comb(np.array(n), queries))


def _log_comb(n: np.ndarray, k: int) -> np.ndarray:
    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


def random_regret(values: np.ndarray, queries: int) -> dict[str, float]:
    """Exact mean and std of random search's simple regret after ``queries``, and the chance
    that it ends at zero regret (any architecture tied with the best)."""
    ordered = np.sort(np.asarray(values, dtype=float))[::-1]
    probability = best_rank_probabilities(len(ordered), queries)
    regret = ordered[0] - ordered
    mean = float(probability @ regret)
    spread = float(np.sqrt(max(probability @ regret**2 - mean**2, 0.0)))
    return {
        "queries": queries,
        "mean": mean,
        "std": spread,
        "p_best": float(probability[regret == 0].sum()),
    }


def top_agreement(values: np.ndarray, check: np.ndarray, share: float) -> float:
    """Spearman correlation of ``values`` and ``check`` over the top ``share`` by ``values``."""
    top = np.argsort(-values)[: max(MIN_TOP, int(len(values) * share))]
    return float(spearmanr(values[top], check[top])[0])


def regret_of_check_top(values: np.ndarray, check: np.ndarray, count: int) -> float:
    """Mean regret in ``values`` of the ``count`` architectures ``check`` ranks highest."""
    picked = np.argsort(-check)[:count]
    return float(np.mean(values.max() - values[picked]))


def seeds_at_best(run: Path) -> tuple[int, int]:
    """Seeds of a search run directory whose incumbent has zero regret, and all its seeds."""
    regrets = [json.loads(p.read_text())["regret"] for p in sorted(run.glob("*/summary.json"))]
    return sum(1 for r in regrets if abs(r) < 1e-9), len(regrets)


def table_values(name: str, metric: str, check_metric: str | None) -> tuple[np.ndarray, ...]:
    """The labelled values of ``metric`` (and of ``check_metric`` for the same architectures)."""
    from archembed.benchmarks import load_benchmark

    bench = load_benchmark(name)
    dataset = bench.datasets()[0]
    graphs, values = bench.labels(dataset, metric)
    if check_metric is None:
        return (values,)
    return values, np.asarray(bench.query(graphs, dataset, check_metric), dtype=float)


def main() -> None:
    """Command line: benchmark name, metric, optional check metric and search run directories."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benchmark")
    parser.add_argument("--metric", default="val_acc")
    parser.add_argument("--check-metric")
    parser.add_argument("--runs", nargs="*", type=Path, default=[])
    args = parser.parse_args()
    columns = table_values(args.benchmark, args.metric, args.check_metric)
    values = columns[0]
    print(f"{args.benchmark} {args.metric}: {len(values)} architectures")
    for queries in QUERIES:
        row = random_regret(values, queries)
        print(
            f"random, {queries} queries: regret {row['mean']:.4f} +- {row['std']:.4f}, "
            f"best found with probability {row['p_best']:.3f}"
        )
    if args.check_metric:
        check = columns[1]
        for share in TOP_SHARES:
            rho = top_agreement(values, check, share)
            print(f"top {share:.1%} by {args.metric}: Spearman with {args.check_metric} {rho:.3f}")
        for count in (1, 10):
            regret = regret_of_check_top(values, check, count)
            print(f"{args.metric} regret of the top {count} by {args.check_metric}: {regret:.4f}")
    for run in (path for path in args.runs if path.is_dir()):
        found, seeds = seeds_at_best(run)
        print(f"{run.name}: best architecture found in {found} of {seeds} seeds")


if __name__ == "__main__":
    main()
