"""Each area's self-evaluation activities: what each looks at (indicators of a quality
framework), when it is planned and when it was done, the framework's three questions
answered, the ratings agreed and by whom, the evidence used and the recommendations it led
to; and the calendar of them over a plan's period, quarter by quarter.

An area's coordinators and administrators keep its activities; everyone signed in reads
them (as they read the plans); the public pages never show them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from core.enums import EvidenceKind
from core.models import (
    Action,
    Area,
    EvidenceSource,
    Kpi,
    Plan,
    ProgressUpdate,
    QualityFramework,
    SelfEvaluation,
    SelfEvaluationEvidence,
    SelfEvaluationRating,
    User,
)
from core.schemas.patterns import WEB_ADDRESS
from core.services.accounts import permissions
from core.services.errors import FieldError, FieldErrors, StaleEdit
from core.services.plans.plans import NotFound
from core.services.progress.progress import latest_updates

MAX_TITLE = 300
MAX_ANSWER = 20_000
MAX_AGREED_BY = 300
MAX_NOTE = 2_000
MAX_URL = 2_000
# The calendar lists at most this many activities outside the plan's period.
MAX_OUTSIDE = 50
# The three questions of the framework, field by field (a framework's file words them).
ANSWERS = ("how_good_now", "how_we_know", "what_next")


@dataclass(frozen=True)
class ActivityText:
    """What people write of a self-evaluation activity."""

    title: str
    planned_on: dt.date
    done_on: dt.date | None = None
    how_good_now: str = ""
    how_we_know: str = ""
    what_next: str = ""
    agreed_by: str = ""
    agreed_on: dt.date | None = None


FIELDS = tuple(ActivityText.__dataclass_fields__)


def activity_by_id(session: Session, activity_id: int) -> SelfEvaluation:
    found = session.scalar(
        select(SelfEvaluation)
        .where(SelfEvaluation.id == activity_id)
        .options(
            selectinload(SelfEvaluation.area),
            selectinload(SelfEvaluation.framework).selectinload(QualityFramework.indicators),
            selectinload(SelfEvaluation.ratings).selectinload(SelfEvaluationRating.indicator),
            selectinload(SelfEvaluation.evidence).selectinload(SelfEvaluationEvidence.kpi),
            selectinload(SelfEvaluation.evidence).selectinload(
                SelfEvaluationEvidence.evidence_source
            ),
            selectinload(SelfEvaluation.evidence)
            .selectinload(SelfEvaluationEvidence.progress_update)
            .selectinload(ProgressUpdate.action),
            selectinload(SelfEvaluation.recommendations),
        )
    )
    if found is None:
        raise NotFound(f"There is no self-evaluation activity {activity_id}.")
    return found


def _checked(
    framework: QualityFramework,
    words: ActivityText,
    ratings: dict[int, int | None],
    today: dt.date,
) -> list[FieldError]:
    problems = []
    if not words.title.strip():
        problems.append(FieldError("title", "Say what the self-evaluation looks at."))
    elif len(words.title) > MAX_TITLE:
        problems.append(FieldError("title", f"This must be {MAX_TITLE} characters or fewer."))
    for name in ANSWERS:
        if len(getattr(words, name)) > MAX_ANSWER:
            problems.append(FieldError(name, f"This must be {MAX_ANSWER:,} characters or fewer."))
    if len(words.agreed_by) > MAX_AGREED_BY:
        problems.append(
            FieldError("agreed_by", f"This must be {MAX_AGREED_BY} characters or fewer.")
        )
    for name in ("done_on", "agreed_on"):
        day = getattr(words, name)
        if day is not None and day > today:
            problems.append(FieldError(name, "This date is in the future."))
    if not ratings:
        problems.append(FieldError("indicators", "Choose at least one indicator it looks at."))
    known = {i.id: i for i in framework.indicators}
    scale = {point["value"] for point in framework.scale}
    for indicator_id, rating in ratings.items():
        if indicator_id not in known:
            problems.append(
                FieldError("indicators", f"Choose indicators of the {framework.title}.")
            )
        elif rating is not None and rating not in scale:
            problems.append(
                FieldError(
                    f"indicator_{indicator_id}",
                    f"{known[indicator_id].name}: choose a rating on the framework's scale.",
                )
            )
    rated = any(rating is not None for rating in ratings.values())
    if rated and words.done_on is None:
        problems.append(
            FieldError("done_on", "Give the date it was done: a rating is agreed once it is done.")
        )
    if rated and not words.agreed_by.strip():
        problems.append(FieldError("agreed_by", "Say who agreed the ratings."))
    return problems


def add(
    session: Session,
    *,
    actor: User,
    area: Area,
    framework: QualityFramework,
    words: ActivityText,
    ratings: dict[int, int | None],
    today: dt.date | None = None,
) -> SelfEvaluation:
    """A self-evaluation activity of ``area`` looking at the indicators ``ratings`` names
    (each with its rating, or None for not rated yet)."""
    permissions.require_self_evaluation(actor, area)
    FieldErrors.raise_any(_checked(framework, words, ratings, today or dt.date.today()))
    activity = SelfEvaluation(
        area=area,
        framework=framework,
        **_stripped(words),
        ratings=[
            SelfEvaluationRating(indicator_id=indicator_id, rating=rating)
            for indicator_id, rating in sorted(ratings.items())
        ],
    )
    session.add(activity)
    session.flush()
    return activity


def _stripped(words: ActivityText) -> dict:
    return {
        name: value.strip() if isinstance(value, str) else value
        for name, value in words.__dict__.items()
    }


def _stale(title: str) -> StaleEdit:
    return StaleEdit(
        "revision",
        f"Someone changed the self-evaluation “{title}” after you opened it: nothing was saved.",
    )


def edit(
    session: Session,
    activity: SelfEvaluation,
    *,
    actor: User,
    revision: int,
    words: ActivityText,
    ratings: dict[int, int | None],
    today: dt.date | None = None,
) -> bool:
    """Change what it says, the indicators it looks at and their ratings; refused if someone
    saved a change after ``revision`` was read. Whether anything changed."""
    permissions.require_self_evaluation(actor, activity.area)
    title = activity.title  # (for the refusal: after a failed flush nothing can be read)
    if activity.revision != revision:
        raise _stale(title)
    FieldErrors.raise_any(_checked(activity.framework, words, ratings, today or dt.date.today()))
    changed = False
    for name, value in _stripped(words).items():
        if getattr(activity, name) != value:
            setattr(activity, name, value)
            changed = True
    kept = {r.indicator_id: r for r in activity.ratings}
    for indicator_id, row in kept.items():
        if indicator_id not in ratings:
            activity.ratings.remove(row)
            changed = True
    for indicator_id, rating in sorted(ratings.items()):
        row = kept.get(indicator_id)
        if row is None:
            activity.ratings.append(SelfEvaluationRating(indicator_id=indicator_id, rating=rating))
            changed = True
        elif row.rating != rating:
            row.rating = rating
            changed = True
    if changed:
        activity.revision += 1  # a rating's change is the activity's, for the next edit
    try:
        session.flush()  # UPDATE ... WHERE revision = <the revision read>
    except StaleDataError:
        raise _stale(title) from None
    return changed


@dataclass(frozen=True)
class EvidenceChoice:
    """What a person chose as evidence: one of a KPI, an evidence-menu entry, an action's
    latest progress update (by the action's number), or a document's link and title."""

    kind: EvidenceKind
    kpi_id: int | None = None
    evidence_source_id: int | None = None
    action_code: str = ""
    url: str = ""
    title: str = ""
    note: str = ""


def add_evidence(
    session: Session,
    activity: SelfEvaluation,
    choice: EvidenceChoice,
    *,
    actor: User,
    plan: Plan | None,
) -> SelfEvaluationEvidence:
    """Link a piece of evidence to the activity. A KPI must be one the area reports (its own,
    or Tayside-wide); an evidence-menu entry one of ``plan``'s; an update the latest in force
    of the plan's action numbered ``action_code`` reported by the day the activity was done
    (or today)."""
    permissions.require_self_evaluation(actor, activity.area)
    if len(choice.note) > MAX_NOTE:
        raise FieldError("note", f"The note must be {MAX_NOTE:,} characters or fewer.")
    evidence = SelfEvaluationEvidence(kind=choice.kind, note=choice.note.strip())
    if choice.kind is EvidenceKind.KPI:
        kpi = session.get(Kpi, choice.kpi_id) if choice.kpi_id else None
        if kpi is None or kpi.area_id not in (None, activity.area_id):
            raise FieldError("kpi", f"Choose one of {activity.area.name}'s KPIs.")
        evidence.kpi = kpi
    elif choice.kind is EvidenceKind.EVIDENCE_SOURCE:
        source = session.get(EvidenceSource, choice.evidence_source_id or 0)
        if plan is None or source is None or source.plan_id != plan.id:
            raise FieldError("evidence_source", "Choose an entry of the plan's evidence menu.")
        evidence.evidence_source = source
    elif choice.kind is EvidenceKind.UPDATE:
        evidence.progress_update = _latest_update(session, activity, plan, choice.action_code)
    else:
        url, title = choice.url.strip(), choice.title.strip()
        if not re.match(WEB_ADDRESS, url) or len(url) > MAX_URL:
            raise FieldError("url", "Give the document's address, starting https://.")
        if not title or len(title) > MAX_TITLE:
            raise FieldError(
                "title", f"Give the document's title ({MAX_TITLE} characters at most)."
            )
        evidence.url, evidence.title = url, title
    activity.evidence.append(evidence)
    session.flush()
    return evidence


def _latest_update(
    session: Session, activity: SelfEvaluation, plan: Plan | None, code: str
) -> ProgressUpdate:
    code = code.strip()
    if plan is None:
        raise FieldError("action", f"{activity.area.name} has no plan yet.")
    action = session.scalar(
        select(Action).where(Action.plan_id == plan.id, Action.code == code).limit(1)
    )
    if action is None or not code:
        raise FieldError("action", f"There is no action {code or '(none given)'} in {plan.title}.")
    update = latest_updates(
        session, Action.id == action.id, as_at=activity.done_on or dt.date.today()
    ).get(action.id)
    if update is None:
        raise FieldError("action", f"Action {code} has no progress update to use as evidence.")
    return update


def remove_evidence(
    session: Session, activity: SelfEvaluation, evidence_id: int, *, actor: User
) -> bool:
    permissions.require_self_evaluation(actor, activity.area)
    found = [e for e in activity.evidence if e.id == evidence_id]
    for evidence in found:
        activity.evidence.remove(evidence)
    session.flush()
    return bool(found)


@dataclass(frozen=True)
class Quarter:
    """Three months of a plan's period and the activities planned in them."""

    number: int
    start: dt.date
    end: dt.date
    activities: list[SelfEvaluation]


def where_it_stands(activity: SelfEvaluation, end: dt.date, today: dt.date) -> str:
    """Done (in or before the quarter it was planned in), done later (it slipped), slipped
    (not done and its quarter is over), or planned; as known on ``today``."""
    done = activity.done_on if activity.done_on and activity.done_on <= today else None
    if done is not None:
        return "Done" if done <= end else "Done later"
    return "Slipped" if end < today else "Planned"


@dataclass(frozen=True)
class Calendar:
    plan: Plan | None
    quarters: list[Quarter]
    # Activities planned outside the plan's period (latest first, at most ``MAX_OUTSIDE``).
    outside: list[SelfEvaluation]

    def count(self, stands: str, today: dt.date) -> int:
        return sum(
            1
            for q in self.quarters
            for a in q.activities
            if where_it_stands(a, q.end, today) == stands
        )


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def quarters_of(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The plan's period in quarters of three months from its start (the last may be short)."""
    found = []
    first = start.replace(day=1)
    while first <= end:
        following = _add_months(first, 3)
        found.append((max(first, start), min(following - dt.timedelta(days=1), end)))
        first = following
    return found


def calendar(session: Session, area: Area, plan: Plan | None) -> Calendar:
    """The area's activities over ``plan``'s period by quarter, and those outside it. Two
    queries (with their indicators), whatever the number of activities."""
    options = (
        selectinload(SelfEvaluation.ratings).selectinload(SelfEvaluationRating.indicator),
        selectinload(SelfEvaluation.framework),
    )
    base = select(SelfEvaluation).where(SelfEvaluation.area_id == area.id).options(*options)
    if plan is None:
        inside: list[SelfEvaluation] = []
        outside = base
    else:
        inside = list(
            session.scalars(
                base.where(
                    SelfEvaluation.planned_on.between(plan.period_start, plan.period_end)
                ).order_by(SelfEvaluation.planned_on, SelfEvaluation.id)
            )
        )
        outside = base.where(~SelfEvaluation.planned_on.between(plan.period_start, plan.period_end))
    others = list(
        session.scalars(
            outside.order_by(SelfEvaluation.planned_on.desc(), SelfEvaluation.id.desc()).limit(
                MAX_OUTSIDE
            )
        )
    )
    quarters = []
    if plan is not None:
        for number, (start, end) in enumerate(quarters_of(plan.period_start, plan.period_end), 1):
            quarters.append(
                Quarter(number, start, end, [a for a in inside if start <= a.planned_on <= end])
            )
    return Calendar(plan, quarters, others)
