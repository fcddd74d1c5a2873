"""Missing updates: for each reporting date, the actions with no update for its period, by
lead, on a page and through the API. The updates are synthetic."""

from __future__ import annotations

import sqlalchemy as sa

from core.models import Action, ProgressUpdate
from core.services.progress.progress import withdraw_update
from tests.helpers import MARCH, PK, SEPTEMBER, action, in_session, plan_of

PLAN = f"/areas/{PK}/plans/2021-2023"


def every_code(app) -> list[str]:
    return in_session(
        app,
        lambda s: list(s.scalars(sa.select(Action.code).where(Action.plan_id == plan_of(s).id))),
    )


def missing_codes(client, day) -> list[str]:
    plan_id = in_session(client.application, lambda s: plan_of(s).id)
    answer = client.get(f"/api/v1/plans/{plan_id}/reporting-dates/{day.isoformat()}/missing")
    assert answer.status_code == 200, answer.text
    return [a["code"] for a in answer.get_json()["actions"]]


def test_each_meeting_lists_the_actions_with_no_update_for_its_period(meetings, reader):
    app = meetings
    everything = every_code(app)
    march = missing_codes(reader, MARCH)
    # Reported in March: 1.1, 1.2, 1.3 and 1.4 (completed).
    assert sorted(march) == sorted(c for c in everything if c not in {"1.1", "1.2", "1.3", "1.4"})
    september = missing_codes(reader, SEPTEMBER)
    # Reported since March: 1.1, 1.2, 1.3 and 2.1; 1.4 was completed before the period.
    assert "1.4" not in september and "2.1" not in september
    assert sorted(september) == sorted(
        c for c in everything if c not in {"1.1", "1.2", "1.3", "1.4", "2.1"}
    )

    def withdraw(session):
        update = session.scalars(
            sa.select(ProgressUpdate)
            .where(ProgressUpdate.action_id == action(session, "1.2").id)
            .order_by(ProgressUpdate.reported_on.desc())
        ).first()
        withdraw_update(session, update, actor=None, reason="Posted on the wrong action")
        session.commit()

    in_session(app, withdraw)
    assert "1.2" in missing_codes(reader, SEPTEMBER)  # a withdrawn update does not count


def test_the_page_groups_them_by_lead(meetings, reader):
    page = reader.get(f"{PLAN}/reporting-dates/{SEPTEMBER.isoformat()}/missing")
    assert page.status_code == 200
    assert "Missing updates for the meeting on 30 September 2022" in page.text
    assert "since the meeting on 31 March 2022" in page.text

    def leads_of(session, code):
        return [lead.name for lead in action(session, code).leads]

    for code in ("1.5", "3.1"):
        for lead in in_session(meetings, lambda s, code=code: leads_of(s, code)):
            section = page.text[page.text.index(f">{lead} (") :]
            section = section[: section.index("</ul>")]
            assert f"Action {code}</a>" in section, (code, lead)
    assert "Action 1.1</a>" not in page.text
    dates = reader.get(f"{PLAN}/reporting-dates").text
    assert f"{PLAN}/reporting-dates/{SEPTEMBER.isoformat()}/missing" in dates


def test_a_date_that_is_not_a_reporting_date_is_not_found(meetings, reader):
    assert reader.get(f"{PLAN}/reporting-dates/2022-04-01/missing").status_code == 404
    plan_id = in_session(meetings, lambda s: plan_of(s).id)
    missing = reader.get(f"/api/v1/plans/{plan_id}/reporting-dates/2022-04-01/missing")
    assert missing.status_code == 404
