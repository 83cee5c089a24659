"""Registry of benchmark importers and the import cache.

An importer turns source files of the data directory into a :class:`BenchmarkTable`.
Tables are imported once into the cache directory, tagged with the size and modification time
of their source files, and re-imported when a source changes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archembed.benchmarks.groups import GroupIndex
from archembed.benchmarks.table import SCHEMA_VERSION, BenchmarkTable
from archembed.errors import CorruptFileError, DataNotFoundError, UserError
from archembed.io import cache_dir, read_json
from archembed.io import data_dir as resolve_data_dir
from archembed.registry import Registry

if TYPE_CHECKING:
    from archembed.benchmarks.base import Benchmark
    from archembed.benchmarks.lookup import StoredBenchmark


@dataclass(frozen=True)
class Importer:
    """How to build one benchmark: its space, its source files and the function that reads them."""

    name: str
    space: str
    sources: tuple[str, ...]
    build: Callable[[Path], BenchmarkTable]
    needs_data_dir: bool = True
    description: str = ""


IMPORTERS: Registry[Importer] = Registry("benchmark")


def register_importer(
    name: str,
    space: str,
    sources: tuple[str, ...],
    *,
    needs_data_dir: bool = True,
    description: str = "",
) -> Callable[[Callable[[Path], BenchmarkTable]], Callable[[Path], BenchmarkTable]]:
    """Decorator registering ``build(data_dir) -> BenchmarkTable`` under ``name``."""

    def decorate(build: Callable[[Path], BenchmarkTable]) -> Callable[[Path], BenchmarkTable]:
        IMPORTERS.register(name)(Importer(name, space, sources, build, needs_data_dir, description))
        return build

    return decorate


def _signature(root: Path | None, sources: tuple[str, ...]) -> dict[str, list[int]]:
    if root is None:
        return {}
    out = {}
    for rel in sources:
        path = root / rel
        if not path.is_file():
            raise DataNotFoundError(
                f"benchmark source {path} is missing; check --data-dir / $ARCHEMBED_DATA"
            )
        stat = path.stat()
        out[rel] = [stat.st_size, int(stat.st_mtime)]
    return out


def tables_dir() -> Path:
    return cache_dir() / "benchmarks"


def import_benchmark(
    name: str, data_dir: str | os.PathLike[str] | None = None, *, force: bool = False
) -> BenchmarkTable:
    """Import ``name`` into the cache unless an up-to-date copy is there; return the table.

    A user benchmark (``archembed data import-graphs``) already lives in the cache.
    """
    from archembed.benchmarks.user import load_user_table

    user_table = load_user_table(name)
    if user_table is not None:
        return user_table
    importer = _importer(name)
    source_root = resolve_data_dir(data_dir) if importer.needs_data_dir else None
    signature = _signature(source_root, importer.sources)
    cached = _cached_table(name, signature)
    if cached is not None and not force:
        return cached
    try:
        table = importer.build(source_root)  # type: ignore[arg-type]
    except (DataNotFoundError, CorruptFileError):
        raise
    except (UserError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise CorruptFileError(
            f"cannot import benchmark {name!r} from {source_root}: {type(exc).__name__}: {exc}"
        ) from None
    table.meta.update({"sources": signature, "description": importer.description})
    table.save(tables_dir())
    return table


def _importer(name: str) -> Importer:
    from archembed.benchmarks import importers  # noqa: F401  (registers the built-in importers)

    return IMPORTERS.get(name)


def _fresh_meta(name: str, signature: dict[str, list[int]]) -> dict[str, Any] | None:
    """The cached metadata of ``name`` when it is current (schema, sources, look-up groups)."""
    meta_path = tables_dir() / f"{name}.json"
    if not meta_path.is_file():
        return None
    try:
        meta = read_json(meta_path)
    except (CorruptFileError, DataNotFoundError):
        return None
    current = (
        isinstance(meta, dict)
        and meta.get("schema_version") == SCHEMA_VERSION
        and meta.get("sources") == signature
        and "groups" in meta
    )
    return meta if current else None


def _cached_table(name: str, signature: dict[str, list[int]]) -> BenchmarkTable | None:
    if _fresh_meta(name, signature) is None:
        return None
    try:
        return BenchmarkTable.load(tables_dir(), name)
    except (CorruptFileError, DataNotFoundError):
        return None


def cached_meta(
    name: str, data_dir: str | os.PathLike[str] | None = None
) -> tuple[Path, dict[str, Any]] | None:
    """Directory and metadata of ``name``'s current cached table, or None when it needs an import.

    Reads only small files (the user registry, the metadata, the sources' sizes and times), so
    it answers in milliseconds; the errors are those of :func:`import_benchmark`.
    """
    from archembed.user_registry import user_dir, user_entry

    entry = user_entry(name)
    if entry is not None:
        directory = user_dir() / entry["directory"]
        meta = read_json(directory / f"{name}.json")
        return (directory, meta) if "groups" in meta else None
    importer = _importer(name)
    source_root = resolve_data_dir(data_dir) if importer.needs_data_dir else None
    meta = _fresh_meta(name, _signature(source_root, importer.sources))
    return None if meta is None else (tables_dir(), meta)


def cached_index(name: str) -> GroupIndex | None:
    """What ``name`` holds when its cache is current (always so for imported benchmarks), read
    without an import; None when it would need one or its data is missing."""
    try:
        found = cached_meta(name)
    except DataNotFoundError:
        return None
    return None if found is None else GroupIndex.from_rows(name, found[1]["groups"])


def check_sources(name: str, data_dir: str | os.PathLike[str] | None = None) -> None:
    """Raise DataNotFoundError unless every source file of ``name`` is present (before work)."""
    from archembed.user_registry import user_entry

    if user_entry(name) is None:
        importer = _importer(name)
        if importer.needs_data_dir:
            _signature(resolve_data_dir(data_dir), importer.sources)


def benchmark_space(name: str) -> str:
    """The search space of benchmark ``name`` without importing it (UnknownNameError if none)."""
    from archembed.user_registry import user_entry

    if user_entry(name) is not None:
        return name
    return _importer(name).space


def open_benchmark(name: str, data_dir: str | os.PathLike[str] | None = None) -> StoredBenchmark:
    """The named benchmark for fast look-ups without pandas, imported into the cache if needed.

    An import (first use, or a source changed) shows a status line; a current cache is read
    in milliseconds.
    """
    from archembed.benchmarks.lookup import StoredBenchmark
    from archembed.progress import status

    found = cached_meta(name, data_dir)
    if found is None:
        with status(f"importing benchmark {name} into the cache"):
            import_benchmark(name, data_dir)
        found = cached_meta(name, data_dir)
        if found is None:
            raise CorruptFileError(
                f"the cache of benchmark {name!r} is incomplete after its import; "
                f"rerun `archembed data import --force {name}`"
            )
    return StoredBenchmark(*found)


def load_benchmark(name: str, data_dir: str | os.PathLike[str] | None = None) -> Benchmark:
    """The named benchmark, imported into the cache on first use.

    ``data_dir`` holds its source files (default: :func:`archembed.io.set_data_dir`'s, else
    $ARCHEMBED_DATA); benchmarks that ship with a package (``nasbench_graph``) need none.
    """
    from archembed.benchmarks.base import Benchmark

    return Benchmark(import_benchmark(name, data_dir))


def benchmark_names() -> list[str]:
    """Names of all registered benchmarks, then the user benchmarks imported into the cache."""
    from archembed.benchmarks import importers  # noqa: F401  (registers the built-in importers)
    from archembed.user_registry import user_benchmark_names

    return IMPORTERS.names() + user_benchmark_names()
