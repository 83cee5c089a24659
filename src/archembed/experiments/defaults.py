"""The encoder (or predictor) a strategy gets when an experiment names none, and settings that
follow the searched dataset.

``bo`` on NB201 searches the ``zcstats`` features (graph statistics and the shipped zero-cost
proxies) unless told otherwise: against ``--encoder onehot``, 30 seeds x 100 queries, its regret
was lower on cifar10-valid (p = 0.0024) and cifar100 (p = 0.011) and, with the ImageNet16-120
proxy file, lower but not significantly on ImageNet16-120 (0.138 against 0.234, p = 0.11)
(docs/benchmarks/leaderboard.md). Elsewhere a strategy that needs an encoder still needs one.
The ``predictor`` strategy trains ``gates-unified`` on NB201 (GATES reading the same
features) unless told otherwise, and ``gates-stats`` (no proxies) elsewhere.

``zcstats`` without ``zc_dataset`` reads the proxy file of the searched dataset
(:func:`archembed.encoders.zero_cost.proxy_dataset`); where that is the default file the spec
is left as it is, so runs made before keep their recorded configuration.
"""

from __future__ import annotations

from archembed.encoders.zero_cost import DEFAULT_PROXY_DATASET, proxy_dataset
from archembed.experiments.config import BenchmarkSpec, EncoderSpec, StrategySpec

DEFAULT_ENCODERS = {("bo", "nb201"): "zcstats"}
"""(strategy, benchmark) -> the encoder searched when the experiment names none."""

DEFAULT_PREDICTORS = {"nb201": "gates-unified"}
"""benchmark -> the model the ``predictor`` strategy trains when the experiment names none."""

DATASET_FOLLOWING = frozenset({"zcstats", "mlp-unified", "gates-unified", "gates-unified-ens"})
"""Encoder kinds whose ``zc_dataset`` follows the searched dataset unless given."""


def default_encoder(strategy: str, bench: BenchmarkSpec) -> EncoderSpec | None:
    """The encoder ``strategy`` searches on ``bench`` when none is named; None if it has none."""
    kind = DEFAULT_ENCODERS.get((strategy, bench.name))
    return None if kind is None else for_dataset(EncoderSpec(name=kind), bench)


def for_dataset(spec: EncoderSpec, bench: BenchmarkSpec) -> EncoderSpec:
    """``spec`` with the proxy file of ``bench``'s dataset where it reads proxies and names none."""
    if spec.model is not None:
        return spec
    pretrain = following_params(spec.encoder_kind, spec.pretrain, bench)
    return spec if pretrain == spec.pretrain else spec.model_copy(update={"pretrain": pretrain})


def with_default_predictor(spec: StrategySpec, bench: BenchmarkSpec) -> StrategySpec:
    """A ``predictor`` strategy with ``bench``'s default model where it names none, and that
    model's proxy file following the searched dataset; any other strategy unchanged."""
    if spec.name != "predictor":
        return spec
    params = dict(spec.params)
    if "predictor" not in params and bench.name in DEFAULT_PREDICTORS:
        params["predictor"] = DEFAULT_PREDICTORS[bench.name]
    model_params = following_params(
        str(params.get("predictor")), params.get("predictor_params"), bench
    )
    if model_params is not None:
        params["predictor_params"] = model_params
    return spec if params == spec.params else spec.model_copy(update={"params": params})


def following_params(kind: str, params: dict | None, bench: BenchmarkSpec) -> dict | None:
    """``params`` of an encoder ``kind`` with ``zc_dataset`` set to the proxy file of
    ``bench``'s dataset where ``kind`` reads proxies, names no file, and the default is not it."""
    chosen = proxy_dataset(bench.name, str(bench.dataset))
    if kind not in DATASET_FOLLOWING or chosen in (None, DEFAULT_PROXY_DATASET):
        return params
    if params is not None and "zc_dataset" in params:
        return params
    return {**(params or {}), "zc_dataset": chosen}
