"""Reports over run directories: a mean ± std table at chosen query counts, regret plots,
and a Markdown file that shows both. Runs are grouped by the benchmark protocol they searched.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archembed.experiments.results import CONFIG, find_runs, load_run, read_yaml
from archembed.io import atomic_path, write_json
from archembed.viz.regret import plot_regret_cdf, plot_regret_curves

METRICS = (("incumbent_val", "val"), ("incumbent_test", "test"), ("regret", "regret"))


def _mean_std(values: list[float] | np.ndarray) -> str:
    data = np.asarray([v for v in values if v is not None and not np.isnan(v)], dtype=float)
    if not len(data):
        return "-"
    return f"{data.mean():.3f} ± {data.std():.3f}"


def summary_rows(summaries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per run: finished/failed seeds and mean ± std of the final incumbent."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for summary in summaries:
        groups[summary["run"]].append(summary)
    rows = []
    for run, items in groups.items():
        ok = [s for s in items if s.get("status") == "ok"]
        row: dict[str, Any] = {"run": run, "seeds": len(ok), "failed": len(items) - len(ok)}
        row["queries"] = int(np.mean([s["queries"] for s in ok])) if ok else 0
        for key, name in METRICS:
            row[name] = _mean_std([s.get(key) for s in ok])
        rows.append(row)
    return rows


def _protocol(run_dir: Path) -> str:
    for config_path in sorted(run_dir.glob(f"*/{CONFIG}")):
        bench = read_yaml(config_path).get("benchmark", {})
        test = f", test {bench['test']}" if bench.get("test") else ""
        noise = ", noisy" if bench.get("noise") else ""
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


def write_report(paths: list[Path], out: Path, points: list[int]) -> list[dict[str, Any]]:
    """Write report.md, report.json and PNGs into ``out``; return the table rows."""
    runs = find_runs(paths)
    groups: dict[str, list[tuple[str, Path]]] = defaultdict(list)
    for run_dir in runs:
        groups[_protocol(run_dir)].append((run_dir.name, run_dir))
    rows: list[dict[str, Any]] = []
    sections: list[str] = []
    for index, (protocol, members) in enumerate(groups.items()):
        curves, time_curves, finals = {}, {}, {}
        section_rows = []
        loaded = {label: load_run(run_dir) for label, run_dir in members}
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
                for column, name in METRICS:
                    row[name] = _mean_std([_at(f, query, column) for f in frames])
                section_rows.append(row)
            if frames:
                x = np.arange(1, horizon + 1)
                curves[label] = (x, np.stack([_padded(f["regret"], horizon) for f in frames]))
                finals[label] = np.array([float(f["regret"].iloc[-1]) for f in frames])
                if max_time > 0:
                    grid = np.geomspace(max(max_time * 1e-3, 1e-6), max_time, 100)
                    time_curves[label] = (grid, _time_curve(frames, grid))
        images = []
        if curves and not all(np.isnan(c[1]).all() for c in curves.values()):
            name = f"regret_queries_{index}.png"
            plot_regret_curves(curves, out / name, "queries", protocol)
            images.append(name)
            name = f"regret_cdf_{index}.png"
            plot_regret_cdf(finals, out / name, protocol)
            images.append(name)
        if time_curves:
            name = f"regret_time_{index}.png"
            plot_regret_curves(time_curves, out / name, "simulated training seconds", protocol)
            images.append(name)
        rows.extend(section_rows)
        sections.append(_section(protocol, section_rows, images))
    write_json(out / "report.json", rows)
    with atomic_path(out / "report.md") as tmp:
        tmp.write_text(_markdown(sections))
    return rows


def _padded(series: pd.Series, length: int) -> np.ndarray:
    values = np.full(length, np.nan)
    values[: len(series)] = series.to_numpy()[:length]
    return values


def _section(protocol: str, rows: list[dict[str, Any]], images: list[str]) -> str:
    lines = [f"## {protocol}", ""]
    if rows:
        lines += [
            "| run | queries | seeds | failed | validation | test | simple regret |",
            "|---|---:|---:|---:|---|---|---|",
        ]
        lines += [
            f"| {r['run']} | {r['queries']} | {r['seeds']} | {r['failed']} | {r['val']} | "
            f"{r['test']} | {r['regret']} |"
            for r in rows
        ]
    lines.append("")
    lines += [f"![{name}]({name})" for name in images]
    return "\n".join(lines) + "\n"


def _markdown(sections: list[str]) -> str:
    intro = (
        "# Search report\n\n"
        "Mean ± std over seeds of the incumbent after the given number of queries. The "
        "incumbent is the architecture with the best *observed* validation score; its "
        "noise-free validation and test accuracy are shown. Simple regret = best validation "
        "value of the searched set minus the incumbent's.\n\n"
    )
    return intro + "\n".join(sections)
