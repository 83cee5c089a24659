"""``net_params`` and ``net_flops``: costs known without training, from the network builders.

Every space with a network builder (nb201, nb101, darts, nats_sss) gets two metrics for the
datasets whose input shape is known: the parameter count and the FLOPs of one forward pass
(millions, the published convention of :mod:`archembed.nets.flops`) of the network the
benchmark trained (the official setting, with the dataset's classes and image size). On NB201
they equal the published ``params`` and ``flops`` columns. They are computed once per space,
setting and dataset shape (14 ms of CPU per NB201 cell, one thread) and cached under
``$ARCHEMBED_CACHE/network_costs``, saved every ``SAVE_EVERY`` cells so an interrupted
computation resumes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.io import cache_dir, read_parquet, write_parquet
from archembed.progress import ProgressBar

if TYPE_CHECKING:
    import pandas as pd

NETWORK_METRICS = ("net_params", "net_flops")
DATASET_SHAPES = {
    "cifar10": (10, 32),
    "cifar10-valid": (10, 32),
    "cifar100": (100, 32),
    "ImageNet16-120": (120, 16),
}
"""(classes, image size) of the datasets whose networks can be built."""
SAVE_EVERY = 500


def cache_path(space: str, dataset: str) -> Path:
    """The cache file of one space and dataset shape (the official network setting)."""
    from archembed.nets.build import OFFICIAL

    setting = OFFICIAL[space]
    classes, size = DATASET_SHAPES[dataset]
    name = f"{space}-C{setting.channels}-N{setting.depth}-{classes}classes-{size}px.parquet"
    return cache_dir() / "network_costs" / name


def check_network_metric(space: str, dataset: str, metric: str) -> None:
    """ConfigError unless ``metric`` can be computed for ``space`` and ``dataset``."""
    from archembed.nets.build import OFFICIAL

    if space not in OFFICIAL or dataset not in DATASET_SHAPES:
        raise ConfigError(
            f"{metric} needs a space with a network builder ({', '.join(sorted(OFFICIAL))}) "
            f"and a dataset of known input shape ({', '.join(DATASET_SHAPES)}); "
            f"got {space}/{dataset}"
        )


def network_costs(
    space: str, dataset: str, graphs: Sequence[ArchGraph], progress: bool = True
) -> dict[str, np.ndarray]:
    """``net_params`` and ``net_flops`` (millions) of ``graphs``, computed where not cached."""
    import pandas as pd

    from archembed.spaces import get_space

    check_network_metric(space, dataset, NETWORK_METRICS[0])
    identity = get_space(space).identity
    ids = [identity(g) for g in graphs]
    path = cache_path(space, dataset)
    known = read_parquet(path).set_index("arch") if path.is_file() else None
    table = pd.DataFrame(columns=list(NETWORK_METRICS), dtype=float)
    if known is not None:
        table = known[list(NETWORK_METRICS)]
    missing = [(i, g) for i, g in zip(ids, graphs) if i not in table.index]
    rows: dict[str, tuple[float, float]] = {}
    with ProgressBar(enabled=progress and bool(missing)) as bar:
        job = bar.add_task(f"params and FLOPs of {space} networks", total=len(missing))
        for count, (arch, graph) in enumerate(missing, 1):
            rows[arch] = _costs(space, dataset, graph)
            bar.update(job, advance=1)
            if count % SAVE_EVERY == 0 or count == len(missing):
                table = _save(path, table, rows)
                rows = {}
    return {m: table.loc[ids, m].to_numpy(dtype=float) for m in NETWORK_METRICS}


def _costs(space: str, dataset: str, graph: ArchGraph) -> tuple[float, float]:
    """(params, FLOPs) in millions of one network."""
    import torch

    from archembed.nets.build import OFFICIAL, build_network
    from archembed.nets.flops import count_flops

    classes, size = DATASET_SHAPES[dataset]
    setting = replace(OFFICIAL[space], num_classes=classes, input_size=size)
    with torch.random.fork_rng():
        net = build_network(space, graph, setting)
    params = sum(p.numel() for p in net.parameters()) / 1e6
    return params, count_flops(net, size) / 1e6


def _save(path: Path, table: pd.DataFrame, rows: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """``table`` with ``rows`` added, written to ``path``."""
    import pandas as pd

    added = pd.DataFrame.from_dict(rows, orient="index", columns=list(NETWORK_METRICS))
    merged = pd.concat([table, added]) if len(table) else added
    path.parent.mkdir(parents=True, exist_ok=True)
    write_parquet(path, merged.rename_axis("arch").reset_index())
    return merged
