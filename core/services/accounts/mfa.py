"""A second factor for local accounts: time-based one-time passwords (RFC 6238, through pyotp)
set up from the account page, and ten single-use recovery codes kept as hashes.

A code is accepted once only: the step it belongs to is written with one guarded UPDATE
(``WHERE last_step < :step``), so a code replayed in the same 30 seconds is refused, in this
process or any other. A recovery code is spent the same way."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable

import pyotp
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.enums import Role
from core.models import RecoveryCode, SecondFactor, User
from core.services.accounts.permissions import require_user_admin
from core.services.errors import FieldError
from core.services.records import audit

ISSUER = "Tayside CPC improvement plans"
RECOVERY_CODES = 10
# A code from the step before or after the current one is accepted (clocks drift).
WINDOW = 1


def required(user: User, roles: Iterable[Role]) -> bool:
    """Whether ``user``'s role must sign in with a second factor (``CPC_REQUIRE_MFA``)."""
    return user.role in set(roles)


def enabled(user: User) -> bool:
    factor = user.second_factor
    return factor is not None and factor.enabled_at is not None


def pending_secret(user: User) -> str | None:
    """The secret being set up (not yet confirmed by a code), if any."""
    factor = user.second_factor
    return factor.secret if factor is not None and factor.enabled_at is None else None


def begin(session: Session, user: User) -> str:
    """A new secret for ``user`` to add to their authenticator app, waiting to be confirmed by
    a code from it. Returns its provisioning URI."""
    if enabled(user):
        raise FieldError("code", "Two-step sign-in is already set up for this account.")
    if user.second_factor is None:
        try:
            with session.begin_nested():
                session.add(
                    SecondFactor(user_id=user.id, secret=pyotp.random_base32(), last_step=0)
                )
        except IntegrityError:
            pass  # the same page opened twice at once: the other's secret stands
        session.expire(user, ["second_factor"])
    return provisioning_uri(user)


def provisioning_uri(user: User) -> str:
    assert user.second_factor is not None
    return pyotp.TOTP(user.second_factor.secret).provisioning_uri(
        name=user.email, issuer_name=ISSUER
    )


def qr_svg(uri: str) -> str:
    """The provisioning URI as a QR code, an SVG drawn here (no third-party service sees the
    secret)."""
    import segno  # imported when a code is drawn

    return segno.make(uri, error="m").svg_inline(scale=4, title="QR code to scan with your app")


def _digits(code: str) -> str:
    return "".join(ch for ch in (code or "") if not ch.isspace())[:64]


def confirm(session: Session, user: User, code: str) -> list[str]:
    """Switch two-step sign-in on with the first code from the app; returns the ten recovery
    codes, shown once."""
    if pending_secret(user) is None:
        raise FieldError("code", "Start setting up two-step sign-in again.")
    if not _accept_totp(session, user, _digits(code)):
        raise FieldError("code", "That code is not right: enter the 6 digits your app shows now.")
    switched_on = session.execute(
        update(SecondFactor)
        .where(SecondFactor.user_id == user.id, SecondFactor.enabled_at.is_(None))
        .values(enabled_at=func.now())
        .execution_options(synchronize_session=False)
    )
    if switched_on.rowcount != 1:  # confirmed at the same moment in another window
        raise FieldError("code", "Two-step sign-in is already set up for this account.")
    codes = _new_recovery_codes(session, user)
    audit.record_event(
        session,
        kind="users",
        event_name="mfa_on",
        actor=user,
        record_id=user.id,
        summary=f"{user.email} set up two-step sign-in",
    )
    session.expire(user.second_factor)
    return codes


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(c)) for c in codes)
    session.flush()
    return codes


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().encode()).hexdigest()


def verify(session: Session, user: User, code: str) -> str | None:
    """Check the second step: a code from the app, or an unused recovery code. Returns how it
    was passed ("app" or "recovery code"), or None. Each is accepted once only."""
    digits = _digits(code)
    if not enabled(user) or not digits:
        return None
    if digits.isdigit() and _accept_totp(session, user, digits):
        return "app"
    used = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(digits),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=func.now())
        .execution_options(synchronize_session=False)
    )
    if used.rowcount == 1:
        audit.record_event(
            session,
            kind="users",
            event_name="recovery_code_used",
            actor=user,
            record_id=user.id,
            summary=f"{user.email} signed in with a recovery code",
        )
        return "recovery code"
    return None


def _accept_totp(session: Session, user: User, digits: str, now: float | None = None) -> bool:
    """Whether ``digits`` is the code of a step near now that is later than the last one
    accepted, claiming that step with one guarded UPDATE."""
    if user.second_factor is None or not digits.isdigit():
        return False
    totp = pyotp.TOTP(user.second_factor.secret)
    at = dt.datetime.fromtimestamp(now, dt.UTC) if now else dt.datetime.now(dt.UTC)
    step = totp.timecode(at)
    for candidate in range(step - WINDOW, step + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), digits):
            claimed = session.execute(
                update(SecondFactor)
                .where(SecondFactor.user_id == user.id, SecondFactor.last_step < candidate)
                .values(last_step=candidate)
                .execution_options(synchronize_session=False)
            )
            return claimed.rowcount == 1
    return False


def unused_recovery_codes(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def turn_off(session: Session, user: User, *, actor: User, why: str) -> None:
    """Remove the second factor (its secret and recovery codes): the user's own choice, when
    their role does not require one, or an administrator's reset. Audited."""
    if actor.id != user.id:
        require_user_admin(actor)
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.execute(delete(SecondFactor).where(SecondFactor.user_id == user.id))
    audit.record_event(
        session,
        kind="users",
        event_name="mfa_reset" if actor.id != user.id else "mfa_off",
        actor=actor,
        record_id=user.id,
        summary=why,
    )
    if user.second_factor is not None:
        session.expunge(user.second_factor)
    session.expire(user, ["second_factor"])
