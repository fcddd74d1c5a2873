"""Who may change what. Every write in the services checks here, whatever the form or URL.

- An admin may change anything.
- A coordinator may report progress on, add to and edit the plans of their own areas only.
- A TRIC PG5 member creates and words the shared actions (every area's adopted copy follows);
  they report no area's progress, and adopt nothing into an area's plan.
- A contributor (a strategic lead with an account) posts progress updates on the actions
  they are linked to, and nothing else; their updates wait for a coordinator's review.
- A viewer, like everyone signed in, reads every plan and changes nothing.
"""

from __future__ import annotations

from core.enums import ActionOrigin, Role
from core.models import Action, Area, User


class PermissionDenied(PermissionError):
    """The user's role or areas do not allow this change; the message says who may make it."""


def writes_area(user: User, area: Area) -> bool:
    if not user.is_active:
        return False
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.COORDINATOR and any(a.id == area.id for a in user.areas)


def contributes_to(user: User, action: Action) -> bool:
    """A contributor linked to ``action``."""
    return (
        user.is_active
        and user.role is Role.CONTRIBUTOR
        and any(c.id == user.id for c in action.contributors)
    )


def posts_updates(user: User, action: Action) -> bool:
    """The area's coordinators and admins, and the action's contributors."""
    return writes_area(user, action.plan.area) or contributes_to(user, action)


def edits_wording(user: User, action: Action) -> bool:
    """Local actions are worded by their area. An adopted copy of a shared action follows the
    shared action's wording, which PG5 keeps (``edits_shared``), so nobody edits the copy."""
    return action.origin is ActionOrigin.LOCAL and writes_area(user, action.plan.area)


def edits_shared(user: User) -> bool:
    return user.is_active and user.role in (Role.ADMIN, Role.PG5)


def manages_users(user: User) -> bool:
    return user.is_active and user.role is Role.ADMIN


def require_area(user: User, area: Area) -> None:
    if not writes_area(user, area):
        raise PermissionDenied(
            f"Only {area.name}'s coordinators and administrators can change {area.name}'s plan."
        )


def require_posting(user: User, action: Action) -> None:
    if not posts_updates(user, action):
        area = action.plan.area.name
        raise PermissionDenied(
            f"Only {area}'s coordinators and administrators, and the contributors linked to "
            f"action {action.code}, can post its progress updates."
        )


def require_wording(user: User, action: Action) -> None:
    if action.origin is ActionOrigin.ADOPTED:
        raise PermissionDenied(
            f"Action {action.code} is a TRIC PG5 shared action: its wording is kept by PG5 "
            "members and administrators, on the shared action's page, and every area's copy "
            "follows it. Its area still reports its own progress."
        )
    require_area(user, action.plan.area)


def require_shared(user: User) -> None:
    if not edits_shared(user):
        raise PermissionDenied(
            "Only TRIC PG5 members and administrators can create or change shared actions."
        )


def require_user_admin(user: User) -> None:
    if not manages_users(user):
        raise PermissionDenied("Only administrators can manage accounts.")


def reads_learning_reviews(user: User, area: Area) -> bool:
    """A learning review is more sensitive than a plan: only the area's coordinators and
    administrators read one (everyone else sees only how many there are)."""
    return writes_area(user, area)


def require_learning_reviews(user: User, area: Area) -> None:
    if not reads_learning_reviews(user, area):
        raise PermissionDenied(
            f"Only {area.name}'s coordinators and administrators can read or change "
            f"{area.name}'s learning reviews."
        )


def require_recommendations(user: User, area: Area | None) -> None:
    """An area's recommendations are kept by its coordinators; Tayside-wide ones by PG5."""
    if area is None:
        if not edits_shared(user):
            raise PermissionDenied(
                "Only TRIC PG5 members and administrators can change Tayside-wide recommendations."
            )
        return
    if not writes_area(user, area):
        raise PermissionDenied(
            f"Only {area.name}'s coordinators and administrators can change {area.name}'s "
            "recommendations."
        )


def require_self_evaluation(user: User, area: Area) -> None:
    """An area's self-evaluation activities, and the quality indicators its actions are tagged
    with, are kept by its coordinators (everyone signed in reads them)."""
    if not writes_area(user, area):
        raise PermissionDenied(
            f"Only {area.name}'s coordinators and administrators can change {area.name}'s "
            "self-evaluation."
        )


def require_kpi_tags(user: User, area: Area | None) -> None:
    """A KPI's quality indicators are tagged by whoever words the KPI: its area's
    coordinators, or for a Tayside-wide KPI, TRIC PG5 members."""
    if area is None:
        if not edits_shared(user):
            raise PermissionDenied(
                "Only TRIC PG5 members and administrators can tag Tayside-wide KPIs."
            )
        return
    if not writes_area(user, area):
        raise PermissionDenied(
            f"Only {area.name}'s coordinators and administrators can tag {area.name}'s KPIs."
        )
