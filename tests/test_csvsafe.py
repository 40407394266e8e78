"""kg.export.csvsafe: the one neutralisation of spreadsheet formula cells (issue 16 item 8)."""
from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kg.export.csvsafe
from kg.export.csvsafe import FORMULA_START, MARK, original_text, safe_cell


@pytest.mark.parametrize("text", ["=1+2 东湖公园开园", "+SUM(A1:A9)", "-2+3+cmd|' /C calc'!A0", "@SUM(1)榆次区",
                                  "\t=1+1", "\r=1+1", "-", "+", "=", "-inf", "-1-1", "--5"])
def test_a_formula_start_gets_one_apostrophe(text):
    assert safe_cell(text) == MARK + text


@pytest.mark.parametrize("text", ["-5", "+5", "-0.5", "-.5", "+3.2e4", "-1E-3", "左权县", "", "5-1", " =1", "a=1"])
def test_plain_numbers_and_other_text_stay_as_they_are(text):
    assert safe_cell(text) == text


def test_a_leading_apostrophe_is_doubled_so_the_original_comes_back():
    assert safe_cell("'引号") == "''引号"
    assert original_text(safe_cell("'引号")) == "'引号"
    assert original_text(safe_cell("'=1")) == "'=1"


@given(st.text())
def test_no_cell_starts_a_formula_and_the_original_comes_back(text):
    cell = safe_cell(text)
    assert original_text(cell) == text
    if cell and cell[0] in FORMULA_START:  # only a plain number keeps its sign in front
        assert cell == text
        float(cell)


def test_doctests():
    assert doctest.testmod(kg.export.csvsafe).failed == 0
