"""KPIs: definitions from plugins, PG5 and the app; figures entered, corrected, imported, sent
through the API and pulled from an area's own system; combined across Tayside only where the
maths allows; who may do what; what the dashboard flags. Every figure here is synthetic."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from core import db
from core.enums import KpiCombine, KpiFrequency, KpiUnit, KpiValueOrigin
from core.hooks.kpi import Combined, KpiFigure
from core.hooks.plugin_data import AreaSpec, DataSource
from core.models import AuditEntry, Kpi, KpiValue
from core.services.kpis.periods import period_containing
from tests.helpers import PK, AuthActions, csrf_token, in_session
from tests.served import api_token
from tests.test_hooks import Plugin

LAST_MONTH = period_containing(dt.date.today(), "month").previous()


@pytest.fixture
def api(app, accounts):
    """``api(who, method, path, body)``: an API call as one of the test accounts."""
    tokens: dict[str, str] = {}
    client = app.test_client()

    def call(who: str, method: str, path: str, body=None):
        if who not in tokens:
            tokens[who] = api_token(app, accounts[who])
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        return getattr(client, method)(path, json=body, headers=headers)

    return call


def kpi_id(app, name: str, area: str | None = PK) -> int:
    def find(session):
        query = sa.select(Kpi.id).where(Kpi.name == name)
        if area is None:
            query = query.where(Kpi.area_id.is_(None))
        return session.scalars(query).one()

    return in_session(app, find)


def in_force(app, kpi: int) -> list[tuple[str, str, float]]:
    """(area, period, value) of every figure in force, by period and area."""

    def read(session):
        rows = session.execute(
            sa.select(KpiValue.period, KpiValue.value, KpiValue.area_id)
            .where(
                KpiValue.kpi_id == kpi,
                KpiValue.retired_at.is_(None),
                KpiValue.proposed.is_(False),
            )
            .order_by(KpiValue.period_start, KpiValue.area_id)
        )
        from core.models import Area

        slugs = dict(session.execute(sa.select(Area.id, Area.slug)).all())
        return [(slugs[a], p, v) for p, v, a in rows]

    return in_session(app, read)


def tayside_percentage(api, name="Synthetic share seen within 24 hours") -> int:
    made = api(
        "pg5",
        "post",
        "/api/v1/kpis",
        {
            "name": name,
            "unit": "percentage",
            "frequency": "monthly",
            "direction": "higher",
            "combine": "ratio_of_sums",
            "target": {"value": 60},
            "source": "Synthetic test data.",
        },
    )
    assert made.status_code == 201, made.text
    assert made.get_json()["area"] is None
    return made.get_json()["id"]


# Definitions -----------------------------------------------------------------------------


def test_perth_and_kinross_kpis_are_its_appendix_1_evidence_menu_word_for_word(app, seed_text):
    """Each KPI is an entry of the published evidence column (the column read across its rows,
    as the conversion flowed it), with its unit and frequency as the entry states them."""
    appendix = seed_text.split("\nAppendix 1 –")[1].split("\nAppendix 2 –")[0]
    column = " ".join(
        cells[3]
        for cells in (line.split("\t") for line in appendix.splitlines())
        if len(cells) >= 4 and re.fullmatch(r"\d\.\d", cells[1].strip())
    )
    flat = re.sub(r"\s+", " ", column.replace("\uf0b7", " "))

    def read(session):
        query = sa.select(Kpi).join(Kpi.area).options(sa.orm.selectinload(Kpi.actions))
        return list(session.scalars(query.order_by(Kpi.position)))

    shipped = in_session(app, read)
    assert len(shipped) == 22
    for kpi in shipped:
        assert kpi.area_id is not None and kpi.origin == "plugin"
        monthly = f"{kpi.name} – Monthly"
        assert (monthly if kpi.frequency is KpiFrequency.MONTHLY else kpi.name) in flat, kpi.name
        assert kpi.unit is (KpiUnit.PERCENTAGE if "%" in kpi.name else KpiUnit.COUNT)
        sampling = "Sampling" in kpi.name
        assert kpi.frequency in (
            (KpiFrequency.SAMPLING,) if sampling else (None, KpiFrequency.MONTHLY)
        )
        # Nothing the plan does not state: no target, no direction, no link it does not make.
        assert (kpi.target_value, kpi.direction.value, kpi.actions) == (None, "neither", [])
    monthly = [k.name for k in shipped if k.frequency is KpiFrequency.MONTHLY]
    assert monthly == ["No. of IRDs held", "No. on UBB Referrals from services/agencies"]
    # No figure for a real area ships as data (only Scotland's published ones, with sources).
    real = KpiValue.area.has(is_reference=False)
    count = sa.select(sa.func.count(KpiValue.id))
    assert in_session(app, lambda s: s.scalar(count.where(real))) == 0
    sources = in_session(app, lambda s: s.scalars(sa.select(KpiValue.source)).all())
    assert sources and all("https://www.gov.scot/publications/" in t for t in sources)


def test_hook_contribute_kpis(make_app):
    spec = AreaSpec("fictional-isle", "Fictional Isle (synthetic)", "Fictional CPC", True)
    data = {
        "area": "fictional-isle",
        "kpis": [
            {
                "key": "ferry-referrals",
                "name": "Synthetic referrals by ferry",
                "unit": "count",
                "frequency": "quarterly",
                "direction": "lower",
                "target": {"value": 5, "date": "2026-03-31"},
                "source": "Synthetic.",
            }
        ],
    }
    bad = {"area": "fictional-isle", "kpis": [{"key": "x", "name": "No source", "unit": "miles"}]}
    plugin = Plugin(
        register_areas=lambda: [spec],
        contribute_kpis=lambda: [DataSource(data=data), DataSource(data=bad)],
    )
    app = make_app(EXTRA_PLUGINS=[("isle", plugin)])
    kpi = in_session(
        app, lambda s: s.scalars(sa.select(Kpi).where(Kpi.key == "ferry-referrals")).one()
    )
    assert (kpi.unit, kpi.frequency, kpi.target_value) == (
        KpiUnit.COUNT,
        KpiFrequency.QUARTERLY,
        5,
    )
    # The bad file stored nothing and is reported with its fields.
    assert in_session(app, lambda s: s.scalar(sa.select(Kpi).where(Kpi.key == "x"))) is None
    runner = app.test_cli_runner()
    out = runner.invoke(args=["init"]).output
    assert "kpis.0.unit" in out and "kpis.0.source" in out


def test_a_coordinator_defines_a_kpi_in_the_app_linked_to_their_actions(app, client, accounts):
    auth = AuthActions(client, accounts)
    auth.login("pk")
    page = f"/areas/{PK}/kpis/new"
    answer = client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "name": "Synthetic chronologies audited",
            "unit": "percentage",
            "frequency": "quarterly",
            "direction": "higher",
            "target_value": "80",
            "actions": "3.3, 3.4",
        },
    )
    assert answer.status_code == 302, answer.text
    shown = client.get(answer.headers["Location"]).text
    assert "Synthetic chronologies audited" in shown
    assert "Action 3.3" in shown and "Action 3.4" in shown
    assert "80.0%" in shown
    # An action the plan does not have is refused, naming it, and nothing is stored.
    again = client.post(
        page,
        data={"csrf_token": csrf_token(client, page), "name": "Synthetic two", "actions": "9.9"},
    )
    assert again.status_code == 400 and "no action 9.9" in again.text
    assert (
        in_session(app, lambda s: s.scalar(sa.select(Kpi).where(Kpi.name == "Synthetic two")))
        is None
    )


def test_the_api_words_a_kpi_as_the_issue_names_them(api, app):
    made = tayside_percentage(api)
    body = api("viewer", "get", f"/api/v1/kpis/{made}").get_json()
    assert {k: body[k] for k in ("area", "unit", "frequency", "direction", "combine")} == {
        "area": None,
        "unit": "percentage",
        "frequency": "monthly",
        "direction": "higher",
        "combine": "ratio_of_sums",
    }
    assert body["target"] == {"value": 60.0, "date": None}
    listed = api("viewer", "get", f"/api/v1/kpis?area={PK}&page_size=200").get_json()
    # Tayside-wide first, then the 4 national measures, then the area's own 22.
    assert listed["total"] == 27 and listed["items"][0]["id"] == made
    # A percentage cannot be summed: refused, naming the field.
    summed = api(
        "pg5", "post", "/api/v1/kpis", {"name": "x", "unit": "percentage", "combine": "sum"}
    )
    assert summed.status_code == 422 and "combine" in summed.get_json()["errors"]["json"]


# Figures ---------------------------------------------------------------------------------


def test_a_correction_keeps_the_earlier_figure_in_the_history_and_the_audit_trail(app, api):
    irds = kpi_id(app, "No. of IRDs held")
    first = api(
        "pk",
        "post",
        f"/api/v1/kpis/{irds}/values",
        {"area": PK, "period": "2025-03", "value": 12, "source": "Synthetic", "edition": "first"},
    )
    assert first.status_code == 201, first.text
    same = api(
        "pk",
        "post",
        f"/api/v1/kpis/{irds}/values",
        {"area": PK, "period": "2025-03", "value": 12, "source": "Synthetic", "edition": "first"},
    )
    assert same.status_code == 200 and same.get_json()["id"] == first.get_json()["id"]
    fixed = api(
        "pk",
        "post",
        f"/api/v1/kpis/{irds}/values",
        {"area": PK, "period": "2025-03", "value": 14, "source": "Synthetic", "edition": "revised"},
    )
    assert fixed.status_code == 201
    assert fixed.get_json()["corrects"] == first.get_json()["id"]
    assert in_force(app, irds) == [(PK, "2025-03", 14.0)]
    listed = api("viewer", "get", f"/api/v1/kpis/{irds}/values?area={PK}").get_json()
    assert [(v["value"], v["edition"]) for v in listed["items"]] == [(14.0, "revised")]
    reader = app.test_client()
    AuthActions(reader, {"viewer": "viewer@test.invalid"}).login("viewer")
    page = reader.get(f"/kpis/{irds}/").text
    assert "<del>12</del>" in page and "Replaced" in page
    entries = in_session(
        app,
        lambda s: s.execute(
            sa.select(AuditEntry.event, AuditEntry.record_id).where(
                AuditEntry.kind == "kpi_values", AuditEntry.area.has(slug=PK)
            )
        ).all(),
    )
    assert ("retired", first.get_json()["id"]) in entries
    assert sum(1 for event, _ in entries if event != "retired") == 2  # both figures added


def test_a_month_is_refused_for_a_quarterly_kpi_and_a_percentage_needs_both_parts(app, api):
    shared = tayside_percentage(api)
    wrong = api(
        "pk",
        "post",
        f"/api/v1/kpis/{shared}/values",
        {"area": PK, "period": "2025-Q1", "numerator": 1, "denominator": 2},
    )
    assert wrong.status_code == 422 and "2025-03" in wrong.get_json()["message"]
    half = api(
        "pk",
        "post",
        f"/api/v1/kpis/{shared}/values",
        {"area": PK, "period": "2025-03", "numerator": 5},
    )
    assert half.status_code == 422 and "denominator" in half.get_json()["errors"]["json"]
    over = api(
        "pk",
        "post",
        f"/api/v1/kpis/{shared}/values",
        {"area": PK, "period": "2025-03", "numerator": 5, "denominator": 4},
    )
    assert over.status_code == 422
    assert in_force(app, shared) == []


def test_another_areas_coordinator_is_refused_and_nothing_is_stored(app, api, client, accounts):
    irds = kpi_id(app, "No. of IRDs held")
    refused = api(
        "angus",
        "post",
        f"/api/v1/kpis/{irds}/values",
        {"area": PK, "period": "2025-03", "value": 3},
    )
    assert refused.status_code == 403
    AuthActions(client, accounts).login("angus")
    assert client.get(f"/areas/{PK}/kpis/figures").status_code == 403
    posted = client.post(
        f"/areas/{PK}/kpis/figures?month=2025-03",
        data={"csrf_token": csrf_token(client, "/account/password"), f"value-{irds}": "3"},
    )
    assert posted.status_code == 403
    assert api("angus", "post", "/api/v1/kpis", {"name": "x", "area": PK}).status_code == 403
    assert api("pk", "post", "/api/v1/kpis", {"name": "Tayside x"}).status_code == 403
    assert in_force(app, irds) == []


def test_the_months_grid_saves_every_row_or_none(app, client, accounts):
    AuthActions(client, accounts).login("pk")
    irds = kpi_id(app, "No. of IRDs held")
    ubb = kpi_id(app, "No. on UBB Referrals from services/agencies")
    sampled = kpi_id(app, "Sampling (No. and %) of IRDs evaluated as good or better")
    grid = f"/areas/{PK}/kpis/figures?month=2025-03"
    page = client.get(grid)
    assert page.status_code == 200 and "KPI figures for March 2025" in page.text
    bad = client.post(
        grid,
        data={
            "csrf_token": csrf_token(client, grid),
            f"value-{irds}": "12",
            f"value-{ubb}": "lots",
            f"numerator-{sampled}": "7",
            f"denominator-{sampled}": "10",
        },
    )
    assert bad.status_code == 400
    assert "No. on UBB Referrals from services/agencies: Enter a number." in bad.text
    assert (
        "Sampling (No. and %) of IRDs evaluated as good or better: "
        "Write the period as the sampling date" in bad.text
    )
    assert in_force(app, irds) == []  # the good row was not saved either
    good = client.post(
        grid,
        data={
            "csrf_token": csrf_token(client, grid),
            f"value-{irds}": "12",
            f"value-{ubb}": "4",
            f"numerator-{sampled}": "7",
            f"denominator-{sampled}": "10",
            f"period-{sampled}": "2025-03-14",
        },
    )
    assert good.status_code == 302
    assert in_force(app, irds) == [(PK, "2025-03", 12.0)]
    assert in_force(app, sampled) == [(PK, "2025-03-14", 70.0)]
    shown = client.get(f"/kpis/{sampled}/").text
    assert "70.0% (7 of 10)" in shown


def test_a_csv_with_three_mistakes_stores_nothing_and_names_each_row(app, runner, tmp_path):
    irds = kpi_id(app, "No. of IRDs held")
    path = tmp_path / "figures.csv"
    path.write_text(
        "area,kpi,period,value,numerator,denominator,source,edition\n"
        "perth-and-kinross,no-of-irds-held,2025-01,10,,,Synthetic,1\n"
        "perth-and-kinross,no-of-irds-held,2025-Q1,10,,,Synthetic,1\n"
        "nowhere,no-of-irds-held,2025-02,10,,,Synthetic,1\n"
        "perth-and-kinross,no-of-irds-held,2025-03,many,,,Synthetic,1\n",
        encoding="utf-8",
    )
    out = runner.invoke(args=["kpi", "import", str(path)])
    assert out.exit_code == 1
    assert "Row 3, column period" in out.output
    assert "Row 4, column area: There is no area 'nowhere'" in out.output
    assert "Row 5, column value: Enter a number." in out.output
    assert in_force(app, irds) == []
    path.write_text(
        "area,kpi,period,value,source,edition\n"
        "perth-and-kinross,no-of-irds-held,2025-01,10,Synthetic,1\n"
        "perth-and-kinross,no-of-irds-held,2025-02,=1+1,Synthetic,1\n",
        encoding="utf-8",
    )
    assert "Row 3, column value" in runner.invoke(args=["kpi", "import", str(path)]).output
    path.write_text(
        "area,kpi,period,value,source,edition\n"
        "perth-and-kinross,no-of-irds-held,2025-01,10,Synthetic,1\n"
        "perth-and-kinross,no-of-irds-held,2025-02,11,Synthetic,1\n",
        encoding="utf-8",
    )
    done = runner.invoke(args=["kpi", "import", str(path)])
    assert done.exit_code == 0 and "Recorded 2 figure(s)" in done.output
    assert in_force(app, irds) == [(PK, "2025-01", 10.0), (PK, "2025-02", 11.0)]


def test_the_upload_page_imports_only_the_coordinators_own_areas(app, client, accounts):
    AuthActions(client, accounts).login("angus")
    irds = kpi_id(app, "No. of IRDs held")
    blob = b"area,kpi,period,value\nperth-and-kinross,no-of-irds-held,2025-01,10\n"
    answer = client.post(
        "/kpis/import",
        data={
            "csrf_token": csrf_token(client, "/kpis/import"),
            "file": (io.BytesIO(blob), "figures.csv"),
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400
    assert "Row 2, column area: Only Perth and Kinross" in answer.text
    assert in_force(app, irds) == []


# Pulled from an area's own system ----------------------------------------------------------


def test_hook_kpi_values(make_app, accounts_for):
    asked = []

    def kpi_values(area, kpi, period):
        asked.append((area, kpi.key, period))
        if kpi.key == "no-of-irds-held":
            return KpiFigure(value=9, source="Synthetic system", edition="v1")
        if kpi.key == "no-on-ubb-referrals-from-services-agencies":
            raise RuntimeError("the system is down")
        return None

    app = make_app(EXTRA_PLUGINS=[("pk-system", Plugin(kpi_values=kpi_values))])
    accounts_for(app)
    runner = app.test_cli_runner()
    out = runner.invoke(args=["kpi", "pull", "--area", PK, "--period", "2025-03"]).output
    assert "Recorded 1 figure(s)." in out
    assert (
        "No plugin could supply: perth-and-kinross "
        "no-on-ubb-referrals-from-services-agencies 2025-03" in out
    )
    assert "plugin 'pk-system': hook kpi_values raised RuntimeError('the system is down')" in out
    irds = kpi_id(app, "No. of IRDs held")
    assert in_force(app, irds) == [(PK, "2025-03", 9.0)]
    # The pull ran as a job on the queue, which keeps what it did.
    from core.enums import JobState
    from core.models import Job

    pulls = in_session(
        app,
        lambda s: [
            (j.state, j.result) for j in s.scalars(sa.select(Job).where(Job.kind == "kpi_pull"))
        ],
    )
    assert [(state, len(result["recorded"])) for state, result in pulls] == [(JobState.DONE, 1)]

    # A coordinator's own entry is never overwritten: the differing pulled figure waits.
    def enter(session):
        from core.services.kpis import kpis
        from core.services.plans.plans import area_by_slug

        kpi = session.get(Kpi, irds)
        kpis.record_value(
            session, kpi, area_by_slug(session, PK), actor=None, period="2025-04", value=20
        )
        session.commit()

    in_session(app, enter)
    out = runner.invoke(args=["kpi", "pull", "--area", PK, "--period", "2025-04"]).output
    assert "waiting for their decision: perth-and-kinross no-of-irds-held 2025-04" in out
    assert in_force(app, irds)[-1] == (PK, "2025-04", 20.0)
    again = runner.invoke(args=["kpi", "pull", "--area", PK, "--period", "2025-04"]).output
    assert "waiting" not in again  # asked twice, proposed once
    coordinator = app.test_client()
    AuthActions(coordinator, {"pk": "pk.coordinator@test.invalid"}).login("pk")
    page = coordinator.get(f"/kpis/{irds}/").text
    assert "Pulled figures waiting for a decision" in page
    proposal = in_session(
        app, lambda s: s.scalar(sa.select(KpiValue.id).where(KpiValue.proposed.is_(True)))
    )
    decided = coordinator.post(
        f"/kpis/figures/{proposal}/decide",
        data={"csrf_token": csrf_token(coordinator, f"/kpis/{irds}/"), "decision": "accept"},
    )
    assert decided.status_code == 302
    assert in_force(app, irds)[-1] == (PK, "2025-04", 9.0)
    values = in_session(
        app,
        lambda s: s.scalars(
            sa.select(KpiValue.origin).where(
                KpiValue.kpi_id == irds, KpiValue.period == "2025-04", KpiValue.retired_at.is_(None)
            )
        ).all(),
    )
    assert values == [KpiValueOrigin.PULLED]


# Across Tayside ---------------------------------------------------------------------------


def test_a_percentage_across_three_areas_is_the_ratio_of_sums_and_a_gap_is_incomplete(app, api):
    shared = tayside_percentage(api)
    for area, who, n, d in (
        (PK, "pk", 1, 4),
        ("angus", "angus", 3, 4),
        ("dundee", "admin", 60, 120),
    ):
        sent = api(
            who,
            "post",
            f"/api/v1/kpis/{shared}/values",
            {"area": area, "period": "2025-03", "numerator": n, "denominator": d},
        )
        assert sent.status_code == 201, sent.text
    api(
        "pk",
        "post",
        f"/api/v1/kpis/{shared}/values",
        {"area": PK, "period": "2025-04", "numerator": 2, "denominator": 4},
    )
    view = api("pg5", "get", f"/api/v1/kpis/{shared}/tayside").get_json()
    march, april = view["periods"]
    # (1 + 3 + 60) / (4 + 4 + 120) = 50%, not the average of 25%, 75% and 50% (50%) by luck:
    assert march["value"] == pytest.approx(100 * 64 / 128)
    assert march["complete"] is True
    assert march["areas"] == {"angus": 75.0, "dundee": 50.0, PK: 25.0}
    assert april == {
        "period": "2025-04",
        "value": None,
        "complete": False,
        "areas": {"angus": None, "dundee": None, PK: 50.0},
    }
    ranged = api("pg5", "get", f"/api/v1/kpis/{shared}/tayside?from=2025-04&to=2025-04").get_json()
    assert [p["period"] for p in ranged["periods"]] == ["2025-04"]
    reader = app.test_client()
    AuthActions(reader, {"viewer": "viewer@test.invalid"}).login("viewer")
    page = reader.get(f"/kpis/{shared}/").text
    assert "Incomplete: not every area has a figure" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="cpc-chart"' in page
    svg = page.split('class="cpc-chart"', 1)[1].split("</svg>", 1)[0]
    assert ">Apr 2025</text>" in svg and ">2025-04</text>" not in svg  # the axis in words
    assert "Tayside-wide KPIs" in reader.get("/tric/kpis/").text


def test_ratio_of_sums_differs_from_the_average_of_percentages(app, api):
    shared = tayside_percentage(api)
    for area, who, n, d in (
        (PK, "pk", 1, 10),
        ("angus", "angus", 90, 100),
        ("dundee", "admin", 9, 10),
    ):
        api(
            who,
            "post",
            f"/api/v1/kpis/{shared}/values",
            {"area": area, "period": "2025-03", "numerator": n, "denominator": d},
        )
    value = api("pg5", "get", f"/api/v1/kpis/{shared}/tayside").get_json()["periods"][0]["value"]
    assert value == pytest.approx(100 * 100 / 120)
    assert value != pytest.approx((10 + 90 + 90) / 3)


def test_counts_are_summed_and_not_combined_is_side_by_side(app, api):
    summed = api(
        "pg5", "post", "/api/v1/kpis", {"name": "Synthetic IRDs", "unit": "count", "combine": "sum"}
    ).get_json()["id"]
    apart = api(
        "pg5", "post", "/api/v1/kpis", {"name": "Synthetic days", "unit": "days", "combine": "none"}
    ).get_json()["id"]
    for area, who, n in ((PK, "pk", 4), ("angus", "angus", 5), ("dundee", "admin", 6)):
        for kpi in (summed, apart):
            api(
                who,
                "post",
                f"/api/v1/kpis/{kpi}/values",
                {"area": area, "period": "2025", "value": n},
            )
    assert (
        api("pg5", "get", f"/api/v1/kpis/{summed}/tayside").get_json()["periods"][0]["value"] == 15
    )
    side = api("pg5", "get", f"/api/v1/kpis/{apart}/tayside").get_json()["periods"][0]
    assert side["value"] is None and side["complete"] is True and side["areas"][PK] == 4


def test_hook_combine_kpi(make_app, accounts_for):
    def median(kpi, period, figures):
        values = sorted(f.value for f in figures.values() if f is not None)
        return Combined(values[len(values) // 2], True) if kpi.combine is KpiCombine.SUM else None

    app = make_app(
        EXTRA_PLUGINS=[
            ("median", Plugin(combine_kpi=median)),
            ("broken", Plugin(combine_kpi=lambda kpi, period, figures: "not combined")),
        ]
    )
    accounts = accounts_for(app)
    token = api_token(app, accounts["admin"])
    client = app.test_client()
    h = {"Authorization": f"Bearer {token}"}
    made = client.post(
        "/api/v1/kpis",
        json={"name": "Synthetic count", "unit": "count", "combine": "sum"},
        headers=h,
    ).get_json()["id"]
    for area, n in ((PK, 1), ("angus", 10), ("dundee", 100)):
        client.post(
            f"/api/v1/kpis/{made}/values",
            json={"area": area, "period": "2025", "value": n},
            headers=h,
        )
    view = client.get(f"/api/v1/kpis/{made}/tayside", headers=h).get_json()
    assert view["periods"][0]["value"] == 10  # the median plugin's rule, not the sum
    reader = app.test_client()
    AuthActions(reader, accounts).login("viewer")
    page = reader.get(f"/kpis/{made}/").text
    assert "Combined by the rule of the plugin “median”" in page
    assert "core.default_plugins" not in page  # never a module's path
    assert "plugin &#39;broken&#39;: hook combine_kpi answered &#39;not combined&#39;" in page


# The dashboard --------------------------------------------------------------------------


def test_the_dashboard_lists_kpis_off_target_and_with_no_figure_for_the_last_period(
    app, api, reader
):
    shared = tayside_percentage(api)
    last = LAST_MONTH.previous().text
    api(
        "pk",
        "post",
        f"/api/v1/kpis/{shared}/values",
        {"area": PK, "period": last, "numerator": 1, "denominator": 4},
    )
    board = reader.get(f"/areas/{PK}/").text
    off = board[board.index('id="kpis-off-target"') :]
    assert "Synthetic share seen within 24 hours</a>: 25.0% (1 of 4)" in off[: off.index("</ul>")]
    missing = board[board.index('id="kpis-missing"') :]
    missing = missing[: missing.index("</ul>")]
    assert f"Synthetic share seen within 24 hours</a>: no figure for {LAST_MONTH.label}" in missing
    assert f"No. of IRDs held</a>: no figure for {LAST_MONTH.label}" in missing
    api(
        "pk",
        "post",
        f"/api/v1/kpis/{shared}/values",
        {"area": PK, "period": LAST_MONTH.text, "numerator": 3, "denominator": 4},
    )
    board = reader.get(f"/areas/{PK}/").text
    assert "Synthetic share seen within 24 hours</a>: no figure" not in board
    listed = reader.get(f"/areas/{PK}/kpis/").text
    assert "+50 points" in listed and "Moving the right way" in listed


def test_the_committee_report_has_a_kpi_section_as_at_its_date(app, api, client_for):
    irds = kpi_id(app, "No. of IRDs held")
    for period, value in (("2022-07", 10), ("2022-08", 13), ("2022-10", 99)):
        sent = api(
            "pk",
            "post",
            f"/api/v1/kpis/{irds}/values",
            {"area": PK, "period": period, "value": value},
        )
        assert sent.status_code == 201
    plan_id = api("viewer", "get", f"/api/v1/areas/{PK}").get_json()["plans"][0]["id"]
    body = api("viewer", "get", f"/api/v1/plans/{plan_id}/report?as_at=2022-09-30").get_json()
    section = next(s for s in body["sections"] if s["key"] == "kpis")
    table = next(b for b in section["blocks"] if b.get("key") == "kpis")
    rows = [[cell["text"] for cell in row] for row in table["rows"]]
    # October's figure came after the report's date: September's report shows August's.
    # The period as people write it, in the paper and on the KPI pages alike.
    assert rows == [["No. of IRDs held", "13 (August 2022)", "+3", "None set"]]
    # Its 22 and the 4 national measures, less the one with a figure.
    assert "25 KPIs have no figure yet." in section["blocks"][0]["text"]
    book = api("viewer", "get", f"/api/v1/plans/{plan_id}/report?as_at=2022-09-30&format=xlsx")
    sheet = load_workbook(io.BytesIO(book.data))["KPIs"]
    assert "13 (August 2022)" in [cell.value for row in sheet.iter_rows() for cell in row]
    page = client_for(app).get(f"/kpis/{irds}/").text
    assert "(October 2022)" in page and "(2022-10)" not in page


def test_a_kpi_is_reworded_from_the_version_read_and_linked_to_actions(app, api, client, accounts):
    irds = kpi_id(app, "No. of IRDs held")
    read = api("pk", "get", f"/api/v1/kpis/{irds}")
    assert read.headers["ETag"] == '"1"'
    token = api_token(app, accounts["pk"])
    headers = {"Authorization": f"Bearer {token}", "If-Match": read.headers["ETag"]}
    changed = app.test_client().patch(
        f"/api/v1/kpis/{irds}",
        json={"direction": "neither", "target": {"value": 30, "date": "2023-07-31"}},
        headers=headers,
    )
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"'
    stale = app.test_client().patch(f"/api/v1/kpis/{irds}", json={"name": "x"}, headers=headers)
    assert stale.status_code == 412
    unit = app.test_client().patch(
        f"/api/v1/kpis/{irds}", json={"unit": "days"}, headers={**headers, "If-Match": '"2"'}
    )
    assert unit.status_code == 422  # the unit would change what the figures mean
    AuthActions(client, accounts).login("pk")
    page = f"/kpis/{irds}/edit"
    form = client.get(page).text
    assert 'value="30"' in form and 'name="version" value="2"' in form
    saved = client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "version": "2",
            "name": "No. of IRDs held",
            "direction": "neither",
            "target_value": "30",
            "target_date": "2023-07-31",
            "actions": "1.4, 3.1",
        },
    )
    assert saved.status_code == 302
    shown = client.get(f"/kpis/{irds}/").text
    assert "Action 1.4" in shown and "Action 3.1" in shown and "30 by 31 July 2023" in shown
    old = client.post(
        page, data={"csrf_token": csrf_token(client, page), "version": "2", "name": "Renamed"}
    )
    assert old.status_code == 400 and "Someone changed this KPI since you opened it" in old.text
    other = app.test_client()
    AuthActions(other, accounts).login("angus")
    assert other.get(page).status_code == 403


def test_demo_data_gives_synthetic_areas_synthetic_kpi_series_and_real_areas_none(app):
    from core.services.demo.demo_data import DEMO_KPIS, DemoSize, load_demo_data

    with app.app_context():
        session = db.get_session()
        load_demo_data(session, DemoSize(areas=2, plans=1, actions=3, months=5))
        rows = session.execute(
            sa.select(Kpi.name, sa.func.count(KpiValue.id), sa.func.min(KpiValue.origin))
            .join(Kpi.area)
            .join(KpiValue, KpiValue.kpi_id == Kpi.id)
            .where(Kpi.area.has(is_synthetic=True))
            .group_by(Kpi.id, Kpi.name)
        ).all()
        real = session.scalar(
            sa.select(sa.func.count(KpiValue.id)).where(
                KpiValue.area.has(is_synthetic=False, is_reference=False)
            )
        )
    assert len(rows) == 2 * len(DEMO_KPIS)
    assert all(name.startswith("Synthetic: ") and n == 5 for name, n, _ in rows)
    assert {origin for _, _, origin in rows} == {KpiValueOrigin.SYNTHETIC}
    assert real == 0


def test_kpi_keys_are_whole_words_listed_where_the_csv_import_needs_them(app, client_for):
    from core import migrate

    def shipped(session):
        return {
            k.name: k.key for k in session.scalars(sa.select(Kpi).where(Kpi.area_id.is_not(None)))
        }

    keys = in_session(app, shipped)
    for name, key in keys.items():
        words = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        assert words == key or words.startswith(f"{key}-"), key  # never cut inside a word
    page = client_for(app, "pk").get(f"/areas/{PK}/kpis/").text
    assert "Key (for CSV files)" in page and all(key in page for key in keys.values())
    # An installation that loaded the first, cut keys has them renamed by its migration.
    engine = app.extensions["cpc_engine"]
    migrate.downgrade(engine, "0017")
    cut = "no-of-staff-undertaking-various-learning-and-development-opportunities-courses-e"
    assert cut in in_session(app, lambda s: set(s.scalars(sa.select(Kpi.key))))
    migrate.upgrade(engine)
    assert set(in_session(app, shipped).values()) == set(keys.values())


def test_the_charts_key_names_every_series_whole_under_the_chart():
    from core.web.kpi_chart import line_chart

    names = [f"Synthetic area {n:02d} with a long name that would not fit" for n in range(30)]
    chart = str(line_chart("Synthetic", ["2025-01", "2025-02"], {n: [1.0, 2.0] for n in names}))
    svg, key = chart.split("</svg>", 1)[0], chart.split('<ul class="cpc-chart-key"', 1)[1]
    assert all(name in key for name in names)  # every name whole, in the page's text
    assert "Synthetic area" not in svg  # none squeezed into the drawing
