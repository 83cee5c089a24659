"""Predictor specs used by the protocol: a supervised encoder, or ``encoder+head``.

``"gates"``, ``"tagates"``, ``"mlp"``, ``"mlp-path"``, ``"lstm"``, ``"gcn"`` name supervised
encoders trained end to end; ``"arch2vec+gp"``, ``"onehot+lightgbm"``, ``"path+rf"`` name a
self-supervised encoder (fitted once, without labels) whose embeddings feed a regression head
of :mod:`archembed.predictors` (an :class:`~archembed.predictors.EmbeddingPredictor`).
:func:`build_predictor` makes either as an :class:`~archembed.predictors.ArchPredictor`.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from archembed.encoders.base import ENCODERS, Encoder, load_encoder
from archembed.encoders.cellwise import encoder_for_space
from archembed.encoders.precomputed import read_embedding_file
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.predictors.arch import ArchPredictor, EmbeddingPredictor
from archembed.predictors.base import PREDICTORS, check_predictor, make_predictor
from archembed.threads import current_threads

EMBEDDING_SUFFIX = ".parquet"
"""An encoder named ``FILE.parquet`` is an embedding file (``archembed embed`` writes one)."""


@dataclass(frozen=True)
class PredictorSpec:
    """A parsed spec: encoder name and, for self-supervised encoders, a head name."""

    text: str
    encoder: str
    head: str | None

    @property
    def supervised(self) -> bool:
        return self.head is None


def parse_spec(text: str) -> PredictorSpec:
    """Check ``text`` against the registries: ``name`` (supervised) or ``encoder+head``."""
    from archembed import encoders  # noqa: F401  (registers the built-in encoders)
    from archembed.predictors import gp, heads  # noqa: F401  (registers the built-in heads)

    name, _, head = text.strip().partition("+")
    if name.endswith(EMBEDDING_SUFFIX):
        if not head:
            raise ConfigError(f"{name} holds embeddings: give it a regression head, e.g. {name}+gp")
        PREDICTORS.get(head)
        return PredictorSpec(text.strip(), name, head)
    cls = ENCODERS.get(name)
    if head:
        PREDICTORS.get(head)
        if cls.supervised:
            raise ConfigError(
                f"{name!r} is trained end to end with its own head; use {name!r}, not {text!r}"
            )
        return PredictorSpec(text.strip(), name, head)
    if not cls.supervised:
        raise ConfigError(
            f"{name!r} is self-supervised: give it a regression head, e.g. {name}+gp, "
            f"{name}+lightgbm, {name}+rf or {name}+mlp"
        )
    return PredictorSpec(text.strip(), name, None)


RUNTIME_PARAMS = ("threads",)
"""Constructor parameters that set how fast a model trains, not what it learns."""


def _construct(name: str, *args: Any, **params: Any) -> Encoder:
    try:
        return ENCODERS.get(name)(*args, **params)
    except TypeError as exc:
        raise ConfigError(f"bad parameters for {name!r}: {exc}") from None


def supervised_model(
    spec: PredictorSpec, space: Any, seed: int, params: dict[str, Any] | None = None
) -> Encoder:
    """A fresh supervised encoder for one run, on ``--threads`` threads unless ``params`` say."""
    return _construct(
        spec.encoder, space, seed=seed, **{"threads": current_threads(), **(params or {})}
    )


def pretrained_encoder(spec: PredictorSpec, model_dir: str, space: Any) -> Encoder:
    """The model saved in ``model_dir``, which must be a ``spec.encoder`` model for ``space``."""
    encoder = load_encoder(model_dir)
    if encoder.name != spec.encoder:
        raise ConfigError(
            f"--model {spec.encoder}={model_dir} holds a {encoder.name} model, not {spec.encoder}"
        )
    return encoder_for_space(encoder, space)


def fitted_embedder(
    spec: PredictorSpec,
    space: Any,
    graphs: Sequence[ArchGraph],
    *,
    model_dir: str | None = None,
    params: dict[str, Any] | None = None,
    progress: bool = False,
) -> Encoder:
    """The self-supervised encoder of ``spec``: loaded from ``model_dir``, else fitted on
    ``graphs`` without labels (seed 0), with a progress bar where the encoder has one."""
    if model_dir is not None:
        return pretrained_encoder(spec, model_dir, space)
    if spec.encoder.endswith(EMBEDDING_SUFFIX):
        return read_embedding_file(spec.encoder).encoder(space, graphs)
    encoder = _construct(spec.encoder, space, **(params or {}))
    if "progress" in inspect.signature(encoder.fit).parameters:
        return encoder.fit(graphs, progress=progress)  # type: ignore[call-arg]
    return encoder.fit(graphs)


def check_names(
    specs: Sequence[PredictorSpec], params: Mapping[str, Any], model_dirs: Mapping[str, str]
) -> None:
    """Every ``params`` name must be an encoder or head of ``specs``, every ``model_dirs``
    name a self-supervised encoder of them; models trained per run take their seed from the
    run, not from ``params``."""
    names = {s.encoder for s in specs} | {s.head for s in specs if s.head}
    seeded = {s.encoder for s in specs if s.supervised} | {s.head for s in specs if s.head}
    for name, values in params.items():
        if name not in names:
            raise ConfigError(
                f"--param {name}.*: {name!r} is not an encoder or head of --encoders "
                f"(choose from: {', '.join(sorted(names))})"
            )
        if name in seeded and "seed" in values:
            raise ConfigError(f"--param {name}.seed: each run's seed comes from --seeds")
    unsupervised = {s.encoder for s in specs if not s.supervised}
    for name in model_dirs:
        if name not in unsupervised:
            raise ConfigError(
                f"--model {name}=...: {name!r} is not a self-supervised encoder of --encoders "
                f"(choose from: {', '.join(sorted(unsupervised)) or 'none'})"
            )


def check_predictors(
    specs: Sequence[PredictorSpec],
    space: Any,
    params: Mapping[str, dict[str, Any]],
    model_dirs: Mapping[str, str],
) -> None:
    """Validate parameters and pretrained models of ``specs`` before any training: the names
    (:func:`check_names`), then each model constructed once with its parameters (an unknown
    key or a bad value fails here) and each pretrained model loaded."""
    check_names(specs, params, model_dirs)
    for spec in specs:
        if spec.supervised:
            supervised_model(spec, space, 0, params.get(spec.encoder))
            continue
        if spec.encoder in model_dirs:
            pretrained_encoder(spec, model_dirs[spec.encoder], space)
        elif spec.encoder.endswith(EMBEDDING_SUFFIX):
            read_embedding_file(spec.encoder)
        else:
            _construct(spec.encoder, space, **params.get(spec.encoder, {}))
        check_predictor(str(spec.head), params.get(str(spec.head)))


def build_predictor(
    spec: PredictorSpec,
    space: Any,
    seed: int,
    params: Mapping[str, dict[str, Any]],
    encoder: Encoder | None = None,
) -> ArchPredictor:
    """A fresh, seeded predictor of ``spec`` for one run: the supervised model, or ``encoder``
    (fitted without labels) with the spec's head; callers then use only the protocol."""
    if spec.supervised:
        return supervised_model(spec, space, seed, params.get(spec.encoder))
    if encoder is None:
        raise ConfigError(f"{spec.text} needs its fitted {spec.encoder} encoder")
    head = make_predictor(str(spec.head), seed=seed, **params.get(str(spec.head), {}))
    return EmbeddingPredictor(encoder, head)
