"""minigrad._table: the markdown tables and number cells that train, tune, diagnostics and benchmarks print."""

from __future__ import annotations

import math

import numpy as np
import pytest

from minigrad._table import format_fixed, format_number, markdown_row, markdown_table


def test_markdown_table_first_column_left_others_right_by_default():
    table = markdown_table(["name", "a", "b"], [["x", "1", "2"], ["y", "3", "4"]])
    assert table == "| name | a | b |\n|---|---:|---:|\n| x | 1 | 2 |\n| y | 3 | 4 |"


def test_markdown_table_alignment_and_spaced_rule():
    assert markdown_table(["a", "b"], [], align="rl") == "| a | b |\n|---:|---|"
    spaced = markdown_table(["a", "b"], [["1", "2"]], align="lr", spaced_rule=True)
    assert spaced == "| a | b |\n| --- | ---: |\n| 1 | 2 |"


def test_markdown_table_rejects_an_align_that_does_not_fit():
    with pytest.raises(ValueError, match="one 'l' or 'r' per column"):
        markdown_table(["a", "b"], [], align="r")
    with pytest.raises(ValueError, match="one 'l' or 'r' per column"):
        markdown_table(["a", "b"], [], align="rc")


def test_markdown_row():
    assert markdown_row(["a", "", "1.5"]) == "| a |  | 1.5 |"


@pytest.mark.parametrize(
    ("value", "spec", "expected"),
    [
        (0.123456, ".4g", "0.1235"),
        (12345.6, ".4g", "1.235e+04"),
        (0.25, ".0%", "25%"),
        (0.000123, ".2e", "1.23e-04"),
        (3, "", "3"),
        (12345, ".4g", "1.234e+04"),
        (np.float32(0.5), ".3g", "0.5"),
        (math.inf, ".3g", "inf"),
    ],
)
def test_format_number_formats_with_the_spec(value, spec, expected):
    assert format_number(value, spec) == expected


def test_format_number_missing_and_nan():
    assert format_number(None) == "" and format_number(None, none="–") == "–"
    assert format_number(math.nan) == "nan" and format_number(math.nan, ".4f", nan="") == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234.5, "1234"),
        (123.45, "123"),
        (12.345, "12.3"),
        (1.2345, "1.23"),
        (0.012345, "0.012"),
        (0.0, "0.000"),
        (math.inf, "inf"),
        (math.nan, "nan"),
    ],
)
def test_format_fixed_three_significant_figures_without_exponent(value, expected):
    assert format_fixed(value) == expected
    assert "e" not in format_fixed(value * 1e6)
