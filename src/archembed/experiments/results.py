"""The results store of every experiment: finished units on disk, so a killed run resumes.

Two layouts share one rule, "the file that marks a unit finished is written last and
atomically, with the settings it was computed under":

- :class:`ResultStore`: a protocol's directory (experiments/*.py) with one ``<unit>.json``
  per finished unit and ``settings.json``; a restart computes only the missing units.
- search run directories, ``<run>/<seed>/`` with config.yaml, trajectory.parquet and
  summary.json: ``summary.json`` (with ``status: ok``) marks a finished seed; a failed seed
  has ``status: failed`` and the error.

Results computed under other settings are never mixed in: reopening with different settings
is a ConfigError.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from archembed.errors import ConfigError, DataNotFoundError
from archembed.io import atomic_path, read_json, read_parquet, write_json, write_parquet
from archembed.outputs import adopt_dir, output_dir

SETTINGS = "settings.json"
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
    check_same(stored, config, f"{directory} holds a finished run of a different configuration")
    return summary


def check_same(stored: Any, wanted: Any, what: str) -> None:
    """Refuse to add results to a place that holds results of other settings."""
    if stored != wanted:
        raise ConfigError(f"{what}; use another output directory or delete it")


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


UNIT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")


def _plain(data: Any) -> Any:
    """``data`` as JSON gives it back (tuples as lists, paths as text), to compare settings."""
    return json.loads(json.dumps(data, default=str))


class ResultStore:
    """A protocol's results directory: ``<unit>.json`` per finished unit, ``settings.json``.

    Opening checks the directory like every output (:func:`archembed.outputs.output_dir`,
    marked as ``kind``); ``legacy`` names the files an unmarked directory of an earlier
    version may hold, which is then adopted. ``settings`` are what every unit's result
    depends on; a directory written under other settings is refused.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        kind: str,
        settings: dict[str, Any],
        option: str = "--out",
        legacy: tuple[str, ...] = (),
    ) -> None:
        adopt_dir(directory, kind, legacy)
        self.directory = output_dir(directory, kind, option)
        self.settings = _plain(settings)
        path = self.directory / SETTINGS
        if path.is_file():
            stored = read_json(path).get("settings")
            check_same(stored, self.settings, f"{self.directory} holds results of other settings")
        else:
            write_json(path, {"settings": self.settings})

    def path(self, unit: str) -> Path:
        """The file of ``unit`` (a name of letters, digits and ``_.+-``)."""
        if not UNIT_NAME.fullmatch(unit) or unit == SETTINGS.removesuffix(".json"):
            raise ConfigError(f"{unit!r} cannot name a result unit")
        return self.directory / f"{unit}.json"

    def get(self, unit: str) -> dict[str, Any] | None:
        """The stored result of ``unit``; None when it has not finished."""
        path = self.path(unit)
        return read_json(path) if path.is_file() else None

    def put(self, unit: str, result: dict[str, Any]) -> dict[str, Any]:
        """Store ``unit``'s finished result (atomically); return it as it reads back."""
        write_json(self.path(unit), result)
        return read_json(self.path(unit))

    def compute(self, unit: str, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """The stored result of ``unit``, or ``work()``'s, stored first: the resume step."""
        stored = self.get(unit)
        return stored if stored is not None else self.put(unit, work())

    def finished(self, units: list[str]) -> list[str]:
        """Those of ``units`` with a stored result, in the given order."""
        return [unit for unit in units if self.path(unit).is_file()]
