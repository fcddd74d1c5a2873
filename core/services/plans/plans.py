"""Finding areas and their plans."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from core.enums import PlanStatus
from core.models import Area, Plan, User
from core.services.accounts.permissions import require_area
from core.services.errors import FieldError, NotFound
from core.services.records import audit


def areas(session: Session) -> list[Area]:
    """Every CPC's area with its plans, real areas first, by name (not Scotland, which is
    only compared with)."""
    return list(
        session.scalars(
            select(Area)
            .where(Area.is_cpc())
            .options(selectinload(Area.plans))
            .order_by(Area.is_synthetic, Area.name)
        )
    )


def area_by_slug(session: Session, slug: str) -> Area:
    """A CPC's area by its slug (a reference series such as Scotland is not one)."""
    area = session.scalar(
        select(Area).where(Area.slug == slug, Area.is_cpc()).options(selectinload(Area.plans))
    )
    if area is None:
        known = ", ".join(
            session.scalars(select(Area.slug).where(Area.is_cpc()).order_by(Area.slug))
        )
        raise NotFound(f"There is no area {slug!r}. Areas: {known or 'none loaded yet'}.")
    return area


def current_plan(area: Area, as_at: dt.date | None = None) -> Plan:
    """The plan in force on ``as_at`` (default today): the latest one started by then, else
    the first one."""
    if not area.plans:
        raise NotFound(f"{area.name} has no improvement plan yet.")
    return plan_in_force(area.plans, as_at)


def plan_in_force(plans: list[Plan], as_at: dt.date | None = None) -> Plan:
    """Of one area's ``plans``, the latest started by ``as_at`` (default today), else the
    earliest."""
    as_at = as_at or dt.date.today()
    started = [plan for plan in plans if plan.period_start <= as_at]
    if started:
        return max(started, key=lambda p: p.period_start)
    return min(plans, key=lambda p: p.period_start)


def plan_by_slug(session: Session, area_slug: str, plan_slug: str) -> Plan:
    plan = session.scalar(
        select(Plan).join(Area).where(Area.slug == area_slug, Plan.slug == plan_slug)
    )
    if plan is None:
        raise NotFound(f"There is no plan {plan_slug!r} for area {area_slug!r}.")
    return plan


def plans_by_id(session: Session, ids: list[int]) -> list[Plan]:
    return list(
        session.scalars(select(Plan).where(Plan.id.in_(ids)).options(joinedload(Plan.area)))
    )


def plans_in_force(
    session: Session, *, area_slug: str | None = None, as_at: dt.date | None = None
) -> list[Plan]:
    """Each area's plan in force on ``as_at`` (or only ``area_slug``'s), by area name. One
    query."""
    query = select(Plan).join(Area).options(joinedload(Plan.area)).order_by(Area.name)
    if area_slug:
        query = query.where(Area.slug == area_slug)
    by_area: dict[int, list[Plan]] = {}
    for plan in session.scalars(query):
        by_area.setdefault(plan.area_id, []).append(plan)
    return [plan_in_force(group, as_at) for group in by_area.values()]


def _set_flag(
    session: Session, plan: Plan, actor: User | None, column: str, on: bool, said: str
) -> None:
    """Set one of a plan's settings (the area's coordinators and admins), audited."""
    if actor is not None:
        require_area(actor, plan.area)
    session.execute(update(Plan).where(Plan.id == plan.id).values({column: on}))
    audit.record_event(
        session,
        kind="plans",
        event_name=f"{column}_{'on' if on else 'off'}",
        actor=actor,
        record_id=plan.id,
        area_id=plan.area_id,
        summary=f"{plan.title}: {said}",
    )
    session.expire(plan, [column])


def set_review(session: Session, plan: Plan, *, actor: User | None, on: bool) -> None:
    """Whether contributors' updates to ``plan`` wait for a coordinator's review (the area's
    coordinators and admins; audited)."""
    said = f"review of contributors' updates switched {'on' if on else 'off'}"
    _set_flag(session, plan, actor, "review_updates", on, said)


def set_public(session: Session, plan: Plan, *, actor: User | None, public: bool) -> None:
    """Show a published plan without an account at /public/<area>/<plan>/, or stop (the
    area's coordinators and admins; audited). A draft is never public."""
    if public and plan.status is not PlanStatus.PUBLISHED:
        if actor is not None:
            require_area(actor, plan.area)
        raise FieldError("public", "Only a published plan can be made public, never a draft.")
    _set_flag(session, plan, actor, "public", public, "made public" if public else "not public")


def public_plan(session: Session, area_slug: str, plan_slug: str) -> Plan:
    """A plan shown publicly: published and made public by its area; NotFound otherwise."""
    plan = plan_by_slug(session, area_slug, plan_slug)
    if not plan.public or plan.status is not PlanStatus.PUBLISHED:
        raise NotFound(f"There is no public plan {plan_slug} for {area_slug}.")
    return plan
