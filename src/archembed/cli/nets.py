"""``archembed features jacobian|normalise|zc``: features of real networks at initialisation.

Every count, name, path and device is checked before the first network is built; ``--out``
is created only then. ``--json`` prints what was written with numbers as numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from archembed.cli.common import (
    DataDirOption,
    JsonOption,
    QuietOption,
    ThreadsOption,
    apply_data_dir,
    console,
    emit,
    features_app,
)
from archembed.errors import ConfigError

if TYPE_CHECKING:
    from archembed.graph import ArchGraph
    from archembed.nets.build import NetSetting
    from archembed.nets.feature_store import FeatureStore

ARCHS = ("all", "benchmark")

SpaceOption = Annotated[
    str, typer.Option("--space", help="Search space: nb201, nb101, darts, nats_sss.")
]
OutOption = Annotated[Path, typer.Option("--out", help="Output directory (resumed if present).")]
SampleOption = Annotated[
    int | None, typer.Option("--sample", help="A random subset of N architectures (seeded).")
]
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
LimitOption = Annotated[int | None, typer.Option("--limit", help="Only the first N architectures.")]
InputsOption = Annotated[
    str, typer.Option("--inputs", help="natural, noise, a .npy file or an image folder.")
]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of inputs and inits.")]
PointsOption = Annotated[int, typer.Option("--n-points", help="Input images per network.")]
DeviceOption = Annotated[str, typer.Option("--device", help="cpu or cuda[:N].")]


def parse_setting(text: str) -> NetSetting | str:
    """``proxy``/``official`` or ``C,N``."""
    from archembed.nets.build import NetSetting

    if text in ("proxy", "official"):
        return text
    try:
        channels, depth = (int(v) for v in text.split(","))
    except ValueError:
        raise ConfigError(
            f"--setting {text!r} is not proxy, official or two integers C,N (e.g. 8,1)"
        ) from None
    return NetSetting(channels, depth)


def select_graphs(
    space: str, archs: str, limit: int | None, sample: int | None = None, seed: int = 0
) -> list[ArchGraph]:
    """The architectures a command runs on: the enumerated space or a benchmark's cells,
    the first ``limit`` of them, then a random ``sample`` of those (seeded)."""
    from archembed.checks import check_choice, check_int
    from archembed.spaces import get_space

    check_choice("--archs", archs, ARCHS)
    if limit is not None:
        check_int("--limit", limit, 1)
    search_space = get_space(space)
    if archs == "all":
        if not search_space.finite:
            raise ConfigError(
                f"--archs all: space {space!r} is too large to enumerate; use --archs benchmark"
            )
        graphs = search_space.enumerate()
    else:
        from archembed.benchmarks import load_benchmark

        graphs = load_benchmark(space).graphs()
    graphs = graphs[:limit] if limit else graphs
    if sample is None:
        return graphs
    check_int(f"--sample (of the {len(graphs)} architectures selected)", sample, 1, len(graphs))
    import numpy as np

    rows = np.sort(np.random.default_rng(seed).choice(len(graphs), sample, replace=False))
    return [graphs[r] for r in rows]


def _device(text: str) -> str:
    """A valid torch device name; torch threads set from ``--threads``."""
    from archembed.nn.runtime import resolve_device
    from archembed.threads import apply_torch_threads

    apply_torch_threads()
    return str(resolve_device(text))


def _store_dir(out: Path) -> Path:
    """``--out`` as a feature-store directory; a store from before the mark is adopted."""
    from archembed.nets.feature_store import FILES
    from archembed.nets.jacobian import PROJECTION_FILE
    from archembed.outputs import adopt_dir, output_dir

    adopt_dir(out, "features", (*FILES, PROJECTION_FILE))
    return output_dir(out, "features")


def store_summary(store: FeatureStore) -> dict[str, Any]:
    """What a feature store holds, for ``--json``."""
    n_archs, n_inits, n_points, dim = store.features.shape
    return {
        "store": str(store.directory),
        "space": store.space,
        "architectures": n_archs,
        "inits": n_inits,
        "points": n_points,
        "dim": dim,
        "written": int(store.done.sum()),
        "complete": store.complete,
        "params": store.params,
    }


def _show_store(store: FeatureStore, as_json: bool) -> None:
    if as_json:
        emit(store_summary(store), True)
    else:
        console.print(store)


@features_app.command("jacobian")
def jacobian_command(
    space: SpaceOption,
    out: OutOption,
    setting: SettingOption = "proxy",
    archs: ArchsOption = "all",
    limit: LimitOption = None,
    sample: SampleOption = None,
    n_inits: Annotated[int, typer.Option("--n-inits", help="Random inits per network.")] = 4,
    n_points: PointsOption = 64,
    k: Annotated[int, typer.Option("--k", help="Principal components kept.")] = 128,
    normalise: Annotated[
        bool, typer.Option("--normalise", help="Divide by the principal singular value.")
    ] = False,
    inputs: InputsOption = "natural",
    n_pool: Annotated[
        int, typer.Option("--n-pool", help="Input pool size for the principal components.")
    ] = 1024,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Processes (default: one per thread).")
    ] = None,
    seed: SeedOption = 0,
    device: DeviceOption = "cpu",
    jacobian: Annotated[
        str,
        typer.Option(
            "--jacobian",
            help="exact: per-sample gradient of the logits' L1 norm, BatchNorm statistics "
            "detached; paper: the official code's gradient of the logits' sum, BatchNorm in "
            "training mode.",
        ),
    ] = "exact",
    projection: Annotated[
        str,
        typer.Option(
            "--projection",
            help="shared: the input pool's top --k principal components (one basis for all "
            "spaces); own: each matrix's own SVD, U_k S_k (the official code; --k <= --n-points).",
        ),
    ] = "shared",
    quiet: QuietOption = False,
    threads: ThreadsOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Projected input Jacobians (n_inits x n_points x k per architecture) into a FeatureStore."""
    from archembed.nets.jacobian import (
        check_disk_space,
        check_jacobian_options,
        compute_jacobian_features,
    )

    apply_data_dir(data_dir)
    options = {
        "n_inits": n_inits,
        "n_points": n_points,
        "k": k,
        "n_pool": n_pool,
        "jacobian": jacobian,
        "projection": projection,
    }
    chosen = check_jacobian_options(
        space, parse_setting(setting), inputs=inputs, workers=workers, seed=seed, **options
    )
    device = _device(device)
    graphs = select_graphs(space, archs, limit, sample, seed)
    check_disk_space(out, len(graphs), (n_inits, n_points, k))
    store = compute_jacobian_features(
        space,
        graphs,
        _store_dir(out),
        normalise=normalise,
        setting=chosen,
        inputs=inputs,
        workers=workers,
        seed=seed,
        device=device,
        progress=not quiet,
        **options,
    )
    _show_store(store, as_json)


@features_app.command("normalise")
def normalise_command(
    features: Annotated[
        Path, typer.Option("--features", help="A complete, unnormalised Jacobian store.")
    ],
    out: OutOption,
    quiet: QuietOption = False,
    threads: ThreadsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Copy of a Jacobian store with each matrix divided by its principal singular value."""
    from archembed.nets.jacobian import jacobian_store, normalise_store

    _device("cpu")
    jacobian_store(features)
    if out.expanduser().resolve() == features.expanduser().resolve():
        raise ConfigError("--out must differ from --features: the source store is kept")
    store = normalise_store(features, _store_dir(out), progress=not quiet)
    _show_store(store, as_json)


@features_app.command("zc")
def zc_command(
    space: SpaceOption,
    out: Annotated[Path, typer.Option("--out", help="Output Parquet table.")],
    setting: SettingOption = "official",
    archs: ArchsOption = "all",
    limit: LimitOption = None,
    sample: SampleOption = None,
    proxies: Annotated[
        str, typer.Option("--proxies", help="Comma-separated proxies (default: all).")
    ] = "",
    n_points: PointsOption = 64,
    inputs: InputsOption = "natural",
    seed: SeedOption = 0,
    device: DeviceOption = "cpu",
    quiet: QuietOption = False,
    threads: ThreadsOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Network-level zero-cost proxies (one row per architecture) into a Parquet table."""
    from archembed.checks import check_int, check_seed
    from archembed.nets.build import resolve_setting
    from archembed.nets.inputs import load_input_pool
    from archembed.nets.jacobian import MAX_POINTS
    from archembed.nets.zero_cost import PROXIES, check_proxies, proxy_table
    from archembed.outputs import output_file

    apply_data_dir(data_dir)
    chosen_setting = resolve_setting(space, parse_setting(setting))
    chosen = check_proxies([p.strip() for p in proxies.split(",")]) if proxies else PROXIES
    check_int("--n-points", n_points, 1, MAX_POINTS)
    check_seed("--seed", seed)
    load_input_pool(inputs, n_points, size=chosen_setting.input_size, seed=seed)
    device = _device(device)
    path = output_file(out, (".parquet",))
    graphs = select_graphs(space, archs, limit, sample, seed)
    table = proxy_table(
        space,
        graphs,
        chosen,
        setting=chosen_setting,
        inputs=inputs,
        n_points=n_points,
        seed=seed,
        device=device,
        progress=not quiet,
    )
    from archembed.io import write_parquet

    write_parquet(path, table)
    if as_json:
        emit(_table_summary(table, chosen, path, space), True)
        return
    console.print(f"wrote {len(table)} architectures x {len(chosen)} proxies to {path}")


def _table_summary(table: Any, proxies: tuple[str, ...], path: Path, space: str) -> dict[str, Any]:
    """Per proxy: mean, std, min, max and n over the architectures (``--json``)."""
    stats = {
        name: {
            "mean": table[name].mean(),
            "std": table[name].std(),
            "min": table[name].min(),
            "max": table[name].max(),
            "n": int(table[name].notna().sum()),
        }
        for name in proxies
    }
    return {"out": str(path), "space": space, "architectures": len(table), "proxies": stats}
