"""Single sign-on through OpenID Connect: the providers an operator configures, and who a
provider's signed-in person is here.

The provider proves who someone is, not what they may do: an account is matched by the
provider's stable subject, linked on the first sign-on to the account an administrator made
for the same verified email, and keeps the role and areas the platform gives it. An unknown
person is refused with a sentence naming whom to ask, unless the provider lets a domain
register itself: then a viewer account is made, switched off until an administrator lets it in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from core.enums import Role
from core.models import OidcIdentity, User
from core.services.accounts import accounts
from core.services.records import audit

KEY = r"^[a-z0-9][a-z0-9-]{0,39}\Z"


@dataclass(frozen=True)
class Provider:
    """An identity provider: ``key`` (in its addresses), ``name`` (on its button), its
    ``issuer`` (whose discovery document is read), this platform's client credentials, the
    scopes asked for, the email ``domains`` it serves, and those that may register themselves."""

    key: str
    name: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid email profile"
    domains: tuple[str, ...] = ()
    self_register: tuple[str, ...] = field(default=())

    @property
    def metadata_url(self) -> str:
        if "/.well-known/" in self.issuer:
            return self.issuer
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


class ProviderSchema(Schema):
    key = fields.String(required=True, validate=validate.Regexp(KEY))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    issuer = fields.Url(required=True, require_tld=False, schemes={"https", "http"})
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=500))
    client_secret = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    scopes = fields.String(load_default="openid email profile")
    domains = fields.List(
        fields.String(validate=validate.Length(min=1, max=253)), load_default=list
    )
    # The email domains whose people may make themselves a viewer account awaiting an admin.
    self_register = fields.List(fields.String(), load_default=list)

    @validates_schema
    def _openid(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if "openid" not in data.get("scopes", "").split():
            raise ValidationError("The scopes must include openid.", "scopes")
        if data["issuer"].startswith("http://") and not _loopback(data["issuer"]):
            raise ValidationError("An issuer must be https (http only on loopback).", "issuer")


def _loopback(url: str) -> bool:
    host = url.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]
    return host in ("localhost", "127.0.0.1", "[::1]")


def load_providers(raw: Any) -> list[Provider]:
    """The configured providers (``CPC_OIDC_PROVIDERS``); a mistake stops the app with every
    problem named."""
    if not raw:
        return []
    try:
        items = ProviderSchema(many=True).load(raw if isinstance(raw, list) else [raw])
    except ValidationError as problem:
        named = "; ".join(
            f"provider {index + 1}, {name}: {' '.join(map(str, words))}"
            for index, fields_ in sorted(problem.messages.items())
            for name, words in fields_.items()
        )
        raise ValueError(f"The OpenID Connect providers are not right: {named}") from None
    keys = [item["key"] for item in items]
    if len(set(keys)) != len(keys):
        raise ValueError("The OpenID Connect providers' keys must differ from one another.")
    return [
        Provider(
            key=item["key"],
            name=item["name"],
            issuer=item["issuer"],
            client_id=item["client_id"],
            client_secret=item["client_secret"],
            scopes=item["scopes"],
            domains=tuple(d.lower().lstrip("@") for d in item["domains"]),
            self_register=tuple(d.lower().lstrip("@") for d in item["self_register"]),
        )
        for item in items
    ]


def provider_for_email(providers: list[Provider], email: str) -> Provider | None:
    """The provider that serves the domain of ``email``, if any."""
    domain = email.strip().lower().rpartition("@")[2]
    return next((p for p in providers if domain and domain in p.domains), None)


class SsoRefused(Exception):
    """Nobody is signed in; the message says why and whom to ask."""


class AwaitingApproval(SsoRefused):
    """A self-registered account was made (the caller commits it) and waits for an admin."""


def _ask(session: Session) -> str:
    admins = accounts.admin_emails(session)
    return f"an administrator ({', '.join(admins[:3])})" if admins else "an administrator"


def sign_in(session: Session, provider: Provider, claims: dict[str, Any]) -> User:
    """The account of the person ``provider`` signed in (its verified ``claims``), or
    ``SsoRefused``. Links the subject to an admin-made account of the same verified email on
    the first sign-on. The caller commits."""
    subject = str(claims.get("sub") or "")[:255]
    if not subject:
        raise SsoRefused(f"{provider.name} did not say who you are: try again.")
    identity = session.scalar(
        select(OidcIdentity)
        .where(OidcIdentity.provider == provider.key, OidcIdentity.subject == subject)
        .options(selectinload(OidcIdentity.user))
    )
    if identity is not None:
        user = identity.user
    else:
        email = str(claims.get("email") or "").strip().lower()[:320]
        if not email or claims.get("email_verified") is not True:
            raise SsoRefused(
                f"{provider.name} did not give a verified email address, so your account here "
                f"cannot be found: ask {_ask(session)}."
            )
        user = accounts.user_by_email(session, email)
        if user is None:
            domain = email.rpartition("@")[2]
            if domain in provider.self_register:
                _register(session, provider, subject, email)
                raise AwaitingApproval(
                    f"An account for {email} has been made and waits for an administrator to "
                    f"give it its role and let you in: ask {_ask(session)}."
                )
            raise SsoRefused(
                f"There is no account for {email} here. Ask {_ask(session)} to make you one."
            )
        _link(session, user, provider, subject, email)
    if not user.is_active:
        waiting = user.self_registered_at is not None
        raise SsoRefused(
            (
                f"Your account ({user.email}) waits for an administrator to let you in"
                if waiting
                else f"Your account ({user.email}) is switched off"
            )
            + f": ask {_ask(session)}."
        )
    accounts.signed_in(session, user, f"through {provider.name}")
    return user


def _link(session: Session, user: User, provider: Provider, subject: str, email: str) -> None:
    try:
        with session.begin_nested():
            session.add(
                OidcIdentity(user_id=user.id, provider=provider.key, subject=subject, email=email)
            )
    except IntegrityError:
        raise SsoRefused("You were signed in twice at the same moment: try again.") from None
    audit.record_event(
        session,
        kind="users",
        event_name="sso_linked",
        actor=user,
        record_id=user.id,
        summary=f"{email} linked to {provider.name} on first single sign-on",
    )


def _register(session: Session, provider: Provider, subject: str, email: str) -> None:
    user = User(
        email=email,
        role=Role.VIEWER,
        is_active=False,
        password_login=False,
        # Never used: the account signs in through its provider only.
        password_hash=accounts.hash_password(accounts.generate_password()),
        self_registered_at=dt.datetime.now(dt.UTC),
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        raise SsoRefused("You were signed in twice at the same moment: try again.") from None
    _link(session, user, provider, subject, email)
    audit.record_event(
        session,
        kind="users",
        event_name="self_registered",
        actor=None,
        record_id=user.id,
        summary=f"{email} registered through {provider.name}: a viewer awaiting an admin",
    )
