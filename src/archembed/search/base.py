"""Strategy: the ask/tell interface of every search algorithm, its registry and constructor.

The loop, the budget and the objective live outside the strategy (see
:mod:`archembed.search.loop`), so one strategy runs on a tabular benchmark, on real training
or on a cluster. Scores are "higher is better".

Every strategy is built the same way, by :func:`make_strategy`::

    make_strategy(name, space, rng, encoder=None, **params)

A strategy class takes ``(space, rng)`` first, then ``encoder`` when it can use an embedding
(required when the class sets ``needs_encoder = True``), then its own keyword parameters,
which must have defaults. ``make_strategy`` rejects unknown parameters with a ConfigError.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np

from archembed.encoders.base import Encoder
from archembed.encoders.cellwise import encoder_for_space
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.registry import Registry
from archembed.spaces.base import SearchSpace

STRATEGIES: Registry[type[Strategy]] = Registry("strategy")
register_strategy = STRATEGIES.register


class Strategy(ABC):
    """Proposes architectures (``ask``) and learns from their scores (``tell``)."""

    name: str = ""
    needs_encoder: bool = False
    batch_size: int = 1
    """How many architectures the strategy likes to propose per ``ask`` (the loop's default)."""

    def __init__(self, space: SearchSpace, rng: np.random.Generator) -> None:
        self.space = space
        self.rng = rng

    @abstractmethod
    def ask(self, n: int = 1) -> list[ArchGraph]:
        """Up to ``n`` architectures to evaluate next (fewer only when the space is exhausted)."""

    @abstractmethod
    def tell(self, graphs: Sequence[ArchGraph], scores: Sequence[float]) -> None:
        """Report the scores of evaluated architectures (higher is better)."""


def strategy_parameters(cls: type[Strategy]) -> dict[str, Any]:
    """The keyword parameters a strategy accepts, with their defaults."""
    skip = {"self", "space", "rng", "encoder"}
    return {
        name: param.default
        for name, param in inspect.signature(cls.__init__).parameters.items()
        if name not in skip and param.kind is not inspect.Parameter.VAR_KEYWORD
    }


def accepts_encoder(cls: type[Strategy]) -> bool:
    """True when the strategy's constructor takes an ``encoder`` (required or optional)."""
    return "encoder" in inspect.signature(cls.__init__).parameters


def check_strategy(name: str, params: dict[str, Any]) -> type[Strategy]:
    """The registered class of ``name``; ConfigError naming any parameter it does not accept."""
    from archembed import search  # noqa: F401  (registers the built-in strategies)

    cls = STRATEGIES.get(name)
    allowed = strategy_parameters(cls)
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        listed = ", ".join(sorted(allowed)) or "(none)"
        raise ConfigError(
            f"unknown parameter {unknown[0]!r} for strategy {name!r}; it accepts: {listed}"
        )
    return cls


def make_strategy(
    name: str,
    space: SearchSpace,
    rng: np.random.Generator,
    encoder: Encoder | None = None,
    **params: Any,
) -> Strategy:
    """Instantiate the registered strategy ``name``; bad or unknown parameters raise ConfigError."""
    cls = check_strategy(name, params)
    if cls.needs_encoder and encoder is None:
        raise ConfigError(
            f"strategy {name!r} searches an embedding space: give an encoder "
            "(onehot, path, or a saved model directory)"
        )
    if encoder is not None and accepts_encoder(cls):
        params = {"encoder": encoder_for_space(encoder, space), **params}
    try:
        return cls(space, rng, **params)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"bad parameters for strategy {name!r}: {exc}") from None
