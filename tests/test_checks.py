"""Range checks: exactly the finite values inside the range pass; the message names the value."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archembed.checks import MAX_SEED, check_choice, check_float, check_int, check_seed
from archembed.errors import ConfigError


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_a_float_passes_exactly_when_finite_and_in_range(value: float) -> None:
    inside = math.isfinite(value) and 0.0 <= value < 1.0
    if inside:
        assert check_float("dropout", value, 0.0, 1.0, high_open=True) == value
    else:
        with pytest.raises(ConfigError) as raised:
            check_float("dropout", value, 0.0, 1.0, high_open=True)
        assert str(raised.value) == f"dropout must be a finite number in [0, 1), got {value!r}"


@given(st.integers())
def test_an_integer_passes_exactly_when_in_range(value: int) -> None:
    if 1 <= value <= 100:
        assert check_int("epochs", value, 1, 100) == value
    else:
        with pytest.raises(
            ConfigError, match=rf"^epochs must be a whole number in \[1, 100\], got {value}$"
        ):
            check_int("epochs", value, 1, 100)


@pytest.mark.parametrize("value", ["3", 2.0, True, None, [1]])
def test_non_integers_are_rejected(value: object) -> None:
    with pytest.raises(ConfigError, match="whole number"):
        check_int("epochs", value, 1)


@pytest.mark.parametrize("value", ["0.1", None, True])
def test_non_numbers_are_rejected(value: object) -> None:
    with pytest.raises(ConfigError, match="lr must be a finite number > 0"):
        check_float("lr", value, 0.0, low_open=True)


def test_seeds_and_choices() -> None:
    assert check_seed("seed", MAX_SEED) == MAX_SEED
    with pytest.raises(ConfigError, match="seed must be a whole number in"):
        check_seed("seed", MAX_SEED + 1)
    assert check_choice("pooling", "mean", ("mean", "sum")) == "mean"
    with pytest.raises(ConfigError, match="unknown pooling 'max'; choose one of: mean, sum"):
        check_choice("pooling", "max", ("mean", "sum"))
