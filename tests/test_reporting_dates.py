"""Reporting dates: each plan's committee meetings with a deadline for updates, and TRIC PG5's
own, set in the app and through the API by those allowed, refused when wrong, kept once
reported on, and offered as "as at" choices."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from core.enums import Rag
from core.models import AuditEntry, ReportingDate
from tests.helpers import (
    PK,
    AuthActions,
    add_reporting_date,
    csrf_token,
    in_session,
    plan_of,
    report,
)
from tests.served import api_token

PLAN = f"/areas/{PK}/plans/2021-2023"


def _api(app, accounts, who):
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {api_token(app, accounts[who])}"
    return client


def test_coordinators_set_reporting_dates_through_the_api(app, accounts):
    plan_id = in_session(app, lambda s: plan_of(s).id)
    pk = _api(app, accounts, "pk")
    path = f"/api/v1/plans/{plan_id}/reporting-dates"
    made = pk.post(path, json={"date": "2022-03-31", "deadline": "2022-03-17"})
    assert made.status_code == 201
    assert made.json == {"date": "2022-03-31", "deadline": "2022-03-17", "locked_at": None}
    pk.post(path, json={"date": "2021-11-30", "deadline": "2021-11-16"})
    assert [d["date"] for d in pk.get(path).json] == ["2021-11-30", "2022-03-31"]
    again = pk.post(path, json={"date": "2022-03-31", "deadline": "2022-03-01"})
    assert again.status_code == 409 and "already a reporting date" in again.json["message"]
    wrong = pk.post(path, json={"date": "2021-01-31", "deadline": "2021-02-28"})
    assert wrong.status_code == 422
    assert set(wrong.json["errors"]["json"]) == {"date", "deadline"}  # both, in one answer
    assert (
        _api(app, accounts, "angus")
        .post(path, json={"date": "2022-06-30", "deadline": "2022-06-16"})
        .status_code
        == 403
    )
    assert _api(app, accounts, "viewer").get(path).status_code == 200
    # A date that has passed is kept; one to come, with nothing reported for it, can go.
    assert pk.delete(f"{path}/2022-03-31").status_code == 422
    future = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    plan_end = in_session(app, lambda s: plan_of(s).period_end)
    if dt.date.fromisoformat(future) > plan_end:  # the plan has ended: any later date will do
        assert pk.post(path, json={"date": future, "deadline": future}).status_code == 201
        assert pk.delete(f"{path}/{future}").status_code == 204
    assert pk.delete(f"{path}/2099-01-01").status_code == 404
    kinds = in_session(
        app,
        lambda s: {
            e.event
            for e in s.scalars(sa.select(AuditEntry).where(AuditEntry.kind == "reporting_dates"))
        },
    )
    assert "created" in kinds


def test_a_date_with_updates_reported_for_it_is_kept(app, accounts):
    plan_id = in_session(app, lambda s: plan_of(s).id)
    pk = _api(app, accounts, "pk")
    path = f"/api/v1/plans/{plan_id}/reporting-dates"
    soon = dt.date.today() + dt.timedelta(days=30)
    assert (
        pk.post(path, json={"date": soon.isoformat(), "deadline": soon.isoformat()}).status_code
        == 201
    )
    in_session(app, lambda s: report(s, "2.1", Rag.GREEN, on=dt.date.today()))
    kept = pk.delete(f"{path}/{soon.isoformat()}")
    assert kept.status_code == 422 and "already report for this date" in kept.json["message"]


def test_tric_pg5_sets_its_own_dates_for_the_rollup(app, accounts):
    pg5 = _api(app, accounts, "pg5")
    made = pg5.post(
        "/api/v1/rollup/reporting-dates", json={"date": "2022-06-30", "deadline": "2022-06-16"}
    )
    assert made.status_code == 201
    assert (
        _api(app, accounts, "pk")
        .post(
            "/api/v1/rollup/reporting-dates", json={"date": "2022-09-30", "deadline": "2022-09-16"}
        )
        .status_code
        == 403
    )
    assert [d["date"] for d in pg5.get("/api/v1/rollup/reporting-dates").json] == ["2022-06-30"]
    plan_id = in_session(app, lambda s: plan_of(s).id)
    assert pg5.get(f"/api/v1/plans/{plan_id}/reporting-dates").json == []  # kept apart


def test_reporting_dates_in_the_app_and_as_as_at_choices(client, auth, app):
    auth.login("pk")
    page = client.get(f"{PLAN}/reporting-dates")
    assert page.status_code == 200 and "Add reporting date" in page.text
    bad = auth.post(f"{PLAN}/reporting-dates", {"date": "2022-03-31", "deadline": "2022-04-30"})
    assert bad.status_code == 400 and "on or before the reporting date" in bad.text
    added = auth.post(f"{PLAN}/reporting-dates", {"date": "2022-03-31", "deadline": "2022-03-17"})
    assert added.status_code == 302
    listed = client.get(f"{PLAN}/reporting-dates").text
    assert "31 March 2022" in listed and "17 March 2022" in listed
    dashboard = client.get(f"/areas/{PK}/").text
    assert f'href="/areas/{PK}/?as_at=2022-03-31"' in dashboard
    assert f'href="{PLAN}/?as_at=2022-03-31"' in client.get(f"{PLAN}/").text
    removed = client.post(
        f"{PLAN}/reporting-dates/2022-03-31/remove",
        data={"csrf_token": csrf_token(client, "/account/password")},
    )
    assert removed.status_code == 302
    assert "has passed and has been reported on" in client.get(f"{PLAN}/reporting-dates").text
    auth.logout()
    auth.login("viewer")
    assert "Add reporting date" not in client.get(f"{PLAN}/reporting-dates").text
    refused = auth.post(f"{PLAN}/reporting-dates", {"date": "2022-06-30", "deadline": "2022-06-01"})
    assert refused.status_code == 403 and "2022-06-30" not in refused.text  # nothing saved


def test_pages_show_the_latest_reporting_date_or_the_end_of_an_ended_plan(client, auth, app):
    auth.login("pk")
    # No reporting dates: the plan ended on 31 July 2023, so that is what the pages show.
    for url in (f"/areas/{PK}/", f"{PLAN}/"):
        page = client.get(url).text
        assert 'value="2023-07-31"' in page, url
    assert "as at 31 July 2023" in client.get(f"{PLAN}/actions/").text
    assert "Shown as at 31 July 2023, the end of the plan" in client.get(f"/areas/{PK}/").text
    # With reporting dates, the latest on or before today.
    for on in (dt.date(2022, 3, 31), dt.date(2022, 11, 30)):
        in_session(app, lambda s, on=on: (add_reporting_date(s, on), s.commit()))
    dashboard = client.get(f"/areas/{PK}/").text
    assert 'value="2022-11-30"' in dashboard
    assert "Shown as at 30 November 2022, the latest reporting date" in dashboard
    # Asked for a date, a page shows that one.
    assert 'value="2022-01-05"' in client.get(f"/areas/{PK}/?as_at=2022-01-05").text


def test_the_rollup_shows_tric_pg5s_latest_reporting_date(client, auth, app):
    in_session(app, lambda s: (add_reporting_date(s, dt.date(2022, 6, 30), tric=True), s.commit()))
    auth.login("pg5")
    page = client.get("/tric/").text
    assert "as at 30 June 2022" in page
    assert "Shown as at 30 June 2022, TRIC PG5&#39;s latest reporting date" in page
    assert "for TRIC PG5's reporting date of 30 June 2022" in page  # what stale means


@pytest.mark.parametrize(
    ("who", "page", "said"),
    [
        ("viewer", "/areas/perth-and-kinross/plans/2021-2023/reporting-dates", "Perth and Kinross"),
        ("angus", "/areas/perth-and-kinross/plans/2021-2023/reporting-dates", "Perth and Kinross"),
        ("lead", "/areas/perth-and-kinross/plans/2021-2023/reporting-dates", "Perth and Kinross"),
        ("viewer", "/tric/reporting-dates", "TRIC PG5 members"),
        ("pk", "/tric/reporting-dates", "TRIC PG5 members"),
        ("lead", "/tric/reporting-dates", "TRIC PG5 members"),
    ],
)
def test_a_refused_reporting_date_is_403_with_the_reason_and_nothing_saved(
    app, client_for, who, page, said
):
    web = AuthActions(client_for(app, who), {})
    refused = web.post(page, {"date": "2022-06-30", "deadline": ""}, page)
    assert refused.status_code == 403
    assert said in refused.text and "can" in refused.text

    def count(session):
        return session.scalar(sa.select(sa.func.count(ReportingDate.id)))

    assert in_session(app, count) == 0


def test_only_a_date_still_to_come_offers_remove(app, client_for):
    future = dt.date.today() + dt.timedelta(days=30)
    in_session(app, lambda s: (add_reporting_date(s, dt.date(2022, 3, 31)), s.commit()))
    in_session(app, lambda s: (add_reporting_date(s, future), s.commit()))
    page = client_for(app, "pk").get(f"{PLAN}/reporting-dates").text
    assert f"/reporting-dates/{future.isoformat()}/remove" in page
    assert "/reporting-dates/2022-03-31/remove" not in page and "Kept (it has passed)" in page
    assert "a date that has passed, or one still to come" in page  # the hint says the rule
