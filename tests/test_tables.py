"""The tables helper: mean ± std statistics and Markdown tables."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archembed.tables import (
    format_mean_std,
    markdown_table,
    mean_std,
    mean_std_cell,
    plus_minus,
    table_rows,
)


def test_population_and_sample_std():
    assert mean_std([1.0, 3.0]) == {"mean": 2.0, "std": 1.0, "n": 2}
    assert mean_std([1.0, 3.0], ddof=1)["std"] == pytest.approx(math.sqrt(2))
    assert mean_std([5.0], ddof=1) == {"mean": 5.0, "std": 0.0, "n": 1}
    assert mean_std([None, float("nan"), float("inf")]) == {"mean": None, "std": None, "n": 0}


def test_formatting_keeps_two_significant_digits_of_the_std_or_fixed_decimals():
    assert format_mean_std(mean_std([90.5, 91.0])) == "90.750 ± 0.250"
    assert format_mean_std({"mean": 1.0, "std": 0.0012, "n": 3}) == "1.0000 ± 0.0012"
    assert format_mean_std({"mean": 1.0, "std": 0.0, "n": 1}) == "1.000 ± 0.000"
    assert format_mean_std({"mean": 0.5, "std": 0.25, "n": 2}, decimals=1) == "0.5 ± 0.2"
    assert plus_minus(91.4567, 0.0123) == "91.457 ± 0.012"
    assert plus_minus(91.4567, 0.0012) == "91.4567 ± 0.0012"
    assert format_mean_std(mean_std([])) == "-"
    assert mean_std_cell([1, 2, 3], decimals=2, ddof=1) == "2.00 ± 1.00"


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=20))
def test_the_shown_mean_is_the_mean_within_its_decimals(values):
    text = format_mean_std(mean_std(values))
    mean, std = (float(part) for part in text.split(" ± "))
    decimals = len(text.split(" ± ")[0].split(".")[1])
    assert abs(mean - sum(values) / len(values)) <= 10**-decimals
    assert std >= 0


def test_table_rows_format_only_the_statistics():
    rows = table_rows([{"run": "bo", "seeds": 3, "regret": mean_std([0.0, 2.0])}])
    assert rows == [{"run": "bo", "seeds": 3, "regret": "1.000 ± 1.000"}]


def test_markdown_table_lines_and_alignment():
    lines = markdown_table(("name", "n", "value"), [("a", 1, "0.5 ± 0.1"), ("b", 22, "-")], "lrl")
    assert lines == [
        "| name | n | value |",
        "|---|---:|---|",
        "| a | 1 | 0.5 ± 0.1 |",
        "| b | 22 | - |",
    ]
    assert markdown_table(("x",), [])[1] == "|---|"


def test_markdown_table_refuses_ragged_rows():
    with pytest.raises(ValueError, match="2 cells for 3 columns"):
        markdown_table(("a", "b", "c"), [(1, 2)])
    with pytest.raises(ValueError, match="2 letters for 3 columns"):
        markdown_table(("a", "b", "c"), [], "lr")
