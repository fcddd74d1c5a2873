"""Browser tests: the app served on a free port, driven in Debian's chromium by Playwright,
with axe-core (from the npm registry) checking each page for accessibility problems."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import add_accounts

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CPC_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Without the network flags, chromium keeps trying to reach Google's hosts, which this
# machine's closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _why_not() -> str | None:
    if not Path(CHROMIUM).exists():
        return (
            "Debian's chromium is not installed: `sudo apt-get install chromium` (or set "
            "CPC_CHROMIUM to a Chromium binary). .ci/run installs it."
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: run scripts/setup.sh."
    if not AXE.exists():
        return "axe-core is not installed from npm: run scripts/setup.sh."
    return None


def pytest_collection_modifyitems(config, items):
    reason = _why_not()
    if reason is None:
        return
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_app(app, password_hash):
    """The app with every area loaded and the test accounts, as a browser would meet it."""
    add_accounts(app, password_hash)
    return app


@pytest.fixture
def base_url(live_app) -> Iterator[str]:
    """The app served by waitress, as in production (Werkzeug's development server can leave
    a static file open when the browser drops a connection mid-answer)."""
    from tests.served import served_in_threads

    jobs = live_app.extensions["cpc_jobs"]
    jobs.start()  # the queued jobs run on a thread of the web process, as `cpc serve` runs them
    try:
        with served_in_threads(live_app, threads=8) as (url,):
            yield url
    finally:
        jobs.stop()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(base_url=base_url, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the pages: {errors}"


# WCAG 2.2 A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_RUN = """async ([tags, impacts]) => {
    const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
    const where = (v) => v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ');
    return results.violations
        .filter(v => impacts.includes(v.impact))
        .map(v => `${v.impact} ${v.id}: ${v.help} at ${where(v)}`);
}"""
SERIOUS = ["serious", "critical"]
ANY = ["minor", "moderate", "serious", "critical"]


def check_accessibility(page, impacts: list[str] = SERIOUS) -> None:
    """Run axe-core on the page as it stands; fail on any violation of the given impacts
    (by default, any serious or critical one)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(AXE_RUN, [AXE_TAGS, impacts])
    assert violations == [], f"{page.url}:\n" + "\n".join(violations)
