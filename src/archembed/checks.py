"""Range checks for numeric parameters: a ConfigError that names the bad value and the range.

Used by constructors and commands alike, so an out-of-range, non-finite or non-numeric value
(a NaN learning rate, a negative seed, a batch of a billion) stops before any work starts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import fields
from numbers import Integral, Real
from typing import Any

from archembed.errors import ConfigError, UnknownNameError

MAX_SEED = 2**32 - 1
"""Largest seed accepted (NumPy's legacy seeding and every generator take it)."""


def _show(bound: float) -> str:
    return f"{bound:g}" if isinstance(bound, float) else str(bound)


def _describe(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        return f"in {left}{_show(low)}, {_show(high)}{right}"
    if low is not None:
        return f"{'>' if low_open else '>='} {_show(low)}"
    if high is not None:
        return f"{'<' if high_open else '<='} {_show(high)}"
    return ""


def _inside(
    value: float, low: float | None, high: float | None, low_open: bool, high_open: bool
) -> bool:
    above = low is None or (value > low if low_open else value >= low)
    below = high is None or (value < high if high_open else value <= high)
    return above and below


def check_float(
    name: str,
    value: object,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a float; ConfigError unless it is a finite number in the range."""
    valid = isinstance(value, Real) and not isinstance(value, bool)
    if not (valid and math.isfinite(value) and _inside(value, low, high, low_open, high_open)):  # type: ignore[arg-type]
        bounds = _describe(low, high, low_open, high_open)
        raise ConfigError(f"{name} must be a finite number {bounds}".rstrip() + f", got {value!r}")
    return float(value)  # type: ignore[arg-type]


def check_int(name: str, value: object, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an int; ConfigError unless it is a whole number in ``[low, high]``."""
    valid = isinstance(value, Integral) and not isinstance(value, bool)
    if not (valid and _inside(value, low, high, False, False)):  # type: ignore[arg-type]
        raise ConfigError(
            f"{name} must be a whole number {_describe(low, high, False, False)}, got {value!r}"
        )
    return int(value)  # type: ignore[call-overload]


def check_seed(name: str, value: object) -> int:
    """A random seed: a whole number in ``[0, MAX_SEED]``."""
    return check_int(name, value, 0, MAX_SEED)


def check_choice(name: str, value: object, choices: tuple[str, ...] | list[str]) -> str:
    """``value`` when it is one of ``choices``; else a ConfigError listing them."""
    if value not in choices:
        raise ConfigError(f"unknown {name} {value!r}; choose one of: {', '.join(choices)}")
    return str(value)


MAX_WIDTH = 65_536
"""Largest layer width accepted: wider layers of these small models would not fit in memory."""


def check_widths(name: str, values: object) -> tuple[int, ...]:
    """Layer widths: a non-empty list of whole numbers in ``[1, MAX_WIDTH]``."""
    if isinstance(values, str | bytes) or not isinstance(values, list | tuple) or not values:
        raise ConfigError(f"{name} must be a non-empty list of layer widths, got {values!r}")
    return tuple(check_int(f"{name} width", v, 1, MAX_WIDTH) for v in values)


def check_options(what: str, config: type, options: Iterable[str]) -> None:
    """ConfigError naming the first of ``options`` that is not a field of dataclass ``config``."""
    known = [field.name for field in fields(config)]
    for name in options:
        if name not in known:
            raise ConfigError(f"unknown {what} option {name!r}; choose from: {', '.join(known)}")


def check_recipe(
    what: str, name: str, recipes: tuple[str, ...], config: type, options: Any
) -> None:
    """A recipe request's checks: ``name`` is one of ``recipes``, ``options`` are fields."""
    if name not in recipes:
        raise UnknownNameError(f"{what} recipe", name, recipes)
    check_options(what, config, options)
