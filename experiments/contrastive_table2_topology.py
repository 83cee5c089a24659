"""Table 2 from NB201 without an encoder: the paper's network sizes and 4 inits against proxies.

Usage: ARCHEMBED_DATA=../shared/data python experiments/contrastive_table2_topology.py \\
    --proxy runs/features/nb201-proxy-400 --proxy runs/features/sss-proxy-400 \\
    --official runs/features/nb201-official-400 --official runs/features/sss-official-400 \\
    --out runs/contrastive/table2-topology
``--proxy`` / ``--official``: unnormalised Jacobian features of NB201 and of the size space
(one store of each space per option), computed with ``--setting proxy`` and ``--setting
official`` (NB201 at C = 16, N = 5; the size space at the benchmark's channel counts) from the
same inputs, so that all four share one principal-component basis. On exactly the official
stores' cells, features without an encoder (per init, the root mean square of each principal
component over the points: ``raw``; the same after dividing each matrix by its principal
singular value, the encoder's input: ``normalised``) of ``proxy`` (its inits), ``official 2``
(the first two inits) and ``official`` (all its inits) feed Table 2's random forest, with one
mean row per cell or one row per init. In each of ``--runs`` runs the forest is fitted on
``--n-train`` random NB201 cells and scores ``--n-test`` other NB201 cells (topology ->
topology) and every size cell (topology -> size); targets as in ``archembed contrastive table2``
on CIFAR-10. ``--variant LABEL NB201_STORE SIZE_STORE`` (repeatable; LABEL of letters, digits
and ``_.+-``) adds a setting from two more stores holding at least the official stores' cells,
e.g. features made with ``archembed features jacobian --jacobian paper`` or ``--projection
own``; its two stores must agree in inputs, k, Jacobian and projection. Each setting is a unit
of the results store; writes DIR/summary.json (with, per space and setting, the Kendall tau of
accuracy with the raw features' overall magnitude) and DIR/table.md (also printed).
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch

from archembed.benchmarks.catalog import load_benchmark
from archembed.checks import check_int
from archembed.cli.script import run_script
from archembed.errors import ConfigError
from archembed.experiments.contrastive import markdown_table, scores, store_graphs, summarise
from archembed.experiments.results import UNIT_NAME, ResultStore
from archembed.experiments.space_transfer import (
    DATASETS,
    NAMES,
    PAPER_TABLE2,
    SPACES,
    TARGETS,
    fitted_forest,
    forest_predictions,
    space_split,
)
from archembed.graph import ArchGraph
from archembed.io import write_json
from archembed.nets.feature_store import FeatureStore
from archembed.nets.jacobian import by_principal_singular_value, jacobian_store
from archembed.predictors.metrics import kendall_tau
from archembed.threads import set_threads

KIND = "contrastive-table2-topology"
SOURCE, TARGET = "nb201", "nats_sss"
REPRESENTATIONS = ("raw", "normalised")


def parse() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proxy", type=Path, action="append", required=True, help="twice")
    parser.add_argument("--official", type=Path, action="append", required=True, help="twice")
    parser.add_argument(
        "--variant",
        nargs=3,
        action="append",
        default=[],
        metavar=("LABEL", "NB201_STORE", "SIZE_STORE"),
        help="another setting from a store of each space (repeatable)",
    )
    parser.add_argument("--out", type=Path, required=True, help="the results directory")
    parser.add_argument("--n-train", type=int, default=800)
    parser.add_argument("--n-test", type=int, default=200)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    return parser.parse_args()


def stores_by_space(paths: list[Path], option: str) -> dict[str, FeatureStore]:
    """One unnormalised Jacobian store per space of Table 2, keyed by space."""
    stores = {}
    for path in paths:
        store = jacobian_store(path)
        if store.params.get("normalise") or store.space not in SPACES or store.space in stores:
            raise ConfigError(f"{option}: need one unnormalised store of each of {SPACES}")
        stores[store.space] = store
    if len(stores) != len(SPACES):
        raise ConfigError(f"{option}: need one unnormalised store of each of {SPACES}")
    return stores


def check_basis(stores: list[FeatureStore], keys: tuple[str, ...] = ("inputs", "k")) -> None:
    """All stores agree in ``keys``: by default the same inputs and k, hence one basis."""
    first = stores[0].params
    for store in stores[1:]:
        differ = [key for key in keys if store.params.get(key) != first.get(key)]
        if differ:
            raise ConfigError(f"{store.directory} and {stores[0].directory} differ in {differ}")


def variant_stores(variants: list[list[str]]) -> dict[str, dict[str, FeatureStore]]:
    """``--variant`` options as {label: {space: store}}; each pair checked to share one basis."""
    found = {}
    for label, *paths in variants:
        if not UNIT_NAME.fullmatch(label) or label in (*found, "proxy", "official"):
            raise ConfigError(
                "--variant: labels must be distinct names of letters, digits and _.+- other "
                f"than proxy and official, got {label!r}"
            )
        stores = stores_by_space([Path(p) for p in paths], f"--variant {label}")
        check_basis(list(stores.values()), ("inputs", "k", "output", "batchnorm", "projection"))
        found[label] = stores
    return found


def rms_rows(store: FeatureStore, rows: np.ndarray, normalise: bool) -> np.ndarray:
    """Per init the root mean square of each component over the points, (n, inits, k); with
    ``normalise`` of each matrix divided by its principal singular value (the encoder's input)."""
    parts = []
    for start in range(0, len(rows), 512):
        chunk = torch.from_numpy(np.asarray(store.features[rows[start : start + 512]]))
        chunk = (by_principal_singular_value(chunk) if normalise else chunk).double()
        parts.append(chunk.square().mean(dim=2).sqrt().numpy())
    return np.concatenate(parts)


def representations(store: FeatureStore, rows: np.ndarray) -> dict[str, np.ndarray]:
    """The rows of both representations of the store's ``rows``."""
    return {kind: rms_rows(store, rows, kind == "normalised") for kind in REPRESENTATIONS}


def same_cells(store: FeatureStore, official: FeatureStore) -> np.ndarray:
    """The rows of ``store`` that hold the official store's cells, in its order."""
    where = {arch: row for row, arch in enumerate(store.ids)}
    missing = [arch for arch in official.ids if arch not in where]
    if missing:
        raise ConfigError(
            f"{store.directory} lacks {len(missing)} cells of {official.directory}, "
            f"e.g. {missing[0]}"
        )
    return np.array([where[arch] for arch in official.ids])


def space_arrays(
    proxy: FeatureStore, official: FeatureStore, variants: dict[str, FeatureStore] | None = None
) -> dict[str, dict[str, np.ndarray]]:
    """Both representations of the official store's cells per (networks, inits) setting."""
    full = representations(official, np.arange(len(official.ids)))
    arrays = {
        f"proxy {proxy.features.shape[1]}": representations(proxy, same_cells(proxy, official)),
        "official 2": {kind: X[:, :2] for kind, X in full.items()},
        f"official {official.features.shape[1]}": full,
    }
    for label, store in (variants or {}).items():
        rows = same_cells(store, official)
        arrays[f"{label} {store.features.shape[1]}"] = representations(store, rows)
    return arrays


def labels(space: str, graphs: list[ArchGraph]) -> np.ndarray:
    """Table 2's CIFAR-10 target of each cell (size: 90-epoch valid, NB201: 200-epoch test)."""
    return load_benchmark(space).query(graphs, DATASETS["cifar10"][space], **TARGETS[space])


def transfer(
    source: tuple[np.ndarray, np.ndarray],
    target: tuple[np.ndarray, np.ndarray],
    args: argparse.Namespace,
) -> dict[str, dict[str, Any]]:
    """Topology -> topology (held-out NB201 cells) and topology -> size (every size cell)."""
    (X, y), (X_size, y_size) = source, target
    found: dict[str, list[dict[str, float]]] = {SOURCE: [], TARGET: []}
    for seed in range(args.runs):
        train, test = space_split(len(y), args.n_train, args.n_test, seed, SOURCE)
        model = fitted_forest(X[train], y[train], seed)
        found[SOURCE].append(scores(y[test], forest_predictions(model, X[test])))
        found[TARGET].append(scores(y_size, forest_predictions(model, X_size)))
    return {space: summarise(runs) for space, runs in found.items()}


def setting_rows(
    networks: str,
    source: tuple[dict[str, np.ndarray], np.ndarray],
    target: tuple[dict[str, np.ndarray], np.ndarray],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Both pairs per representation, with mean rows and one row per init; timed (CPU s)."""
    started, rows = time.process_time(), []
    name, inits = networks.rsplit(" ", 1)
    for kind, per_init in itertools.product(REPRESENTATIONS, (False, True)):
        X, X_size = source[0][kind], target[0][kind]
        if not per_init:
            X, X_size = X.mean(axis=1), X_size.mean(axis=1)
        for space, row in transfer((X, source[1]), (X_size, target[1]), args).items():
            rows.append(
                {
                    "networks": name,
                    "inits": int(inits),
                    "representation": kind,
                    "forest rows": "per init" if per_init else "mean",
                    "source -> target": f"{NAMES[SOURCE]} -> {NAMES[space]}",
                    **row,
                }
            )
    spent = round(time.process_time() - started, 1)
    return {"rows": rows, "cpu_seconds": spent, "load_average": os.getloadavg()[0]}


def magnitude_taus(arrays: dict[str, dict[str, np.ndarray]], y: np.ndarray) -> dict[str, float]:
    """Per setting, Kendall tau of accuracy with the raw features' overall magnitude (mean over
    inits and components): the scale a forest can carry from one space to the other."""
    return {networks: kendall_tau(y, X["raw"].mean(axis=(1, 2))) for networks, X in arrays.items()}


def main() -> None:
    """Load the four stores, score every (networks, inits) setting once (a resumable unit)."""
    args = parse()
    check_int("--runs", args.runs, 1)
    check_int("--n-train", args.n_train, 1)
    check_int("--n-test", args.n_test, 2)
    set_threads(args.threads)
    proxy = stores_by_space(args.proxy, "--proxy")
    official = stores_by_space(args.official, "--official")
    check_basis([*proxy.values(), *official.values()])
    variants = variant_stores(args.variant)
    graphs = {space: store_graphs(official[space]) for space in SPACES}
    space_split(len(graphs[SOURCE]), args.n_train, args.n_test, 0, SOURCE)
    settings = {
        "proxy": {space: str(store.directory.resolve()) for space, store in proxy.items()},
        "official": {space: str(store.directory.resolve()) for space, store in official.items()},
        "cells": {space: len(found) for space, found in graphs.items()},
        "n_train": args.n_train,
        "n_test": args.n_test,
        "runs": args.runs,
    }
    if variants:
        settings["variants"] = {
            label: {space: str(store.directory.resolve()) for space, store in stores.items()}
            for label, stores in variants.items()
        }
    store = ResultStore(args.out, KIND, settings)
    y = {space: labels(space, graphs[space]) for space in SPACES}
    arrays = {
        space: space_arrays(
            proxy[space], official[space], {label: v[space] for label, v in variants.items()}
        )
        for space in SPACES
    }
    if arrays[SOURCE].keys() != arrays[TARGET].keys():
        raise ConfigError("the two spaces' stores of a setting have different numbers of inits")
    units = {}
    for networks, X in arrays[SOURCE].items():
        source, target = (X, y[SOURCE]), (arrays[TARGET][networks], y[TARGET])
        work = partial(setting_rows, networks, source, target, args)
        units[networks] = store.compute(networks.replace(" ", "-"), work)
    rows = [row for found in units.values() for row in found["rows"]]
    paper = {f"{NAMES[s]} -> {NAMES[t]}": v for (s, t), v in PAPER_TABLE2.items() if s == SOURCE}
    costs = {unit: {k: v for k, v in found.items() if k != "rows"} for unit, found in units.items()}
    magnitude = {NAMES[space]: magnitude_taus(arrays[space], y[space]) for space in SPACES}
    summary = {"settings": settings, "paper": paper, "costs": costs, "rows": rows}
    summary |= {"magnitude_kendall_tau": magnitude}
    write_json(store.directory / "summary.json", summary)
    keys = ["networks", "inits", "representation", "forest rows", "source -> target"]
    table = markdown_table(rows, keys)
    (store.directory / "table.md").write_text(table)
    print(table)
    print(f"Kendall tau of accuracy with the raw features' magnitude: {magnitude}")


if __name__ == "__main__":
    run_script(main)
