"""The benchmark as a space: the finite space of a benchmark's own architectures.

Every command that takes ``--benchmark NAME`` to train on, sample or embed a benchmark's
architectures gets them here. A user benchmark (``data import-graphs``) already is such a space
by its name (:func:`archembed.spaces.generic.user_space`); a built-in benchmark becomes one over
the architectures its table labels (NAS-Bench-101's data holds a part of its space).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from archembed.benchmarks.catalog import benchmark_space, check_sources, load_benchmark
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace, get_space
from archembed.spaces.restricted import BenchmarkSpace


def _labelled_cells(name: str) -> dict[str, ArchGraph]:
    """The architectures of built-in benchmark ``name`` by identity, in table order."""
    bench = load_benchmark(name)
    return dict(zip(bench.table.archs["arch"], bench.graphs(), strict=True))


def benchmark_cells(name: str) -> SearchSpace:
    """The finite space of benchmark ``name``'s architectures (read when first needed).

    Unknown names raise UnknownNameError; a built-in benchmark's missing source files raise
    DataNotFoundError, both before any work.
    """
    space = get_space(benchmark_space(name))
    if isinstance(space, BenchmarkSpace):
        return space
    check_sources(name)
    return BenchmarkSpace(space, partial(_labelled_cells, name))


def training_space(space: str | None, benchmark: str | None) -> SearchSpace:
    """What a pretraining command trains on: ``--space`` by name, or ``--benchmark``'s cells."""
    if space is not None and benchmark is None:
        return get_space(space)
    if benchmark is not None and space is None:
        return benchmark_cells(benchmark)
    raise ConfigError("give --space or --benchmark (exactly one)")


def require_features(features: list[Path] | None, benchmark: str | None) -> list[Path]:
    """The feature stores ``pretrain contrastive`` trains on; a benchmark alone has none (its
    encoder learns from Jacobian features of real networks built from the cells)."""
    if features:
        if benchmark is not None:
            benchmark_space(benchmark)
        return features
    if benchmark is None:
        raise ConfigError("give --features STORE (a store of `archembed features jacobian`)")
    raise ConfigError(
        f"pretrain contrastive learns from Jacobian features of real networks, which benchmark "
        f"{benchmark!r} does not hold; build its cells' networks and compute a feature store "
        "(`archembed features jacobian`, for nb101, nb201 and darts cells), then pass --features"
    )
