"""Benchmarks of the engine on synthetic data: plan state, plan page, rollup.

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
from core.enums import ProgressStatus, Rag
from core.models import Action, Area, Plan
from core.services import loader
from core.services.progress import post_update
from core.services.rollup import tayside_rollup
from core.services.summary import plan_state
from core.synthetic import SyntheticAreaPlugin


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
            session.commit()
            plugins = app.extensions["cpc_plugins"]
            client = app.test_client()
            size = args.outcomes * args.actions
            print(f"{size} actions, {size * args.updates} updates, on {db.engine().dialect.name}")
            print(f"plan_state      {median_ms(lambda: plan_state(session, plan)):8.2f} ms")
            print(f"tayside_rollup  {median_ms(lambda: tayside_rollup(session, plugins)):8.2f} ms")
            page = "/areas/bench-shire/plans/synthetic/"
            print(f"plan page       {median_ms(lambda: client.get(page)):8.2f} ms")


if __name__ == "__main__":
    main()
