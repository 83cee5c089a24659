"""Reports over run directories: a mean ± std table at chosen query counts, regret plots,
and a Markdown file that shows both. Runs are grouped by the benchmark protocol they searched.

Table rows hold numbers: each metric is ``{"mean", "std", "n"}`` over the seeds that reached
the query count (``std`` with ``ddof=0``; both null when ``n`` is 0); Markdown shows them as
``mean ± std``. The schema is documented in docs/guides/search.md.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archembed.errors import ConfigError
from archembed.experiments.results import CONFIG, find_runs, load_run, read_yaml
from archembed.io import atomic_path, write_json
from archembed.outputs import output_dir
from archembed.tables import format_mean_std, markdown_table, mean_std, table_rows
from archembed.viz.regret import plot_regret_cdf, plot_regret_curves, regret_label

METRICS = (("incumbent_val", "val"), ("incumbent_test", "test"), ("regret", "regret"))
MO_METRICS = (
    ("hv_ratio", "hv_ratio"),
    ("igd_plus", "igd_plus"),
    ("front_share", "front_share"),
    ("infeasible", "infeasible"),
)
"""Multi-objective and constrained runs: the found set against the true front."""
HEADERS = {
    "val": "validation",
    "test": "test",
    "regret": "simple regret",
    "hv_ratio": "HV ratio",
    "igd_plus": "IGD+",
    "front_share": "front share",
    "infeasible": "infeasible queries",
}
DEFAULT_POINTS = (10, 25, 50, 100)
"""Query counts of the table when none are asked for (those within the budget, and the budget)."""


def seed_ranges(seeds: list[int]) -> str:
    """``[0, 1, 2, 5]`` -> ``0-2, 5``: the seeds a statistic was computed over."""
    parts, ordered = [], sorted(seeds)
    start = previous = ordered[0] if ordered else 0
    for seed in [*ordered[1:], None]:
        if seed is not None and seed == previous + 1:
            previous = seed
            continue
        parts.append(str(start) if start == previous else f"{start}-{previous}")
        if seed is not None:
            start = previous = seed
    return ", ".join(parts) if ordered else "none"


def ranking(finals: dict[str, dict[int, float]], query: int) -> list[str]:
    """Markdown lines ranking runs by mean regret at ``query``, the best compared with each other.

    The comparison is over seeds: the share of (best seed, other seed) pairs in which the best
    run has the lower regret (ties count half), and a one-sided Mann-Whitney U test's p-value.
    """
    from scipy.stats import mannwhitneyu

    scored = {
        label: np.array([v for v in values.values() if np.isfinite(v)])
        for label, values in finals.items()
    }
    scored = {label: v for label, v in scored.items() if len(v)}
    if len(scored) < 2:
        return []
    order = sorted(scored, key=lambda label: float(scored[label].mean()))
    best = order[0]
    seeds = sorted({seed for values in finals.values() for seed in values})
    lines = [
        f"**Ranking at {query} queries** (mean simple regret over seeds {seed_ranges(seeds)}; "
        "lower is better):",
        "",
    ]
    for place, label in enumerate(order, 1):
        values = scored[label]
        line = f"{place}. {label}: {format_mean_std(mean_std(values))} ({len(values)} seeds)"
        if label != best:
            diff = scored[best][:, None] - values[None, :]
            share = float(np.mean(diff < 0) + 0.5 * np.mean(diff == 0))
            p = float(mannwhitneyu(scored[best], values, alternative="less").pvalue)
            line += f"; {best} is lower in {100 * share:.0f} % of seed pairs (p = {p:.2g})"
        lines.append(line)
    return [*lines, ""]


def summary_rows(summaries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per run: finished/failed seeds and mean/std/n of the final incumbent."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for summary in summaries:
        groups[summary["run"]].append(summary)
    rows = []
    for run, items in groups.items():
        ok = [s for s in items if s.get("status") == "ok"]
        row: dict[str, Any] = {"run": run, "seeds": len(ok), "failed": len(items) - len(ok)}
        row["queries"] = int(np.mean([s["queries"] for s in ok])) if ok else 0
        multi = any("hv_ratio" in s for s in ok)
        for key, name in (*METRICS, *MO_METRICS) if multi else METRICS:
            row[name] = mean_std([s.get(key) for s in ok])
            if multi and key in dict(METRICS) and not row[name]["n"]:
                del row[name]  # several objectives: no single incumbent
        rows.append(row)
    return _aligned(rows)


def _protocol(run_dir: Path) -> str:
    for config_path in sorted(run_dir.glob(f"*/{CONFIG}")):
        bench = read_yaml(config_path).get("benchmark", {})
        test = f", test {bench['test']}" if bench.get("test") else ""
        noise = ", noisy" if bench.get("noise") else ""
        if bench.get("objectives"):
            goals = ", ".join(bench["objectives"] + bench.get("constraints", []))
            return f"{bench.get('name')}: {bench['search'].split('/')[0]} {goals}"
        return f"{bench.get('name')}: search {bench.get('search')}{test}{noise}"
    return "unknown"


def _at(trajectory: pd.DataFrame, query: int, column: str) -> float:
    if len(trajectory) < query:
        return float("nan")
    return float(trajectory[column].iloc[query - 1])


def _time_curve(trajectories: list[pd.DataFrame], grid: np.ndarray) -> np.ndarray:
    out = np.full((len(trajectories), len(grid)), np.nan)
    for i, frame in enumerate(trajectories):
        positions = np.searchsorted(frame["elapsed"].to_numpy(), grid, side="right") - 1
        regret = frame["regret"].to_numpy()
        valid = positions >= 0
        out[i, valid] = regret[positions[valid]]
    return out


def _budget(run_dir: Path, trajectories: dict[int, pd.DataFrame]) -> int:
    """The query budget a run was given (its longest trajectory when it had a time budget)."""
    for config_path in sorted(run_dir.glob(f"*/{CONFIG}")):
        queries = (read_yaml(config_path).get("budget") or {}).get("queries")
        if queries:
            return int(queries)
    return max((len(t) for t in trajectories.values()), default=0)


def report_points(points: list[int] | None, budget: int) -> list[int]:
    """The table's query counts: ``points`` (each within ``budget``) or the defaults up to it."""
    if points is None:
        return sorted({p for p in DEFAULT_POINTS if p < budget} | {budget})
    beyond = [p for p in points if p > budget]
    if beyond:
        raise ConfigError(
            f"--at {beyond[0]} is beyond the runs' budget of {budget} queries; "
            f"accepted: query counts from 1 to {budget}"
        )
    return sorted(set(points))


def _labels(runs: list[Path]) -> dict[Path, str]:
    """Each run's name, or ``parent/name`` where two runs share a name (``report A B``)."""
    names = [run.name for run in runs]
    return {
        run: run.name if names.count(run.name) == 1 else f"{run.parent.name}/{run.name}"
        for run in runs
    }


def write_report(
    paths: list[Path], out: Path, points: list[int] | None = None
) -> list[dict[str, Any]]:
    """Write report.md, report.json and PNGs into the report directory ``out``; return the rows.

    Everything is checked before ``out`` is touched: the runs exist, ``points`` (default
    :func:`report_points`) are within their budget, and ``out`` is new, empty or a report.
    """
    runs = find_runs(paths)
    data = {run_dir: load_run(run_dir) for run_dir in runs}
    points = report_points(points, max(_budget(run, data[run][1]) for run in runs))
    out = output_dir(out, "report")
    labels = _labels(runs)
    groups: dict[str, list[tuple[str, Path]]] = defaultdict(list)
    for run_dir in runs:
        groups[_protocol(run_dir)].append((labels[run_dir], run_dir))
    rows: list[dict[str, Any]] = []
    sections: list[str] = []
    for index, (protocol, members) in enumerate(groups.items()):
        curves, time_curves, finals = {}, {}, {}
        section_rows, at_budget = [], {}
        loaded = {label: data[run_dir] for label, run_dir in members}
        metrics = _metrics(loaded)
        horizon = max((len(t) for _, ts in loaded.values() for t in ts.values()), default=0)
        max_time = max(
            (float(t["elapsed"].iloc[-1]) for _, ts in loaded.values() for t in ts.values()),
            default=0.0,
        )
        for label, (summaries, trajectories) in loaded.items():
            frames = list(trajectories.values())
            failed = sum(s.get("status") != "ok" for s in summaries)
            for query in points:
                if not any(len(f) >= query for f in frames):
                    continue
                row: dict[str, Any] = {
                    "benchmark": protocol.split(":")[0],
                    "run": label,
                    "queries": query,
                    "seeds": sum(len(f) >= query for f in frames),
                    "failed": failed,
                }
                for column, name in metrics:
                    row[name] = mean_std([_at(f, query, column) for f in frames])
                section_rows.append(row)
            at_budget[label] = {
                seed: _at(frame, points[-1], "regret") for seed, frame in trajectories.items()
            }
            if frames:
                x = np.arange(1, horizon + 1)
                curves[label] = (x, np.stack([_padded(f["regret"], horizon) for f in frames]))
                finals[label] = np.array([float(f["regret"].iloc[-1]) for f in frames])
                if max_time > 0:
                    grid = np.linspace(0.0, max_time, 200)
                    time_curves[label] = (grid, _time_curve(frames, grid))
        images = []
        ylabel = _regret_label(protocol, loaded)
        if curves and not all(np.isnan(c[1]).all() for c in curves.values()):
            name = f"regret_queries_{index}.png"
            plot_regret_curves(curves, out / name, "queries", protocol, ylabel)
            images.append(name)
            name = f"regret_cdf_{index}.png"
            plot_regret_cdf(finals, out / name, protocol, f"final {ylabel}")
            images.append(name)
        if "hv_ratio" in dict(metrics):
            name = f"hv_ratio_queries_{index}.png"
            hv = {
                label: (
                    np.arange(1, horizon + 1),
                    np.stack([_padded(f["hv_ratio"], horizon) for f in ts.values()]),
                )
                for label, (_, ts) in loaded.items()
                if ts
            }
            plot_regret_curves(hv, out / name, "queries", protocol, "hypervolume ratio")
            images.append(name)
        if time_curves and "hv_ratio" not in dict(metrics):
            name = f"regret_time_{index}.png"
            plot_regret_curves(
                time_curves, out / name, "simulated training time (seconds)", protocol, ylabel
            )
            images.append(name)
        rows.extend(section_rows)
        ranked = ranking(at_budget, points[-1])
        sections.append(_section(protocol, section_rows, images, ranked, metrics))
    rows = _aligned(rows)
    write_json(out / "report.json", rows)
    with atomic_path(out / "report.md") as tmp:
        tmp.write_text(_markdown(sections))
    return rows


def _regret_label(protocol: str, loaded: dict[str, tuple[Any, dict[int, pd.DataFrame]]]) -> str:
    """The regret axis label: the searched metric (named in ``protocol``) and its scale."""
    metric = protocol.partition(" search ")[2].split(",")[0].rsplit("/", 1)[-1].split("@")[0]
    scales = [
        float(np.nanmax(np.abs(t["val"].to_numpy())))
        for _, trajectories in loaded.values()
        for t in trajectories.values()
        if t["val"].notna().any()
    ]
    return regret_label(metric, max(scales, default=0.0))


def _padded(series: pd.Series, length: int) -> np.ndarray:
    values = np.full(length, np.nan)
    values[: len(series)] = series.to_numpy()[:length]
    return values


def _aligned(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with the same keys (a metric a row lacks: no value), so they form one table."""
    keys = list(dict.fromkeys(key for row in rows for key in row))
    return [{key: row.get(key, mean_std([])) for key in keys} for row in rows]


def _metrics(loaded: dict[str, tuple[Any, dict[int, pd.DataFrame]]]) -> tuple[tuple[str, str], ...]:
    """The table's metrics: validation/test/regret, or the front metrics of multi-objective
    runs (with regret when they searched one objective under constraints)."""
    frames = [t for _, ts in loaded.values() for t in ts.values()]
    if not any("hv_ratio" in f for f in frames):
        return METRICS
    single = any(f["regret"].notna().any() for f in frames if "regret" in f)
    return (*((METRICS[0], METRICS[2]) if single else ()), *MO_METRICS)


def _section(
    protocol: str,
    rows: list[dict[str, Any]],
    images: list[str],
    ranked: list[str],
    metrics: tuple[tuple[str, str], ...] = METRICS,
) -> str:
    lines = [f"## {protocol}", "", *ranked]
    if rows:
        keys = ("run", "queries", "seeds", "failed", *(name for _, name in metrics))
        header = [HEADERS.get(k, k) for k in keys]
        shown = [[r[k] for k in keys] for r in table_rows(rows)]
        lines += markdown_table(header, shown, align="lrrr" + "l" * len(metrics))
    lines.append("")
    lines += [f"![{name}]({name})" for name in images]
    return "\n".join(lines) + "\n"


def _markdown(sections: list[str]) -> str:
    intro = (
        "# Search report\n\n"
        "Mean ± std over seeds of the incumbent after the given number of queries. The "
        "incumbent is the architecture with the best *observed* validation score; its "
        "noise-free validation and test accuracy are shown. Simple regret = best validation "
        "value of the searched set minus the incumbent's. Multi-objective and constrained runs "
        "measure their feasible queries against the true front of the whole table (hypervolume "
        "ratio, IGD+, share of the front found; docs/guides/search.md); with one objective their "
        "incumbent is the best feasible query.\n\n"
    )
    return intro + "\n".join(sections)
