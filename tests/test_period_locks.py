"""Locking a reporting period once the committee has had its report: nothing reported for it
can then be added, corrected or withdrawn, except by an admin, which the audit trail records.
The updates are synthetic."""

from __future__ import annotations

import sqlalchemy as sa

from core.models import AuditEntry, ProgressUpdate
from tests.helpers import MARCH, PK, AuthActions, action, csrf_token, in_session, plan_of
from tests.served import api_token

PLAN = f"/areas/{PK}/plans/2021-2023"
UPDATE = {"status": "in_progress", "rag": "A", "commentary": "Synthetic"}


def march_update(app, code: str = "1.1") -> int:
    return in_session(
        app,
        lambda s: s.scalar(
            sa.select(ProgressUpdate.id).where(
                ProgressUpdate.action_id == action(s, code).id,
                ProgressUpdate.reported_on == MARCH.replace(day=1),
                ProgressUpdate.retired_at.is_(None),
            )
        ),
    )


def test_a_locked_period_refuses_changes_but_an_admins_which_are_audited(
    meetings, accounts, client
):
    app = meetings
    AuthActions(client, accounts).login("pk")
    dates = f"{PLAN}/reporting-dates"
    locked = client.post(
        f"{dates}/{MARCH.isoformat()}/lock", data={"csrf_token": csrf_token(client, dates)}
    )
    assert locked.status_code == 302
    page = client.get(dates).text
    cell = page[page.index(f'id="lock-{MARCH.isoformat()}"') :]
    assert "Locked" in cell[: cell.index("</td>")]

    def api(who: str, method: str, path: str, body=None):
        headers = {"Authorization": f"Bearer {api_token(app, accounts[who])}"}
        return getattr(app.test_client(), method)(path, json=body, headers=headers)

    one = in_session(app, lambda s: action(s, "1.5").id)
    refused = api(
        "pk", "post", f"/api/v1/actions/{one}/updates", {**UPDATE, "reported_on": "2022-03-15"}
    )
    assert refused.status_code == 422
    assert (
        "The period up to the meeting on 31 March 2022 is locked" in refused.get_json()["message"]
    )
    original = march_update(app)
    fix = api("pk", "post", f"/api/v1/updates/{original}/correction", {"rag": "R", "reason": "x"})
    assert fix.status_code == 422
    gone = api("pk", "post", f"/api/v1/updates/{original}/withdrawal", {"reason": "x"})
    assert gone.status_code == 422
    later = api(
        "pk", "post", f"/api/v1/actions/{one}/updates", {**UPDATE, "reported_on": "2022-04-15"}
    )
    assert later.status_code == 201  # the next period is open
    plan_id = in_session(app, lambda s: plan_of(s).id)
    earlier = api(
        "pk",
        "post",
        f"/api/v1/plans/{plan_id}/reporting-dates",
        {"date": "2022-02-28", "deadline": "2022-02-20"},
    )
    assert earlier.status_code == 422 and "locked" in earlier.get_json()["message"]

    by_admin = api(
        "admin", "post", f"/api/v1/updates/{original}/correction", {"rag": "R", "reason": "Minuted"}
    )
    assert by_admin.status_code == 201
    events = in_session(
        app,
        lambda s: s.scalars(
            sa.select(AuditEntry.summary).where(AuditEntry.event == "locked_period_changed")
        ).all(),
    )
    assert events == [
        "admin@test.invalid corrected an update of action 1.1 in the locked period up to "
        "31 March 2022"
    ]

    lock_path = f"/api/v1/plans/{plan_id}/reporting-dates/{MARCH.isoformat()}/lock"
    assert api("pk", "post", lock_path).status_code == 409  # locked already
    assert api("angus", "post", lock_path).status_code == 403
    assert api("pk", "delete", lock_path).status_code == 403  # only an admin unlocks
    future = api(
        "pk",
        "post",
        f"/api/v1/plans/{plan_id}/reporting-dates",
        {"date": "2099-01-31", "deadline": "2099-01-17"},
    )
    assert future.status_code == 201
    too_soon = api("pk", "post", f"/api/v1/plans/{plan_id}/reporting-dates/2099-01-31/lock")
    assert too_soon.status_code == 422
    unlocked = api("admin", "delete", lock_path)
    assert unlocked.status_code == 200 and unlocked.get_json()["locked_at"] is None
    again = api(
        "pk", "post", f"/api/v1/actions/{one}/updates", {**UPDATE, "reported_on": "2022-03-15"}
    )
    assert again.status_code == 201
