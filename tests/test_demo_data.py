"""Demonstration data: deterministic synthetic areas, bulk-loaded, never touching a real area,
counted in the rollup only on a demonstration instance (CPC_DEMO=1), which says so on every
page."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from core import db
from core.models import Action, Area, Plan, ProgressUpdate
from core.services.demo.demo_data import DemoSize, load_demo_data
from tests.conftest import build_app, fresh_database
from tests.helpers import in_session

SMALL = ["demo-data", "--areas", "2", "--plans", "2", "--actions", "6", "--months", "5"]


def digest(app) -> list[tuple]:
    """Every demonstration update, in words."""

    def read(session):
        return session.execute(
            sa.select(
                Area.slug, Plan.slug, Action.code, ProgressUpdate.reported_on, ProgressUpdate.rag
            )
            .join(Plan, Plan.area_id == Area.id)
            .join(Action, Action.plan_id == Plan.id)
            .join(ProgressUpdate, ProgressUpdate.action_id == Action.id)
            .where(Area.is_synthetic.is_(True))
            .order_by(Area.slug, Plan.slug, Action.position, ProgressUpdate.reported_on)
        ).all()

    return in_session(app, read)


def test_cpc_demo_data_loads_synthetic_areas_that_report_monthly(app, runner):
    real = in_session(app, lambda s: s.scalar(sa.select(sa.func.count(ProgressUpdate.id))))
    result = runner.invoke(args=SMALL)
    assert result.exit_code == 0, result.output
    areas = in_session(
        app, lambda s: s.execute(sa.select(Area.name, Area.is_synthetic).order_by(Area.name)).all()
    )
    assert ("Synthetic area 01", True) in areas and ("Synthetic area 02", True) in areas
    shared = 8  # each plan adopts every TRIC shared action
    rows = digest(app)
    assert len(rows) == 2 * 2 * (6 + shared) * 5
    assert all((row.reported_on + dt.timedelta(days=1)).day == 1 for row in rows)  # month ends
    assert "Loaded 2 synthetic areas and 280 updates" in result.output
    # The real areas are untouched, and a second run refuses rather than doubling.
    assert (
        in_session(
            app,
            lambda s: s.scalar(
                sa.select(sa.func.count(ProgressUpdate.id))
                .join(Action, Action.id == ProgressUpdate.action_id)
                .join(Plan, Plan.id == Action.plan_id)
                .join(Area, Area.id == Plan.area_id)
                .where(Area.is_synthetic.is_(False))
            ),
        )
        == real
    )
    again = runner.invoke(args=SMALL)
    assert again.exit_code != 0 and "already exist" in again.output


def test_the_same_seed_gives_the_same_data(tmp_path):
    digests = []
    for run in ("first", "second"):
        (tmp_path / run).mkdir()
        with fresh_database(tmp_path / run) as url:
            app = build_app(url)
            with app.app_context():
                load_demo_data(db.get_session(), DemoSize(1, 1, 4, 6, seed=7), dt.date(2026, 6, 15))
            digests.append(digest(app))
            app.extensions["cpc_engine"].dispose()
    assert digests[0] == digests[1] and len(digests[0]) == (4 + 8) * 6


def test_demonstration_instance_counts_synthetic_areas_and_says_so(make_app, runner, client_for):
    plain = make_app()
    assert plain.test_cli_runner().invoke(args=SMALL).exit_code == 0
    web = client_for(plain, "pg5")
    page = web.get("/tric/")
    assert "Synthetic area 01" not in page.text and "demo-banner" not in page.text
    demo = make_app(load=False, DEMO=True)
    web = client_for(demo, "pg5")
    page = web.get("/tric/")
    assert "Synthetic area 01" in page.text and 'id="demo-banner"' in page.text
    assert 'id="demo-banner"' in web.get("/").text
    rollup = web.get("/api/v1/rollup").get_json()
    assert "synthetic-area-02" in rollup[0]["areas"]
