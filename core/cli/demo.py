"""``cpc demo-data``: synthetic areas at any scale, for demonstrations and benchmarks."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from core import db
from core.services.demo.demo_data import DemoDataError, DemoSize, load_demo_data


@click.command("demo-data")
@with_appcontext
@click.option("--areas", default=3, show_default=True, help="How many synthetic areas.")
@click.option("--plans", default=2, show_default=True, help="Plans in each area.")
@click.option("--actions", default=20, show_default=True, help="Own actions in each plan.")
@click.option("--months", default=24, show_default=True, help="Monthly updates on each action.")
@click.option("--seed", default=1, show_default=True, help="The same seed gives the same data.")
def demo_data_command(areas: int, plans: int, actions: int, months: int, seed: int) -> None:
    """Load deterministic demonstration data: areas "Synthetic area 01" ..., marked synthetic,
    each plan adopting every TRIC shared action and reporting on every action monthly. Real
    areas are never touched. Shown in the rollup only when the platform runs with
    CPC_DEMO=1."""
    size = DemoSize(areas, plans, actions, months, seed)
    started = time.perf_counter()
    try:
        stored = load_demo_data(db.get_session(), size, progress=click.echo)
    except DemoDataError as refusal:
        raise click.ClickException(str(refusal)) from None
    took = time.perf_counter() - started
    click.echo(f"Loaded {areas} synthetic areas and {stored:,} updates in {took:.0f} s.")
