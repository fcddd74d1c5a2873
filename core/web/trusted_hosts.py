"""Refusing a request whose Host header is not the platform's own, before any page runs."""

from __future__ import annotations

from collections.abc import Iterable

from werkzeug.sansio.utils import host_is_trusted

REFUSAL = (
    b"This service does not answer to that host name: the request's Host header is not one of "
    b"the platform's own (CPC_TRUSTED_HOSTS).\n"
)


class TrustedHosts:
    """WSGI middleware: a Host header not in ``hosts`` gets 400 with a sentence."""

    def __init__(self, wsgi_app, hosts: Iterable[str]) -> None:
        self.wsgi_app = wsgi_app
        self.hosts = list(hosts)

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME")
        if host_is_trusted(host, self.hosts):
            return self.wsgi_app(environ, start_response)
        start_response(
            "400 Bad Request",
            [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(REFUSAL)))],
        )
        return [REFUSAL]
