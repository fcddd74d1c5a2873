"""Benchmarks of the engine and pages on synthetic data: plan state, rollup, and the plan,
dashboard, action search and action pages as a signed-in viewer.

Run: .venv/bin/python benchmarks/bench_engine.py [--outcomes 12 --actions 20 --updates 6]
Uses a temporary SQLite file (or CPC_DATABASE_URL); prints the median of repeated runs.
Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from core import create_app, db, migrate
from core.enums import ProgressStatus, Rag, Role
from core.models import Action, Area, Plan
from core.services.accounts import accounts
from core.services.demo.synthetic import SyntheticAreaPlugin
from core.services.plans import loader
from core.services.plans.summary import plan_state
from core.services.progress.progress import post_update
from core.services.tric.rollup import tayside_rollup

EMAIL, PASSWORD = "bench@synthetic.invalid", "a benchmark-only password"


def median_ms(fn, repeat: int = 15) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--outcomes", type=int, default=12)
    parser.add_argument("--actions", type=int, default=20)
    parser.add_argument("--updates", type=int, default=6, help="updates per action")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        import os

        url = os.environ.get("CPC_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        plugin = SyntheticAreaPlugin("bench-shire", args.outcomes, args.actions)
        app = create_app(
            {"DATABASE_URL": url, "SECRET_KEY": "bench", "EXTRA_PLUGINS": [("bench", plugin)]}
        )
        with app.app_context():
            migrate.upgrade(db.engine())
            session = db.get_session()
            loader.load_plugin_content(session, app.extensions["cpc_plugins"])
            plan = session.scalars(select(Plan).join(Area).where(Area.slug == "bench-shire")).one()
            for action in session.scalars(select(Action).where(Action.plan_id == plan.id)):
                for n in range(args.updates):
                    post_update(
                        session,
                        action,
                        actor=None,
                        reported_on=dt.date(2021, 9, 1) + dt.timedelta(days=90 * n),
                        status=ProgressStatus.IN_PROGRESS,
                        rag=list(Rag)[n % 3],
                    )
            accounts.create_user(
                session, actor=None, email=EMAIL, role=Role.VIEWER, password=PASSWORD
            )
            session.commit()
            plugins = app.extensions["cpc_plugins"]
            client = app.test_client()
            sign_in = client.get("/sign-in").text
            token = sign_in.split('name="csrf_token" value="')[1].split('"')[0]
            form = {"email": EMAIL, "password": PASSWORD, "csrf_token": token}
            assert client.post("/sign-in", data=form).status_code == 302
            size = args.outcomes * args.actions
            print(f"{size} actions, {size * args.updates} updates, on {db.engine().dialect.name}")
            print(f"plan_state      {median_ms(lambda: plan_state(session, plan)):8.2f} ms")
            print(f"tayside_rollup  {median_ms(lambda: tayside_rollup(session, plugins)):8.2f} ms")
            first = session.scalars(select(Action.id).where(Action.plan_id == plan.id)).first()
            pages = {
                "plan page": "/areas/bench-shire/plans/synthetic/",
                "dashboard": "/areas/bench-shire/",
                "action search": "/areas/bench-shire/plans/synthetic/actions/?rag=A&q=synthetic",
                "action page": f"/actions/{first}",
            }
            for name, url in pages.items():
                assert client.get(url).status_code == 200, url
                print(f"{name:<15} {median_ms(lambda url=url: client.get(url)):8.2f} ms")


if __name__ == "__main__":
    main()
