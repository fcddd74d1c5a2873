"""Each role against each kind of write: allowed, or refused with 403 and nothing changed,
whatever the form or URL says. Coordinators write only their own areas; PG5 keeps the wording
of the shared actions; viewers write nothing; admins write everything."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from core.enums import ActionKind, ActionOrigin
from core.models import (
    Action,
    ActionChange,
    Area,
    NotApplicable,
    Plan,
    ProgressUpdate,
    SharedAction,
    SharedActionVersion,
    User,
)
from core.services.tric.shared import create_shared_action
from tests.helpers import PK, action, in_session

# The shipped frames adopt nothing: these tests adopt as the coordinators would.
pytestmark = pytest.mark.usefixtures("tayside_adoptions")

ROLES = ("admin", "pk", "angus", "pg5", "viewer")
TODAY = dt.date.today().isoformat()


def _first(session, area_slug: str, origin: ActionOrigin) -> Action:
    return session.scalars(
        sa.select(Action)
        .join(Plan)
        .where(Plan.area.has(slug=area_slug), Action.origin == origin)
        .order_by(Action.position)
        .limit(1)
    ).one()


def _count(model, *where):
    return lambda s: s.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _target_account(session) -> int:
    """An account that the account-management writes change (not one the test signs in as)."""
    email = "target.account@test.invalid"
    found = session.scalar(sa.select(User.id).where(User.email == email))
    if found is None:
        user = User(email=email, password_hash="unusable")
        session.add(user)
        session.commit()
        found = user.id
    return found


def _spare_shared_action(session) -> SharedAction:
    """A shared action no area has adopted yet (each adopting write undoes the last)."""
    found = session.scalar(sa.select(SharedAction).where(SharedAction.key == "spare-test-action"))
    if found is None:
        found = create_shared_action(
            session,
            actor=None,
            title="Spare test action",
            text="Synthetic",
            kind=ActionKind.ONGOING,
        )
    for copy in session.scalars(sa.select(Action).where(Action.shared_action_id == found.id)):
        session.delete(copy)
    for record in session.scalars(
        sa.select(NotApplicable).where(NotApplicable.shared_action_id == found.id)
    ):
        session.delete(record)
    session.commit()
    return found


def _writes(app, accounts):
    """Each write: (URL, form, what to look at before and after, who may do it)."""

    def ids(s):
        return {
            "local": _first(s, PK, ActionOrigin.LOCAL),
            "shared": _first(s, PK, ActionOrigin.ADOPTED),
            "angus": _first(s, "angus", ActionOrigin.ADOPTED),
            "completing": action(s, "2.2"),
        }

    found = in_session(app, ids)
    local, shared = found["local"], found["shared"]
    definition = in_session(app, lambda s: s.get(SharedAction, shared.shared_action_id))
    spare = in_session(app, _spare_shared_action)
    spare_area = in_session(app, lambda s: s.scalar(sa.select(Area.id).where(Area.slug == "angus")))
    viewer = in_session(app, _target_account)
    update = {
        "reported_on": TODAY,
        "status": "in_progress",
        "rag": "A",
        "rag_reason": "Amber although past its target date: a test",
        "commentary": "Test",
    }

    def wording(a: Action):
        return {
            "text": "Reworded by a test",
            "expected_impact": a.expected_impact,
            "leads": "Test lead",
            "revision": str(a.revision),
        }

    return {
        "report on a Perth and Kinross action": (
            f"/actions/{local.id}/updates/new",
            update,
            _count(ProgressUpdate, ProgressUpdate.action_id == local.id),
            {"admin", "pk"},
        ),
        "report on an Angus action": (
            f"/actions/{found['angus'].id}/updates/new",
            update,
            _count(ProgressUpdate, ProgressUpdate.action_id == found["angus"].id),
            {"admin", "angus"},
        ),
        "report on a shared action in Perth and Kinross": (
            f"/actions/{shared.id}/updates/new",
            update,
            _count(ProgressUpdate, ProgressUpdate.action_id == shared.id),
            {"admin", "pk"},
        ),
        "mark completed": (
            f"/actions/{found['completing'].id}/complete",
            {"reported_on": TODAY},
            _count(ProgressUpdate, ProgressUpdate.action_id == found["completing"].id),
            {"admin", "pk"},
        ),
        "add a local action": (
            f"/areas/{PK}/plans/2021-2023/actions/new",
            {"outcome": str(local.outcome_id), "text": "Synthetic test action"},
            _count(Action, Action.plan_id == local.plan_id),
            {"admin", "pk"},
        ),
        "edit a local action's wording": (
            f"/actions/{local.id}/edit",
            wording(local),
            _count(ActionChange, ActionChange.action_id == local.id),
            {"admin", "pk"},
        ),
        "edit an adopted copy's wording": (
            f"/actions/{shared.id}/edit",
            wording(shared),
            _count(ActionChange, ActionChange.action_id == shared.id),
            set(),  # it follows the shared action's wording
        ),
        "reword a shared action": (
            f"/tric/shared-actions/{definition.key}/edit",
            {
                "version": str(definition.version),
                "title": definition.title,
                "text": "Reworded by a test",
            },
            _count(SharedActionVersion),
            {"admin", "pg5"},
        ),
        "create a shared action": (
            "/tric/shared-actions/new",
            {"title": "Synthetic shared action", "text": "Synthetic"},
            _count(SharedAction),
            {"admin", "pg5"},
        ),
        "adopt a shared action into Perth and Kinross's plan": (
            f"/tric/shared-actions/{spare.key}/adopt/{PK}",
            {},
            _count(Action, Action.shared_action_id == spare.id),
            {"admin", "pk"},
        ),
        "record that a shared action does not apply to Angus": (
            f"/tric/shared-actions/{spare.key}/not-applicable/angus",
            {"reason": "Synthetic reason"},
            _count(NotApplicable, NotApplicable.area_id == spare_area),
            {"admin", "angus"},
        ),
        "create an account": (
            "/admin/users/new",
            {"email": "new.person@test.invalid", "role": "viewer"},
            _count(User),
            {"admin"},
        ),
        "change an account": (
            f"/admin/users/{viewer}",
            {"role": "pg5", "is_active": "y"},
            lambda s: s.scalar(sa.select(User.role).where(User.id == viewer)),
            {"admin"},
        ),
        "reset a password": (
            f"/admin/users/{viewer}/reset-password",
            {"confirm": "yes"},
            lambda s: s.scalar(sa.select(User.password_hash).where(User.id == viewer)),
            {"admin"},
        ),
    }


WRITES = [
    "report on a Perth and Kinross action",
    "report on an Angus action",
    "report on a shared action in Perth and Kinross",
    "mark completed",
    "add a local action",
    "edit a local action's wording",
    "edit an adopted copy's wording",
    "reword a shared action",
    "create a shared action",
    "adopt a shared action into Perth and Kinross's plan",
    "record that a shared action does not apply to Angus",
    "create an account",
    "change an account",
    "reset a password",
]


@pytest.mark.parametrize("write", WRITES)
def test_each_role_against_each_write(app, client, auth, accounts, write):
    for who in ROLES:
        url, form, observe, allowed = _writes(app, accounts)[write]
        if "revision" in form or "version" in form:
            form["text"] = f"Reworded by the {who} test account"
        auth.login(who)
        before = in_session(app, observe)
        response = auth.post(url, form)
        after = in_session(app, observe)
        if who in allowed:
            assert response.status_code in (200, 302), (who, write, response.text[:500])
            assert after != before, (who, write)
        else:
            assert response.status_code == 403, (who, write, response.status_code)
            assert after == before, (who, write)
        auth.logout()


def test_the_forms_are_refused_to_those_who_cannot_use_them(client, auth, app):
    local = in_session(app, lambda s: _first(s, PK, ActionOrigin.LOCAL).id)
    shared = in_session(app, lambda s: _first(s, PK, ActionOrigin.ADOPTED).id)
    auth.login("angus")
    for url in (
        f"/actions/{local}/updates/new",
        f"/actions/{local}/complete",
        f"/actions/{local}/edit",
        f"/areas/{PK}/plans/2021-2023/actions/new",
        "/admin/users/",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
    page = client.get(f"/actions/{local}").text
    assert "Post a progress update" not in page and "Edit the wording" not in page
    auth.logout()
    auth.login("pk")
    response = client.get(f"/actions/{shared}/edit")
    assert response.status_code == 403
    assert "Edit the wording" not in client.get(f"/actions/{shared}").text
    assert "its wording is kept by PG5" in response.text
    assert "Post a progress update" in client.get(f"/actions/{shared}").text
    auth.logout()
    auth.login("pg5")
    assert client.get(f"/actions/{shared}/edit").status_code == 403  # PG5 rewords the original
    assert "Post a progress update" not in client.get(f"/actions/{shared}").text


def test_signed_out_writes_go_to_sign_in_and_change_nothing(client, app):
    local = in_session(app, lambda s: _first(s, PK, ActionOrigin.LOCAL).id)
    client.get("/sign-in")
    response = client.post(f"/actions/{local}/updates/new", data={"status": "completed"})
    assert response.status_code in (302, 400)
    assert in_session(app, _count(ProgressUpdate)) == 0
