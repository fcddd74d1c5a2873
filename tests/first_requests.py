"""Run in a fresh process: sign in on ``threads`` clients, release them at once on the pages
that read each action's latest update, and print every SQL statement the process issued
(JSON). A single-threaded run gives the statements a racing run must match.

    python -m tests.first_requests DATABASE_URL EMAIL PASSWORD THREADS PAGE [PAGE ...]
"""

from __future__ import annotations

import json
import sys
import threading

from sqlalchemy import event

from core import create_app
from tests.helpers import AuthActions


def main(url: str, email: str, password: str, threads: int, pages: list[str]) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": url})
    statements: set[str] = set()
    lock = threading.Lock()

    @event.listens_for(app.extensions["cpc_engine"], "before_cursor_execute")
    def seen(_connection, _cursor, statement, *_rest) -> None:
        with lock:
            statements.add(statement)

    clients = [app.test_client() for _ in range(threads)]
    for client in clients:
        assert AuthActions(client, {}).login(email, password).status_code == 302
    barrier = threading.Barrier(threads)
    # Switch threads every few microseconds rather than every 5 ms, so that a construct built
    # on first use by two threads at once is caught far more often than by chance.
    sys.setswitchinterval(1e-6)
    answers: list[tuple[str, int]] = []

    def run(number: int) -> None:
        barrier.wait()
        for step in range(len(pages)):  # each thread starts on a different page
            path = pages[(number + step) % len(pages)]
            status = clients[number].get(path).status_code
            with lock:
                answers.append((path, status))

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    app.extensions["cpc_engine"].dispose()
    json.dump({"statements": sorted(statements), "answers": sorted(answers)}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:])
