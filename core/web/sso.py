"""Single sign-on pages: "Sign in with <provider>" and the provider's answer, through Authlib
(authorization code with PKCE; ``state`` and ``nonce`` checked; the ID token's signature,
issuer, audience and expiry verified). What a sign-in in progress needs is kept in the
browser's signed session, so any web process can take the answer."""

from __future__ import annotations

import logging

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from joserfc.errors import JoseError
from requests import RequestException

from core import db
from core.identity import start_session
from core.services.accounts import sso
from core.web.home import home_for, safe_next

log = logging.getLogger(__name__)
bp = Blueprint("sso", __name__)


def init_app(app: Flask) -> None:
    """Read the configured providers (a mistake stops the app, named) and register each with
    Authlib."""
    providers = sso.load_providers(app.config.get("OIDC_PROVIDERS"))
    oauth = OAuth(app)
    for provider in providers:
        oauth.register(
            name=provider.key,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.metadata_url,
            client_kwargs={"scope": provider.scopes, "code_challenge_method": "S256"},
        )
    app.extensions["cpc_sso"] = (providers, oauth)


def origins(app: Flask | None = None) -> list[str]:
    """The providers' origins (where their sign-in pages are), for the page's security policy."""
    found = (app or current_app).extensions["cpc_sso"][0]
    return sorted({"/".join(p.issuer.split("/")[:3]) for p in found})


def providers() -> list[sso.Provider]:
    return current_app.extensions["cpc_sso"][0]


def provider_for_email(email: str) -> sso.Provider | None:
    return sso.provider_for_email(providers(), email)


def _provider(key: str):
    found = next((p for p in providers() if p.key == key), None)
    if found is None:
        abort(404, "There is no such way to sign in.")
    return found, current_app.extensions["cpc_sso"][1].create_client(key)


@bp.get("/sign-in/with/<key>")
def start(key: str):
    """Off to the provider to sign in (``login_hint``: the email typed on the sign-in page)."""
    provider, client = _provider(key)
    wanted = safe_next(request.args.get("next")) if request.args.get("next") else ""
    # Opening the site goes to one's own home; another page of it, back there.
    session["sso_next"] = "" if wanted == url_for("pages.index") else wanted
    hint = (request.args.get("login_hint") or "")[:320]
    extra = {"login_hint": hint} if hint else {}
    try:
        return client.authorize_redirect(
            url_for("sso.callback", key=provider.key, _external=True), **extra
        )
    except (RequestException, OAuthError, ValueError) as problem:
        log.warning("single sign-on with %s could not start: %s", provider.key, problem)
        return _refused(f"{provider.name} cannot be reached just now: try again in a minute.", 503)


@bp.get("/sign-in/with/<key>/callback")
def callback(key: str):
    """The provider's answer: checked in full before anyone is signed in."""
    provider, client = _provider(key)
    try:
        token = client.authorize_access_token()
    except OAuthError as problem:
        log.info("single sign-on with %s refused: %s", provider.key, problem)
        # Only the error's code, never its description: the address carries it, and whoever
        # made the link chose it.
        code = "".join(c for c in str(problem.error or "")[:40] if c.isalnum() or c == "_")
        return _refused(
            f"Signing in with {provider.name} did not work ({code or 'no reason given'}). "
            "Nobody has been signed in: start again from the sign-in page."
        )
    except (JoseError, ValueError, KeyError) as problem:
        log.warning("single sign-on with %s: the ID token failed its checks: %s", key, problem)
        return _refused(
            f"{provider.name}'s answer failed its checks (its signature, issuer, audience, "
            "expiry or nonce), so nobody has been signed in: start again from the sign-in page."
        )
    except RequestException as problem:
        log.warning("single sign-on with %s: %s", provider.key, problem)
        return _refused(f"{provider.name} cannot be reached just now: try again in a minute.", 503)
    claims = token.get("userinfo")
    if not claims:
        return _refused(f"{provider.name} sent no ID token: nobody has been signed in.")
    tx = db.get_session()
    try:
        user = sso.sign_in(tx, provider, dict(claims))
    except sso.AwaitingApproval as waiting:
        tx.commit()
        return _refused(str(waiting), 403)
    except sso.SsoRefused as refused:
        tx.rollback()
        return _refused(str(refused), 403)
    tx.commit()
    wanted = session.get("sso_next") or ""
    start_session(user)
    return redirect(wanted or home_for(user))


def _refused(message: str, status: int = 400):
    return render_template("sso_refused.html", message=message), status
