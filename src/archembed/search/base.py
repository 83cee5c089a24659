"""Strategy: the ask/tell interface of every search algorithm, its registry and constructor.

The loop, the budget and the objective live outside the strategy (see
:mod:`archembed.search.loop`), so one strategy runs on a tabular benchmark, on real training
or on a cluster. Scores are "higher is better".

Every strategy is built the same way, by :func:`make_strategy`::

    make_strategy(name, space, rng, encoder=None, **params)

A strategy class takes ``(space, rng)`` first, then ``encoder`` when it can use an embedding
(required when the class sets ``needs_encoder = True``), then its own keyword parameters,
which must have defaults. A parameter's type is its default's (bool, whole number or real
number); ``limits`` gives the accepted range of numeric ones. :func:`check_strategy` checks
names, types and ranges without building anything, so a command rejects a bad ``-p`` value
before any worker starts; every mistake is a ConfigError naming the value and what is accepted.
"""

from __future__ import annotations

import inspect
import reprlib
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np

from archembed.checks import check_float, check_int
from archembed.encoders.base import Encoder
from archembed.encoders.cellwise import encoder_for_space
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.registry import Registry
from archembed.spaces.base import SearchSpace

STRATEGIES: Registry[type[Strategy]] = Registry("strategy")
register_strategy = STRATEGIES.register


@dataclass(frozen=True)
class Bound:
    """The accepted range of a numeric parameter; each end is included unless marked open."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False


class Strategy(ABC):
    """Proposes architectures (``ask``) and learns from their scores (``tell``)."""

    name: str = ""
    needs_encoder: bool = False
    batch_size: int = 1
    """How many architectures the strategy likes to propose per ``ask`` (the loop's default)."""
    limits: ClassVar[dict[str, Bound]] = {}
    """Accepted range of each numeric parameter (checked by :func:`check_params`)."""

    def __init__(self, space: SearchSpace, rng: np.random.Generator) -> None:
        self.space = space
        self.rng = rng

    @abstractmethod
    def ask(self, n: int = 1) -> list[ArchGraph]:
        """Up to ``n`` architectures to evaluate next (fewer only when the space is exhausted)."""

    @abstractmethod
    def tell(self, graphs: Sequence[ArchGraph], scores: Sequence[float]) -> None:
        """Report the scores of evaluated architectures (higher is better)."""

    @classmethod
    def check_relations(cls, params: dict[str, Any]) -> None:
        """Constraints between parameters (all given, defaults filled in); ConfigError if broken."""

    @classmethod
    def check_for_space(cls, params: Mapping[str, Any], space: SearchSpace) -> None:
        """Checks that need the searched space (e.g. a model the strategy builds); ConfigError
        if broken. Runners call it before the first seed starts."""

    def check_arguments(self, arguments: Mapping[str, Any]) -> None:
        """Constructor guard: check this class's parameters among ``arguments`` (``locals()``)."""
        allowed = strategy_parameters(type(self))
        check_params(type(self), {k: v for k, v in arguments.items() if k in allowed})


class MultiObjectiveStrategy(Strategy):
    """ask/tell where each architecture has several objective values and constraint slacks.

    ``scores`` is a float array ``(n, m)`` whose every column is "higher is better" (the
    objective layer negates minimised objectives such as latency; raw units otherwise).
    ``slack`` is None without constraints, else ``(n, c)`` with ``>= 0`` meaning satisfied
    (``bound - value`` for ``<=``, ``value - bound`` for ``>=``). A single-objective
    constrained search uses this class with ``m = 1``. Strategies learn m and c from the
    first ``tell``.
    """

    multi_objective: ClassVar[bool] = True
    max_objectives: ClassVar[int | None] = None
    """The most objectives the strategy optimises (None: any number)."""

    @abstractmethod
    def tell(  # type: ignore[override]
        self, graphs: Sequence[ArchGraph], scores: np.ndarray, slack: np.ndarray | None = None
    ) -> None:
        """Report the objective values (n, m) and constraint slacks (n, c) of evaluated archs."""


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


def check_params(cls: type[Strategy], params: Mapping[str, Any]) -> None:
    """ConfigError for a parameter ``cls`` does not take, of the wrong type or out of range."""
    label = cls.name or cls.__name__
    allowed = strategy_parameters(cls)
    for key, value in params.items():
        if key not in allowed:
            listed = ", ".join(sorted(allowed)) or "(none)"
            raise ConfigError(
                f"unknown parameter {key!r} for strategy {label!r}; it accepts: {listed}"
            )
        _check_value(label, key, value, allowed[key], cls.limits.get(key))
    cls.check_relations({**allowed, **params})


def _check_value(strategy: str, key: str, value: Any, default: Any, bound: Bound | None) -> None:
    """One parameter against the type of its default and its range."""
    name = f"strategy {strategy!r}: {key}"
    bound = bound or Bound()
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{name} must be true or false, got {reprlib.repr(value)}")
    elif isinstance(default, Integral):
        check_int(name, value, bound.low, bound.high)  # type: ignore[arg-type]
    elif isinstance(default, Real):
        open_ends = {"low_open": bound.low_open, "high_open": bound.high_open}
        check_float(name, value, bound.low, bound.high, **open_ends)


def check_strategy(name: str, params: Mapping[str, Any]) -> type[Strategy]:
    """The registered class of ``name`` after :func:`check_params` on ``params``."""
    from archembed import search  # noqa: F401  (registers the built-in strategies)

    cls = STRATEGIES.get(name)
    check_params(cls, params)
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
