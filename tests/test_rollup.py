"""The TRIC PG5 rollup across Angus, Dundee, and Perth and Kinross."""

from __future__ import annotations

import datetime as dt

import pytest

from core.enums import ActionKind, ProgressStatus, Rag
from core.hooks.rollup import TaysideStatus
from core.services.tric.rollup import tayside_rollup
from tests.helpers import PK, action, report

# The shipped frames adopt nothing: these tests adopt as the coordinators would.
pytestmark = pytest.mark.usefixtures("tayside_adoptions")

AREAS = ["angus", "dundee", PK]


def rollup(app, session, as_at=dt.date(2022, 6, 1)):
    found = tayside_rollup(session, app.extensions["cpc_plugins"], as_at)
    return {row.key: row for row in found.rows}


def code_in(session, area, key):
    """The area's own number for the shared action ``key``."""
    from sqlalchemy import select

    from core.models import Action, Plan, SharedAction
    from core.models.area import Area

    return session.scalars(
        select(Action)
        .join(Plan)
        .join(Area)
        .join(SharedAction)
        .where(Area.slug == area, SharedAction.key == key)
    ).one()


def test_every_shared_action_shows_all_three_areas(app, session):
    rows = rollup(app, session)
    assert len(rows) == 8
    for row in rows.values():
        assert sorted(row.cells) == AREAS
        assert all(cell is not None for cell in row.cells.values()), row.key
        assert row.tayside_status is TaysideStatus.NOT_REPORTED
    ird = rows["inter-agency-referral-discussions"]
    assert ird.cells[PK].action_code == "3.1"
    assert ird.cells["angus"].action_code == "3.1"
    assert rows["child-exploitation-work-plan"].cells[PK].action_code == "6"


def test_tayside_status_follows_the_default_rule(app, session):
    key = "inter-agency-referral-discussions"

    def post(area, rag, status=ProgressStatus.IN_PROGRESS, on=dt.date(2022, 3, 1)):
        found = code_in(session, area, key)
        report(session, found.code, rag, status, on=on, area_slug=area)

    post(PK, Rag.GREEN)
    assert rollup(app, session)[key].tayside_status is TaysideStatus.AMBER  # others not reported
    post("angus", Rag.GREEN)
    post("dundee", None, ProgressStatus.COMPLETED)
    assert rollup(app, session)[key].tayside_status is TaysideStatus.GREEN
    post("dundee", Rag.RED, on=dt.date(2022, 5, 1))
    row = rollup(app, session)[key]
    assert row.tayside_status is TaysideStatus.RED
    assert row.cells["dundee"].rag is Rag.RED
    assert row.cells["dundee"].last_reported_on == dt.date(2022, 5, 1)
    # As at an earlier date, the rollup is as it stood then.
    assert rollup(app, session, dt.date(2022, 4, 1))[key].tayside_status is TaysideStatus.GREEN
    assert rollup(app, session, dt.date(2022, 2, 1))[key].tayside_status is (
        TaysideStatus.NOT_REPORTED
    )


def test_overdue_cells_are_marked(app, session):
    key = "chronologies"  # due by the end of Year 1, 31 July 2022
    report(session, "3.3", None, ProgressStatus.COMPLETED, on=dt.date(2022, 7, 1))
    row = rollup(app, session, dt.date(2022, 9, 1))[key]
    assert row.cells[PK].overdue is False
    assert row.cells["angus"].overdue is True
    assert rollup(app, session, dt.date(2022, 7, 1))[key].cells["angus"].overdue is False


def test_ongoing_shared_action_rolls_up_from_appendix_2(app, session):
    report(session, "6", Rag.AMBER, ProgressStatus.ONGOING, kind=ActionKind.ONGOING)
    row = rollup(app, session)["child-exploitation-work-plan"]
    assert row.cells[PK].rag is Rag.AMBER
    assert row.tayside_status is TaysideStatus.AMBER
    assert action(session, "6", kind=ActionKind.ONGOING).target_date is None


def test_stale_follows_tric_pg5s_calendar(app, session):
    """With PG5's dates 31 March and 30 June 2022, a cell as at 30 June is stale when the area
    has not reported since 31 March, whatever dates the other areas reported on."""
    from tests.helpers import add_reporting_date

    add_reporting_date(session, dt.date(2022, 3, 31), tric=True)
    add_reporting_date(session, dt.date(2022, 6, 30), tric=True)
    session.commit()
    report(session, "3.1", Rag.GREEN, on=dt.date(2022, 3, 15))  # before the period
    report(session, "3.1", Rag.GREEN, on=dt.date(2022, 4, 20), area_slug="angus")  # within it
    found = tayside_rollup(session, app.extensions["cpc_plugins"], dt.date(2022, 6, 30))
    cells = found.row("inter-agency-referral-discussions").cells
    assert found.pg5_calendar and found.last_reporting_date == dt.date(2022, 6, 30)
    assert cells[PK].stale and not cells["angus"].stale and cells["dundee"].stale
    assert [point.reported_on for point in found.trend] == [
        dt.date(2022, 3, 31),
        dt.date(2022, 6, 30),
    ]
    # As at 31 March, the first PG5 date: only an area that never reported is stale.
    earlier = tayside_rollup(session, app.extensions["cpc_plugins"], dt.date(2022, 3, 31))
    cells = earlier.row("inter-agency-referral-discussions").cells
    assert not cells[PK].stale and cells["dundee"].stale


def test_the_tayside_status_says_how_many_areas_it_rests_on(app, client_for, tayside_adoptions):
    import re

    from core.enums import Rag
    from tests.helpers import in_session, report

    def resting():
        page = client_for(app, "pg5").get("/tric/").text
        rows = re.findall(
            r'id="row-([\w-]+)".*?cpc-resting">(\d+ of \d+ areas? reporting)<', page, re.S
        )
        return dict(rows)

    before = resting()
    assert before and set(before.values()) == {"0 of 3 areas reporting"}
    in_session(app, lambda s: report(s, "1.3", Rag.GREEN))  # Perth and Kinross's copy
    after = resting()
    assert sorted(after.values()).count("1 of 3 areas reporting") == 1
