"""``archembed features jacobian|zc``: features of real networks at initialisation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from archembed.cli.common import DataDirOption, apply_data_dir, console, features_app
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.nets.build import NetSetting

SpaceOption = Annotated[str, typer.Option("--space", help="Search space: nb201 or nb101.")]
OutOption = Annotated[Path, typer.Option("--out", help="Output directory (resumed if present).")]
SettingOption = Annotated[
    str,
    typer.Option(
        "--setting", help="Network size: proxy, official, or C,N (channels, cells/modules)."
    ),
]
ArchsOption = Annotated[
    str,
    typer.Option(
        "--archs",
        help="Which architectures: all (enumerate the space) or benchmark (those with results).",
    ),
]
LimitOption = Annotated[
    int | None, typer.Option("--limit", help="Only the first N architectures.", min=1)
]
InputsOption = Annotated[
    str, typer.Option("--inputs", help="natural, noise, a .npy file or an image folder.")
]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of inputs and inits.")]
QuietOption = Annotated[bool, typer.Option("--quiet", help="No progress output.")]


def parse_setting(text: str) -> NetSetting | str:
    """``proxy``/``official`` or ``C,N``."""
    if text in ("proxy", "official"):
        return text
    try:
        channels, depth = (int(v) for v in text.split(","))
    except ValueError:
        raise ConfigError(
            f"--setting {text!r} is not proxy, official or two integers C,N (e.g. 8,1)"
        ) from None
    return NetSetting(channels, depth)


def select_graphs(space: str, archs: str, limit: int | None) -> list[ArchGraph]:
    """The architectures a command runs on: the enumerated space or a benchmark's cells."""
    from archembed.spaces import get_space

    if archs == "all":
        graphs = get_space(space).enumerate()
    elif archs == "benchmark":
        from archembed.benchmarks import load_benchmark

        graphs = load_benchmark(space).graphs()
    else:
        raise ConfigError(f"--archs {archs!r}: use all or benchmark")
    return graphs[:limit] if limit else graphs


@features_app.command("jacobian")
def jacobian_command(
    space: SpaceOption,
    out: OutOption,
    setting: SettingOption = "proxy",
    archs: ArchsOption = "all",
    limit: LimitOption = None,
    n_inits: Annotated[int, typer.Option("--n-inits", min=1)] = 4,
    n_points: Annotated[int, typer.Option("--n-points", min=1)] = 64,
    k: Annotated[int, typer.Option("--k", help="Principal components kept.", min=1)] = 128,
    normalise: Annotated[
        bool, typer.Option("--normalise", help="Divide by the principal singular value.")
    ] = False,
    inputs: InputsOption = "natural",
    n_pool: Annotated[
        int, typer.Option("--n-pool", help="Input pool size for the principal components.", min=1)
    ] = 1024,
    workers: Annotated[int | None, typer.Option("--workers", min=1)] = None,
    seed: SeedOption = 0,
    quiet: QuietOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Projected input Jacobians (n_inits x n_points x k per architecture) into a FeatureStore."""
    from archembed.nets.jacobian import compute_jacobian_features

    apply_data_dir(data_dir)
    store = compute_jacobian_features(
        space,
        select_graphs(space, archs, limit),
        out,
        n_inits=n_inits,
        n_points=n_points,
        k=k,
        normalise=normalise,
        setting=parse_setting(setting),
        inputs=inputs,
        n_pool=n_pool,
        workers=workers,
        seed=seed,
        progress=not quiet,
    )
    console.print(store)


@features_app.command("normalise")
def normalise_command(
    features: Annotated[
        Path, typer.Option("--features", help="A complete, unnormalised Jacobian store.")
    ],
    out: OutOption,
    quiet: QuietOption = False,
) -> None:
    """Copy of a Jacobian store with each matrix divided by its principal singular value."""
    from archembed.nets.jacobian import normalise_store

    console.print(normalise_store(features, out, progress=not quiet))


@features_app.command("zc")
def zc_command(
    space: SpaceOption,
    out: Annotated[Path, typer.Option("--out", help="Output Parquet table.")],
    setting: SettingOption = "official",
    archs: ArchsOption = "all",
    limit: LimitOption = None,
    sample: Annotated[
        int | None, typer.Option("--sample", help="A random subset of N architectures.", min=1)
    ] = None,
    proxies: Annotated[
        str, typer.Option("--proxies", help="Comma-separated proxies (default: all).")
    ] = "",
    n_points: Annotated[int, typer.Option("--n-points", min=1)] = 64,
    inputs: InputsOption = "natural",
    seed: SeedOption = 0,
    quiet: QuietOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Network-level zero-cost proxies (one row per architecture) into a Parquet table."""
    import numpy as np

    from archembed.nets.zero_cost import PROXIES, proxy_table

    apply_data_dir(data_dir)
    graphs = select_graphs(space, archs, limit)
    if sample is not None and sample < len(graphs):
        rows = np.sort(np.random.default_rng(seed).choice(len(graphs), sample, replace=False))
        graphs = [graphs[r] for r in rows]
    chosen = tuple(p for p in proxies.split(",") if p) or PROXIES
    table = proxy_table(
        space,
        graphs,
        chosen,
        setting=parse_setting(setting),
        inputs=inputs,
        n_points=n_points,
        seed=seed,
        progress=not quiet,
    )
    from archembed.io import write_parquet

    write_parquet(out, table)
    console.print(f"wrote {len(table)} architectures x {len(chosen)} proxies to {out}")
