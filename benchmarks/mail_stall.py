"""With the mail server stalled for 30 s: how long the forgotten-password, review (return an
update) and PG5-rewording requests take to answer, served by `cpc serve`, and when their
emails go out once the server answers. Synthetic accounts on a temporary SQLite database.

    .venv/bin/python benchmarks/mail_stall.py [--stall 30]

Speed is measured here, never asserted in tests (which check the same order of events).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import create_app, db, migrate  # noqa: E402
from core.enums import JobState, Role  # noqa: E402
from core.models import Action, Area, Job, Plan, ProgressUpdate  # noqa: E402
from core.services.accounts import accounts, contributors  # noqa: E402
from core.services.plans import loader  # noqa: E402
from tests.mail_server import LoopbackSmtp  # noqa: E402

PASSWORD = "a benchmark-only password 7781"
WHO = {
    "pk": ("stall.pk@synthetic.invalid", Role.COORDINATOR, ["perth-and-kinross"]),
    "lead": ("stall.lead@synthetic.invalid", Role.CONTRIBUTOR, []),
    "pg5": ("stall.pg5@synthetic.invalid", Role.PG5, []),
}
IRD = "inter-agency-referral-discussions"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
BASE = "http://127.0.0.1:{port}"


def _prepare(url: str) -> int:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context():
        migrate.upgrade(db.engine())
        session = db.get_session()
        loader.load_plugin_content(session, app.extensions["cpc_plugins"])
        for email, role, areas in WHO.values():
            accounts.create_user(
                session, actor=None, email=email, role=role, area_slugs=areas, password=PASSWORD
            )
        session.commit()
        action = session.scalars(
            sa.select(Action)
            .join(Plan)
            .join(Area)
            .where(Area.slug == "perth-and-kinross", Action.code == "1.1")
        ).one()
        contributors.link_contributor(session, action, actor=None, email=WHO["lead"][0])
        session.commit()
        action_id = action.id
    app.extensions["cpc_engine"].dispose()
    return action_id


def _signed_in(base: str, who: str) -> requests.Session:
    client = requests.Session()
    token = CSRF.search(client.get(f"{base}/sign-in").text).group(1)
    answer = client.post(
        f"{base}/sign-in",
        data={"email": WHO[who][0], "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text
    return client


def _timed_post(client: requests.Session, url: str, form_page: str, data: dict) -> float:
    token = CSRF.search(client.get(form_page).text).group(1)
    started = time.perf_counter()
    answer = client.post(url, data={**data, "csrf_token": token}, allow_redirects=False)
    elapsed = (time.perf_counter() - started) * 1000
    assert answer.status_code in (200, 302), (url, answer.status_code)
    return elapsed


def measure(stall: float = 30.0) -> dict:
    """The three answers' times (ms), and the seconds from the server answering to every
    email sent."""
    smtp = LoopbackSmtp()
    smtp.start()
    smtp.answering.clear()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/stall.sqlite"
        action_id = _prepare(url)
        from benchmarks.run import free_port, wait_until_up

        port = free_port()
        env = {
            **os.environ,
            "CPC_DATABASE_URL": url,
            "CPC_SECRET_KEY": "bench",
            "CPC_SECURE_COOKIES": "0",
            "CPC_SMTP_URL": smtp.url,
            "CPC_BASE_URL": f"http://127.0.0.1:{port}",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from core.cli import main; main()",
                "serve",
                "--port",
                str(port),
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(port)
            base = BASE.format(port=port)
            stalled_at = time.monotonic()
            lead = _signed_in(base, "lead")
            form = f"{base}/actions/{action_id}/updates/new"
            _timed_post(
                lead,
                form,
                form,
                {
                    "reported_on": "2022-03-15",
                    "status": "in_progress",
                    "rag": "A",
                    "commentary": "Synthetic: a draft",
                },
            )
            engine = sa.create_engine(url)
            with engine.connect() as connection:
                update_id = connection.scalar(sa.select(sa.func.max(ProgressUpdate.id)))
            times = {}
            visitor = requests.Session()
            times["forgotten password"] = _timed_post(
                visitor,
                f"{base}/forgotten-password",
                f"{base}/forgotten-password",
                {"email": WHO["lead"][0]},
            )
            pk = _signed_in(base, "pk")
            back = f"{base}/updates/{update_id}/return"
            times["review (return an update)"] = _timed_post(
                pk, back, back, {"comment": "Synthetic: say more"}
            )
            pg5 = _signed_in(base, "pg5")
            edit = f"{base}/tric/shared-actions/{IRD}/edit"
            page = pg5.get(edit).text
            version = re.search(r'name="version" value="(\d+)"', page).group(1)
            times["PG5 rewording"] = _timed_post(
                pg5,
                edit,
                edit,
                {
                    "version": version,
                    "title": "IRDs guidance (synthetic rewording)",
                    "text": "Synthetic new wording",
                    "expected_impact": "Synthetic impact",
                    "lead": "TRIC PG5",
                    "target_date": "2022-07-31",
                },
            )
            time.sleep(max(0.0, stall - (time.monotonic() - stalled_at)))
            received_before = len(smtp.messages)
            smtp.answering.set()
            answered = time.monotonic()
            while True:
                with engine.connect() as connection:
                    states = connection.execute(sa.select(Job.state)).scalars().all()
                if states and all(state == JobState.DONE for state in states):
                    break
                if time.monotonic() - answered > 120:
                    raise RuntimeError(f"the emails were not sent: {states}")
                time.sleep(0.05)
            engine.dispose()
            return {
                "answers": times,
                "emails": len(smtp.messages),
                "before": received_before,
                "sent_after": time.monotonic() - answered,
                "stall": stall,
            }
        finally:
            server.terminate()
            server.wait()
            smtp.stop()


def lines(found: dict) -> list[str]:
    """The measurement as Markdown, for RESULTS.md."""
    answers = ", ".join(f"{name} {ms:.0f} ms" for name, ms in found["answers"].items())
    worst = max(found["answers"].values())
    return [
        f"## With the mail server stalled for {found['stall']:.0f} s",
        "",
        f"Served by `cpc serve` (its own job thread) on SQLite, the mail server on loopback "
        f"taking each email and answering nothing until {found['stall']:.0f} s had passed "
        f"(`benchmarks/mail_stall.py`). The answers: {answers} "
        f"({'met' if worst < 200 else 'not met'}: within 200 ms). Emails received while the "
        f"server was stalled: {found['before']}; once it answered, all {found['emails']} were "
        f"sent in {found['sent_after']:.1f} s, each once.",
        "",
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stall", type=float, default=30.0)
    print("\n".join(lines(measure(parser.parse_args().stall))))
