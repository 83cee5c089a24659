"""Table 2 of Hesslow & Poli: transfer between NATS-Bench's size and topology spaces.

One contrastive encoder embeds the Jacobian features of both spaces (``nats_sss``, channel
counts; ``nb201``, cell topologies). In each run every space is split at random into
``n_train`` training and ``n_test`` test architectures; a random forest (100 trees,
``max_features=8`` as in the paper's code) fitted on the training cells of the source space
ranks the test cells of the target space (Pearson, Kendall tau); within one space the test
cells are never trained on. Runs differ in the splits and the forest's seed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from archembed.benchmarks.catalog import load_benchmark
from archembed.checks import check_choice, check_int, check_seed
from archembed.encoders.contrastive import ContrastiveEncoder
from archembed.errors import ConfigError
from archembed.experiments.contrastive import fit_predictor, markdown_table, scores, summarise
from archembed.experiments.contrastive_report import (
    REPORT_KIND,
    SpaceFeatures,
    space_features,
    untrained_twin,
)
from archembed.io import atomic_path, write_json
from archembed.nets.feature_store import FeatureStore
from archembed.outputs import output_dir
from archembed.progress import ProgressBar

SPACES = ("nats_sss", "nb201")
NAMES = {"nats_sss": "size", "nb201": "topology"}
DATASETS = {
    "cifar10": {"nats_sss": "cifar10-valid", "nb201": "cifar10"},
    "cifar100": {"nats_sss": "cifar100", "nb201": "cifar100"},
    "ImageNet16-120": {"nats_sss": "ImageNet16-120", "nb201": "ImageNet16-120"},
}
"""Per dataset, the benchmark dataset of each space (the size space ships cifar10-valid)."""
TARGETS = {
    "nats_sss": {"metric": "val_acc", "epoch": 90},
    "nb201": {"metric": "test_acc", "epoch": 200},
}
"""What the paper's code reads: size-space validation (90 epochs), NB201 test (200 epochs)."""
PAPER_TABLE2 = {
    ("nats_sss", "nats_sss"): {"pearson": 0.59, "kendall_tau": 0.39},
    ("nats_sss", "nb201"): {"pearson": 0.39, "kendall_tau": 0.26},
    ("nb201", "nats_sss"): {"pearson": 0.42, "kendall_tau": 0.31},
    ("nb201", "nb201"): {"pearson": 0.89, "kendall_tau": 0.60},
}
RF_PARAMS = {"n_estimators": 100, "max_features": 8}


def _run_order(n_archs: int, n_train: int, n_test: int, seed: int, space: str) -> np.ndarray:
    """One run's random order of a space's rows (seed and space only), sizes checked first."""
    if n_train + n_test > n_archs:
        raise ConfigError(
            f"{space}: {n_train} training + {n_test} test architectures need "
            f"{n_train + n_test}, the features hold {n_archs}; lower --n-train or --n-test"
        )
    tag = SPACES.index(space) if space in SPACES else len(SPACES)
    return np.random.default_rng([seed, tag]).permutation(n_archs)


def space_split(n_archs: int, n_train: int, n_test: int, seed: int, space: str) -> tuple:
    """Disjoint random (train, test) rows of one space for one run; depends on nothing else."""
    rows = _run_order(n_archs, n_train, n_test, seed, space)
    return rows[:n_train], rows[n_train : n_train + n_test]


def size_split(
    n_archs: int, sizes: Sequence[int], n_test: int, seed: int, space: str
) -> tuple[np.ndarray, list[np.ndarray]]:
    """One run's test rows and nested training rows per size: sizes share the test cells."""
    rows = _run_order(n_archs, max(sizes), n_test, seed, space)
    return rows[:n_test], [rows[n_test : n_test + size] for size in sizes]


def fitted_forest(X: np.ndarray, y: np.ndarray, seed: int) -> Any:
    """Table 2's forest on (n, d) rows, or on (n, inits, d): one row per init, as in the
    paper's code (each init's row carries its cell's accuracy)."""
    if X.ndim == 3:
        X, y = X.reshape(-1, X.shape[-1]), np.repeat(y, X.shape[1])
    return fit_predictor(X, y, "rf", seed, RF_PARAMS)


def forest_predictions(model: Any, X: np.ndarray) -> np.ndarray:
    """Predictions per cell; for (n, inits, d) the mean over the cell's inits (the paper's)."""
    if X.ndim == 3:
        return np.asarray(model.predict(X.reshape(-1, X.shape[-1]))).reshape(X.shape[:2]).mean(1)
    return np.asarray(model.predict(X))


def transfer_runs(
    domains: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    n_train: int,
    n_test: int,
    seeds: Sequence[int],
    split_seed: int | None = None,
) -> tuple[list[dict[str, Any]], dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]]:
    """Rows per (source, target) over runs, and run 0's (true, predicted) test values.

    One forest per source and run scores every target, so all pairs of a run share splits.
    Each run draws new splits, or with ``split_seed`` every run keeps that seed's splits and
    only the forest's seed changes (the paper's script draws its splits once). A domain's X
    is (n, d) or (n, inits, d) (:func:`fitted_forest`).
    """
    runs: dict[tuple[str, str], list[dict[str, float]]] = {}
    first: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
    for seed in seeds:
        drawn = seed if split_seed is None else split_seed
        splits = {
            s: space_split(len(y), n_train, n_test, drawn, s) for s, (_, y) in domains.items()
        }
        for source, (X_src, y_src) in domains.items():
            train = splits[source][0]
            model = fitted_forest(X_src[train], y_src[train], seed)
            for target, (X_tgt, y_tgt) in domains.items():
                test = splits[target][1]
                predicted = forest_predictions(model, X_tgt[test])
                runs.setdefault((source, target), []).append(scores(y_tgt[test], predicted))
                first.setdefault((source, target), (y_tgt[test], predicted))
    rows = [
        {"source": NAMES[s], "target": NAMES[t], **summarise(found)}
        for (s, t), found in runs.items()
    ]
    return rows, first


def training_size_runs(
    domains: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    sizes: Sequence[int],
    n_test: int,
    seeds: Sequence[int],
) -> list[dict[str, Any]]:
    """Rows per (training size, source, target) over runs; in a run every size scores the same
    test cells (:func:`size_split`), so the effect of the training size is paired by run."""
    runs: dict[tuple[int, str, str], list[dict[str, float]]] = {}
    for seed in seeds:
        splits = {s: size_split(len(y), sizes, n_test, seed, s) for s, (_, y) in domains.items()}
        for index, size in enumerate(sizes):
            for source, (X_src, y_src) in domains.items():
                train = splits[source][1][index]
                model = fit_predictor(X_src[train], y_src[train], "rf", seed, RF_PARAMS)
                for target, (X_tgt, y_tgt) in domains.items():
                    test = splits[target][0]
                    found = scores(y_tgt[test], np.asarray(model.predict(X_tgt[test])))
                    runs.setdefault((size, source, target), []).append(found)
    return [
        {"n_train": n, "source": NAMES[s], "target": NAMES[t], **summarise(found)}
        for (n, s, t), found in runs.items()
    ]


def init_embeddings(features: SpaceFeatures, encoder: ContrastiveEncoder) -> np.ndarray:
    """Embeddings of every init of every architecture, (n, n_inits, embed_dim): the rows the
    paper's forest reads (:meth:`SpaceFeatures.embed` averages them)."""
    parts = []
    for store, rows in features.parts:
        for start in range(0, len(rows), 512):
            sets = np.asarray(store.features[rows[start : start + 512]])
            one = sets.reshape(-1, 1, *sets.shape[2:])
            parts.append(encoder.embed_features(one).reshape(*sets.shape[:2], -1))
    return np.concatenate(parts)


def space_labels(features: dict[str, SpaceFeatures], dataset: str) -> dict[str, np.ndarray]:
    """Per space, the accuracies Table 2 reads for ``dataset`` (:data:`TARGETS`)."""
    return {
        space: load_benchmark(space).query(found.graphs, DATASETS[dataset][space], **TARGETS[space])
        for space, found in features.items()
    }


def _check(
    model: ContrastiveEncoder,
    datasets: Sequence[str],
    n_train: int,
    n_test: int,
    seeds: Sequence[int],
) -> dict[str, SpaceFeatures]:
    """The model's features of both spaces, every option checked before work."""
    for dataset in datasets:
        check_choice("--dataset", dataset, tuple(DATASETS))
    check_int("--n-train", n_train, 1)
    check_int("--n-test", n_test, 2)
    if not seeds:
        raise ConfigError("need at least one seed")
    for seed in seeds:
        check_seed("seed", seed)
    features = {}
    for space in SPACES:
        found = space_features(model, space)
        if found is None:
            raise ConfigError(
                f"Table 2 needs a model trained on {space} and nb201/nats_sss features; "
                "pretrain contrastive with --features for both spaces"
            )
        space_split(len(found.graphs), n_train, n_test, 0, space)
        features[space] = found
    return features


def table2_report(
    model: ContrastiveEncoder,
    out: Path,
    *,
    raw_stores: Sequence[FeatureStore] = (),
    datasets: Sequence[str] = ("cifar10",),
    n_train: int = 10_000,
    n_test: int = 3_000,
    seeds: Sequence[int] = tuple(range(10)),
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Table 2 (trained and untrained encoder), Figure 8 per dataset, Figure 7 from raw stores."""
    from archembed.viz.transfer import plot_predicted_grid, plot_singular_values

    features = _check(model, datasets, n_train, n_test, seeds)
    check_raw_stores(raw_stores)
    out = output_dir(out, REPORT_KIND)
    encoders = {"trained encoder": model, "untrained encoder": untrained_twin(model)}
    embedded = {n: {s: f.embed(e) for s, f in features.items()} for n, e in encoders.items()}
    rows = []
    with ProgressBar(enabled=progress) as bar:
        task = bar.add_task("Table 2", total=len(encoders) * len(datasets))
        for dataset in datasets:
            labels = space_labels(features, dataset)
            for name, X in embedded.items():
                domains = {s: (X[s], labels[s]) for s in SPACES}
                found, first = transfer_runs(domains, n_train=n_train, n_test=n_test, seeds=seeds)
                rows += [{"representation": name, "dataset": dataset, **r} for r in found]
                if name == "trained encoder":
                    plot_predicted_grid(first, NAMES, out / f"figure8_{dataset}.png")
                bar.advance(task)
    if raw_stores:
        plot_singular_values(_singular_values(raw_stores), out / "figure7.png")
    protocol = {
        "predictor": f"rf (scikit-learn random forest, {RF_PARAMS})",
        "n_train": n_train,
        "n_test": n_test,
        "seeds": list(seeds),
        "targets": {
            d: {s: {"dataset": v, **TARGETS[s]} for s, v in m.items()}
            for d, m in DATASETS.items()
            if d in datasets
        },
        "architectures": {s: len(f.graphs) for s, f in features.items()},
        "embedding": "mean of the encoder outputs over inits",
        "features": [str(s.directory) for s in model.feature_sets.stores],
        "model": model.config(),
    }
    paper = [{"source": NAMES[s], "target": NAMES[t], **v} for (s, t), v in PAPER_TABLE2.items()]
    write_json(out / "table2.json", {"protocol": protocol, "paper": paper, "rows": rows})
    with atomic_path(out / "table2.md") as tmp:
        tmp.write_text(markdown_table(rows, ["representation", "dataset", "source", "target"]))
    return rows


def check_raw_stores(stores: Sequence[FeatureStore]) -> None:
    """Figure 7 reads unnormalised Jacobian stores of the two spaces."""
    for store in stores:
        if store.params.get("kind") != "jacobian" or store.params.get("normalise"):
            raise ConfigError(
                f"{store.directory} is not an unnormalised Jacobian store; Figure 7 needs one"
            )
        if store.space not in SPACES:
            raise ConfigError(f"{store.directory} holds {store.space}, not nats_sss or nb201")


def _singular_values(stores: Sequence[FeatureStore]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per space: principal singular value of each architecture (mean over inits), accuracy."""
    from archembed.experiments.contrastive import store_graphs

    found = {}
    for store in stores:
        rows = np.flatnonzero(store.done)
        sigma = np.concatenate(
            [
                principal_singular_values(store.features[rows[i : i + 512]])
                for i in range(0, len(rows), 512)
            ]
        )
        every = store_graphs(store)
        graphs = [every[r] for r in rows]
        dataset = DATASETS["cifar10"][store.space]
        accuracy = load_benchmark(store.space).query(graphs, dataset, **TARGETS[store.space])
        found[NAMES[store.space]] = (sigma, accuracy)
    return found


def principal_singular_values(features: np.ndarray) -> np.ndarray:
    """Largest singular value of each (n_points, k) matrix, averaged over inits: (n,)."""
    values = np.linalg.norm(np.asarray(features, dtype=np.float64), ord=2, axis=(2, 3))
    return values.mean(axis=1)
