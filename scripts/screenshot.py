"""Take the README's screenshot: a synthetic area's dashboard, signed in as its coordinator.

The area and its progress are generated and labelled synthetic, so no real CPC's progress is
invented. Needs Debian's chromium. Run: .venv/bin/python scripts/screenshot.py
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import create_app, db, migrate  # noqa: E402
from core.enums import ProgressStatus, Rag, Role  # noqa: E402
from core.models import Action, Area  # noqa: E402
from core.services.accounts import accounts  # noqa: E402
from core.services.demo.synthetic import SyntheticAreaPlugin  # noqa: E402
from core.services.plans import loader  # noqa: E402
from core.services.progress.progress import post_update  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

EMAIL, PASSWORD = "coordinator@synthetic.invalid", "a synthetic demo password"
AS_AT = dt.date(2022, 6, 1)


def build(database: str):
    app = create_app(
        {
            "DATABASE_URL": database,
            "SECRET_KEY": "screenshot",
            "SESSION_COOKIE_SECURE": False,
            "PLUGINS_FROM_ENTRY_POINTS": False,
            "EXTRA_PLUGINS": [("synthetic", SyntheticAreaPlugin("synthetic-shire", 4, 4))],
        }
    )
    with app.app_context():
        migrate.upgrade(db.engine())
        with db.transaction() as session:
            loader.load_plugin_content(session, app.extensions["cpc_plugins"])
            accounts.create_user(
                session,
                actor=None,
                email=EMAIL,
                role=Role.COORDINATOR,
                area_slugs=["synthetic-shire"],
                password=PASSWORD,
            )
            actions = session.scalars(
                select(Action).join(Action.plan).where(Action.kind == "improvement")
            ).all()
            rags = [Rag.GREEN, Rag.AMBER, Rag.GREEN, Rag.RED, Rag.GREEN, None]
            for n, action in enumerate(actions[:12]):
                rag = rags[n % len(rags)]
                post_update(
                    session,
                    action,
                    actor=None,
                    reported_on=AS_AT - dt.timedelta(days=40 - 3 * n),
                    status=ProgressStatus.COMPLETED if rag is None else ProgressStatus.IN_PROGRESS,
                    rag=rag,
                    commentary=f"Synthetic progress note {n + 1}.",
                )
            assert session.scalar(select(Area.is_synthetic))
    return app


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = build(f"sqlite:///{folder}/screenshot.sqlite")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(
                base_url=f"http://127.0.0.1:{server.server_port}",
                viewport={"width": 1100, "height": 1000},
                locale="en-GB",
            )
            page.goto("/sign-in")
            page.get_by_label("Email address").fill(EMAIL)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.goto(f"/areas/synthetic-shire/?as_at={AS_AT}")
            target = ROOT / "docs" / "dashboard.png"
            page.screenshot(path=str(target))
            browser.close()
        server.shutdown()
        print(f"Wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
