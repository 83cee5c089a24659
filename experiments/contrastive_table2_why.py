"""Why Table 2 falls short: the paper's protocol choices one at a time, on the same embeddings.

Usage: ARCHEMBED_DATA=../shared/data python experiments/contrastive_table2_why.py \\
    --model runs/contrastive/model-size-topology-full --out runs/contrastive/table2-why \\
    [--paper-labels OFFICIAL_REPO/SearchSpaces/Bench201] [--encoder NAME=DIR ...]
Every cell of both spaces with features in the model's stores is embedded per init, by the
model, its untrained twin and each ``--encoder`` (other contrastive models of the same two
spaces, e.g. another seed or unnormalised features). Then Table 2 (CIFAR-10, ``--n-train`` /
``--n-test`` cells per space, random forest, ``--runs`` runs) under these variants:

- ``ours``: one mean embedding per cell, new splits each run (``archembed contrastive table2``);
- ``init rows``: one forest row per init, predictions averaged per cell (the paper's code);
- ``paper labels``: NB201 accuracies from the official repository (``--paper-labels``: its
  ``SearchSpaces/Bench201`` folder; ours are the seed mean of the test accuracy at 200 epochs);
- ``paper protocol``: both, and run 0's splits in every run, only the forest seed changing
  (the paper's script draws its splits once).

Encoders other than the model run ``ours`` and ``init rows``. Each (encoder, variant) is a unit
of the results store (a restart computes only the missing ones); DIR/summary.json holds the
rows with per-run values and, per encoder, ``diagnostics``: the init noise of each space
(:func:`init_noise`) and how run 0's topology forest sees size cells
(:func:`topology_forest_on_size`); DIR/table.md the Markdown table (also printed); the per-init
embeddings are kept in DIR/embeddings-<encoder>.npz for a restart.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from archembed.checks import check_int
from archembed.cli.script import run_script
from archembed.encoders import load_encoder
from archembed.encoders.contrastive import ContrastiveEncoder
from archembed.errors import ConfigError, CorruptFileError
from archembed.experiments.contrastive import markdown_table
from archembed.experiments.contrastive_report import (
    SpaceFeatures,
    space_features,
    untrained_twin,
)
from archembed.experiments.results import ResultStore
from archembed.experiments.space_transfer import (
    NAMES,
    SPACES,
    fitted_forest,
    forest_predictions,
    init_embeddings,
    space_labels,
    space_split,
    transfer_runs,
)
from archembed.graph import ArchGraph
from archembed.io import atomic_path, write_json
from archembed.spaces import get_space
from archembed.threads import set_threads

KIND = "contrastive-table2-why"
MAIN = "trained"
VARIANTS = {
    "ours": {"init_rows": False, "fixed_split": False, "paper_labels": False},
    "init rows": {"init_rows": True, "fixed_split": False, "paper_labels": False},
    "paper labels": {"init_rows": False, "fixed_split": False, "paper_labels": True},
    "paper protocol": {"init_rows": True, "fixed_split": True, "paper_labels": True},
}
"""Each variant's departures from ``archembed contrastive table2``."""


def parse() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="contrastive model directory")
    parser.add_argument("--out", type=Path, required=True, help="the results directory")
    parser.add_argument("--encoder", action="append", default=[], help="NAME=DIR, repeatable")
    parser.add_argument("--paper-labels", type=Path, default=None)
    parser.add_argument(
        "--untrained",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also the untrained twin (ours, init rows)",
    )
    parser.add_argument("--n-train", type=int, default=10_000)
    parser.add_argument("--n-test", type=int, default=3_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    return parser.parse_args()


def contrastive_model(path: Path) -> ContrastiveEncoder:
    """A saved contrastive model of both spaces."""
    model = load_encoder(path)
    if not isinstance(model, ContrastiveEncoder):
        raise ConfigError(f"{path} holds a {model.name!r} model, not contrastive")
    if any(space_features(model, space) is None for space in SPACES):
        raise ConfigError(f"{path} needs features of both nats_sss and nb201")
    return model


def encoders(args: argparse.Namespace) -> dict[str, Path]:
    """Extra encoders by name (``--encoder NAME=DIR``), checked."""
    found = {}
    for text in args.encoder:
        name, sep, path = text.partition("=")
        if not sep or not name or name in (MAIN, "untrained"):
            raise ConfigError(f"--encoder takes NAME=DIR (NAME not {MAIN!r}/'untrained'): {text!r}")
        found[name] = Path(path)
    return found


def paper_labels(folder: Path | None, graphs: list[ArchGraph]) -> np.ndarray | None:
    """The official repository's NB201 CIFAR-10 test accuracies for ``graphs``: its
    ``SearchSpaces/Bench201`` folder pairs ``cifar10_test_accs.npy`` with ``configs.txt``
    (the cell strings in the same order)."""
    if folder is None:
        return None
    try:
        values = np.load(folder / "cifar10_test_accs.npy")
        strings = (folder / "configs.txt").read_text().split()
    except (OSError, ValueError) as error:
        raise CorruptFileError(f"--paper-labels {folder}: {error}") from None
    if values.shape != (len(strings),):
        raise CorruptFileError(f"--paper-labels: {values.shape} values for {len(strings)} cells")
    found = dict(zip(strings, values.astype(float)))
    space = get_space("nb201")
    natives = [space.to_native(graph) for graph in graphs]
    missing = [native for native in natives if native not in found]
    if missing:
        raise ConfigError(
            f"--paper-labels has no value for {len(missing)} cells, e.g. {missing[0]}"
        )
    return np.array([found[native] for native in natives])


def units(names: list[str], with_paper: bool) -> list[tuple[str, str]]:
    """(encoder, variant) pairs to run: every variant for the model, two for the others."""
    main = [v for v in VARIANTS if with_paper or not VARIANTS[v]["paper_labels"]]
    return [(MAIN, v) for v in main] + [(n, v) for n in names for v in ("ours", "init rows")]


def unit_name(encoder: str, variant: str) -> str:
    """A results-store unit name."""
    return f"{encoder}-{variant}".replace(" ", "_")


def variant_rows(
    embedded: dict[str, np.ndarray], labels: dict[str, np.ndarray], variant: str, args: Any
) -> list[dict[str, Any]]:
    """Table 2 rows of one variant from per-init embeddings and the labels to use."""
    how = VARIANTS[variant]
    domains = {
        s: (X if how["init_rows"] else X.mean(axis=1), labels[s]) for s, X in embedded.items()
    }
    rows, _ = transfer_runs(
        domains,
        n_train=args.n_train,
        n_test=args.n_test,
        seeds=list(range(args.runs)),
        split_seed=0 if how["fixed_split"] else None,
    )
    return rows


def per_init(
    model: ContrastiveEncoder, features: dict[str, SpaceFeatures], name: str, path: Path | None
) -> dict[str, np.ndarray]:
    """Per-init embeddings of both spaces by the model, its untrained twin or the model at
    ``path`` (read from its own stores, which must hold the same cells in the same order)."""
    if name == MAIN:
        return {s: init_embeddings(f, model) for s, f in features.items()}
    if name == "untrained":
        return {s: init_embeddings(f, untrained_twin(model)) for s, f in features.items()}
    other = contrastive_model(path)
    found = {space: space_features(other, space) for space in SPACES}
    if any(found[s].graphs != features[s].graphs for s in SPACES):
        raise ConfigError(f"--encoder {name}: its stores do not hold the model's cells in order")
    return {s: init_embeddings(f, other) for s, f in found.items()}


def init_noise(X: np.ndarray) -> float:
    """Variance of a cell's per-init embeddings around their mean over the variance of the
    cells' means: 1 means two inits of one cell differ as much as two cells do."""
    within = ((X - X.mean(axis=1, keepdims=True)) ** 2).sum(axis=-1).mean()
    between = ((X.mean(axis=1) - X.mean(axis=(0, 1))) ** 2).sum(axis=-1).mean()
    return float(within / between)


def topology_forest_on_size(
    embedded: dict[str, np.ndarray], labels: dict[str, np.ndarray], args: Any
) -> dict[str, float]:
    """Run 0's topology forest (mean rows) on both spaces' test cells: spread of its
    predictions against the labels', and how near size cells lie to its training cells."""
    from sklearn.neighbors import NearestNeighbors

    X = {s: e.mean(axis=1) for s, e in embedded.items()}
    splits = {s: space_split(len(y), args.n_train, args.n_test, 0, s) for s, y in labels.items()}
    (train, top_test), size_test = splits["nb201"], splits["nats_sss"][1]
    forest = fitted_forest(X["nb201"][train], labels["nb201"][train], 0)
    near = NearestNeighbors(n_neighbors=1).fit(X["nb201"][train])
    size_distance, index = near.kneighbors(X["nats_sss"][size_test])
    top_distance, _ = near.kneighbors(X["nb201"][top_test])
    neighbour = labels["nb201"][train][index[:, 0]]
    return {
        "prediction_std_topology": float(forest_predictions(forest, X["nb201"][top_test]).std()),
        "label_std_topology": float(labels["nb201"][top_test].std()),
        "prediction_std_size": float(forest_predictions(forest, X["nats_sss"][size_test]).std()),
        "label_std_size": float(labels["nats_sss"][size_test].std()),
        "median_distance_size_to_topology_train": float(np.median(size_distance)),
        "median_distance_topology_test_to_train": float(np.median(top_distance)),
        "neighbour_accuracy_p5_p50_p95": np.percentile(neighbour, [5, 50, 95]).tolist(),
    }


def main() -> None:
    """Embed per init once per encoder, run the missing units, rewrite the summary."""
    args = parse()
    check_int("--runs", args.runs, 1)
    set_threads(args.threads)
    extra = encoders(args)
    model = contrastive_model(args.model)
    features = {space: space_features(model, space) for space in SPACES}
    for space, found in features.items():
        space_split(len(found.graphs), args.n_train, args.n_test, 0, space)
    official = paper_labels(args.paper_labels, features["nb201"].graphs)
    settings = {
        "model": str(args.model.resolve()),
        "encoders": {n: str(p.resolve()) for n, p in extra.items()},
        "paper_labels": None if args.paper_labels is None else str(args.paper_labels.resolve()),
        "n_train": args.n_train,
        "n_test": args.n_test,
        "runs": args.runs,
        "dataset": "cifar10",
    }
    store = ResultStore(args.out, KIND, settings)
    todo = units([*extra, *(["untrained"] if args.untrained else [])], official is not None)
    ours = space_labels(features, "cifar10")
    cache: dict[str, dict[str, np.ndarray]] = {}

    def embedded(name: str) -> dict[str, np.ndarray]:
        path = store.directory / f"embeddings-{name}.npz"
        if name not in cache and path.is_file():
            with np.load(path) as saved:
                cache[name] = {space: saved[space] for space in SPACES}
        if name not in cache:
            cache[name] = per_init(model, features, name, extra.get(name))
            with atomic_path(path) as tmp, tmp.open("wb") as handle:
                np.savez(handle, **cache[name])
        return cache[name]

    def work(name: str, variant: str) -> dict[str, Any]:
        labels = {**ours, "nb201": official} if VARIANTS[variant]["paper_labels"] else ours
        rows = variant_rows(embedded(name), labels, variant, args)
        print(f"{name} / {variant} done", flush=True)
        return {"rows": [{"encoder": name, "variant": variant, **r} for r in rows]}

    def diagnose(name: str) -> dict[str, Any]:
        found = embedded(name)
        noise = {NAMES[s]: init_noise(X) for s, X in found.items()}
        return {"init_noise": noise, "topology_forest": topology_forest_on_size(found, ours, args)}

    found = [store.compute(unit_name(n, v), lambda n=n, v=v: work(n, v)) for n, v in todo]
    rows = [row for unit in found for row in unit["rows"]]
    names = dict.fromkeys(n for n, _ in todo)
    diagnostics = {
        name: store.compute(f"{name}-diagnostics", lambda n=name: diagnose(n)) for name in names
    }
    summary = {"settings": settings, "rows": rows, "diagnostics": diagnostics}
    write_json(store.directory / "summary.json", summary)
    table = markdown_table(rows, ["encoder", "variant", "source", "target"])
    (store.directory / "table.md").write_text(table)
    print(table)
    print(json.dumps(diagnostics, indent=1))


if __name__ == "__main__":
    run_script(main)
