"""Rebuild a shipped model from its card and say whether it is bit-identical to the shipped one.

    python -m archembed.pretrained.build NAME --out DIR
    python -m archembed.pretrained.build --all --out DIR

trains the card's recipe with its seed on one CPU thread (deterministic), writes the model and
a fresh ``card.json`` (environment, metrics, digests) to DIR (``--all``: DIR/NAME for every
shipped model), and exits 0 when ``config.json`` is byte-identical and every tensor and value in
``state.pt`` bit-identical to the shipped model (:func:`archembed.pretrained.file_digests`), 1
when they differ (another torch version or platform), 2 on a bad ``--out``. Per-epoch timings
are left out of the saved history, so identical training gives identical files. To update a
shipped model, change its card's recipe, rebuild, and copy ``config.json``, ``state.pt`` and
``card.json`` from DIR into ``src/archembed/pretrained/NAME/``.

A card names the saved ``encoder`` kind (``arch2vec``, ``nao`` for a locality-pretrained
NAO controller, or ``contrastive``), its ``space``, ``seed`` and ``recipe``; ``samples``
(optional) trains on that many random architectures drawn with the seed instead of the whole
(finite) space. A ``contrastive`` card trains on a feature store, ``--features STORE`` (made by
the card's ``features.command``; the build checks the store's settings against the card), and
ships the table of its embeddings of every cell (:class:`~archembed.encoders.table.TableEncoder`,
the card's ``table``: principal axes kept and precision) with the trained encoder. ``--trained
DIR`` makes those files from a model already trained with the card's recipe and seed on the
store (``archembed pretrain contrastive --recipe paper --seed 0 --threads 1``, which resumes
from its checkpoint) instead of training again; without it the build trains and checks
bit-identity.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from archembed.errors import UserError
from archembed.io import data_dir, read_json
from archembed.pretrained import CARD_FILE, NAMES, PRETRAINED_DIR, file_digests

EMBEDDING_SAMPLE = 8
"""Architectures whose embeddings a card records (:func:`sample_graphs`)."""
ENUMERATED_MAX = 100_000
"""Spaces up to this size take their spot-check architectures from the enumeration."""
WALK_STEPS = 200
"""Steps of the random 1-edit walk whose distances a locality card's smoothness is measured on."""
TABLE1_SEEDS = 10
"""Seeds of the Table 1 protocol a contrastive card records (``archembed contrastive table1``)."""
NEIGHBOURS = 10
"""Nearest neighbours compared between a shipped table and the full-precision embeddings."""


def card_names() -> list[str]:
    """Models with a card here: the shipped ones, then any whose files are not built yet."""
    cards = sorted(path.parent.name for path in PRETRAINED_DIR.glob(f"*/{CARD_FILE}"))
    return [*NAMES, *(name for name in cards if name not in NAMES)]


def recipe_card(name: str) -> dict[str, Any]:
    """The card of a model with a card here (:func:`card_names`), shipped or not yet built."""
    return read_json(PRETRAINED_DIR / name / CARD_FILE)


def model_metrics(encoder: Any, samples: int, seed: int) -> dict[str, Any]:
    """Held-out reconstruction and validity/uniqueness of decoded samples, as ``evaluate``
    (strict: the decoded graph is an architecture of the space; paper: the arch2vec paper's
    Table 1 definition, see :func:`~archembed.evaluation.pretraining.sample_quality`)."""
    from archembed.evaluation.pretraining import sample_quality

    scores = encoder.reconstruction_scores()
    quality = sample_quality(encoder, samples, "train", seed)
    return {
        "holdout_reconstruction": scores["graphs"],
        "holdout_ops": scores["ops"],
        "holdout_adjacency": scores["adjacency"],
        "validity": quality["validity"],
        "uniqueness": quality["uniqueness"],
        "paper_validity": quality["paper_validity"],
        "paper_uniqueness": quality["paper_uniqueness"],
        "samples": samples,
        "sample_seed": seed,
    }


def locality_metrics(encoder: Any, samples: int, seed: int) -> dict[str, Any]:
    """Reconstruction of ``samples`` random cells (decode of the embedding gives the cell back)
    and smoothness (Spearman of embedding distance against edit distance on a random walk)."""
    import numpy as np

    from archembed.evaluation.smoothness import smoothness

    graphs = encoder.space.sample(samples, np.random.default_rng(seed))
    decoded = encoder.decode(encoder.transform(graphs))
    hits = [d is not None and d.key == g.key for g, d in zip(graphs, decoded, strict=True)]
    walk = smoothness(encoder, WALK_STEPS, seed)
    return {
        "reconstruction": float(np.mean(hits)),
        "smoothness_spearman": walk["spearman_edit_vs_l2"],
        "walk_steps": WALK_STEPS,
        "samples": samples,
        "sample_seed": seed,
    }


def table_metrics(encoder: Any, samples: int, seed: int) -> dict[str, Any]:
    """The contrastive paper's Table 1 on the shipped table (LightGBM with default parameters
    fitted on ``samples`` random NB201 cells, Pearson and Kendall tau of the test accuracy at
    200 epochs on all other cells, mean over :data:`TABLE1_SEEDS` seeds from ``seed``) and the
    last epoch's training and held-out NT-Xent losses."""
    import numpy as np

    from archembed.benchmarks.catalog import load_benchmark
    from archembed.experiments.contrastive import predictive_table
    from archembed.experiments.contrastive_report import NB201_DATASETS, NB201_TARGET

    graphs = encoder.space.enumerate()
    bench = load_benchmark("nb201")
    labels = {d: np.asarray(bench.query(graphs, d, **NB201_TARGET)) for d in NB201_DATASETS}
    seeds = range(seed, seed + TABLE1_SEEDS)
    table = {"table": encoder.transform(graphs)}
    rows = predictive_table(table, labels, n_train=samples, seeds=seeds, progress=False)
    last = encoder.source_model().history_[-1]
    return {
        **{f"{row['dataset']}_{m}": row[m] for row in rows for m in ("pearson", "kendall_tau")},
        "train_loss": last["loss"],
        "heldout_loss": last["heldout_loss"],
        "samples": samples,
        "sample_seed": seed,
    }


METRICS = {"arch2vec": model_metrics, "nao": locality_metrics, "contrastive": table_metrics}
"""The card metrics of each saved encoder kind: ``f(encoder, samples, seed)``."""


def card_metrics(encoder: Any, card: dict[str, Any]) -> dict[str, Any]:
    """The metrics a card records, measured on ``encoder`` with the card's sample settings."""
    checks = card["metrics"]
    return METRICS[card["encoder"]](encoder, checks["samples"], checks["sample_seed"])


def embedding_sample(encoder: Any) -> list[list[float]]:
    """Embeddings of the first architectures of the space, rounded (a card's spot check)."""
    graphs = sample_graphs(encoder.space)
    return [[round(float(v), 6) for v in row] for row in encoder.transform(graphs)]


def sample_graphs(space: Any) -> list[Any]:
    """The architectures of a card's spot check: the first of a small space's enumeration, else
    random ones (seed 0; enumerating NB101's 423,624 cells would take longer than the check)."""
    import numpy as np

    if space.finite and space.size <= ENUMERATED_MAX:
        return space.enumerate()[:EMBEDDING_SAMPLE]
    return space.sample(EMBEDDING_SAMPLE, np.random.default_rng(0))


def table_fidelity(table: Any) -> dict[str, Any]:
    """How closely a shipped table keeps the full-precision embeddings it was made from: the
    variance its principal axes keep, the largest absolute difference after mapping back, and
    the mean overlap of each cell's :data:`NEIGHBOURS` nearest neighbours (Euclidean) for
    1,000 random cells (seed 0)."""
    import numpy as np

    graphs = table.space.enumerate()
    full = table.source_model().transform(graphs)
    kept = table.matrix @ table.basis_ + table.mean_
    centred = full - full.mean(axis=0)
    shipped = table.project(full)
    queries = np.random.default_rng(0).choice(len(graphs), 1000, replace=False)
    overlap = [
        len(np.intersect1d(_neighbours(full, q), _neighbours(table.matrix, q))) / NEIGHBOURS
        for q in queries
    ]
    return {
        "explained_variance": float((shipped**2).sum() / (centred.astype(np.float64) ** 2).sum()),
        "max_abs_error": float(np.abs(kept - full).max()),
        f"neighbour_overlap_at_{NEIGHBOURS}": float(np.mean(overlap)),
    }


def _neighbours(X: Any, row: int) -> Any:
    """The :data:`NEIGHBOURS` rows of ``X`` nearest to row ``row`` (itself excluded)."""
    import numpy as np

    distance = ((X - X[row]) ** 2).sum(axis=1)
    distance[row] = np.inf
    return np.argsort(distance, kind="stable")[:NEIGHBOURS]


def check_store(card: dict[str, Any], features: Path | None) -> Any:
    """The complete feature store a contrastive card trains on, with the card's settings."""
    from archembed.errors import ConfigError
    from archembed.nets.feature_store import FeatureStore

    wanted = card["features"]
    if features is None:
        raise ConfigError(
            f"{card['name']} trains on a feature store: give --features STORE, made by "
            f"`{wanted['command']}`"
        )
    store = FeatureStore.open(features, require_complete=True)
    found = {key: store.meta.get(key) for key in wanted["meta"]}
    if found != wanted["meta"]:
        raise ConfigError(
            f"{features} holds other features than {card['name']} was trained on "
            f"({found} instead of {wanted['meta']}); make the store with `{wanted['command']}`"
        )
    return store


def train_contrastive(
    card: dict[str, Any], features: Path | None, progress: bool, trained: Path | None = None
) -> Any:
    """The card's contrastive encoder trained on ``features`` (or the model already trained at
    ``trained``, checked against the card), as the table it ships."""
    from archembed.encoders.contrastive import ContrastiveEncoder
    from archembed.encoders.table import TableEncoder

    store = check_store(card, features)
    if trained is None:
        encoder = ContrastiveEncoder.from_recipe(
            card["recipe_name"],
            [store.directory],
            progress=progress,
            **card["recipe"],
            seed=card["seed"],
        )
        encoder.fit()
    else:
        encoder = trained_model(card, trained, store.directory)
    encoder.history_ = untimed(encoder.history_)
    return TableEncoder.from_source(encoder, card["table"]["components"], card["table"]["dtype"])


def trained_model(card: dict[str, Any], trained: Path, store: Path) -> Any:
    """The contrastive model at ``trained``, which must have the card's recipe and seed and have
    been trained on ``store`` (``archembed pretrain contrastive --recipe paper --threads 1``)."""
    from archembed.encoders.base import load_encoder
    from archembed.errors import ConfigError

    encoder = load_encoder(trained)
    wanted = {**card["recipe"], "seed": card["seed"]}
    config = encoder.config()
    if encoder.name != "contrastive" or {key: config.get(key) for key in wanted} != wanted:
        raise ConfigError(
            f"{trained} is not a contrastive model of {card['name']}'s recipe and seed"
        )
    if config["features"] != [str(store.resolve())]:
        raise ConfigError(f"{trained} was trained on {config['features']}, not on {store}")
    return encoder


def train(
    card: dict[str, Any], progress: bool, features: Path | None = None, trained: Path | None = None
) -> Any:
    """The card's encoder trained with its recipe and seed (on the current threads)."""
    from archembed.encoders import ENCODERS
    from archembed.encoders.pretrain import training_graphs
    from archembed.spaces import get_space

    if card["encoder"] == "contrastive":
        return train_contrastive(card, features, progress, trained)
    space = get_space(card["space"])
    if card["encoder"] == "nao":
        from archembed.encoders.nao import NAOEncoder

        encoder = NAOEncoder.from_recipe(
            card["recipe_name"], space, seed=card["seed"], **card["recipe"]
        )
        encoder.pretrain(progress=progress)
        encoder.pretraining["history"] = untimed(encoder.pretraining["history"])
        return encoder
    encoder = ENCODERS.get(card["encoder"])(space, **card["recipe"], seed=card["seed"])
    encoder.fit(training_graphs(space, card.get("samples"), card["seed"]), progress=progress)
    encoder.history_ = untimed(encoder.history_)
    return encoder


def untimed(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A training history without its per-epoch timings (they differ between runs)."""
    return [{k: v for k, v in epoch.items() if not k.endswith("_seconds")} for epoch in history]


def build(
    name: str,
    out: Path,
    progress: bool = True,
    features: Path | None = None,
    trained: Path | None = None,
) -> dict[str, Any]:
    """Train ``name``'s recipe into ``out`` and return its card (metrics and checksums filled)."""
    from archembed.encoders.pretrain import check_target, model_output
    from archembed.threads import set_threads

    card = recipe_card(name)
    if card["encoder"] == "contrastive":
        check_store(card, features)
        data_dir()  # its metrics rank the benchmark's accuracies: say so now, not after training
    out = model_output(out)
    check_target(out, resume=False)
    set_threads(1)  # one thread: the same float operations in the same order on every run
    encoder = train(card, progress, features, trained)
    encoder.save(out)
    if card["encoder"] == "contrastive":
        card["table"] = {**card["table"], "fidelity": table_fidelity(encoder)}
    return {
        **card,
        "environment": environment(),
        "metrics": card_metrics(encoder, card),
        "embedding_sample": embedding_sample(encoder),
        "files": file_digests(out),
    }


def environment() -> dict[str, str]:
    """Versions that decide the bytes of a rebuilt model (torch's kernels, the package's data)."""
    import platform
    from importlib.metadata import version

    import torch

    return {
        "torch": torch.__version__,
        "nas-bench-graph": version("nas-bench-graph"),
        "machine": platform.machine(),
        "threads": "1",
    }


def rebuild(
    name: str, out: Path, progress: bool, features: Path | None = None, trained: Path | None = None
) -> int:
    """Rebuild one model into ``out``, write its card; 0 when bit-identical, 1 when not."""
    from archembed.io import write_json

    card = build(name, out, progress=progress, features=features, trained=trained)
    write_json(out / CARD_FILE, card)
    shipped = recipe_card(name).get("files")
    if shipped is None:
        print(f"{out}: built; {name} has no shipped files to compare with yet")
        return 1
    differ = [f for f, digest in card["files"].items() if shipped.get(f) != digest]
    if differ:
        print(f"{out}: differs from the shipped model in {', '.join(differ)}")
        return 1
    print(f"{out}: bit-identical to the shipped {name}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line: rebuild, write the card, compare checksums with the shipped model."""
    parser = argparse.ArgumentParser(prog="python -m archembed.pretrained.build")
    parser.add_argument("name", nargs="?", choices=card_names(), help="model to rebuild")
    parser.add_argument("--all", action="store_true", help="rebuild every model into OUT/NAME")
    parser.add_argument("--out", type=Path, required=True, help="new model directory")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--features", type=Path, help="feature store a contrastive model trains on")
    parser.add_argument(
        "--trained",
        type=Path,
        help="contrastive model already trained with the card's recipe on --features: "
        "make the shipped files from it instead of training again",
    )
    args = parser.parse_args(argv)
    if args.all == (args.name is not None):
        parser.error("give one model NAME or --all")
    jobs = [(n, args.out / n) for n in NAMES] if args.all else [(args.name, args.out)]
    try:
        for name, _ in jobs:  # every input checked before the first model trains
            if recipe_card(name)["encoder"] == "contrastive":
                check_store(recipe_card(name), args.features)
        return max(
            rebuild(name, out, not args.quiet, args.features, args.trained) for name, out in jobs
        )
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
