"""TRIC PG5: the rollup across Angus, Dundee, and Perth and Kinross over several reporting
dates, shared action versions and adoption, "does not apply", exports and the command line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from core.enums import ActionKind, ProgressStatus, Rag, Role
from core.hooks.rollup import TaysideStatus
from core.models import Action, ActionChange, SharedAction, SharedActionVersion, User
from core.services.demo.synthetic import SyntheticAreaPlugin
from core.services.tric import shared
from core.services.tric.rollup import tayside_rollup
from tests.helpers import PK, count_queries, in_session, plan_of, report

# The shipped frames adopt nothing: these tests adopt as the coordinators would.
pytestmark = pytest.mark.usefixtures("tayside_adoptions")

IRD = "inter-agency-referral-discussions"
CHRON = "chronologies"
MARCH, JUNE, SEPT = dt.date(2022, 3, 1), dt.date(2022, 6, 1), dt.date(2022, 9, 1)


def _code(session, area: str, key: str) -> str:
    return session.scalar(
        sa.select(Action.code)
        .join(SharedAction)
        .where(SharedAction.key == key, Action.plan_id == plan_of(session, area).id)
    )


def _post(session, area, key, rag, on, status=ProgressStatus.IN_PROGRESS):
    report(session, _code(session, area, key), rag, status, on=on, area_slug=area)


def _three_reporting_dates(session) -> None:
    """IRDs: everyone reports in March; Dundee goes Red in June; all Green by September,
    Perth and Kinross completing. Chronologies: only Perth and Kinross reports, in March.
    Each area's committee meets on those three dates (PG5 has set none of its own)."""
    from core.services.progress.reporting import add_reporting_date

    for area in ("angus", "dundee", PK):
        for day in (MARCH, JUNE, SEPT):
            add_reporting_date(
                session, plan_of(session, area), actor=None, reported_on=day, deadline=day
            )
    for area, rag in (("angus", Rag.AMBER), ("dundee", Rag.GREEN), (PK, Rag.GREEN)):
        _post(session, area, IRD, rag, MARCH)
    _post(session, PK, CHRON, Rag.AMBER, MARCH)
    _post(session, "dundee", IRD, Rag.RED, JUNE)
    _post(session, "angus", IRD, Rag.GREEN, SEPT)
    _post(session, "dundee", IRD, Rag.GREEN, SEPT)
    _post(session, PK, IRD, None, SEPT, ProgressStatus.COMPLETED)


def _rollup(app, session, as_at):
    return tayside_rollup(session, app.extensions["cpc_plugins"], as_at)


def test_the_matrix_as_it_stood_at_each_reporting_date(app, session):
    _three_reporting_dates(session)
    march = _rollup(app, session, MARCH)
    row = march.row(IRD)
    assert [row.cells[a].rag for a in ("angus", "dundee", PK)] == [Rag.AMBER, Rag.GREEN, Rag.GREEN]
    assert row.tayside_status is TaysideStatus.AMBER
    assert march.row(CHRON).tayside_status is TaysideStatus.AMBER  # others not reported
    june = _rollup(app, session, JUNE)
    assert june.row(IRD).tayside_status is TaysideStatus.RED  # any Red is Red
    assert june.row(IRD).cells["dundee"].last_reported_on == JUNE
    sept = _rollup(app, session, SEPT)
    assert sept.row(IRD).tayside_status is TaysideStatus.GREEN  # all Green or completed
    assert sept.row(IRD).cells[PK].status is ProgressStatus.COMPLETED
    assert sept.reporting_dates == [MARCH, JUNE, SEPT]
    # Before anything was reported, nothing shows.
    assert _rollup(app, session, dt.date(2022, 1, 1)).row(IRD).tayside_status is (
        TaysideStatus.NOT_REPORTED
    )


def test_stale_and_overdue_marks(app, session):
    _three_reporting_dates(session)
    june = _rollup(app, session, JUNE)
    assert june.last_reporting_date == JUNE
    ird = june.row(IRD)
    # Only Dundee reported on the IRDs on 1 June; the others last reported in March.
    assert [ird.cells[a].stale for a in ("angus", "dundee", PK)] == [True, False, True]
    assert june.row(CHRON).cells["angus"].stale  # never reported at all
    assert not any(cell.overdue for cell in ird.cells.values())  # due 31 July 2022
    sept = _rollup(app, session, SEPT)
    assert not sept.row(IRD).cells[PK].overdue  # completed
    assert sept.row(CHRON).cells["angus"].overdue  # past its date, not completed


def test_the_trend_counts_red_amber_and_green_at_each_reporting_date(app, session):
    _three_reporting_dates(session)
    trend = _rollup(app, session, SEPT).trend
    assert [(p.reported_on, p.red, p.amber, p.green) for p in trend] == [
        (MARCH, 0, 2, 2),
        # Only Dundee reported in June: the others' March RAGs are last period's, not counted.
        (JUNE, 1, 0, 0),
        # Perth and Kinross completed its IRD action without a RAG; its Chronologies Amber
        # is from March.
        (SEPT, 0, 0, 2),
    ]
    assert [p.reported_on for p in _rollup(app, session, JUNE).trend] == [MARCH, JUNE]


def test_does_not_apply_shows_the_reason_and_leaves_the_area_out(app, session):
    definition = shared.shared_action_by_key(session, CHRON)
    angus = plan_of(session, "angus")
    copy = session.scalar(
        sa.select(Action).where(
            Action.plan_id == angus.id, Action.shared_action_id == definition.id
        )
    )
    session.delete(copy)  # as if Angus had never adopted it
    session.flush()
    shared.record_not_applicable(
        session, definition, angus.area, angus, actor=None, reason="Synthetic reason", on=MARCH
    )
    session.commit()
    for area in ("dundee", PK):
        _post(session, area, CHRON, Rag.GREEN, JUNE)
    row = _rollup(app, session, JUNE).row(CHRON)
    assert row.cells["angus"] is None and row.not_applicable == {"angus": "Synthetic reason"}
    assert row.tayside_status is TaysideStatus.GREEN  # Angus is left out of the rule
    before = _rollup(app, session, dt.date(2022, 2, 1)).row(CHRON)
    assert before.not_applicable == {}  # not yet recorded then
    record = shared.not_applicable_for(session, definition, angus.area, JUNE)
    shared.withdraw_not_applicable(session, record, actor=None, on=dt.date(2022, 7, 1))
    session.commit()
    assert _rollup(app, session, dt.date(2022, 8, 1)).row(CHRON).not_applicable == {}
    assert _rollup(app, session, JUNE).row(CHRON).not_applicable == {"angus": "Synthetic reason"}


def test_a_plugin_rule_replaces_the_default_on_the_page(make_app, client_for):
    from tests.test_hooks import Plugin

    app = make_app(
        EXTRA_PLUGINS=[("always-green", Plugin(tayside_status=lambda row: TaysideStatus.GREEN))]
    )
    page = client_for(app).get("/tric/").text
    assert "this installation's own rule, from the plugin always-green" in page
    assert page.count('data-tayside="green"') == 8


def test_pg5_rewords_a_shared_action_and_every_copy_follows(client, auth, app):
    auth.login("pg5")
    page = client.get(f"/tric/shared-actions/{IRD}/edit").text
    assert 'name="target_date" type="date" value="2022-07-31"' in page  # the current wording
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    form = {
        "version": version,
        "title": "IRDs guidance (synthetic rewording)",
        "text": "Synthetic new wording for the IRD action",
        "expected_impact": "Synthetic impact",
        "lead": "TRIC PG5",
        "target_date": "2022-07-31",
    }
    response = auth.post(f"/tric/shared-actions/{IRD}/edit", form)
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "Saved as version 2; every area&#39;s copy now has this wording" in page
    history = page[page.index('id="versions"') :]
    assert history.index("Version 2, by pg5.member@test.invalid") < history.index("Version 1")
    assert "adopted at version 1 (now version 2" in page

    def copies(session):
        found = session.scalars(
            sa.select(Action).join(SharedAction).where(SharedAction.key == IRD)
        ).all()
        changes = session.scalar(
            sa.select(sa.func.count(ActionChange.id)).where(
                ActionChange.action_id.in_([a.id for a in found])
            )
        )
        return [(a.text, a.adopted_version) for a in found], changes

    texts, changes = in_session(app, copies)
    assert texts == [("Synthetic new wording for the IRD action", 1)] * 3
    assert changes == 6  # text and expected impact, in each of the three copies
    today = dt.date.today().isoformat()
    copy_page = client.get(f"/areas/{PK}/plans/2021-2023/?as_at={today}").text
    assert "Synthetic new wording for the IRD action" in copy_page
    # As at the plan's end (the page's default for an ended plan), the wording then.
    as_published = client.get(f"/areas/{PK}/plans/2021-2023/").text
    assert "Synthetic new wording for the IRD action" not in as_published
    assert "Inter-Agency Referral Discussions" in as_published
    # A form opened before that change is refused, and nothing is saved.
    stale = auth.post(f"/tric/shared-actions/{IRD}/edit", {**form, "text": "Other wording"})
    assert stale.status_code == 400 and "Someone else changed this shared action" in stale.text
    assert (
        in_session(app, lambda s: s.scalar(sa.select(sa.func.count(SharedActionVersion.id)))) == 9
    )


def test_pg5_creates_a_shared_action_and_an_area_adopts_it_under_its_own_number(client, auth, app):
    auth.login("pg5")
    bad = auth.post("/tric/shared-actions/new", {"title": "", "text": "x"})
    assert bad.status_code == 400 and "Give the shared action a short title." in bad.text
    created = auth.post(
        "/tric/shared-actions/new",
        {
            "title": "Synthetic shared action",
            "text": "Synthetic: every area does this",
            "kind": "improvement",
            "priority_for_practice": "3",
            "target_date": "2023-07-31",
        },
    )
    key = created.location.rstrip("/").rsplit("/", 1)[1]
    assert key == "synthetic-shared-action"
    # PG5 words it; areas adopt it. A PG5 member cannot adopt for an area.
    assert client.get(f"/tric/shared-actions/{key}/adopt/{PK}").status_code == 403
    auth.logout()
    auth.login("pk")
    form_page = client.get(f"/tric/shared-actions/{key}/adopt/{PK}").text
    outcome_3 = re.search(r'<option value="(\d+)" selected>Outcome 3:', form_page).group(1)
    taken = auth.post(
        f"/tric/shared-actions/{key}/adopt/{PK}", {"outcome": outcome_3, "code": "3.1"}
    )
    assert taken.status_code == 400 and "The plan already has an action 3.1." in taken.text
    adopted = auth.post(
        f"/tric/shared-actions/{key}/adopt/{PK}", {"outcome": outcome_3, "code": "3.9"}
    )
    assert adopted.status_code == 302
    assert "Perth and Kinross has adopted this as action 3.9." in client.get(adopted.location).text
    again = auth.post(f"/tric/shared-actions/{key}/adopt/{PK}", {"outcome": outcome_3})
    assert "has already adopted this as action 3.9" in again.text
    assert client.get(f"/tric/shared-actions/{key}/adopt/angus").status_code == 403
    summary = client.get(f"/areas/{PK}/?as_at={dt.date.today().isoformat()}").text
    assert re.search(r"<td[^>]*>26</td>\s*<td[^>]*>-</td>\s*<td[^>]*>1</td>", summary)  # added
    cell = client.get("/tric/").text
    assert 'id="cell-synthetic-shared-action-perth-and-kinross"' in cell
    row = cell[cell.index('id="row-synthetic-shared-action"') :]
    assert "Action 3.9" in row[: row.index("</tr>")] and "Not adopted" in row[: row.index("</tr>")]


def test_an_area_records_that_a_shared_action_does_not_apply(client, auth, app):
    auth.login("pg5")
    created = auth.post(
        "/tric/shared-actions/new",
        {"title": "Synthetic shared action", "text": "Synthetic", "kind": "ongoing"},
    )
    key = created.location.rstrip("/").rsplit("/", 1)[1]
    auth.logout()
    auth.login("angus")
    assert client.get(f"/tric/shared-actions/{key}/not-applicable/dundee").status_code == 403
    empty = auth.post(f"/tric/shared-actions/{key}/not-applicable/angus", {"reason": " "})
    assert "Say why this shared action does not apply." in empty.text
    done = auth.post(
        f"/tric/shared-actions/{key}/not-applicable/angus", {"reason": "Synthetic: not here"}
    )
    assert done.status_code == 302
    rollup = client.get("/tric/").text
    row = rollup[rollup.index(f'id="row-{key}"') :]
    assert "Does not apply" in row[: row.index("</tr>")]
    assert "Synthetic: not here" in row[: row.index("</tr>")]
    refused = auth.post(f"/tric/shared-actions/{key}/adopt/angus", {})
    assert "recorded that this does not apply" in refused.text
    auth.post(f"/tric/shared-actions/{key}/not-applicable/angus/withdraw", {})
    adopted = auth.post(f"/tric/shared-actions/{key}/adopt/angus", {})
    assert adopted.status_code == 302  # an ongoing action: numbered among ongoing actions
    assert "has adopted this as action 2." in client.get(adopted.location).text


def test_csv_and_xlsx_exports_match_the_rollup(app, session, client_for):
    _three_reporting_dates(session)
    client = client_for(app)
    found = _rollup(app, session, JUNE)
    csv_response = client.get("/tric/rollup.csv?as_at=2022-06-01")
    assert csv_response.headers["Content-Disposition"].endswith(
        'filename="tric-pg5-rollup-2022-06-01.csv"'
    )
    rows = list(csv.reader(io.StringIO(csv_response.text)))
    assert rows[0] == ["TRIC PG5 rollup as at 2022-06-01"]
    header, body = rows[1], {row[1]: row for row in rows[2:]}
    assert len(body) == len(found.rows) == 8
    ird = dict(zip(header, body[IRD], strict=True))
    assert ird["Tayside status"] == "Red"
    assert ird["Dundee: RAG"] == "R: Red" and ird["Dundee: last update"] == "2022-06-01"
    assert ird["Angus: not reported this period"] == "Not reported this period"
    assert ird["Dundee: not reported this period"] == ""
    assert ird["Angus: RAG"] == "Not reported this period (last: Amber)"
    xlsx = client.get("/tric/rollup.xlsx?as_at=2022-06-01")
    book = load_workbook(io.BytesIO(xlsx.data))
    sheet = book["Rollup"]
    values = [[c.value or "" for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0] == header
    as_text = [
        [v.date().isoformat() if isinstance(v, dt.datetime) else v for v in r] for r in values
    ]
    assert as_text[1:] == rows[2:]
    dundee_rag = sheet.cell(row=2 + 1 + 2, column=header.index("Dundee: RAG") + 1)
    assert dundee_rag.value == "R: Red" and dundee_rag.fill.fgColor.rgb.endswith("D4351C")
    last_update = sheet.cell(row=2 + 1 + 2, column=header.index("Dundee: last update") + 1)
    assert (
        last_update.value == dt.datetime(2022, 6, 1) and last_update.number_format == "DD/MM/YYYY"
    )
    status = sheet.cell(row=2 + 1 + 2, column=3)
    assert status.value == "Red" and status.fill.fgColor.rgb.endswith("D4351C")
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:")
    assert "No RAG" not in {c for row in rows for c in row}  # "Not reported", as on screen
    trend = [[c.value for c in row] for row in book["Trend"].iter_rows(min_row=2)]
    assert [(r[0].date(), r[1], r[2], r[3]) for r in trend] == [(MARCH, 0, 2, 2), (JUNE, 1, 0, 0)]


def test_cpc_rollup_prints_the_matrix_and_json(app, runner, session):
    _three_reporting_dates(session)
    text = runner.invoke(args=["rollup", "--as-at", "2022-06-01"])
    assert text.exit_code == 0, text.output
    assert "last reporting date 01/06/2022" in text.output
    line = next(row for row in text.output.splitlines() if row.startswith("Inter-Agency"))
    assert re.search(r"Red\s+3\.1 A 01/03/2022~\s+3\.1 R 01/06/2022\s+3\.1 G 01/03/2022~", line)
    result = runner.invoke(args=["rollup", "--as-at", "2022-06-01", "--json"])
    data = json.loads(result.output)
    assert [item["code"] for item in data][:3] == [
        "key-meetings-children-and-families",
        "key-meetings-practitioners",
        IRD,
    ]
    ird = data[2]
    assert ird["tayside_status"] == "red"
    assert ird["areas"]["dundee"] == {
        "action_code": "3.1",
        "rag": "R",
        "status": "in_progress",
        "last_update": "2022-06-01",
        "direction": "worse",  # Green at Dundee's reporting date of 1 March
        "overdue": False,
        "stale": False,
        "reported_this_period": True,
        "adopted": True,
        "not_applicable": False,
        "not_applicable_reason": None,
    }
    angus = ird["areas"]["angus"]
    assert angus["stale"] is True and angus["reported_this_period"] is False
    assert (angus["rag"], angus["last_update"]) == ("A", "2022-03-01")  # last period's
    bad = runner.invoke(args=["rollup", "--as-at", "June"])
    assert bad.exit_code == 2 and "is not a date" in bad.output


def _add_shared(app, n: int) -> None:
    """``n`` more synthetic shared actions, adopted by every area, each reported on thrice;
    and the IRD action reworded ``n`` times by ``n`` different people."""

    def build(session):
        ird = shared.shared_action_by_key(session, IRD)
        for i in range(n):
            editor = User(
                email=f"editor{i}.{n}@test.invalid",
                password_hash="x",
                role=Role.PG5,
                is_active=True,
            )
            session.add(editor)
            shared.edit_shared_action(
                session,
                ird,
                actor=editor,
                version=ird.version,
                title=ird.title,
                text=f"Synthetic wording {i} of {n}",
                expected_impact=ird.expected_impact,
                lead=ird.lead,
                target_date=ird.target_date,
            )
        for i in range(n):
            definition = shared.create_shared_action(
                session,
                actor=None,
                title=f"Synthetic shared action {i}",
                text="Synthetic",
                kind=ActionKind.ONGOING,
            )
            for area in ("angus", "dundee", PK):
                copy = shared.adopt_shared_action(
                    session, definition, plan_of(session, area), actor=None
                )
                for month in (3, 6, 9):
                    report(
                        session,
                        copy.code,
                        list(Rag)[month % 3],
                        on=dt.date(2022, month, 1),
                        area_slug=area,
                        kind=ActionKind.ONGOING,
                    )
        session.commit()

    in_session(app, build)


def test_rollup_pages_issue_a_fixed_number_of_queries_whatever_the_size(make_app, client_for):
    def counts(app):
        client = client_for(app, "pg5")
        result = []
        for url in ("/tric/", "/tric/print", "/tric/rollup.csv", f"/tric/shared-actions/{IRD}/"):
            with count_queries(app) as counted:
                response = client.get(url + "?as_at=2022-09-01")
                assert response.status_code == 200, url
            result.append(counted.n)
        return result

    small = make_app(EXTRA_PLUGINS=[("s", SyntheticAreaPlugin("small-shire", 1, 1))])
    _add_shared(small, 1)
    first = counts(small)
    big = make_app(EXTRA_PLUGINS=[("s", SyntheticAreaPlugin("small-shire", 1, 1))])
    _add_shared(big, 6)
    assert counts(big) == first
