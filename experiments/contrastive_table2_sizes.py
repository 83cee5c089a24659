"""Table 2's training-size effect: forests on fewer or more cells, scored on the same test cells.

Usage: ARCHEMBED_DATA=../shared/data python experiments/contrastive_table2_sizes.py \\
    --model runs/contrastive/model-size-topology-full --out runs/contrastive/table2-sizes
Embeds every size-space (nats_sss) and NB201 cell with features in the contrastive model's
stores (``--first-sss N``: only the first N size-space cells in index order, for a store still
being computed), then runs archembed.experiments.space_transfer.training_size_runs: in each run
the same ``--n-test`` test cells per space, a random forest fitted on each of ``--sizes``
training cells of the source (trained encoder). Each seed is a unit of the results store
(DIR/seed-<k>.json; a restart computes only the missing seeds); DIR/summary.json holds the
rows with per-run values and DIR/table.md the Markdown table (also printed).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from archembed.checks import check_choice, check_int
from archembed.cli.script import run_script
from archembed.encoders import load_encoder
from archembed.encoders.contrastive import ContrastiveEncoder
from archembed.errors import ConfigError
from archembed.experiments.contrastive import markdown_table, summarise
from archembed.experiments.contrastive_report import SpaceFeatures, space_features
from archembed.experiments.results import ResultStore
from archembed.experiments.space_transfer import (
    DATASETS,
    SPACES,
    size_split,
    space_labels,
    training_size_runs,
)
from archembed.io import write_json
from archembed.threads import set_threads

KIND = "contrastive-table2-sizes"


def parse() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="contrastive model directory")
    parser.add_argument("--out", type=Path, required=True, help="the results directory")
    parser.add_argument("--sizes", default="1500,10000", help="comma-separated training sizes")
    parser.add_argument("--n-test", type=int, default=3000)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--first-sss", type=int, default=None)
    parser.add_argument("--threads", type=int, default=1)
    return parser.parse_args()


def parse_sizes(text: str) -> list[int]:
    """``--sizes``: comma-separated positive whole numbers."""
    try:
        sizes = [int(size) for size in text.split(",")]
    except ValueError:
        raise ConfigError(f"--sizes must be comma-separated whole numbers, got {text!r}") from None
    return [check_int("--sizes", size, 1) for size in sizes]


def checked_features(
    model: ContrastiveEncoder, args: argparse.Namespace, sizes: list[int]
) -> dict[str, SpaceFeatures]:
    """Both spaces' features (the size space cut to ``--first-sss``), every size checked."""
    if not isinstance(model, ContrastiveEncoder):
        raise ConfigError(f"--model {args.model} holds a {model.name!r} model, not contrastive")
    features = {space: space_features(model, space) for space in SPACES}
    if any(found is None for found in features.values()):
        raise ConfigError(f"{args.model} needs features of both nats_sss and nb201")
    if args.first_sss is not None:
        check_int("--first-sss", args.first_sss, 1)
        keep = np.arange(len(features["nats_sss"].graphs)) < args.first_sss
        features["nats_sss"] = features["nats_sss"].subset(keep)
    for space, found in features.items():
        size_split(len(found.graphs), sizes, args.n_test, 0, space)
    return features


def merged(units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows over every seed from the seeds' own rows (one run each)."""
    runs: dict[tuple[int, str, str], list[dict[str, float]]] = {}
    for unit in units:
        for row in unit["rows"]:
            runs.setdefault((row["n_train"], row["source"], row["target"]), []).extend(row["runs"])
    return [
        {"n_train": n, "source": s, "target": t, **summarise(found)}
        for (n, s, t), found in runs.items()
    ]


def main() -> None:
    """Embed once, run the missing seeds, rewrite the summary from every finished seed."""
    args = parse()
    sizes = parse_sizes(args.sizes)
    check_int("--seeds", args.seeds, 1)
    check_choice("--dataset", args.dataset, tuple(DATASETS))
    set_threads(args.threads)
    model = load_encoder(args.model)
    features = checked_features(model, args, sizes)
    settings = {
        "model": str(args.model.resolve()),
        "sizes": sizes,
        "n_test": args.n_test,
        "dataset": args.dataset,
        "architectures": {space: len(found.graphs) for space, found in features.items()},
    }
    store = ResultStore(args.out, KIND, settings)
    units = [f"seed-{seed}" for seed in range(args.seeds)]
    domains: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if len(store.finished(units)) < len(units):
        labels = space_labels(features, args.dataset)
        domains = {s: (found.embed(model), labels[s]) for s, found in features.items()}
    found = [
        store.compute(
            unit,
            lambda seed=seed: {
                "rows": training_size_runs(domains, sizes=sizes, n_test=args.n_test, seeds=[seed])
            },
        )
        for seed, unit in enumerate(units)
    ]
    rows = merged(found)
    write_json(store.directory / "summary.json", {"settings": settings, "rows": rows})
    table = markdown_table(rows, ["n_train", "source", "target"])
    (store.directory / "table.md").write_text(table)
    print(table)


if __name__ == "__main__":
    run_script(main)
