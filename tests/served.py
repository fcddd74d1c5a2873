"""The app served for real, to be driven by concurrent clients: in this process by waitress
with many threads, or as separate `cpc serve` processes on the same database."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import requests
from flask import Flask
from waitress import create_server

from core import db
from core.services.accounts import accounts, tokens
from tests.helpers import TEST_PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# Every client made here, closed when its server stops, so no socket is left to the collector.
_clients: list[requests.Session] = []


def client(base: str) -> requests.Session:
    """A plain HTTP client of the server at ``base``."""
    made = requests.Session()
    made.base = base  # type: ignore[attr-defined]
    _clients.append(made)
    return made


def _close_clients() -> None:
    while _clients:
        _clients.pop().close()


@contextmanager
def served_in_threads(app: Flask, threads: int = 16) -> Iterator[list[str]]:
    """The app served by waitress in this process; yields its one base URL."""
    server = create_server(app, host="127.0.0.1", port=0, threads=threads)
    runner = threading.Thread(target=server.run, daemon=True)
    runner.start()
    try:
        yield [f"http://127.0.0.1:{server.effective_port}"]
    finally:
        _close_clients()

        def close_all() -> None:  # in the server's own loop, which then has nothing to watch
            for channel in list(server._map.values()):
                channel.close()  # the server, its trigger and any connection left open

        try:
            server.trigger.pull_trigger(close_all)
        except OSError:  # the loop has stopped already and closed its trigger: close the rest
            for channel in list(server._map.values()):
                with suppress(OSError):
                    channel.close()
        runner.join(timeout=10)
        server.task_dispatcher.shutdown()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served_in_processes(database_url: str, count: int = 2, workers: int = 1) -> Iterator[list[str]]:
    """``count`` separate `cpc serve` processes on one database, as behind a load balancer,
    each with ``workers`` web processes sharing its port; yields their base URLs."""
    env = {
        **os.environ,
        "CPC_DATABASE_URL": database_url,
        "CPC_SECRET_KEY": "test",
        "CPC_SECURE_COOKIES": "0",
    }
    ports = [_free_port() for _ in range(count)]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from core.cli import main; main()",
                "serve",
                "--port",
                str(p),
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for p in ports
    ]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        for url in urls:
            _wait_until_up(url)
        yield urls
    finally:
        _close_clients()
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def _wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/sign-in", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not start within {seconds} seconds")


def api_token(app: Flask, email: str) -> str:
    """A new personal API token for the account ``email``."""
    with app.app_context(), db.transaction() as session:
        user = accounts.user_by_email(session, email)
        _record, token = tokens.create_token(session, user, "concurrency test")
    return token


def api_client(base: str, token: str) -> requests.Session:
    made = client(base)
    made.headers["Authorization"] = f"Bearer {token}"
    return made


def browser_client(base: str, email: str, password: str = TEST_PASSWORD) -> requests.Session:
    """A client signed in through the sign-in form, like a browser."""
    made = client(base)
    page = made.get(f"{base}/sign-in")
    answer = made.post(
        f"{base}/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text
    return made


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def race(count: int, send: Callable[[int], Any]) -> list[Any]:
    """Call ``send(i)`` for i in 0..count-1 from ``count`` threads released at one moment;
    returns their answers in order (an exception raised is returned in its place)."""
    start = threading.Barrier(count)
    answers: list[Any] = [None] * count

    def run(i: int) -> None:
        start.wait()
        try:
            answers[i] = send(i)
        except Exception as exc:  # reported by the test's assertions
            answers[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def statuses(answers: Sequence[Any]) -> list[int | str]:
    """Each answer's HTTP status, sorted; an exception shows as its text."""
    found = [a.status_code if hasattr(a, "status_code") else repr(a) for a in answers]
    return sorted(found, key=str)
