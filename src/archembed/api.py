"""The functions of the flat Python API (``import archembed as ae``): spaces, benchmarks, search.

They are thin: each hands its work to the module the command line uses too, so a search run
from Python gives the same trajectory as ``archembed search`` with the same seed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from archembed.benchmarks.catalog import load_benchmark
from archembed.encoders.base import ENCODERS, Encoder, load_encoder
from archembed.spaces.base import SearchSpace, get_space

if TYPE_CHECKING:
    import pandas as pd

    from archembed.spaces.restricted import RestrictedSpace

__all__ = ["SearchResult", "fitted_encoder", "load_benchmark", "load_space", "search"]


def load_space(name: str, **options: object) -> SearchSpace:
    """The registered search space ``name`` (e.g. ``nb201``, ``nasbench_graph``)."""
    return get_space(name, **options)


@dataclass(frozen=True)
class SearchResult:
    """One search: its summary (incumbent, its validation/test value, regret) and trajectory."""

    summary: dict[str, Any]
    trajectory: pd.DataFrame = field(repr=False)

    @property
    def incumbent(self) -> str:
        """The best architecture found (by the score the strategy saw), in native format."""
        return str(self.summary["incumbent"])

    @property
    def regret(self) -> float | None:
        """Best validation value of the benchmark minus the incumbent's (None if unknown)."""
        return self.summary["regret"]


def search(
    benchmark: str,
    strategy: str = "random",
    encoder: Encoder | str | None = None,
    *,
    queries: int = 100,
    seed: int = 0,
    noise: bool = False,
    objectives: str | list[str] | None = None,
    constraints: list[str] | None = None,
    free_metrics: list[str] | None = None,
    batch_size: int | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    **params: Any,
) -> SearchResult:
    """Run ``strategy`` for ``queries`` queries on ``benchmark`` (``"name/dataset"``), one seed.

    ``encoder`` is a Parquet embedding file or any form :func:`fitted_encoder` takes (a
    fitted :class:`~archembed.encoders.base.Encoder`, a saved model directory,
    ``pretrained:NAME``, or the name of a registered encoder, fitted on the space).
    ``params`` are the strategy's parameters (``n_init=10``...). ``objectives``
    (``"val_acc:max,edgegpu_latency:min"``), ``constraints`` (``["pixel3_latency<=4.0"]``) and
    ``free_metrics`` make it a multi-objective or constrained search (see docs/guides/search.md).
    """
    from archembed.experiments.config import parse_config
    from archembed.experiments.defaults import with_default_predictor
    from archembed.experiments.runner import build_objective
    from archembed.experiments.tasks import SeedTask, search_seed, summarise
    from archembed.search.budget import Budget

    config = parse_config(
        {
            "name": "search",
            "benchmarks": [
                {
                    "name": benchmark,
                    "noise": noise,
                    "objectives": objectives,
                    "constraints": list(constraints or []),
                    "free_metrics": list(free_metrics or []),
                }
            ],
            "strategies": [{"name": strategy, "params": params}],
            "queries": queries,
        },
        "search()",
    )
    objective = build_objective(config.benchmarks[0], data_dir)
    params = with_default_predictor(config.strategies[0], config.benchmarks[0]).params
    embedder = None if encoder is None else _embedder(encoder, objective.space)
    task = SeedTask(
        run=f"{benchmark}-{strategy}",
        seed=seed,
        strategy=strategy,
        params=params,
        shared_key="",
        budget=Budget(queries),
        batch_size=batch_size,
    )
    trajectory, timings = search_seed(task, objective, embedder)
    return SearchResult(summarise(task, trajectory, timings), trajectory)


def _embedder(encoder: Encoder | str, searched: RestrictedSpace) -> Encoder:
    """The embeddings of every searched architecture, computed once (or read from a file)."""
    from archembed.encoders.precomputed import (
        is_embedding_file,
        precompute,
        read_embedding_file,
    )

    if isinstance(encoder, str) and is_embedding_file(encoder):
        return read_embedding_file(encoder).encoder(searched)
    return precompute(fitted_encoder(encoder, searched.base), searched)


def fitted_encoder(
    encoder: Encoder | str, space: SearchSpace, *, fit_sample: int | None = None, seed: int = 0
) -> Encoder:
    """An encoder ready to embed ``space``, from any of the forms ``search`` takes.

    ``encoder`` is a fitted :class:`~archembed.encoders.base.Encoder` (used as given), a saved
    model directory or ``pretrained:NAME`` (a shipped model; both loaded), or the name of a
    registered encoder, built with its defaults and fitted on every architecture of the space.
    With ``fit_sample``, a named encoder for a space too large to list is fitted on that many
    random architectures drawn with ``seed`` instead. A model of a single cell is applied cell
    by cell to a space of several cells (``encoder_for_space``).
    """
    from archembed.encoders.cellwise import encoder_for_space
    from archembed.pretrained import resolve_model

    if isinstance(encoder, Encoder):
        return encoder_for_space(encoder, space)
    encoder = resolve_model(encoder)
    if Path(encoder).expanduser().is_dir():
        return encoder_for_space(load_encoder(encoder), space)
    from archembed import encoders  # noqa: F401  (registers the built-in encoders)
    from archembed.spaces.candidates import is_enumerable

    built = ENCODERS.get(encoder)(space)
    if fit_sample is not None and not is_enumerable(space):
        return built.fit(space.sample(fit_sample, np.random.default_rng(seed)))
    return built.fit(space.enumerate())
