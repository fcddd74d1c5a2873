"""Reminders before and after each reporting date's deadline: each area's coordinators get a
digest of the actions with no update yet, and each contributor linked to one of those actions
an email with a link to its update form (unless they switched reminders off; a coordinator's
digest cannot be switched off). Weekly while any learning review stage is overdue or due
within a week, each area's coordinators also get a digest of those stages. Each email is
claimed in the sent-log (a unique key) before it is sent, so however often, and on however
many machines, ``cpc remind`` runs, none is sent twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from core.enums import Role
from core.models import Action, Area, Plan, ReminderSent, ReportingDate, User
from core.services.improvement.learning_reviews import DUE_SOON_DAYS, stages_due
from core.services.mail import Mail
from core.services.progress.missing_updates import MissingUpdates, missing_updates
from core.services.words import action_name, first_words

# The digest goes out this many days before a deadline, then weekly after it until the meeting.
DAYS_BEFORE = 7


@dataclass(frozen=True)
class Reminder:
    key: str
    # None: not about a reporting date (the learning review digest).
    reporting_date_id: int | None
    user_id: int
    mail: Mail


@dataclass
class RemindResult:
    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def stage(record: ReportingDate, today: dt.date) -> str | None:
    """Which reminder a reporting date is due today: "before" (in the week up to its
    deadline), "after-<year>-W<week>" (weekly after the deadline, until the meeting), or None."""
    if record.deadline - dt.timedelta(days=DAYS_BEFORE) <= today <= record.deadline:
        return "before"
    if record.deadline < today <= record.reported_on:
        year, week, _ = today.isocalendar()
        return f"after-{year}-W{week:02d}"
    return None


def coordinators(session: Session, plan: Plan) -> list[User]:
    return _coordinators_of(session, plan.area_id)


def digest_text(missing: MissingUpdates, link: str, when: str) -> str:
    record = missing.reporting_date
    lines = [
        f"Progress updates for {record.plan.area.name}'s committee meeting on "
        f"{record.reported_on:%d %B %Y} are due by {record.deadline:%d %B %Y} ({when}).",
        "",
        f"{len(missing.actions)} action{' has' if len(missing.actions) == 1 else 's have'} no "
        "update yet:",
    ]
    for lead, actions in missing.by_lead:
        lines.append(f"- {lead}:")
        lines += [f"  - {action_name(a)}: {first_words(a.text)}" for a in actions]
    lines += ["", f"See them and post updates: {link}"]
    return "\n".join(lines)


def contributor_text(
    record: ReportingDate, actions: list[Action], update_link: Callable[[Action], str], when: str
) -> str:
    lines = [
        f"Your progress updates for {record.plan.area.name}'s committee meeting on "
        f"{record.reported_on:%d %B %Y} are due by {record.deadline:%d %B %Y} ({when}).",
        "",
        "These actions you lead have no update yet:",
    ]
    for action in actions:
        lines += [
            "",
            f"{action_name(action)}: {first_words(action.text, 30)}",
            f"Post its update: {update_link(action)}",
        ]
    lines += ["", "To stop these reminders, choose “Email reminders” when signed in."]
    return "\n".join(lines)


def due(
    session: Session,
    today: dt.date,
    link_for: Callable[[ReportingDate], str],
    update_link: Callable[[Action], str] | None = None,
) -> list[Reminder]:
    """Every reminder due today, for each plan whose reporting date is in its reminder window
    and has actions with no update: a digest for each of its coordinators, and (given
    ``update_link``) an email for each contributor to those actions who has not switched
    reminders off."""
    found = []
    records = session.scalars(
        select(ReportingDate)
        .where(
            ReportingDate.plan_id.is_not(None),
            ReportingDate.reported_on >= today,
            ReportingDate.deadline <= today + dt.timedelta(days=DAYS_BEFORE),
        )
        .options(joinedload(ReportingDate.plan).joinedload(Plan.area))
        .order_by(ReportingDate.reported_on)
    )
    for record in records:
        when = stage(record, today)
        if when is None:
            continue
        missing = missing_updates(session, record.plan, record)
        if not missing.actions:
            continue
        words = "the deadline is coming" if when == "before" else "the deadline has passed"
        body = digest_text(missing, link_for(record), words)
        if update_link is not None:
            found += _contributor_reminders(record, missing, update_link, when, words)
        for user in coordinators(session, record.plan):
            found.append(
                Reminder(
                    key=f"digest:{record.id}:{user.id}:{when}",
                    reporting_date_id=record.id,
                    user_id=user.id,
                    mail=Mail(
                        to=user.email,
                        subject=f"Missing progress updates: {record.plan.area.name}, meeting on "
                        f"{record.reported_on:%d/%m/%Y}",
                        body=body,
                    ),
                )
            )
    return found


def review_digests(
    session: Session, today: dt.date, link_for: Callable[[Area], str]
) -> list[Reminder]:
    """Each area's coordinators, once a week while any learning review stage is overdue or
    due within a week: a digest of those stages (references only, never a name)."""
    found = []
    areas = {area.id: area for area in session.scalars(select(Area))}
    due_stages = stages_due(session, list(areas), today)
    year, week, _ = today.isocalendar()
    for area_id, area in areas.items():
        theirs = [s for s in due_stages if s.area_id == area_id]
        if not theirs:
            continue
        lines = [
            f"Learning review stages for {area.name} that are overdue or due within "
            f"{DUE_SOON_DAYS} days:",
            "",
        ]
        for item in theirs:
            when = "overdue since" if item.overdue(today) else "due"
            lines.append(f"- {item.reference}: {item.stage.label}, {when} {item.due_on:%d %B %Y}")
        lines += ["", f"See the register (coordinators and administrators only): {link_for(area)}"]
        body = "\n".join(lines)
        for user in _coordinators_of(session, area_id):
            found.append(
                Reminder(
                    key=f"reviews:{area_id}:{user.id}:{year}-W{week:02d}",
                    reporting_date_id=None,
                    user_id=user.id,
                    mail=Mail(
                        to=user.email,
                        subject=f"Learning review stages due: {area.name}",
                        body=body,
                    ),
                )
            )
    return found


def _coordinators_of(session: Session, area_id: int) -> list[User]:
    return [
        user
        for user in session.scalars(
            select(User)
            .where(User.role == Role.COORDINATOR, User.is_active.is_(True))
            .options(selectinload(User.areas))
        )
        if any(area.id == area_id for area in user.areas)
    ]


def _contributor_reminders(
    record: ReportingDate,
    missing: MissingUpdates,
    update_link: Callable[[Action], str],
    when: str,
    words: str,
) -> list[Reminder]:
    theirs: dict[int, tuple[User, list[Action]]] = {}
    for action in missing.actions:
        for user in action.contributors:
            if user.is_active and user.role is Role.CONTRIBUTOR and not user.reminders_off:
                theirs.setdefault(user.id, (user, []))[1].append(action)
    return [
        Reminder(
            key=f"contributor:{record.id}:{user.id}:{when}",
            reporting_date_id=record.id,
            user_id=user.id,
            mail=Mail(
                to=user.email,
                subject=f"Progress updates due: {record.plan.area.name}, meeting on "
                f"{record.reported_on:%d/%m/%Y}",
                body=contributor_text(record, actions, update_link, words),
            ),
        )
        for user, actions in theirs.values()
    ]


def claim(session: Session, reminder: Reminder, now: dt.datetime) -> bool:
    """Write the reminder in the sent-log and commit; False if it is there already (sent by an
    earlier run, or by another machine at this moment)."""
    session.add(
        ReminderSent(
            key=reminder.key,
            reporting_date_id=reminder.reporting_date_id,
            user_id=reminder.user_id,
            sent_at=now,
        )
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def release(session: Session, reminder: Reminder) -> None:
    """Take a reminder whose sending failed out of the sent-log, so the next run tries again."""
    session.execute(delete(ReminderSent).where(ReminderSent.key == reminder.key))
    session.commit()


def send_reminders(
    session: Session,
    reminders: list[Reminder],
    send: Callable[[Mail], None],
    now: dt.datetime | None = None,
) -> RemindResult:
    result = RemindResult()
    now = now or dt.datetime.now(dt.UTC)
    for reminder in reminders:
        label = f"{reminder.mail.to}: {reminder.mail.subject}"
        if not claim(session, reminder, now):
            result.already_sent.append(label)
            continue
        try:
            send(reminder.mail)
        except Exception as exc:  # a mail server's refusal is reported; the rest still go
            release(session, reminder)
            result.failed.append(f"{label} ({exc})")
        else:
            result.sent.append(label)
    return result
