"""Table 2's size -> size on a subset: proxy (half-width) against full-width networks, 2 or 4 inits.

Usage: ARCHEMBED_DATA=../shared/data python experiments/contrastive_table2_width.py \\
    --model runs/contrastive/model-size-topology-full --proxy runs/features/sss-all \\
    --official runs/features/sss-official-600 --out runs/contrastive/table2-width
``--official``: Jacobian features of some size-space cells computed with ``--setting official``
(the benchmark's channel counts) and the same inputs as ``--proxy`` (features of every cell on
the half-width networks, the model's store before normalisation). On exactly the official
store's cells, each representation ranks held-out cells of the size space (random forest of
Table 2, ``--n-train`` / ``--n-test`` cells, ``--runs`` splits): ``raw`` (per init, the root
mean square of each principal component over the points), ``trained`` / ``untrained`` (the
model and its untrained twin on the matrices divided by their principal singular value, as the
model was trained), and ``channels`` (the five channel counts: what the forest reaches when it
sees the architecture itself). Writes DIR/summary.json and DIR/table.md (also printed).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
import torch

from archembed.benchmarks.catalog import load_benchmark
from archembed.checks import check_int
from archembed.cli.script import run_script
from archembed.encoders import load_encoder
from archembed.encoders.contrastive import ContrastiveEncoder
from archembed.errors import ConfigError
from archembed.experiments.contrastive import markdown_table, scores, store_graphs, summarise
from archembed.experiments.contrastive_report import untrained_twin
from archembed.experiments.results import ResultStore
from archembed.experiments.space_transfer import (
    DATASETS,
    TARGETS,
    fitted_forest,
    forest_predictions,
    space_split,
)
from archembed.io import write_json
from archembed.nets.feature_store import FeatureStore
from archembed.nets.jacobian import by_principal_singular_value, jacobian_store
from archembed.spaces import get_space
from archembed.threads import set_threads

KIND = "contrastive-table2-width"
SPACE = "nats_sss"


def parse() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="contrastive model directory")
    parser.add_argument("--proxy", type=Path, required=True, help="half-width size-space store")
    parser.add_argument("--official", type=Path, required=True, help="full-width store")
    parser.add_argument("--out", type=Path, required=True, help="the results directory")
    parser.add_argument("--n-train", type=int, default=300)
    parser.add_argument("--n-test", type=int, default=100)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    return parser.parse_args()


def checked_stores(args: argparse.Namespace) -> tuple[FeatureStore, FeatureStore, np.ndarray]:
    """Both size-space stores (same inputs) and the proxy rows of the official store's cells."""
    proxy, official = jacobian_store(args.proxy), jacobian_store(args.official)
    for store in (proxy, official):
        if store.space != SPACE or store.params.get("normalise"):
            raise ConfigError(f"{store.directory}: need unnormalised {SPACE} Jacobian features")
    if proxy.params.get("inputs") != official.params.get("inputs"):
        raise ConfigError("--proxy and --official were computed on different inputs")
    where = {arch: row for row, arch in enumerate(proxy.ids)}
    missing = [arch for arch in official.ids if arch not in where]
    if missing:
        raise ConfigError(f"--proxy lacks {len(missing)} cells of --official, e.g. {missing[0]}")
    return proxy, official, np.array([where[arch] for arch in official.ids])


def representations(
    features: np.ndarray, model: ContrastiveEncoder, untrained: ContrastiveEncoder
) -> dict[str, np.ndarray]:
    """Per-init (n, inits, d) rows of one feature array (n, inits, points, k)."""
    normalised = by_principal_singular_value(torch.from_numpy(features)).numpy()
    sets = normalised.reshape(-1, 1, *normalised.shape[2:])
    shape = features.shape[:2]
    return {
        "raw": np.sqrt((features.astype(np.float64) ** 2).mean(axis=2)),
        "trained": model.embed_features(sets).reshape(*shape, -1),
        "untrained": untrained.embed_features(sets).reshape(*shape, -1),
    }


def ranking(X: np.ndarray, y: np.ndarray, args: argparse.Namespace) -> dict[str, Any]:
    """Size -> size over ``--runs`` splits: Pearson and Kendall tau, mean ± std."""
    found = []
    for seed in range(args.runs):
        train, test = space_split(len(y), args.n_train, args.n_test, seed, SPACE)
        model = fitted_forest(X[train], y[train], seed)
        found.append(scores(y[test], forest_predictions(model, X[test])))
    return summarise(found)


def settings_rows(
    arrays: dict[str, np.ndarray],
    y: np.ndarray,
    args: argparse.Namespace,
    encoders: tuple[ContrastiveEncoder, ContrastiveEncoder],
) -> list[dict[str, Any]]:
    """Every (networks, inits, representation, forest rows) combination."""
    rows = []
    for networks, features in arrays.items():
        name, inits = networks.rsplit(" ", 1)
        found = representations(features, *encoders)
        for kind, X in found.items():
            for per_init in (False, True):
                row = ranking(X if per_init else X.mean(axis=1), y, args)
                rows.append(
                    {
                        "networks": name,
                        "inits": int(inits),
                        "representation": kind,
                        "forest rows": "per init" if per_init else "mean",
                        **row,
                    }
                )
    return rows


def main() -> None:
    """Load both stores' features of the same cells, score every combination once."""
    args = parse()
    check_int("--runs", args.runs, 1)
    set_threads(args.threads)
    model = load_encoder(args.model)
    if not isinstance(model, ContrastiveEncoder):
        raise ConfigError(f"--model {args.model} holds a {model.name!r} model, not contrastive")
    proxy, official, proxy_rows = checked_stores(args)
    graphs = store_graphs(official)
    space_split(len(graphs), args.n_train, args.n_test, 0, SPACE)
    settings = {
        "model": str(args.model.resolve()),
        "proxy": str(args.proxy.resolve()),
        "official": str(args.official.resolve()),
        "cells": len(graphs),
        "n_train": args.n_train,
        "n_test": args.n_test,
        "runs": args.runs,
    }
    store = ResultStore(args.out, KIND, settings)
    y = load_benchmark(SPACE).query(graphs, DATASETS["cifar10"][SPACE], **TARGETS[SPACE])
    full = np.array(official.features)
    arrays = {
        f"proxy {proxy.features.shape[1]}": np.asarray(proxy.features[proxy_rows]),
        "official 2": full[:, :2],
        f"official {full.shape[1]}": full,
    }
    encoders = (model, untrained_twin(model))

    def work() -> dict[str, Any]:
        rows = settings_rows(arrays, y, args, encoders)
        channels = np.array([get_space(SPACE).channels(g) for g in graphs], dtype=float)
        rows.append(
            {"networks": "-", "inits": 0, "representation": "channels", "forest rows": "-"}
            | ranking(channels, y, args)
        )
        return {"rows": rows}

    rows = store.compute("all", work)["rows"]
    write_json(store.directory / "summary.json", {"settings": settings, "rows": rows})
    keys = ["networks", "inits", "representation", "forest rows"]
    table = markdown_table(rows, keys)
    (store.directory / "table.md").write_text(table)
    print(table)


if __name__ == "__main__":
    run_script(main)
