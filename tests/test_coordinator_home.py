"""The coordinator's dashboard as their home: the TRIC PG5 shared actions awaiting the area's
decision, each linked to where it is made, as is "Not adopted" in the rollup."""

from __future__ import annotations

import datetime as dt
import html
import re

import sqlalchemy as sa

from core.models import SharedAction
from core.services.tric import shared
from tests.helpers import PK, in_session


def test_the_dashboard_lists_shared_actions_awaiting_the_areas_decision(app, client_for):
    web = client_for(app, "viewer")

    def awaiting(slug: str) -> list[str]:
        page = web.get(f"/areas/{slug}/").text
        if 'id="awaiting-list"' not in page:
            return []
        listed = page[page.index('id="awaiting-list"') :]
        found = re.findall(r'#area-[a-z-]+">([^<]+)</a>', listed[: listed.index("</ul>")])
        return [html.unescape(title) for title in found]

    titles = in_session(
        app,
        lambda s: list(s.scalars(sa.select(SharedAction.title).order_by(SharedAction.position))),
    )
    assert awaiting("angus") == titles  # the Angus frame adopts none of them yet
    assert awaiting(PK) == []  # Perth and Kinross's published plan carries every one

    def decide(session):
        from core.services.plans.plans import area_by_slug, current_plan

        angus = area_by_slug(session, "angus")
        plan = current_plan(angus)
        first, second = session.scalars(
            sa.select(SharedAction).order_by(SharedAction.position).limit(2)
        ).all()
        outcome = next(o for o in plan.outcomes if o.number == first.priority_for_practice)
        shared.adopt_shared_action(session, first, plan, actor=None, outcome=outcome, code="")
        shared.record_not_applicable(session, second, angus, plan, actor=None, reason="Synthetic")
        session.commit()

    in_session(app, decide)
    assert awaiting("angus") == titles[2:]
    rollup = web.get("/tric/").text
    key = in_session(
        app, lambda s: s.scalars(sa.select(SharedAction.key).order_by(SharedAction.position)).all()
    )[2]
    assert f'/tric/shared-actions/{key}/#area-angus">Not adopted' in rollup


def test_opening_the_site_lands_each_role_on_its_own_home(app, accounts):
    """/ sends to the sign-in page with next=/; that means "home", not the list of areas."""
    from tests.helpers import TEST_PASSWORD, csrf_token

    homes = {"pk": "/areas/perth-and-kinross/", "lead": "/my-actions/", "pg5": "/tric/",
             "viewer": "/"}  # fmt: skip
    for who, home in homes.items():
        visitor = app.test_client()
        opened = visitor.get("/")
        assert opened.status_code == 302 and "next=" in opened.location
        signed_in = visitor.post(
            opened.location,
            data={"email": accounts[who], "password": TEST_PASSWORD,
                  "csrf_token": csrf_token(visitor, "/sign-in")},
        )  # fmt: skip
        assert signed_in.status_code == 302 and signed_in.location == home, who


def test_a_plan_in_force_shows_the_period_in_progress_with_the_last_meeting_one_click_away(
    app, runner, client_for
):
    """During a reporting period the dashboard shows what has come in since the last meeting
    (an update posted today counts at once) and what is missing, not the last meeting's
    picture, which is one click away."""
    from core.enums import ProgressStatus, Rag
    from core.models import Action, Area, Plan
    from core.services.progress.progress import post_update
    from core.services.progress.reporting import add_reporting_date

    loaded = runner.invoke(args=["demo-data", "--areas", "1", "--actions", "4", "--months", "3"])
    assert loaded.exit_code == 0, loaded.output
    today = dt.date.today()
    # The demonstration updates report on month ends before this month: the last of them is
    # the last meeting's; the next meeting is still to come.
    last = today.replace(day=1) - dt.timedelta(days=1)
    next_one = today + dt.timedelta(days=40)

    def set_up(session):
        plan = session.scalars(
            sa.select(Plan).join(Area).where(Area.is_synthetic).order_by(Plan.period_start.desc())
        ).first()
        for day in (last, next_one):
            add_reporting_date(session, plan, actor=None, reported_on=day, deadline=day)
        first = session.scalars(
            sa.select(Action).where(Action.plan_id == plan.id).order_by(Action.position)
        ).first()
        post_update(
            session,
            first,
            actor=None,
            reported_on=today,
            status=ProgressStatus.IN_PROGRESS,
            rag=Rag.RED,
            commentary="Synthetic: posted today.",
        )
        session.commit()
        return plan.area.slug

    slug = in_session(app, set_up)
    web = client_for(app)
    board = web.get(f"/areas/{slug}/").text
    assert f"Figures are as at {today.day} {today:%B %Y}." in board
    banner = board[board.index('id="period-in-progress"') :]
    banner = " ".join(re.sub(r"<[^>]+>", " ", banner[: banner.index("</div>")]).split())
    assert f"since the meeting on {last.day} {last:%B %Y}" in banner
    assert f"for the meeting on {next_one.day} {next_one:%B %Y}" in banner
    assert "still missing an update" in banner
    # Today's Red counts at once; the updates of the months before the meeting do not.
    red = re.search(r'id="count-red"><span[^>]*>(\d+)<', board)
    assert red and red.group(1) == "1"
    assert "Synthetic: posted today." in board
    link = re.search(r'id="last-meeting-link" href="([^"]+)"', board)
    assert link and link.group(1).endswith(f"?as_at={last.isoformat()}")
    then = web.get(html.unescape(link.group(1))).text
    assert 'id="period-in-progress"' not in then
    assert f"Figures are as at {last.day} {last:%B %Y}." in then
