"""Per-node zero-cost saliencies for TA-GATES' symmetry breaking, cached per space.

:func:`archembed.nets.zero_cost.per_op_saliencies` builds real networks, so values are cached
in ``$ARCHEMBED_CACHE/saliencies/<space>-<setting>-seed<seed>.parquet`` (one row per
architecture, keyed by its exact layout) and computed only for architectures not cached yet.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from archembed.graph import ArchGraph
from archembed.io import cache_dir, read_parquet, write_parquet

PROXIES = ("grad_norm", "snip", "grasp", "plain", "synflow")


def _cache_path(space_name: str, setting: str, seed: int):
    return cache_dir() / "saliencies" / f"{space_name}-{setting}-seed{seed}.parquet"


def per_node_saliencies(
    space: object,
    graphs: Sequence[ArchGraph],
    proxies: tuple[str, ...] = PROXIES,
    *,
    setting: str = "proxy",
    seed: int = 0,
) -> np.ndarray:
    """``(n_graphs, space.max_nodes, n_proxies)`` saliencies, from the cache where possible."""
    path = _cache_path(space.name, setting, seed)  # type: ignore[attr-defined]
    columns = [f"{p}_{node}" for node in range(space.max_nodes) for p in proxies]  # type: ignore[attr-defined]
    cached = read_parquet(path).set_index("arch") if path.is_file() else pd.DataFrame()
    keys = [g.exact_key for g in graphs]
    if not set(columns).issubset(cached.columns):
        cached = pd.DataFrame(columns=columns)
    missing = list(dict.fromkeys(k for k in keys if k not in cached.index))
    if missing:
        by_key = {g.exact_key: g for g in graphs}
        computed = _compute(space, [by_key[k] for k in missing], proxies, setting, seed)
        fresh = pd.DataFrame(computed.reshape(len(missing), -1), index=missing, columns=columns)
        cached = pd.concat([cached[columns], fresh]) if len(cached) else fresh
        write_parquet(path, cached.rename_axis("arch").reset_index())
    values = cached.loc[keys, columns].to_numpy(dtype=np.float64)
    return values.reshape(len(graphs), space.max_nodes, len(proxies))  # type: ignore[attr-defined]


def _compute(
    space: object, graphs: list[ArchGraph], proxies: tuple[str, ...], setting: str, seed: int
) -> np.ndarray:
    from archembed.nets.zero_cost import per_op_saliencies

    values = per_op_saliencies(
        space.name,  # type: ignore[attr-defined]
        graphs,
        proxies,
        setting=setting,
        seed=seed,
        progress=len(graphs) > 50,
    )
    return np.asarray(values, dtype=np.float64)
