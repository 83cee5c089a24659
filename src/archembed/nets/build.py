"""Network settings per search space and the one entry point that builds a network."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from torch import nn

from archembed.checks import check_int
from archembed.errors import ConfigError, UnknownNameError
from archembed.graph import ArchGraph
from archembed.spaces import get_space


@dataclass(frozen=True)
class NetSetting:
    """Macro-skeleton size: ``channels`` (C) and ``depth`` (cells per stage / layers).

    nb201: C and N cells per stage; nb101: stem channels and modules per stack; darts: C and
    total layers; nats_sss: the width of its widest choice (64 official: each searched count
    scales by C / 64) and depth 1. ``input_size`` only matters for FLOPs.
    """

    channels: int
    depth: int
    num_classes: int = 10
    input_size: int = 32

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


OFFICIAL = {
    "nb201": NetSetting(16, 5),
    "nb101": NetSetting(128, 3),
    "darts": NetSetting(36, 20),
    "nats_sss": NetSetting(64, 1),
}
"""The settings the benchmarks trained (their parameter counts are the published ones)."""

PROXY = {
    "nb201": NetSetting(8, 1),
    "nb101": NetSetting(16, 1),
    "darts": NetSetting(8, 5),
    "nats_sss": NetSetting(32, 1),
}
"""Reduced settings for cheap features (Jacobians, zero-cost proxies on many cells)."""

MAX_CHANNELS = 1024
MAX_DEPTH = 64
"""Largest explicit setting: 8x the official NB101 width and 3x DARTS' depth already need
minutes per network on a CPU; beyond, one network would not fit in memory."""


def resolve_setting(space: str, setting: NetSetting | str | None) -> NetSetting:
    """``"official"``, ``"proxy"`` (default) or an explicit :class:`NetSetting`."""
    if space not in OFFICIAL:
        raise UnknownNameError("space with a network builder", space, sorted(OFFICIAL))
    if setting is None or setting == "proxy":
        return PROXY[space]
    if setting == "official":
        return OFFICIAL[space]
    if isinstance(setting, NetSetting):
        check_int("network channels (C of --setting C,N)", setting.channels, 1, MAX_CHANNELS)
        check_int("network depth (N of --setting C,N)", setting.depth, 1, MAX_DEPTH)
        if space == "nats_sss" and setting.depth != 1:
            raise ConfigError("nats_sss networks have one cell per stage: use --setting C,1")
        return setting
    raise ConfigError(f"unknown network setting {setting!r}; use 'official', 'proxy' or C,N")


def build_network(
    space: str, graph: ArchGraph, setting: NetSetting | str | None = None
) -> nn.Module:
    """The PyTorch network of ``graph`` in search space ``space`` (untrained, default init)."""
    chosen = resolve_setting(space, setting)
    if space == "nb101":
        from archembed.nets.nb101 import NB101Network

        get_space("nb101").check(graph)
        return NB101Network(graph, chosen.channels, chosen.depth, chosen.num_classes)
    if space == "darts":
        from archembed.nets.darts import DartsNetwork

        genotype = get_space("darts").genotype(graph)
        return DartsNetwork(genotype, chosen.channels, chosen.depth, chosen.num_classes)
    if space == "nats_sss":
        from archembed.nets.nats_sss import size_network

        return size_network(get_space("nats_sss").channels(graph), chosen)
    from archembed.nets.nb201 import NB201Network

    ops = get_space("nb201").edge_ops(graph)
    return NB201Network(ops, chosen.channels, chosen.depth, chosen.num_classes)
