"""Flow encoders with unified features: the learned encoding scored next to label-free features.

The scoring MLP of TA-GATES or GATES reads the output node's state concatenated with
standardised per-cell features: the graph statistics (:mod:`archembed.encoders.graph_stats`:
how many convolutions a signal crosses, how many paths reach the output), and for
``gates-unified`` also the zero-cost proxies of :mod:`archembed.encoders.zero_cost`. They are
label-free priors that a flow encoder learns only from many labels; the features are scaled
on the training cells, and the network is trained end to end with the ranking loss.

``tagates-stats``, on NB201 cifar10-valid (protocol ``tagates``, random splits 0-2, model
seed = split seed, one thread), reached Kendall tau 0.802 / 0.772 / 0.770 at 1 % (TA-GATES on
the same splits: 0.772 / 0.769 / 0.754), 0.878 at 5 % on split 0 (TA-GATES 0.876) and
0.908 / 0.905 at 10 % on splits 0 and 1 (TA-GATES 0.906 / 0.906): a gain with few labels,
none at 10 %, for the CPU time of TA-GATES (112 s at 1 %, 142-153 s at 10 %).

``gates-unified`` (``archembed leaderboard``, NB201 cifar10-valid, protocol ``tagates``, split
seeds 21 / 2021 / 202121 x model seeds 0-1, one thread) reaches Kendall tau 0.817 / 0.877 /
0.905 at 1 / 5 / 10 % of the pool (model seed 0 only: 0.815 / 0.880 / 0.906; ``gates`` 0.754 /
0.840 / 0.892, ``mlp-unified`` 0.794 / 0.857 / 0.879), more than averaging the ranks of those
two, in 18-25 CPU seconds per fit. ``gates-unified-ens`` (3 seeds, model seed 0) reaches 0.880
/ 0.907 at 5 / 10 %: no gain worth three times the fit time. ``gates-stats`` is ``gates-unified``
without the proxies, for spaces that ship none: on NB101 (protocol ``tagates``, split 21, one
run) 0.624 / 0.746 at 1 / 10 % (TA-GATES 0.497 / 0.764, GATES 0.528 / 0.717).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from archembed.encoders.base import register_encoder
from archembed.encoders.ensemble import SeedEnsemble
from archembed.encoders.gates import GATES, GatesNet
from archembed.encoders.graph_stats import GraphStatsEncoder
from archembed.encoders.tagates import TAGATES, TAGatesNet
from archembed.encoders.trained import Inputs, output_rows
from archembed.encoders.zero_cost import (
    DEFAULT_PROXY_DATASET,
    NeedsProxies,
    ZeroCostStatsEncoder,
)
from archembed.graph import ArchGraph
from archembed.nn.mlp import mlp


class StatsHead(nn.Module):
    """A TA-GATES network whose scoring MLP also reads per-cell statistics."""

    def __init__(self, net: TAGatesNet, n_stats: int, head: tuple[int, ...], dropout: float):
        super().__init__()
        width = net.head[0].in_features
        net.head = mlp([width + n_stats, *head, len(net.fidelity_steps)], dropout=dropout)
        self.net = net

    def forward(self, stats: torch.Tensor, **inputs: torch.Tensor) -> tuple[torch.Tensor, ...]:
        outputs = self.net.encodings(**inputs)
        codes = [torch.cat([outputs[step - 1], stats], dim=-1) for step in self.net.fidelity_steps]
        scores = torch.stack([self.net.head(code)[:, i] for i, code in enumerate(codes)], dim=1)
        return scores, codes[-1]


class GatesFeatureHead(nn.Module):
    """A GATES network whose scoring MLP also reads per-cell features."""

    def __init__(
        self, net: GatesNet, n_stats: int, head: tuple[int, ...], dropout: float, n_outputs: int
    ):
        super().__init__()
        width = net.head[0].in_features
        net.head = mlp([width + n_stats, *head, n_outputs], dropout=dropout)
        self.net = net

    def forward(
        self,
        stats: torch.Tensor,
        adj: torch.Tensor,
        ops: torch.Tensor,
        out_index: torch.Tensor,
        open_gate: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        nodes = self.net.flow(self.net.op_table(ops), adj, open_gate=open_gate)
        code = torch.cat([output_rows(nodes, out_index), stats], dim=-1)
        return self.net.head(code), code


class FeatureInputs:
    """Mixin for a flow encoder: fits standardised per-cell features on the training cells,
    feeds them to the network as ``stats`` and saves their scaling with the model."""

    stats_: GraphStatsEncoder

    def _features(self) -> GraphStatsEncoder:
        """A fresh, unfitted feature encoder."""
        return GraphStatsEncoder(self.space)  # type: ignore[attr-defined]

    def _n_stats(self) -> int:
        return len(self.stats_.scaling()["mean"])

    def _prepare(self, graphs: Sequence[ArchGraph]) -> None:
        super()._prepare(graphs)  # type: ignore[misc]
        self.stats_ = self._features().fit(graphs)

    def _inputs(self, graphs: Sequence[ArchGraph]) -> Inputs:
        inputs = super()._inputs(graphs)  # type: ignore[misc]
        inputs["stats"] = torch.as_tensor(self.stats_.transform(graphs))
        return inputs

    def _extra_state(self) -> dict[str, Any]:
        return {**super()._extra_state(), "stats_scaling": self.stats_.scaling()}  # type: ignore[misc]

    def _load_extra_state(self, state: dict[str, Any]) -> None:
        super()._load_extra_state(state)  # type: ignore[misc]
        self.stats_ = self._features()
        self.stats_.set_scaling(state["stats_scaling"])


@register_encoder("tagates-stats")
class TAGATESStats(FeatureInputs, TAGATES):
    """TA-GATES whose head also sees the graph statistics; every option is :class:`TAGATES`'s.

    The encoding (:meth:`transform`) is the last step's output state followed by the
    standardised statistics.
    """

    name = "tagates-stats"

    def _network(self, n_outputs: int) -> nn.Module:
        net = super()._network(n_outputs)
        return StatsHead(net, self._n_stats(), self.head, self.dropout)  # type: ignore[arg-type]


@register_encoder("gates-stats")
class GATESStats(FeatureInputs, GATES):
    """GATES whose head also sees the graph statistics: ``gates-unified`` without the proxies,
    so it applies to every space; every option is :class:`GATES`'s.

    The encoding (:meth:`transform`) is the output node's state followed by the standardised
    features.
    """

    name = "gates-stats"

    def _network(self, n_outputs: int) -> nn.Module:
        net = super()._network(n_outputs)
        return GatesFeatureHead(net, self._n_stats(), self.head, self.dropout, n_outputs)  # type: ignore[arg-type]


@register_encoder("gates-unified")
class GATESUnified(NeedsProxies, GATESStats):
    """GATES whose head also sees the ``zcstats`` features (graph statistics and the zero-cost
    proxies of ``zc_dataset``); every other option is :class:`GATES`'s."""

    name = "gates-unified"

    def __init__(
        self, space: Any, *, zc_dataset: str = DEFAULT_PROXY_DATASET, **params: Any
    ) -> None:
        super().__init__(space, **params)
        self.zc_dataset = zc_dataset
        self._features()

    def _features(self) -> GraphStatsEncoder:
        return ZeroCostStatsEncoder(self.space, self.zc_dataset)


@register_encoder("gates-unified-ens")
class GATESUnifiedEnsemble(NeedsProxies, SeedEnsemble):
    """``members`` :class:`GATESUnified` networks from different seeds, their standardised
    scores averaged (:class:`~archembed.encoders.ensemble.SeedEnsemble`); every other option
    is :class:`GATESUnified`'s."""

    name = "gates-unified-ens"
    member = GATESUnified
