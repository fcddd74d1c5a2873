"""Public plan pages: a published plan its coordinator made public is readable without an
account, with the progress the committee approved; nothing else is public, drafts never."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from core.enums import ProgressStatus, Rag
from core.models import Plan
from core.services.progress.period_locks import lock_period
from core.services.progress.progress import post_update
from core.services.progress.reporting import reporting_date_on
from tests.helpers import PK, AuthActions, action, add_reporting_date, in_session, plan_of

PUBLIC = f"/public/{PK}/2021-2023/"


def _history(app) -> None:
    """Synthetic: the March 2022 meeting approved 1.1's update; a later one is not approved."""

    def add(session):
        add_reporting_date(session, dt.date(2022, 3, 31))
        session.flush()
        first = action(session, "1.1")
        for day, rag, words in (
            (dt.date(2022, 3, 1), Rag.AMBER, "Synthetic: approved by the committee"),
            (dt.date(2022, 4, 15), Rag.RED, "Synthetic: not yet seen by the committee"),
        ):
            post_update(
                session,
                first,
                actor=None,
                reported_on=day,
                status=ProgressStatus.IN_PROGRESS,
                rag=rag,
                commentary=words,
                evidence_url="https://intranet.example/private-minutes",
            )
        lock_period(
            session, reporting_date_on(session, plan_of(session), dt.date(2022, 3, 31)), actor=None
        )
        session.commit()

    in_session(app, add)


def test_a_plan_is_public_only_once_its_coordinator_says_so(app, accounts, client_for):
    _history(app)
    visitor = app.test_client()
    assert visitor.get(PUBLIC).status_code == 404
    assert visitor.get(f"{PUBLIC}print").status_code == 404

    coordinator = AuthActions(client_for(app, "pk"), accounts)
    plan_page = f"/areas/{PK}/plans/2021-2023/"
    assert "Make this plan public" in coordinator.client.get(plan_page).text
    made = coordinator.post(f"/areas/{PK}/plans/2021-2023/public", {"public": "on"})
    assert made.status_code == 302
    assert f"http://localhost{PUBLIC}" in coordinator.client.get(plan_page).text

    page = visitor.get(PUBLIC)
    assert page.status_code == 200
    text = page.text
    first = in_session(app, lambda s: action(s, "1.1"))
    assert first.text.split("\n")[0][:60] in text.replace("&#39;", "'").replace("&amp;", "&")
    assert "Synthetic: approved by the committee" in text
    assert "at its meeting on 31 March 2022" in text
    # Nothing the committee has not approved, and nothing private.
    assert "Synthetic: not yet seen by the committee" not in text
    assert "intranet.example" not in text
    assert "@" not in text.replace("@media", "")
    assert "Sign out" not in text
    printed = visitor.get(f"{PUBLIC}print")
    assert printed.status_code == 200 and "Synthetic: approved by the committee" in printed.text

    # Every other page still needs an account.
    assert visitor.get(f"/areas/{PK}/").status_code == 302
    assert visitor.get(f"/actions/{first.id}").status_code == 302

    coordinator.post(f"/areas/{PK}/plans/2021-2023/public", {"public": "off"})
    assert visitor.get(PUBLIC).status_code == 404


def test_the_api_sets_public_and_drafts_are_never_public(app, api):
    plan_id = in_session(app, lambda s: plan_of(s).id)
    draft_id = in_session(app, lambda s: plan_of(s, "angus").id)
    assert (
        api("patch", f"/api/v1/plans/{plan_id}", who="angus", json={"public": True}).status_code
        == 403
    )
    assert (
        api("patch", f"/api/v1/plans/{plan_id}", who="viewer", json={"public": True}).status_code
        == 403
    )
    made = api("patch", f"/api/v1/plans/{plan_id}", who="pk", json={"public": True})
    assert made.status_code == 200 and made.get_json()["public"] is True
    assert app.test_client().get(PUBLIC).status_code == 200
    assert "The committee has not yet approved" in app.test_client().get(PUBLIC).text

    refused = api("patch", f"/api/v1/plans/{draft_id}", who="angus", json={"public": True})
    assert refused.status_code == 422 and "never a draft" in refused.text
    # Even with the flag set behind the app's back, a draft is not shown.
    in_session(
        app,
        lambda s: (s.execute(sa.update(Plan).where(Plan.id == draft_id).values(public=True)),
                   s.commit()),
    )  # fmt: skip
    assert app.test_client().get("/public/angus/2021-2023/").status_code == 404
