"""Accounts that end: an admin switches an account off (its sessions end and its tokens are
revoked at once, audited); a dormant account is listed, warned once by email, and switched off
after the grace period; its links to actions stay, but it gets no reminders."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from core.enums import Role
from core.models import ApiToken, AuditEntry, User, UserSession, action_contributors
from tests.helpers import PK, AuthActions, csrf_token, in_session
from tests.served import api_token

LEAD = "lead@test.invalid"


def user_id(app, email: str) -> int:
    return in_session(app, lambda s: s.scalar(sa.select(User.id).where(User.email == email)))


def age(app, email: str, days: int) -> None:
    """Synthetic: make an account look unused for ``days`` (made then, signed in then)."""

    def write(session):
        then = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
        user_id = session.scalar(sa.select(User.id).where(User.email == email))
        session.execute(sa.update(User).where(User.id == user_id).values(created_at=then))
        session.execute(
            sa.update(UserSession)
            .where(UserSession.user_id == user_id)
            .values(created_at=then, last_seen_at=then)
        )
        session.commit()

    in_session(app, write)


def test_an_admin_switching_an_account_off_ends_its_sessions_and_tokens_at_once(
    app, accounts, client, auth
):
    token = api_token(app, "pk.coordinator@test.invalid")
    coordinator = app.test_client()
    AuthActions(coordinator, accounts).login("pk")
    assert coordinator.get(f"/areas/{PK}/").status_code == 200
    auth.login("admin")
    page = f"/admin/users/{user_id(app, 'pk.coordinator@test.invalid')}"
    answer = client.post(
        page,
        data={"role": "coordinator", "areas": PK, "csrf_token": csrf_token(client, page)},
    )  # fmt: skip
    assert answer.status_code == 302
    assert coordinator.get(f"/areas/{PK}/").status_code == 302  # signed out at once
    api = app.test_client().get("/api/v1/areas/", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401
    events = in_session(
        app,
        lambda s: s.scalars(
            sa.select(AuditEntry.summary).where(AuditEntry.event == "deactivated")
        ).all(),
    )
    assert events == [
        "pk.coordinator@test.invalid switched off: switched off by an administrator "
        "(admin@test.invalid)"
    ]


def test_a_dormant_account_is_listed_warned_once_and_switched_off_after_the_grace(
    make_app, accounts_for, smtp_server
):
    app = make_app(SMTP_URL=smtp_server.url, BASE_URL="https://cpc.example")
    accounts = accounts_for(app)
    runner, client = app.test_cli_runner(), app.test_client()
    api_token(app, LEAD)
    age(app, LEAD, 200)

    def old_admin(session):  # synthetic: a break-glass administrator unused for 300 days
        session.add(
            User(
                email="old.admin@test.invalid",
                role=Role.ADMIN,
                break_glass=True,
                password_hash="synthetic",
                created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=300),
            )
        )
        session.commit()

    in_session(app, old_admin)
    AuthActions(client, accounts).login("admin")
    listed = client.get("/admin/users/").text
    assert "Accounts not used for 180 days (2)" in listed and LEAD in listed

    first = runner.invoke(args=["user", "review-dormant"])
    assert first.exit_code == 0, first.output
    assert f"Warned: {LEAD}" in first.output
    assert "Not switched off (a break-glass administrator): old.admin@test.invalid" in first.output
    warnings = [m for m in smtp_server.take(app) if m["To"] == LEAD]
    assert len(warnings) == 1 and "will be switched off" in warnings[0]["Subject"]
    assert "sign in at https://cpc.example/sign-in within 14 days" in smtp_server.body(warnings[0])
    again = runner.invoke(args=["user", "review-dormant"])
    assert "0 warned, 0 switched off" in again.output  # warned once only
    assert smtp_server.take(app) == []

    # Fifteen days after the warning, still unused: switched off, links kept.
    def warned_long_ago(session):
        session.execute(
            sa.update(User)
            .where(User.email == LEAD)
            .values(dormancy_warned_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=15))
        )
        session.commit()

    links_before = in_session(
        app, lambda s: s.scalar(sa.select(sa.func.count()).select_from(action_contributors))
    )
    in_session(app, warned_long_ago)
    third = runner.invoke(args=["user", "review-dormant"])
    assert f"Switched off: {LEAD}" in third.output
    lead = in_session(app, lambda s: s.scalars(sa.select(User).where(User.email == LEAD)).one())
    assert lead.is_active is False
    links_after = in_session(
        app, lambda s: s.scalar(sa.select(sa.func.count()).select_from(action_contributors))
    )
    assert links_after == links_before
    tokens_live = in_session(
        app,
        lambda s: s.scalar(
            sa.select(sa.func.count())
            .select_from(ApiToken)
            .where(ApiToken.user_id == lead.id, ApiToken.revoked_at.is_(None))
        ),
    )
    assert tokens_live == 0


def test_signing_in_voids_a_dormancy_warning(app, accounts, runner):
    age(app, "viewer@test.invalid", 200)
    assert "Warned: viewer@test.invalid" in runner.invoke(args=["user", "review-dormant"]).output
    AuthActions(app.test_client(), accounts).login("viewer")
    assert "0 warned" in runner.invoke(args=["user", "review-dormant"]).output
    # Unused again since that sign-in (200 days ago, after the warning 300 days ago): a new
    # warning, not a switch-off on the old one.
    age(app, "viewer@test.invalid", 200)

    def warned_before_it(session):
        then = dt.datetime.now(dt.UTC) - dt.timedelta(days=300)
        session.execute(
            sa.update(User)
            .where(User.email == "viewer@test.invalid")
            .values(dormancy_warned_at=then)
        )
        session.commit()

    in_session(app, warned_before_it)
    later = runner.invoke(args=["user", "review-dormant"]).output
    assert "Warned: viewer@test.invalid" in later and "Switched off" not in later
