"""What the command-line commands share: reading a date option, and finding a plan."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from sqlalchemy.orm import Session

from core.hooks.registry import PluginRegistry
from core.models import Plan
from core.schemas.dates import parse_date
from core.services.plans import plans


def date_option(_ctx, _param, value: str | None) -> dt.date | None:
    """A click callback: a YYYY-MM-DD option as a date, or a usage error saying why not."""
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as problem:
        raise click.BadParameter(str(problem)) from None


def plan_named(
    session: Session, area_slug: str, plan_slug: str | None, as_at: dt.date | None = None
) -> Plan:
    """The area's plan ``plan_slug``, or its plan in force on ``as_at`` (default today); a
    click error naming what does not exist."""
    try:
        area = plans.area_by_slug(session, area_slug)
        if plan_slug:
            return plans.plan_by_slug(session, area_slug, plan_slug)
        return plans.current_plan(area, as_at)
    except plans.NotFound as exc:
        raise click.ClickException(str(exc)) from None


def registry() -> PluginRegistry:
    """The running app's plugin registry."""
    return current_app.extensions["cpc_plugins"]
