"""A real OpenID Connect provider on loopback, built with Authlib's JOSE library (joserfc), for
the single sign-on tests: discovery, JWKS, the authorization endpoint (it signs in whoever the
test says, at once), and the token endpoint (authorization code with PKCE, each code once).
The test can make it misbehave: sign an ID token for another audience, or one already expired."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

CLIENT_ID, CLIENT_SECRET = "cpc-test-client", "synthetic-test-secret"


@dataclass
class Provider:
    """The provider's state, and the knobs a test turns."""

    url: str = ""
    # Who is signed in at the provider: the ID token's claims (sub, email, email_verified).
    person: dict[str, Any] = field(default_factory=dict)
    audience: str | None = None  # None: the client's id, as it should be
    expired: bool = False
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))


def _app(provider: Provider) -> Flask:
    app = Flask("oidc-provider")

    @app.get("/.well-known/openid-configuration")
    def discovery():
        return jsonify(
            issuer=provider.url,
            authorization_endpoint=f"{provider.url}/authorize",
            token_endpoint=f"{provider.url}/token",
            jwks_uri=f"{provider.url}/jwks",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            code_challenge_methods_supported=["S256"],
            token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
        )

    @app.get("/jwks")
    def jwks():
        return jsonify(keys=[provider.key.as_dict(private=False)])

    @app.get("/authorize")
    def authorize():
        args = request.args
        if args.get("client_id") != CLIENT_ID or args.get("code_challenge_method") != "S256":
            return "unknown client or no PKCE", 400
        code = secrets.token_urlsafe(16)
        provider.codes[code] = {
            "redirect_uri": args["redirect_uri"],
            "nonce": args.get("nonce"),
            "challenge": args["code_challenge"],
            "person": dict(provider.person),
            "used": False,
        }
        query = urlencode({"code": code, "state": args.get("state", "")})
        return redirect(f"{args['redirect_uri']}?{query}")

    @app.post("/token")
    def token():
        form = request.form
        auth = request.authorization
        client_id = auth.username if auth else form.get("client_id")
        secret = auth.password if auth else form.get("client_secret")
        if (client_id, secret) != (CLIENT_ID, CLIENT_SECRET):
            return jsonify(error="invalid_client"), 401
        grant = provider.codes.get(form.get("code", ""))
        if grant is None or grant["used"]:
            return jsonify(error="invalid_grant", error_description="code used or unknown"), 400
        grant["used"] = True
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
        if (
            digest.decode() != grant["challenge"]
            or form.get("redirect_uri") != grant["redirect_uri"]
        ):
            return jsonify(error="invalid_grant", error_description="PKCE or redirect"), 400
        now = int(time.time())
        claims = {
            "iss": provider.url,
            "aud": provider.audience or CLIENT_ID,
            "iat": now - (3600 if provider.expired else 0),
            "exp": now - 1800 if provider.expired else now + 300,
            "nonce": grant["nonce"],
            **grant["person"],
        }
        id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, provider.key)
        return jsonify(
            access_token=secrets.token_urlsafe(16),
            token_type="Bearer",
            expires_in=300,
            id_token=id_token,
        )

    return app


@contextmanager
def running() -> Iterator[Provider]:
    """The provider served on a free loopback port, for the length of the block."""
    provider = Provider()
    server = make_server("127.0.0.1", 0, _app(provider), threaded=True)
    provider.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(timeout=10)
