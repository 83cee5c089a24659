"""Run directories: ``<run>/<seed>/`` with config.yaml, trajectory.parquet and summary.json.

``summary.json`` is written last, so its presence (with ``status: ok``) marks a finished seed;
a failed seed has ``status: failed`` and the error. Every file is written atomically.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from archembed.errors import ConfigError, DataNotFoundError
from archembed.io import atomic_path, read_json, read_parquet, write_json, write_parquet

SUMMARY = "summary.json"
TRAJECTORY = "trajectory.parquet"
CONFIG = "config.yaml"


def write_yaml(path: str | os.PathLike[str], data: Any) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(yaml.safe_dump(data, sort_keys=False))


def read_yaml(path: str | os.PathLike[str]) -> Any:
    return yaml.safe_load(Path(path).read_text())


def seed_dir(run_dir: Path, seed: int) -> Path:
    return run_dir / str(seed)


def finished(run_dir: Path, seed: int, config: dict[str, Any]) -> dict[str, Any] | None:
    """The summary of a finished seed run with the same config; None when it must run.

    A finished seed whose stored config differs is an error: results of two configurations
    must never mix in one run directory.
    """
    directory = seed_dir(run_dir, seed)
    if not (directory / SUMMARY).is_file():
        return None
    summary = read_json(directory / SUMMARY)
    if summary.get("status") != "ok":
        return None
    stored = read_yaml(directory / CONFIG) if (directory / CONFIG).is_file() else None
    if stored != config:
        raise ConfigError(
            f"{directory} holds a finished run of a different configuration; "
            "use another output directory or delete it"
        )
    return summary


def write_seed(
    run_dir: Path, seed: int, config: dict[str, Any], summary: dict[str, Any], trajectory: Any
) -> None:
    """Write one seed's files (summary last)."""
    directory = seed_dir(run_dir, seed)
    write_yaml(directory / CONFIG, config)
    if trajectory is not None:
        write_parquet(directory / TRAJECTORY, trajectory)
    write_json(directory / SUMMARY, summary)


def find_runs(paths: list[Path]) -> list[Path]:
    """Run directories (holding ``<seed>/summary.json``) at or below each path."""
    runs: dict[Path, None] = {}
    for path in paths:
        if not path.is_dir():
            raise DataNotFoundError(f"run directory {path} does not exist")
        for summary in sorted(path.rglob(SUMMARY)):
            runs.setdefault(summary.parent.parent, None)
    if not runs:
        raise DataNotFoundError(
            f"no finished runs (*/{SUMMARY}) under {', '.join(map(str, paths))}"
        )
    return list(runs)


def load_run(run_dir: Path) -> tuple[list[dict[str, Any]], dict[int, pd.DataFrame]]:
    """Summaries of every seed (ok and failed) and the trajectories of the finished ones."""
    summaries, trajectories = [], {}
    for summary_path in sorted(run_dir.glob(f"*/{SUMMARY}")):
        summary = read_json(summary_path)
        summaries.append(summary)
        if summary.get("status") == "ok":
            trajectories[int(summary["seed"])] = read_parquet(summary_path.parent / TRAJECTORY)
    return summaries, trajectories
