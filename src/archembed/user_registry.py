"""The cache's registry of user benchmarks (``archembed data import-graphs``).

``<cache>/user_benchmarks/registry.json`` maps each name to its space (op vocabulary, maximum
size) and the directory holding its table. The registry is rewritten atomically and only after
the table is complete, so it is the commit point of an import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archembed.io import cache_dir, read_json, write_json


def user_dir() -> Path:
    """Directory of user benchmark tables and their registry."""
    return cache_dir() / "user_benchmarks"


def _registry_path() -> Path:
    return user_dir() / "registry.json"


def read_registry() -> dict[str, dict[str, Any]]:
    """All registered user benchmarks (empty when none was imported)."""
    if not _registry_path().is_file():
        return {}
    return dict(read_json(_registry_path()))


def user_benchmark_names() -> list[str]:
    """Names of all imported user benchmarks."""
    return sorted(read_registry())


def user_entry(name: str) -> dict[str, Any] | None:
    """The registry entry of ``name``, or None."""
    return read_registry().get(name)


def write_entry(name: str, entry: dict[str, Any]) -> None:
    """Add or replace one entry (atomic rewrite of the registry)."""
    entries = read_registry()
    entries[name] = entry
    write_json(_registry_path(), entries)
