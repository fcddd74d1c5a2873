"""Hostile files: a small workbook that unpacks to hundreds of megabytes, XML entities, a JSON
plan with a NUL or a lone surrogate, a CSV of a million rows. Each is refused with a sentence,
fast and in little memory, and nothing is stored."""

from __future__ import annotations

import io
import json
import tracemalloc
import zipfile

import pytest

from tests.helpers import PK, csrf_token
from tests.test_plan_transfer import counts

PLAN = f"/areas/{PK}/plans/2021-2023"
MIB = 1024 * 1024
ROW = b'<row r="2"><c r="A2" t="inlineStr"><is><t>synthetic</t></is></c></row>'
SHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
LAUGHS = b"".join(
    f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">'.encode() for n in range(1, 10)
)
# A worksheet whose one cell is a billion "lol"s, or the machine's password file.
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY lol0 "lol">'
    + LAUGHS
    + b"]>"
    + SHEET
    + b'<sheetData><row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    b"</sheetData></worksheet>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    + SHEET
    + b'<sheetData><row r="2"><c r="A2" t="inlineStr"><is><t>&x;</t></is></c></row>'
    b"</sheetData></worksheet>"
)


def rebuilt(workbook: bytes, replace: dict[str, bytes | int]) -> bytes:
    """The workbook with some parts replaced: bytes as they are, or a number of megabytes of
    sheet rows streamed in (a zip bomb)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for member in source.infolist():
            part = replace.get(member.filename)
            if isinstance(part, int):
                with target.open(member.filename, "w") as stream:
                    head = source.read(member.filename).split(b"<sheetData>")[0]
                    stream.write(head + b"<sheetData>")
                    for _ in range(part * MIB // len(ROW)):
                        stream.write(ROW)
                    stream.write(b"</sheetData></worksheet>")
            else:
                target.writestr(member.filename, part or source.read(member.filename))
        for name in set(replace) - set(source.namelist()):
            target.writestr(name, replace[name])
    return out.getvalue()


def forged(blob: bytes, name: str, size: int) -> bytes:
    """The archive with ``name``'s declared unpacked size changed to ``size`` in both of its
    headers, as a zip bomb would to slip past a check of the headers alone."""
    data = bytearray(blob)
    encoded = name.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(encoded)] == encoded:
                data[start + offset : start + offset + 4] = size.to_bytes(4, "little")
            start += 4
    return bytes(data)


def upload(client, path: str, name: str, blob: bytes):
    """Post ``blob`` as the form's file, encoded in memory (the test client's own encoding
    leaves a temporary file open for bodies over 500 kB)."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import stream_encode_multipart

    file = FileStorage(io.BytesIO(blob), filename=name, content_type="application/octet-stream")
    fields = {"csrf_token": csrf_token(client, path), "file": file}
    stream, length, boundary = stream_encode_multipart(fields, use_tempfile=False)
    return client.post(
        path,
        input_stream=stream,
        content_length=length,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def refused_quickly(send, said: str) -> None:
    """``send()`` answers 400/413/422 naming ``said``, using under 100 MB (how much work it
    does is bounded by what it reads, which the tests count, never by a clock)."""
    answer = send()
    assert answer.status_code in (400, 413, 422), answer.text[:500]
    assert said in answer.text
    tracemalloc.start()
    try:
        send()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * MIB, f"{peak / MIB:.0f} MB"


@pytest.fixture
def workbook(client, auth) -> bytes:
    auth.login("pk")
    return client.get(f"{PLAN}/export.xlsx").data


def test_hostile_workbooks_are_refused_before_they_are_parsed(app, auth, workbook):
    sheet = "xl/worksheets/sheet2.xml"
    bomb = rebuilt(workbook, {sheet: 400})
    assert len(bomb) < 2 * MIB  # it passes the upload limit: only its insides are large
    cases = {
        "zip bomb": (bomb, "unpacks to more than 20 MB"),
        "forged sizes": (forged(rebuilt(workbook, {sheet: 30}), sheet, 1000), "cannot be unpacked"),
        "entity bomb": (rebuilt(workbook, {"xl/sharedStrings.xml": BILLION_LAUGHS}), "DOCTYPE"),
        "external entity": (
            rebuilt(workbook, {"xl/sharedStrings.xml": EXTERNAL_ENTITY}),
            "DOCTYPE",
        ),
    }
    before = counts(app)
    for name, (blob, said) in cases.items():

        def send(blob=blob):
            return upload(auth.client, f"/areas/{PK}/plans/import", "plan.xlsx", blob)

        try:
            refused_quickly(send, said)
        except AssertionError as failed:
            raise AssertionError(f"{name}: {failed}") from None
    assert counts(app) == before


@pytest.mark.parametrize("sheet_xml", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["bomb", "external"])
def test_entities_are_not_expanded_even_past_the_doctype_check(workbook, sheet_xml):
    """openpyxl itself parses with defusedxml: an entity is refused, not expanded."""
    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook

    blob = rebuilt(workbook, {"xl/worksheets/sheet2.xml": sheet_xml})
    with pytest.raises(Exception) as raised:
        book = load_workbook(io.BytesIO(blob), read_only=True)
        list(book.worksheets[1].iter_rows(values_only=True))
    causes, error = [], raised.value
    while error is not None:
        causes.append(error)
        error = error.__cause__ or error.__context__
    assert any(isinstance(cause, DefusedXmlException) for cause in causes)


def test_a_sheet_of_too_many_rows_is_refused_at_the_limit(app, auth, workbook):
    from core.services.plans.plan_transfer import MAX_ROWS

    rows = b"".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>1.{n}</t></is></c></row>'.encode()
        for n in range(2, MAX_ROWS + 10)
    )
    with zipfile.ZipFile(io.BytesIO(workbook)) as source:
        head = source.read("xl/worksheets/sheet3.xml").split(b"<sheetData>")[0]
    long_sheet = head + b"<sheetData>" + rows + b"</sheetData></worksheet>"
    blob = rebuilt(workbook, {"xl/worksheets/sheet3.xml": long_sheet})
    answer = auth.post(f"/areas/{PK}/plans/import", {"file": (io.BytesIO(blob), "plan.xlsx")})
    assert answer.status_code == 400
    assert f"has more than {MAX_ROWS:,} rows" in answer.text


@pytest.mark.parametrize(
    ("bad", "said"), [("\u0000", "NUL"), ("\ud800", "surrogate")], ids=["NUL", "lone surrogate"]
)
def test_a_json_plan_with_a_nul_or_lone_surrogate_is_refused(app, auth, bad, said):
    from tests.test_plan_transfer import exported

    auth.login("pk")
    plan = exported(app)
    plan["slug"] = "hostile"
    plan["title"] = f"Synthetic {bad} title"
    blob = json.dumps(plan).encode()  # escaped as \\u0000 or \\ud800, as JSON allows
    before = counts(app)

    def send():
        return auth.post(f"/areas/{PK}/plans/import", {"file": (io.BytesIO(blob), "p.json")})

    refused_quickly(send, said)
    assert counts(app) == before


def test_a_csv_of_a_million_rows_is_refused_at_the_limit(app, auth, monkeypatch):
    """The import stops reading at the row limit: blank lines count, and are not read past."""
    import csv

    from core.services.kpis.kpi_transfer import MAX_ROWS

    read = []
    real_reader = csv.reader

    class Reader:  # csv.reader's line_num, over the counted rows
        def __init__(self, *args, **kwargs):
            self._inner = real_reader(*args, **kwargs)

        def __iter__(self):
            return self

        def __next__(self):
            row = next(self._inner)
            read.append(1)
            return row

        @property
        def line_num(self):
            return self._inner.line_num

    monkeypatch.setattr(csv, "reader", Reader)
    auth.login("pk")
    # Under the 2 MB limit: nearly a million rows of empty figures, or blank lines then one.
    for rows in (b",\n" * 990_000, b"\n" * 1_000_000 + b"x,y,z,1\n"):
        blob = b"area,kpi,period,value\n" + rows
        read.clear()

        def send(blob=blob):
            return upload(auth.client, "/kpis/import", "figures.csv", blob)

        refused_quickly(send, f"The file has more than {MAX_ROWS:,} rows.")
        assert 0 < len(read) <= 2 * (MAX_ROWS + 2)  # each of the two sends reads to the limit


@pytest.mark.parametrize("code", ["2.1\r\n", "2.1\n", " 2.1", "2.1\x07", "2.1 and 2.2"])
def test_an_imported_action_code_is_checked_as_the_forms_check_it(app, auth, code):
    """A code with a line break once dropped the action's review emails; every import takes
    codes, keys and slugs by the forms' own patterns."""
    from tests.test_plan_transfer import exported

    auth.login("pk")
    plan = exported(app)
    plan["slug"] = "codes"
    plan["priority_groups"][0]["outcomes"][0]["actions"][0]["code"] = code
    blob = json.dumps(plan).encode()
    before = counts(app)
    answer = upload(auth.client, f"/areas/{PK}/plans/import", "p.json", blob)
    assert answer.status_code == 400
    assert "priority_groups.0.outcomes.0.actions.0.code" in answer.text
    assert "Give an action number like" in answer.text
    assert counts(app) == before


def test_api_patterns_end_at_the_end_of_the_text_not_before_a_line_break(app, api):
    def post(address: str):
        update = {"reported_on": "2022-03-01", "status": "in_progress", "rag": "R",
                  "commentary": "Synthetic.", "evidence_url": address}  # fmt: skip
        return api("post", "/api/v1/actions/1/updates", who="pk", json=update)

    refused = post("https://example.invalid/a\n")
    assert refused.status_code == 422 and "evidence_url" in refused.text
    assert post("https://example.invalid/a").status_code == 201
