"""The encoder a strategy gets when an experiment names none, and encoder settings that follow
the searched dataset.

``bo`` on NB201 searches the ``zcstats`` features (graph statistics and the shipped zero-cost
proxies) unless told otherwise: against ``--encoder onehot``, 30 seeds x 100 queries, its regret
was lower on cifar10-valid (p = 0.0024) and cifar100 (p = 0.011) and, with the ImageNet16-120
proxy file, lower but not significantly on ImageNet16-120 (0.138 against 0.234, p = 0.11)
(docs/benchmarks/leaderboard.md). Elsewhere a strategy that needs an encoder still needs one.

``zcstats`` without ``zc_dataset`` reads the proxy file of the searched dataset
(:func:`archembed.encoders.zero_cost.proxy_dataset`); where that is the default file the spec
is left as it is, so runs made before keep their recorded configuration.
"""

from __future__ import annotations

from archembed.encoders.zero_cost import DEFAULT_PROXY_DATASET, proxy_dataset
from archembed.experiments.config import BenchmarkSpec, EncoderSpec

DEFAULT_ENCODERS = {("bo", "nb201"): "zcstats"}
"""(strategy, benchmark) -> the encoder searched when the experiment names none."""

DATASET_FOLLOWING = frozenset({"zcstats"})
"""Encoder kinds whose ``zc_dataset`` follows the searched dataset unless given."""


def default_encoder(strategy: str, bench: BenchmarkSpec) -> EncoderSpec | None:
    """The encoder ``strategy`` searches on ``bench`` when none is named; None if it has none."""
    kind = DEFAULT_ENCODERS.get((strategy, bench.name))
    return None if kind is None else for_dataset(EncoderSpec(name=kind), bench)


def for_dataset(spec: EncoderSpec, bench: BenchmarkSpec) -> EncoderSpec:
    """``spec`` with the proxy file of ``bench``'s dataset where it reads proxies and names none."""
    if spec.model is not None or spec.encoder_kind not in DATASET_FOLLOWING:
        return spec
    pretrain = dict(spec.pretrain or {})
    chosen = proxy_dataset(bench.name, str(bench.dataset))
    if "zc_dataset" in pretrain or chosen in (None, DEFAULT_PROXY_DATASET):
        return spec
    return spec.model_copy(update={"pretrain": {**pretrain, "zc_dataset": chosen}})
