"""The annual report: drafted for Perth and Kinross's year 2021-22 from a synthetic year of
reporting (four reporting dates, updates, KPI figures over two years) with the narrative
written in the app; its headings are the template's in order, its figures the record's (read
back from the Word file and the PDF), and it is the same when made again after later
updates. Two coordinators saving one section at once; a plugin's template section where its
order puts it; approval locks it; the public page shows no learning-review detail, no names
and no evidence links. All the data is synthetic."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

import pytest
import sqlalchemy as sa
from docx import Document

from core.enums import ProgressStatus, Rag
from core.hooks.annual import ReportTemplate, TemplateSection
from core.models import AnnualReport, AnnualReportText, Kpi, ProgressUpdate
from core.services.kpis.kpis import record_value
from tests.helpers import PK, AuthActions, add_reporting_date, in_session, report
from tests.test_hooks import Plugin

YEAR = "2021-22"
PAGE = f"/areas/{PK}/annual-reports/{YEAR}/"
MEETINGS = [dt.date(2021, 10, 29), dt.date(2022, 1, 28), dt.date(2022, 4, 29), dt.date(2022, 7, 29)]
STANDARDS = "standards-and-quality-pk-2019-20"
HEADINGS = [
    "Preface by the Children, Young People and Families Partnership",
    "Introduction by the Independent Chair of Perth and Kinross CPC",
    "Pictorial Summary – What key outcomes have we achieved and how are we improving?",
    "Context",
    "Management Information and Performance Outcomes",
    "How well do we meet the needs of our stakeholders?",
    "How good is the delivery of our services for children, young people and families and our "
    "operational management?",
    "How good is our leadership?",
]


def a_year_of_reporting(app) -> None:
    """Four reporting dates in 2021-22, updates for each (two actions completed in the year,
    some updates in on time), and monthly IRD figures from August 2020 to July 2022."""

    def make(session):
        for day in MEETINGS:
            add_reporting_date(session, day)
        session.commit()
        for n, day in enumerate(MEETINGS):
            report(session, "1.1", Rag.GREEN, on=day - dt.timedelta(days=20))
            report(
                session,
                "1.2",
                [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.GREEN][n],
                on=day - dt.timedelta(days=20),
            )
        report(
            session, "1.3", None, ProgressStatus.COMPLETED, on=MEETINGS[1] - dt.timedelta(days=20)
        )
        report(
            session, "1.4", None, ProgressStatus.COMPLETED, on=MEETINGS[3] - dt.timedelta(days=20)
        )
        # The updates for the first meeting came in on time; the rest late.
        session.execute(
            sa.update(ProgressUpdate)
            .where(ProgressUpdate.reported_on <= MEETINGS[0])
            .values(created_at=dt.datetime(2021, 10, 1, 9, tzinfo=dt.UTC))
        )
        irds = session.scalars(sa.select(Kpi).where(Kpi.key == "no-of-irds-held")).one()
        for month in range(24):
            first = dt.date(2020 + (7 + month) // 12, (7 + month) % 12 + 1, 1)
            record_value(
                session, irds, irds.area, actor=None, period=f"{first:%Y-%m}", value=10 + month
            )
        session.commit()

    in_session(app, make)


@pytest.fixture
def coordinator(app, client, accounts) -> AuthActions:
    auth = AuthActions(client, accounts)
    auth.login("pk")
    return auth


def write(coordinator, key: str, text: str, version: int = 0, ok: int = 302):
    answer = coordinator.post(f"{PAGE}sections/{key}/edit", {"text": text, "version": str(version)})
    assert answer.status_code == ok, answer.text
    return answer


def cli(runner, tmp_path, fmt: str, *extra: str):
    out = tmp_path / f"annual.{fmt}"
    result = runner.invoke(
        args=["annual-report", PK, "--year", YEAR, "--format", fmt, "--output", str(out), *extra]
    )
    assert result.exit_code == 0, result.output
    return out


def docx_text(path) -> tuple[list[str], list[str], dict[str, list[list[str]]]]:
    """The Word file as its reader meets it: its level-1 headings, its paragraphs, and each
    table's rows (by its first header cell)."""
    word = Document(io.BytesIO(path.read_bytes()))
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    paragraphs = [p.text for p in word.paragraphs]
    tables = {}
    for table in word.tables:
        rows = [[c.text for c in row.cells] for row in table.rows]
        tables.setdefault(rows[0][0], rows)
    return headings, paragraphs, tables


def test_the_annual_report_has_the_templates_headings_the_records_figures_and_the_narrative(
    app, coordinator, runner, tmp_path
):
    a_year_of_reporting(app)
    write(
        coordinator,
        "preface",
        "Synthetic preface.\n\n- first point\n- second point, see https://example.test/one",
    )
    write(coordinator, "introduction", "Synthetic words of the chair.")

    headings, paragraphs, tables = docx_text(cli(runner, tmp_path, "docx"))
    assert headings == ["Contents", *HEADINGS]
    assert "Synthetic preface." in paragraphs and "first point" in paragraphs
    assert "Synthetic words of the chair." in paragraphs
    assert "Not written yet." in paragraphs  # the context, which nobody wrote

    # The Progress/Update rows of the year's four reporting dates.
    progress = tables["Date"]
    shown = [row[0] for row in progress[1:] if row[1] == "Progress/Update Report"]
    assert shown == [f"{d:%d/%m/%Y}" for d in MEETINGS]
    assert any("4 Progress/Update reports were made" in p for p in paragraphs)
    assert any("2 improvement actions were completed" in p for p in paragraphs)
    # The KPI's latest figure in each year: July 2022 (33), July 2021 (21), and none before.
    irds = next(row for row in tables["KPI"] if row[0] == "No. of IRDs held")
    assert irds[1] == "33 (Jul 2022)" and irds[2] == "21 (Jul 2021)"
    assert irds[3] == "No figure"
    # The meetings: two actions updated for each, on time only for the first.
    meetings = tables["Reporting date"]
    assert [row[2:] for row in meetings[1:]] == [
        ["2", "2", "0"],
        ["3", "0", "3"],
        ["2", "0", "2"],
        ["3", "0", "3"],
    ]

    # The PDF says the same, as its reader sees it.
    pdf = cli(runner, tmp_path, "pdf")
    read = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    text = " ".join(read.stdout.split())
    for heading in HEADINGS:
        assert heading in text
    assert "Synthetic words of the chair." in text and "33 (Jul 2022)" in text

    # Made again after later updates and figures, it is the same.
    before = docx_text(cli(runner, tmp_path, "docx"))
    in_session(app, lambda s: report(s, "1.2", Rag.RED, on=dt.date(2022, 9, 1)))

    def later_figure(session):
        irds = session.scalars(sa.select(Kpi).where(Kpi.key == "no-of-irds-held")).one()
        record_value(session, irds, irds.area, actor=None, period="2022-08", value=99)
        session.commit()

    in_session(app, later_figure)
    after = docx_text(cli(runner, tmp_path, "docx"))
    assert after == before


def test_two_coordinators_saving_one_section_see_the_conflict_with_both_texts(
    app, coordinator, client_for
):
    other = AuthActions(client_for(app, "admin"), {})
    mine = coordinator.client.get(f"{PAGE}sections/context/edit").text
    assert 'name="version" value="0"' in mine
    write(other, "context", "Their synthetic context.")
    clash = write(coordinator, "context", "My synthetic context.", ok=409)
    assert "Their synthetic context." in clash.text and "My synthetic context." in clash.text
    assert 'name="version" value="1"' in clash.text  # saving again goes on top of theirs
    write(coordinator, "context", "My synthetic context.", version=1)
    versions = in_session(
        app,
        lambda s: [
            (t.version, t.text)
            for t in s.scalars(sa.select(AnnualReportText).order_by(AnnualReportText.version))
        ],
    )
    assert versions == [(1, "Their synthetic context."), (2, "My synthetic context.")]
    history = coordinator.client.get(f"{PAGE}sections/context/edit").text
    assert (
        "Version 2, by pk.coordinator@test.invalid" in history
        and "Version 1, by admin@test.invalid" in history
    )


def test_hook_report_templates(make_app, tmp_path):
    extra = ReportTemplate(
        key="synthetic-extra",
        title="Synthetic extra section",
        source="Test",
        extends=STANDARDS,
        sections=(
            TemplateSection("synthetic", "A synthetic section at 35", 35, data=("meetings",)),
        ),
    )
    broken = ReportTemplate(
        key="broken",
        title="Broken",
        source="Test",
        sections=(TemplateSection("x", "X", 1, data=("nothing",)),),
    )
    app = make_app(
        EXTRA_PLUGINS=[("annual-extra", Plugin(report_templates=lambda: [extra, broken]))]
    )
    runner = app.test_cli_runner()
    headings, _, _ = docx_text(cli(runner, tmp_path, "docx"))
    assert headings[1:] == [*HEADINGS[:3], "A synthetic section at 35", *HEADINGS[3:]]
    result = runner.invoke(
        args=[
            "annual-report",
            PK,
            "--year",
            YEAR,
            "--format",
            "html",
            "--output",
            str(tmp_path / "a.html"),
        ]
    )
    assert "no data block 'nothing'" in result.output


def test_approval_locks_the_words_and_the_public_page_shows_no_detail_names_or_links(
    app, coordinator, client_for, accounts
):
    a_year_of_reporting(app)

    def sensitive(session):
        from core.enums import RecommendationSource
        from core.models import User
        from core.services.accounts.contributors import link_contributor
        from core.services.improvement import learning_reviews, recommendations
        from tests.helpers import action

        admin = session.scalars(sa.select(User).where(User.email == accounts["admin"])).one()
        area = action(session, "1.1").plan.area
        review = learning_reviews.add(
            session,
            actor=admin,
            area=area,
            reference="LR-SECRET-REF",
            notified_on=dt.date(2021, 11, 1),
        )
        words = recommendations.RecommendationText(
            "SECRET-R1", RecommendationSource.LEARNING_REVIEW, "Secret wording"
        )
        recommendations.add(session, actor=admin, area=area, words=words, learning_review=review)
        link_contributor(session, action(session, "1.1"), actor=None, email=accounts["lead"])
        session.commit()
        from core.services.progress.progress import post_update

        post_update(
            session,
            action(session, "1.2"),
            actor=None,
            reported_on=dt.date(2022, 5, 1),
            status=ProgressStatus.IN_PROGRESS,
            rag=Rag.GREEN,
            commentary="x",
            evidence_url="https://evidence.test.invalid/secret",
        )
        session.commit()

    in_session(app, sensitive)
    write(coordinator, "introduction", "Synthetic approved words.")
    public = f"/public/{PK}/annual/{YEAR}/"
    visitor = app.test_client()
    assert visitor.get(public).status_code == 404  # not approved, not public
    assert coordinator.post(f"{PAGE}public", {}).status_code == 302
    told = coordinator.client.get(PAGE).text
    assert "Only a report the committee has approved can be public" in told
    assert not in_session(app, lambda s: s.scalars(sa.select(AnnualReport)).one().public)
    revision = in_session(app, lambda s: s.scalars(sa.select(AnnualReport)).one().revision)
    assert (
        coordinator.post(
            f"{PAGE}approve", {"revision": str(revision), "approved_on": "2022-10-05"}
        ).status_code
        == 302
    )
    assert write(coordinator, "introduction", "Changed after approval", version=1, ok=400)
    assert coordinator.post(f"{PAGE}public", {}).status_code == 302
    page = visitor.get(public)
    assert page.status_code == 200
    text = page.text
    assert (
        "Synthetic approved words." in text
        and "approved by the committee on 5 October 2022" in text
    )
    for secret in (
        "LR-SECRET-REF",
        "Secret wording",
        "SECRET-R1",
        accounts["lead"],
        "evidence.test.invalid",
        "lead@",
    ):
        assert secret not in text, secret
    assert "Notification received" in text  # learning reviews as counts only

    # Approved, its figures stay as they were even when the record changes.
    in_session(app, lambda s: report(s, "1.1", Rag.RED, on=MEETINGS[3] - dt.timedelta(days=1)))
    assert visitor.get(public).text == text


def test_who_may_write_approve_and_read_the_annual_report(app, coordinator, client_for):
    for who in ("viewer", "angus", "pg5", "lead"):
        web = client_for(app, who)
        assert web.get(PAGE).status_code == 200
        assert web.get(f"{PAGE}sections/preface/edit").status_code == 403
        token = re.search(
            r'name="csrf_token" value="([^"]+)"', web.get("/account/password").text
        ).group(1)
        for path, form in (
            ("sections/preface/edit", {"text": "x", "version": "0"}),
            ("template", {"template": STANDARDS}),
            ("approve", {"revision": "1", "approved_on": "2022-10-05"}),
        ):
            assert web.post(PAGE + path, data={**form, "csrf_token": token}).status_code == 403
    assert in_session(app, lambda s: s.scalar(sa.select(sa.func.count(AnnualReport.id)))) == 0
    for bad in ("2021-23", "21-22", "nonsense", "2099-00"):
        assert coordinator.client.get(f"/areas/{PK}/annual-reports/{bad}/").status_code == 404


def test_the_annual_report_through_the_api(app, api):
    a_year_of_reporting(app)
    answer = api("get", f"/api/v1/areas/{PK}/annual-reports/{YEAR}")
    assert answer.status_code == 200, answer.text
    assert [s["title"] for s in answer.json["sections"]] == HEADINGS
    assert answer.json["starts_on"] == "2021-08-01" and answer.json["ends_on"] == "2022-07-31"
    html = api("get", f"/api/v1/areas/{PK}/annual-reports/{YEAR}?format=html")
    assert html.status_code == 200 and b'<h2 id="context-heading">Context</h2>' in html.data
    made = api("get", f"/api/v1/areas/{PK}/annual-reports/{YEAR}?format=docx")
    assert made.status_code in (200, 202)
    assert api("get", f"/api/v1/areas/{PK}/annual-reports/2021").status_code == 404


def test_self_styled_pages_allow_exactly_their_own_styles(app, reader):
    import base64
    import hashlib

    page = reader.get(f"/areas/{PK}/plans/2021-2023/report/print")
    assert page.status_code == 200
    (style,) = re.findall(r"<style>(.*?)</style>", page.text, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = page.headers["Content-Security-Policy"]
    assert f"style-src 'self' 'sha256-{digest}';" in policy and "unsafe-inline" not in policy
    assert "script-src" not in policy and "default-src 'self'" in policy


def test_pg5_writes_the_tayside_wide_annual_report_of_the_shared_actions(
    app, client_for, accounts, tayside_adoptions, runner, tmp_path
):
    tayside = f"/areas/tayside/annual-reports/{YEAR}/"
    pg5 = AuthActions(client_for(app, "pg5"), {})
    answer = pg5.post(
        f"{tayside}sections/introduction/edit", {"text": "Synthetic PG5 words.", "version": "0"}
    )
    assert answer.status_code == 302, answer.text
    coordinator = client_for(app, "pk")
    assert coordinator.get(f"{tayside}sections/introduction/edit").status_code == 403
    out = tmp_path / "tayside.docx"
    result = runner.invoke(
        args=["annual-report", "tayside", "--year", YEAR, "--format", "docx", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    headings, paragraphs, tables = docx_text(out)
    assert headings[1] == HEADINGS[0]
    assert "Synthetic PG5 words." in paragraphs
    shared = tables["Shared action"]
    assert shared[0][1:] == ["Angus", "Dundee", "Perth and Kinross", "Tayside"]
    assert len(shared) > 1 and all(len(row) == 5 for row in shared)
    page = pg5.client.get("/areas/tayside/annual-reports/").text
    assert "TRIC PG5's Tayside-wide annual report" in page and YEAR in page


def test_the_kpis_are_charted_year_on_year_in_every_format(app, runner, tmp_path):
    a_year_of_reporting(app)
    word = Document(io.BytesIO(cli(runner, tmp_path, "docx").read_bytes()))
    (picture,) = word.inline_shapes
    described = picture._inline.docPr.get("descr")
    # The chart in words: this year from 22 (August) to 33 (July), last year from 10 to 21.
    assert "2021-22: Aug 22, Sep 23" in described and "Jul 33" in described
    assert "2020-21: Aug 10" in described and "2019-20" not in described
    html = cli(runner, tmp_path, "html").read_text()
    assert "No. of IRDs held: 2021-22 against the two years before" in html
    assert html.count("<svg") >= 1 and 'aria-labelledby="chart-management-information-' in html
