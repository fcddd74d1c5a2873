"""Exporting a plan (workbook or JSON) and importing it as a new plan: the round trip, every
problem listed at once with where it is, nothing stored on a mistake."""

from __future__ import annotations

import datetime as dt
import io
import json

import sqlalchemy as sa
from openpyxl import load_workbook

from core import db
from core.enums import ProgressStatus, Rag
from core.models import Area, Plan, ProgressUpdate
from core.services.plans.plan_transfer import export_plan
from tests.helpers import PK, in_session, report

PLAN = f"/areas/{PK}/plans/2021-2023"


def with_updates(app) -> None:
    """Synthetic updates on the Perth and Kinross plan."""
    with app.app_context():
        session = db.get_session()
        report(session, "1.1", Rag.GREEN, on=dt.date(2022, 3, 1))
        report(session, "1.1", Rag.AMBER, on=dt.date(2022, 9, 1))
        report(session, "1.4", None, ProgressStatus.COMPLETED, on=dt.date(2022, 3, 1))


def exported(app, slug="2021-2023") -> dict:
    def read(session):
        plan = session.scalars(
            sa.select(Plan).join(Area).where(Area.slug == PK, Plan.slug == slug)
        ).one()
        return export_plan(session, plan)

    return in_session(app, read)


def counts(app) -> tuple[int, int]:
    return in_session(
        app,
        lambda s: (
            s.scalar(sa.select(sa.func.count(Plan.id))),
            s.scalar(sa.select(sa.func.count(ProgressUpdate.id))),
        ),
    )


def test_round_trip_through_the_workbook_and_json(app, runner, tmp_path):
    with_updates(app)
    original = exported(app)
    assert sum(len(a["updates"]) for g in original["priority_groups"] for o in g["outcomes"]
               for a in o["actions"]) == 3  # fmt: skip
    for suffix in ("xlsx", "json"):
        out = tmp_path / f"plan.{suffix}"
        result = runner.invoke(args=["export-plan", PK, "--output", str(out)])
        assert result.exit_code == 0, result.output
        new_slug = f"copy-{suffix}"
        result = runner.invoke(args=["import-plan", str(out), "--area", PK, "--slug", new_slug])
        assert result.exit_code == 0, result.output
        assert f"as Perth and Kinross's plan {new_slug!r}" in result.output
        assert exported(app, new_slug) == {**original, "slug": new_slug}


def test_three_mistakes_are_all_reported_and_nothing_is_stored(app, runner, tmp_path):
    with_updates(app)
    out = tmp_path / "plan.xlsx"
    assert runner.invoke(args=["export-plan", PK, "--output", str(out)]).exit_code == 0
    book = load_workbook(out)
    actions = book["Actions"]
    actions["C3"] = None  # 1. an action with no wording
    actions["F4"] = "next Tuesday"  # 2. a target date that is not a date
    book["Updates"]["D2"] = "finished"  # 3. a status that is not one
    book.save(out)
    before = counts(app)
    result = runner.invoke(args=["import-plan", str(out), "--area", PK, "--slug", "broken"])
    assert result.exit_code != 0
    assert "3 problem(s)" in result.output
    assert "sheet Actions, row 3, column C" in result.output
    assert "sheet Actions, row 4, column F" in result.output
    assert "sheet Updates, row 2, column D" in result.output
    assert counts(app) == before

    data = exported(app)
    data["priority_groups"][0]["outcomes"][0]["actions"][0]["text"] = ""
    data["period_end"] = "31/07/2023"
    data["ongoing_actions"][1]["code"] = data["ongoing_actions"][0]["code"]
    bad = tmp_path / "plan.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(args=["import-plan", str(bad), "--area", PK, "--slug", "broken"])
    assert "priority_groups.0.outcomes.0.actions.0.text" in result.output
    assert "period_end: " in result.output and "3 problem(s)" in result.output
    assert f"Ongoing action {data['ongoing_actions'][0]['code']} appears 2 times" in result.output
    assert counts(app) == before


def test_the_upload_page_imports_for_the_areas_coordinator_only(app, client, auth):
    with_updates(app)
    auth.login("pk")
    workbook = client.get(f"{PLAN}/export.xlsx")
    assert workbook.status_code == 200
    assert workbook.headers["Content-Disposition"].endswith('"perth-and-kinross-2021-2023.xlsx"')
    upload = auth.post(
        f"/areas/{PK}/plans/import",
        {"slug": "uploaded", "file": (io.BytesIO(workbook.data), "plan.xlsx")},
    )
    assert upload.status_code == 302 and upload.location.endswith(f"/areas/{PK}/plans/uploaded/")
    assert exported(app, "uploaded") == {**exported(app), "slug": "uploaded"}
    again = auth.post(
        f"/areas/{PK}/plans/import",
        {"slug": "uploaded", "file": (io.BytesIO(workbook.data), "plan.xlsx")},
    )
    assert again.status_code == 400 and "already has a plan &#39;uploaded&#39;" in again.text
    wrong_type = auth.post(
        f"/areas/{PK}/plans/import", {"file": (io.BytesIO(b"MZ\x90\x00"), "plan.exe")}
    )
    assert wrong_type.status_code == 400 and "Choose an Excel workbook" in wrong_type.text
    fake = auth.post(f"/areas/{PK}/plans/import", {"file": (io.BytesIO(b"not a zip"), "plan.xlsx")})
    assert fake.status_code == 400 and "not an Excel workbook" in fake.text
    assert client.get("/areas/angus/plans/import").status_code == 403


def test_hostile_plan_files_are_refused_with_a_reason_never_a_500(app, client, auth):
    auth.login("pk")
    plan = exported(app)
    huge = json.loads(json.dumps(plan))
    huge["priority_groups"][0]["outcomes"][0]["number"] = 10**12
    huge["priority_groups"][0]["title"] = "x" * 5000
    huge["evidence_menu"][0]["frequency"] = "y" * 500
    deep = ("[" * 100_000 + "]" * 100_000).encode()
    for name, blob, said in (
        ("huge.json", json.dumps({**huge, "slug": "huge"}).encode(), "priority_groups.0"),
        ("deep.json", deep, "nested too deeply"),
    ):
        before = counts(app)
        answer = auth.post(f"/areas/{PK}/plans/import", {"file": (io.BytesIO(blob), name)})
        assert answer.status_code == 400, name
        assert said in answer.text, name
        assert counts(app) == before
    refused = auth.post(
        f"/areas/{PK}/plans/import",
        {"file": (io.BytesIO(json.dumps({**huge, "slug": "huge"}).encode()), "huge.json")},
    ).text
    assert "priority_groups.0.outcomes.0.number" in refused
    assert "priority_groups.0.title" in refused and "evidence_menu.0.frequency" in refused
