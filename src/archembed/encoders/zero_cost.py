"""Unified label-free features: graph statistics and the shipped zero-cost proxies of a cell.

The benchmark ships zero-cost proxies (NB201: 11 proxies, params and FLOPs in the file of
each proxy dataset, cifar10 by default) for 9,445 of the 15,625 cells. Those cells cover every
equivalence class of the space (cells equal after pruning ``none`` and unreachable edges,
``ArchGraph.key``: 8,765 classes), so every cell gets the proxies of its class (their mean
where several cells of the class have them; the spread inside a class is about 6 % of the
spread across cells). Proxies are signed ``log1p``; the statistics are those of
:mod:`archembed.encoders.graph_stats`; both are standardised on the training cells.

``zcstats`` is these features as a label-free embedding (the default encoder of ``bo`` on
NB201, reading the proxy file of the searched dataset: :mod:`archembed.experiments.defaults`);
``mlp-unified`` is the MLP ranker of ``mlp-stats`` on them. On NB201 cifar10-valid
(``archembed leaderboard``, protocol ``tagates``, split seeds 21 / 2021 / 202121 x model seeds
0-1) it reaches Kendall tau 0.786 / 0.855 / 0.879 at 1 / 5 / 10 % of the pool (``mlp-stats``:
0.774 / 0.828 / 0.834) and precision at the top 1 % of 0.463 at 1 % (``mlp-stats``: 0.260), in
1-2 CPU seconds per fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from archembed.benchmarks.importers.nb201 import ZC_DATASETS
from archembed.encoders.base import register_encoder
from archembed.encoders.graph_stats import GraphStatsEncoder, graph_statistics
from archembed.encoders.supervised import FeatureMLPEncoder
from archembed.errors import ConfigError
from archembed.graph import ArchGraph

EXTRA_PROXIES = ("params", "flops")
"""Cost measures the proxy files ship next to the ``zc_*`` proxies."""


def proxy_names(bench: Any, dataset: str) -> list[str]:
    """The proxy metrics of ``bench`` on ``dataset``: every ``zc_*`` metric, params, FLOPs."""
    metrics = bench.metrics(dataset)
    return [m for m in metrics if m.startswith("zc_")] + [m for m in EXTRA_PROXIES if m in metrics]


PROXY_DATASETS = {"nb201": ZC_DATASETS}
"""The spaces whose benchmark ships zero-cost proxies, and the datasets of its proxy files."""

DEFAULT_PROXY_DATASET = "cifar10"
"""The proxy file the unified features read unless told otherwise (``zc_dataset``)."""


def proxy_dataset(space_name: str, dataset: str) -> str | None:
    """The proxy file for a search on ``dataset``: its own where the benchmark ships one
    (NB201 cifar10-valid and cifar10 -> cifar10, ImageNet16-120 -> ImageNet16-120), else the
    default file (NB201 cifar100 -> cifar10); None for a space without proxies."""
    files = PROXY_DATASETS.get(space_name)
    if files is None:
        return None
    own = dataset.removesuffix("-valid")
    return own if own in files else DEFAULT_PROXY_DATASET


def check_proxy_source(space_name: str, dataset: str) -> None:
    """A ConfigError unless the benchmark of ``space_name`` ships proxies on ``dataset``."""
    if space_name not in PROXY_DATASETS:
        raise ConfigError(
            f"no zero-cost proxies are shipped for the {space_name} space "
            f"(spaces with proxies: {', '.join(PROXY_DATASETS)})"
        )
    if dataset not in PROXY_DATASETS[space_name]:
        raise ConfigError(
            f"zc_dataset {dataset!r}: {space_name} ships zero-cost proxies on "
            f"{', '.join(PROXY_DATASETS[space_name])}"
        )


class NeedsProxies:
    """Mixin of the encoders built on the shipped proxies: they apply only to spaces with them."""

    @classmethod
    def applies_to(cls, space_name: str) -> bool:
        """Whether the benchmark of ``space_name`` ships zero-cost proxies."""
        return space_name in PROXY_DATASETS


@lru_cache(maxsize=4)
def class_proxies(space_name: str, dataset: str) -> dict[str, np.ndarray]:
    """Signed-log proxies per equivalence class (``ArchGraph.key``) of every cell that has
    them in the benchmark named like the space, averaged over the cells of a class."""
    from archembed.benchmarks.catalog import load_benchmark

    check_proxy_source(space_name, dataset)
    bench = load_benchmark(space_name)
    names = proxy_names(bench, dataset)
    graphs, _ = bench.labels(dataset, names[0])
    values = np.stack([bench.query(graphs, dataset, name) for name in names], axis=1)
    values = np.sign(values) * np.log1p(np.abs(values))
    groups: dict[str, list[np.ndarray]] = {}
    for graph, row in zip(graphs, values):
        groups.setdefault(graph.key, []).append(row)
    return {key: np.mean(rows, axis=0) for key, rows in groups.items()}


def cell_proxies(space: Any, graphs: Sequence[ArchGraph], dataset: str) -> np.ndarray:
    """``(n, p)`` proxies of ``graphs``, each its equivalence class's; a cell whose class has
    none is a ConfigError."""
    table = class_proxies(space.name, dataset)
    missing = [g for g in graphs if g.key not in table]
    if missing:
        raise ConfigError(
            f"{len(missing)} of {len(graphs)} cells have no zero-cost proxies on {dataset} "
            f"(neither they nor an equivalent cell), e.g. {missing[0]!r}"
        )
    return np.stack([table[g.key] for g in graphs])


@register_encoder("zcstats")
class ZeroCostStatsEncoder(GraphStatsEncoder):
    """Graph statistics next to zero-cost proxies (``zc_dataset``'s, by equivalence class),
    standardised on the cells ``fit`` sees: a label-free embedding (e.g. for ``bo``)."""

    name = "zcstats"

    def __init__(self, space: Any, zc_dataset: str = DEFAULT_PROXY_DATASET) -> None:
        super().__init__(space)
        check_proxy_source(self.space.name, zc_dataset)
        self.zc_dataset = zc_dataset

    def config(self) -> dict[str, Any]:
        return {"zc_dataset": self.zc_dataset}

    def raw(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        """Unscaled features of ``graphs``: statistics, then proxies."""
        stats = graph_statistics(self.space, graphs)
        proxies = cell_proxies(self.space, graphs, self.zc_dataset)
        return np.concatenate([stats, proxies], axis=1)


@register_encoder("mlp-unified")
class UnifiedMLP(NeedsProxies, FeatureMLPEncoder):
    """MLP ranker on graph statistics and zero-cost proxies (the ``zcstats`` features)."""

    name = "mlp-unified"

    def __init__(
        self, space: Any, *, zc_dataset: str = DEFAULT_PROXY_DATASET, **params: Any
    ) -> None:
        super().__init__(space, **params)
        self.zc_dataset = zc_dataset
        self.features_ = ZeroCostStatsEncoder(self.space, zc_dataset)  # type: ignore[assignment]

    def _extra_state(self) -> dict[str, Any]:
        return {"width": self.width_, "scaling": self.features_.scaling()}  # type: ignore[union-attr]

    def _load_extra_state(self, state: dict[str, Any]) -> None:
        self.width_ = int(state["width"])
        self.features_.set_scaling(state["scaling"])  # type: ignore[union-attr]
