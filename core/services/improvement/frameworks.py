"""Quality frameworks for self-evaluation: listing them, and an administrator adding the
indicators a plugin's file could not source."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from core.models import QualityFramework, QualityIndicator, User
from core.schemas.patterns import CODE
from core.services.accounts.permissions import PermissionDenied, manages_users
from core.services.errors import FieldError, FieldErrors
from core.services.plans.plans import NotFound

MAX_TITLE = 300


def frameworks(session: Session) -> list[QualityFramework]:
    return list(
        session.scalars(
            select(QualityFramework)
            .options(selectinload(QualityFramework.indicators))
            .order_by(QualityFramework.title)
        )
    )


def framework_by_key(session: Session, key: str) -> QualityFramework:
    found = session.scalar(
        select(QualityFramework)
        .where(QualityFramework.key == key)
        .options(selectinload(QualityFramework.indicators))
    )
    if found is None:
        raise NotFound(f"There is no quality framework {key!r}.")
    return found


def add_indicator(
    session: Session, framework: QualityFramework, *, actor: User, number: str, title: str
) -> QualityIndicator:
    """An indicator the framework's file left out, from the published framework (an
    administrator's; kept as added in the app)."""
    if not manages_users(actor):
        raise PermissionDenied("Only administrators can add a quality framework's indicators.")
    number, title = number.strip(), title.strip()
    problems = []
    if not re.match(CODE, number):
        problems.append(FieldError("number", "Give the indicator's number, like 2.1."))
    elif any(i.number == number for i in framework.indicators):
        problems.append(FieldError("number", f"The framework already has indicator {number}."))
    if not title:
        problems.append(
            FieldError("title", "Give the indicator's title, as the framework words it.")
        )
    elif len(title) > MAX_TITLE:
        problems.append(FieldError("title", f"The title must be {MAX_TITLE} characters or fewer."))
    FieldErrors.raise_any(problems)
    position = session.scalar(
        select(func.coalesce(func.max(QualityIndicator.position), 0)).where(
            QualityIndicator.framework_id == framework.id
        )
    )
    indicator = QualityIndicator(
        framework=framework, number=number, title=title, position=position + 1, origin="added"
    )
    session.add(indicator)
    session.flush()
    return indicator
