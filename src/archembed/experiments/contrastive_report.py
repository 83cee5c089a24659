"""The contrastive-embedding reports: Table 1 (predictive power) and cross-space transfer.

Each report reads a trained :class:`ContrastiveEncoder` and its feature stores, scores the
representations with :mod:`archembed.experiments.contrastive`, and writes ``<name>.json``
(protocol, per-seed runs, summaries) and ``<name>.md`` (the table) into an output directory.
Inputs are checked before any work; the output directory (of kind :data:`REPORT_KIND`, which
the reports may share) is checked next (:func:`archembed.outputs.output_dir`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from archembed.benchmarks.catalog import load_benchmark
from archembed.checks import check_choice, check_int, check_seed
from archembed.encoders.base import Encoder
from archembed.encoders.baseline import OneHotEncoder
from archembed.encoders.contrastive import ContrastiveEncoder
from archembed.errors import ConfigError
from archembed.experiments.contrastive import (
    markdown_table,
    predictive_table,
    raw_features,
    store_graphs,
    transfer_table,
)
from archembed.graph import ArchGraph
from archembed.io import atomic_path, write_json
from archembed.nets.feature_store import FeatureStore
from archembed.outputs import output_dir

NB201_DATASETS = ("cifar10", "cifar100", "ImageNet16-120")
PAPER_TABLE1 = {
    "cifar10": {"pearson": 0.88, "kendall_tau": 0.57},
    "cifar100": {"pearson": 0.86, "kendall_tau": 0.57},
    "ImageNet16-120": {"pearson": 0.84, "kendall_tau": 0.52},
}
NB201_TARGET = {"metric": "test_acc", "epoch": 200}
NB101_TARGET = {"dataset": "cifar10", "metric": "val_acc", "epoch": 108}
RAW = "raw EPDJM (RMS over inits and points)"
REPORT_KIND = "contrastive-report"


def untrained_twin(model: ContrastiveEncoder) -> ContrastiveEncoder:
    """The model's starting point: same settings and seed, zero epochs (the ablation row)."""
    config = {**model.config(), "epochs": 0}
    twin = ContrastiveEncoder.from_config(model.space, config)
    twin.progress = False
    return twin.fit()


@dataclass
class SpaceFeatures:
    """The architectures of one space across a model's stores (each id once), with their rows."""

    graphs: list[ArchGraph]
    parts: list[tuple[FeatureStore, np.ndarray]]

    def embed(self, encoder: ContrastiveEncoder) -> np.ndarray:
        return np.concatenate([encoder.embed_store(store, rows) for store, rows in self.parts])

    def raw(self) -> np.ndarray:
        return np.concatenate([raw_features(store, rows) for store, rows in self.parts])

    def subset(self, keep: np.ndarray) -> SpaceFeatures:
        """Only the architectures where ``keep`` (a boolean mask over :attr:`graphs`) holds."""
        parts, offset = [], 0
        for store, rows in self.parts:
            parts.append((store, rows[keep[offset : offset + len(rows)]]))
            offset += len(rows)
        return SpaceFeatures([g for g, k in zip(self.graphs, keep) if k], parts)


def space_features(
    model: ContrastiveEncoder, space: str, stores: Sequence[FeatureStore] | None = None
) -> SpaceFeatures | None:
    """Architectures of ``space`` with features in ``stores`` (default: the model's stores).

    Each architecture counts once, and only rows already written; None when there are none.
    """
    seen: set[str] = set()
    graphs: list[ArchGraph] = []
    parts = []
    for store in model.feature_sets.stores if stores is None else stores:
        if store.space != space:
            continue
        rows = np.array(
            [r for r, a in enumerate(store.ids) if store.done[r] and a not in seen], dtype=np.int64
        )
        seen.update(store.ids)
        every = store_graphs(store)
        graphs += [every[r] for r in rows]
        parts.append((store, rows))
    return SpaceFeatures(graphs, parts) if parts else None


def _check_protocol(n_archs: int, n_train: int, seeds: Sequence[int]) -> None:
    """``n_train`` leaves test architectures among ``n_archs``; at least one seed."""
    check_int("n_train", n_train, 1, max(1, n_archs - 1))
    if len(seeds) == 0:
        raise ConfigError("need at least one seed")
    for seed in seeds:
        check_seed("seed", seed)


def _write(out: Path, name: str, report: dict[str, Any], table: str) -> None:
    write_json(out / f"{name}.json", report)
    with atomic_path(out / f"{name}.md") as tmp:
        tmp.write_text(table)


def table1_report(
    model: ContrastiveEncoder,
    out: Path,
    *,
    extra: dict[str, Encoder] | None = None,
    stores: Sequence[FeatureStore] | None = None,
    n_train: int = 500,
    seeds: Sequence[int] = tuple(range(10)),
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Paper Table 1 on NB201: LightGBM (defaults) on raw, untrained, trained and baselines.

    ``stores``: evaluate on the NB201 cells of these stores instead of the model's own.
    """
    nb201 = space_features(model, "nb201", stores)
    if nb201 is None:
        raise ConfigError("Table 1 needs a model with NB201 features; pretrain on an nb201 store")
    graphs = nb201.graphs
    _check_protocol(len(graphs), n_train, seeds)
    out = output_dir(out, REPORT_KIND)
    bench = load_benchmark("nb201")
    labels = {d: bench.query(graphs, d, **NB201_TARGET) for d in NB201_DATASETS}
    representations = {
        RAW: nb201.raw(),
        "untrained encoder": nb201.embed(untrained_twin(model)),
        "trained encoder": nb201.embed(model),
        "one-hot": OneHotEncoder("nb201").transform(graphs),
    }
    for name, encoder in (extra or {}).items():
        representations[name] = encoder.transform(graphs)
    rows = predictive_table(
        representations,
        labels,
        n_train=n_train,
        seeds=seeds,
        predictor="lightgbm",
        progress=progress,
    )
    protocol = {
        "benchmark": "nb201",
        "target": NB201_TARGET,
        "architectures": len(graphs),
        "n_train": n_train,
        "seeds": list(seeds),
        "predictor": "lightgbm (default parameters)",
        "test": "all architectures not in the training sample",
        "features": [str(store.directory) for store, _ in nb201.parts],
        "feature_params": nb201.parts[0][0].params,
        "model": model.config(),
    }
    _write(
        out,
        "table1",
        {"protocol": protocol, "paper": PAPER_TABLE1, "rows": rows},
        markdown_table(rows, ["representation", "dataset"]),
    )
    return rows


def _nb101_domain(model: ContrastiveEncoder, encoders: dict[str, ContrastiveEncoder]) -> dict:
    nb101 = space_features(model, "nb101")
    if nb101 is None:
        return {}
    bench = load_benchmark("nb101")
    labelled = nb101.subset(bench.has(nb101.graphs, **NB101_TARGET))
    y = bench.query(labelled.graphs, **NB101_TARGET)
    return {name: {"nb101": (labelled.embed(enc), y)} for name, enc in encoders.items()}


def transfer_report(
    model: ContrastiveEncoder,
    out: Path,
    *,
    n_train: int = 1000,
    seeds: Sequence[int] = tuple(range(10)),
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Random forest across domains of one embedding space: NB201 <-> NB101, CIFAR-10 -> 100."""
    nb201 = space_features(model, "nb201")
    if nb201 is None:
        raise ConfigError("transfer needs a model with NB201 features; pretrain on an nb201 store")
    _check_protocol(len(nb201.graphs), n_train, seeds)
    out = output_dir(out, REPORT_KIND)
    encoders = {"trained encoder": model, "untrained encoder": untrained_twin(model)}
    bench = load_benchmark("nb201")
    c10 = bench.query(nb201.graphs, "cifar10", **NB201_TARGET)
    c100 = bench.query(nb201.graphs, "cifar100", **NB201_TARGET)
    nb101 = _nb101_domain(model, encoders)
    pairs = [("nb201", "nb201"), ("nb201", "nb201-cifar100")]
    if nb101:
        pairs += [("nb101", "nb101"), ("nb101", "nb201"), ("nb201", "nb101")]
    rows = []
    sizes: dict[str, int] = {}
    for name, encoder in encoders.items():
        X = nb201.embed(encoder)
        domains = {"nb201": (X, c10), "nb201-cifar100": (X, c100), **nb101.get(name, {})}
        sizes = {domain: len(y) for domain, (_, y) in domains.items()}
        found = transfer_table(
            domains,
            pairs,
            same_rows=[("nb201", "nb201-cifar100")],
            n_train=n_train,
            seeds=seeds,
            predictor="rf",
            progress=progress,
        )
        rows += [{"representation": name, **row} for row in found]
    protocol = {
        "predictor": "rf (scikit-learn random forest, 100 trees)",
        "n_train": n_train,
        "seeds": list(seeds),
        "nb201": {"dataset": "cifar10", **NB201_TARGET},
        "nb201-cifar100": {"dataset": "cifar100", **NB201_TARGET},
        "nb101": NB101_TARGET,
        "test": "all target architectures (outside the training sample when within one domain)",
        "architectures": sizes,
        "features": [str(s.directory) for s in model.feature_sets.stores],
        "model": model.config(),
    }
    _write(
        out,
        "transfer",
        {"protocol": protocol, "rows": rows},
        markdown_table(rows, ["representation", "source", "target"]),
    )
    return rows


def tsne_report(
    model: ContrastiveEncoder,
    out: Path,
    *,
    stores: Sequence[FeatureStore] | None = None,
    dataset: str = "cifar10",
    max_points: int = 3000,
    seed: int = 0,
) -> list[Path]:
    """t-SNE maps of raw EPDJM, untrained and trained embeddings, coloured by NB201 accuracy."""
    from archembed.viz.projection import plot_embedding_2d

    check_choice("dataset", dataset, NB201_DATASETS)
    check_int("max_points", max_points, 3, 1_000_000)
    check_seed("seed", seed)
    nb201 = space_features(model, "nb201", stores)
    if nb201 is None:
        raise ConfigError("t-SNE maps need a model with NB201 features; pretrain on an nb201 store")
    out = output_dir(out, REPORT_KIND)
    keep = np.zeros(len(nb201.graphs), dtype=bool)
    keep[np.random.default_rng(seed).permutation(len(keep))[:max_points]] = True
    shown = nb201.subset(keep)
    accuracy = load_benchmark("nb201").query(shown.graphs, dataset, **NB201_TARGET)
    stages = {
        "raw": (RAW, shown.raw()),
        "untrained": ("untrained encoder", shown.embed(untrained_twin(model))),
        "trained": ("trained encoder", shown.embed(model)),
    }
    paths = []
    for name, (title, embeddings) in stages.items():
        path = out / f"tsne_{name}.png"
        plot_embedding_2d(
            embeddings,
            accuracy,
            path,
            method="tsne",
            title=f"{title}: {len(accuracy)} NB201 cells",
            seed=seed,
            colour_label=f"{dataset} test accuracy (%)",
        )
        paths.append(path)
    return paths
