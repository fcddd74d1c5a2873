"""Benchmark of the committee report: the Perth and Kinross plan (25 improvement actions, its
published data, 4 reporting dates of synthetic updates) and a synthetic plan of 100 actions with
24 monthly reporting dates, in every format. Prints, for each, the median time of repeated runs
and the number of SQL queries (which should be the same at both sizes).

Run: .venv/bin/python benchmarks/bench_report.py [--repeat 5]
Uses a temporary SQLite file (or CPC_DATABASE_URL, which it empties first: never point it at a
database you keep). Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import select

from core import create_app, db, migrate
from core.enums import ProgressStatus, Rag
from core.models import Action, Area, Plan, ProgressUpdate, ReportingDate
from core.services.demo.synthetic import SyntheticAreaPlugin
from core.services.plans import loader
from core.services.reports.formats import FORMATS, render
from core.services.reports.report import build_report


def plan_of(session, slug: str) -> Plan:
    return session.scalars(select(Plan).join(Area).where(Area.slug == slug)).one()


def monthly(start: dt.date, months: int) -> list[dt.date]:
    """The last day of each month after ``start``."""
    days = []
    year, month = start.year, start.month
    for _ in range(months):
        month += 1
        if month > 12:
            year, month = year + 1, 1
        following = dt.date(year + (month == 12), month % 12 + 1, 1)
        days.append(following - dt.timedelta(days=1))
    return days


def fill(session, plan: Plan, days: list[dt.date]) -> None:
    """Synthetic: a reporting date on each of ``days``, and an update on every action for
    each, cycling through the RAGs."""
    actions = list(session.scalars(select(Action).where(Action.plan_id == plan.id)))
    for n, day in enumerate(days):
        session.add(ReportingDate(plan=plan, reported_on=day, deadline=day - dt.timedelta(7)))
        for i, action in enumerate(actions):
            session.add(
                ProgressUpdate(
                    action=action,
                    reported_on=day - dt.timedelta(10),
                    status=ProgressStatus.IN_PROGRESS,
                    rag=list(Rag)[(n + i) % 3],
                    commentary=f"Synthetic update {n} on {action.code}.",
                )
            )
    session.commit()


def measure(app, plan_id: int, key: str, repeat: int) -> tuple[float, int]:
    engine = app.extensions["cpc_engine"]
    counted = [0]

    def count(*_args):
        counted[0] += 1

    times = []
    for _ in range(repeat):
        with app.app_context():
            session = db.get_session()
            plan = session.get(Plan, plan_id)
            counted[0] = 0
            sa.event.listen(engine, "before_cursor_execute", count)
            start = time.perf_counter()
            report = build_report(session, app.extensions["cpc_plugins"], plan)
            render(report, key)
            times.append((time.perf_counter() - start) * 1000)
            sa.event.remove(engine, "before_cursor_execute", count)
    return statistics.median(times), counted[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("CPC_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        plugin = SyntheticAreaPlugin("synthetic-bench", 10, 10)
        app = create_app(
            {"DATABASE_URL": url, "SECRET_KEY": "bench", "EXTRA_PLUGINS": [("bench", plugin)]}
        )
        with app.app_context():
            engine = db.engine()
            if engine.dialect.name == "postgresql":
                with engine.begin() as conn:
                    conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            migrate.upgrade(engine)
            session = db.get_session()
            loader.load_plugin_content(session, app.extensions["cpc_plugins"])
            pk = plan_of(session, "perth-and-kinross")
            synthetic = plan_of(session, "synthetic-bench")
            fill(session, pk, [dt.date(2021, 11, 30), dt.date(2022, 3, 31), dt.date(2022, 7, 31),
                               dt.date(2022, 11, 30)])  # fmt: skip
            fill(session, synthetic, monthly(synthetic.period_start, 24))
            sizes = [
                ("Perth and Kinross (25 + ongoing, 4 dates)", pk.id),
                ("Synthetic (100 actions, 24 dates)", synthetic.id),
            ]
        print(f"Database: {engine.dialect.name}; median of {args.repeat} runs")
        print(f"{'plan':45} {'format':6} {'ms':>8} {'queries':>8}")
        for label, plan_id in sizes:
            for key in FORMATS:
                ms, queries = measure(app, plan_id, key, args.repeat)
                print(f"{label:45} {key:6} {ms:8.1f} {queries:8d}")


if __name__ == "__main__":
    main()
