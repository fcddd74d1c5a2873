"""The coordinator's dashboard as their home: the TRIC PG5 shared actions awaiting the area's
decision, each linked to where it is made, as is "Not adopted" in the rollup."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa

from core.models import SharedAction
from core.services import shared
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
        from core.services.plans import area_by_slug, current_plan

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
