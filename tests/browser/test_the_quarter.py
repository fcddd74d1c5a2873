"""A quarter as people live it, in a real browser, each role from opening the site: the
coordinator (1280 px) sets the scene and reads the period in progress, the contributor follows
the reminder email on a 375 px phone, the coordinator returns the update and the email leads
back to it, PG5 reads the rollup, the admin resets a password and reads the audit trail. axe
reports no violation of any impact on any page visited."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from core.enums import Rag
from core.services.accounts.contributors import link_contributor
from tests.browser.conftest import ANY, check_accessibility
from tests.conftest import ACCOUNTS
from tests.helpers import PK, TEST_PASSWORD, action, add_reporting_date, in_session, report

PLAN = f"/areas/{PK}/plans/2021-2023/"
FIRST_MEETING = dt.date(2022, 3, 31)
PHONE = {"width": 375, "height": 740}


def _open_site_and_sign_in(page: Page, who: str) -> None:
    """Open the site's front page, as everyone does, and sign in from where it leads."""
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    check_accessibility(page, ANY)
    _sign_in_here(page, who)


def _sign_in_here(page: Page, who: str) -> None:
    page.get_by_label("Email address").fill(ACCOUNTS[who][0])
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _all_within(page: Page, width: int) -> None:
    """Every link, button and input on the page lies inside the viewport's width."""
    outside = page.evaluate(
        """(width) => [...document.querySelectorAll('a[href], button, input, select, textarea')]
            .filter(e => e.offsetParent !== null && e.type !== 'hidden')
            .filter(e => { const r = e.getBoundingClientRect();
                           return r.width > 0 && (r.left < -1 || r.right > width + 1); })
            .map(e => (e.textContent || e.name || e.id).trim().slice(0, 40))""",
        width,
    )
    assert outside == [], f"{page.url}: outside the screen at {width}px: {outside}"


def _mail_to(smtp_server, who: str, subject_has: str):
    found = [
        m
        for m in smtp_server.messages
        if m["To"] == ACCOUNTS[who][0] and subject_has in str(m["Subject"])
    ]
    assert found, [(m["To"], m["Subject"]) for m in smtp_server.messages]
    return found[-1].get_payload(decode=True).decode()


def test_the_quarter_walked_by_each_role(browser, base_url, live_app, smtp_server):
    live_app.config.update(SMTP_URL=smtp_server.url, BASE_URL=base_url)
    today = dt.date.today()
    meeting = today + dt.timedelta(days=21)

    def scene(session):
        # Synthetic: the committee first met on 31 March 2022 (1.1 was Red then) and meets
        # again in three weeks, updates due in three days; the lead contributes to 1.1.
        add_reporting_date(session, FIRST_MEETING)
        session.commit()
        report(session, "1.1", Rag.RED, on=dt.date(2022, 3, 1))
        from core.services.progress.reporting import add_reporting_date as add

        found = action(session, "1.1")
        add(session, found.plan, actor=None, reported_on=meeting,
            deadline=today + dt.timedelta(3))  # fmt: skip
        link_contributor(session, found, actor=None, email=ACCOUNTS["lead"][0])
        session.commit()
        return found.id

    action_id = in_session(live_app, scene)

    # The coordinator opens the site: their dashboard, the period in progress.
    desk = browser.new_context(base_url=base_url, locale="en-GB")
    page = desk.new_page()
    _open_site_and_sign_in(page, "pk")
    expect(page.get_by_role("heading", name="Perth and Kinross dashboard")).to_be_visible()
    expect(page.locator("#period-in-progress")).to_contain_text(
        f"since the meeting on 31 March 2022, for the meeting on {meeting.day} {meeting:%B %Y}"
    )
    check_accessibility(page, ANY)
    # The reporting dates: the hint matches the rule, and only a date to come offers Remove.
    page.get_by_role("link", name=re.compile("Reporting dates")).first.click()
    expect(page.get_by_text("a date that has passed, or one still to come")).to_be_visible()
    removes = page.get_by_role("button", name=re.compile("^Remove"))
    expect(removes).to_have_count(1)
    expect(removes).to_contain_text(f"{meeting.day} {meeting:%B %Y}")
    check_accessibility(page, ANY)
    # The first report says so in its "Was" column.
    page.goto(f"{PLAN}report/print?as_at={FIRST_MEETING.isoformat()}")
    direction = page.locator("table", has=page.get_by_role("columnheader", name="Was")).last
    first_row = direction.locator("tbody tr").first
    expect(first_row).to_contain_text("1.1")
    expect(first_row).to_contain_text("First report")
    expect(direction).not_to_contain_text("Not in the plan")
    # The KPI list names each KPI's key; no page names a module.
    page.goto(f"/areas/{PK}/kpis/")
    expect(page.get_by_role("columnheader", name="Key (for CSV files)")).to_be_visible()
    keys = page.locator("code.cpc-key").all_inner_texts()
    assert keys and all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", key) for key in keys)
    check_accessibility(page, ANY)
    page.goto("/tric/kpis/")
    expect(page.locator("body")).not_to_contain_text("core.")
    check_accessibility(page, ANY)

    # The reminder goes out; the contributor follows its link on a phone.
    sent = live_app.test_cli_runner().invoke(args=["remind"])
    assert sent.exit_code == 0, sent.output
    reminder = _mail_to(smtp_server, "lead", "")
    link = re.search(r"Post its update: (\S+)", reminder).group(1)
    assert link == f"{base_url}/actions/{action_id}/updates/new"
    assert not re.search(r"\w…", reminder)  # shortened at a word boundary, never a cut word
    phone = browser.new_context(base_url=base_url, locale="en-GB", viewport=PHONE)
    mobile = phone.new_page()
    mobile.goto(link)
    expect(mobile.get_by_role("heading", name="Sign in")).to_be_visible()
    _sign_in_here(mobile, "lead")
    expect(mobile.get_by_role("heading", name="Post a progress update")).to_be_visible()
    for rag in ("R: Red", "A: Amber", "G: Green"):
        expect(mobile.get_by_label(rag)).not_to_be_checked()  # the person chooses
    expect(mobile.locator("#suggestion")).to_contain_text("target date passed")
    _all_within(mobile, PHONE["width"])
    check_accessibility(mobile, ANY)
    mobile.get_by_label("In progress").check()
    mobile.get_by_label("A: Amber").check()
    mobile.get_by_label("Commentary").fill("Synthetic: the new guidance is in draft.")
    mobile.get_by_role("button", name="Save update").click()
    # The refusal gives the same reason as the form did.
    expect(mobile.get_by_text("The evidence suggests Red").first).to_contain_text(
        "target date passed"
    )
    mobile.get_by_label("Why a greener RAG than suggested?").fill("Synthetic: a new date.")
    mobile.get_by_role("button", name="Save update").click()
    expect(mobile.get_by_text("has been submitted")).to_be_visible()
    mobile.get_by_role("button", name="Menu").click()  # the phone's navigation is folded
    mobile.get_by_role("link", name="My actions").click()
    mine = mobile.locator(f"#mine-{action_id}")
    expect(mine).to_contain_text("awaiting the coordinator's review since")
    _all_within(mobile, PHONE["width"])
    check_accessibility(mobile, ANY)

    # The coordinator returns it with a comment; the email quotes it and leads to the update.
    page.goto(f"/areas/{PK}/")
    page.locator("#review-list").get_by_role("link", name="Action 1.1").click()
    page.get_by_role("link", name=re.compile("^Return")).click()
    page.get_by_label("What should the author change?").fill("Synthetic: add the new date.")
    check_accessibility(page, ANY)
    page.get_by_role("button", name="Return the update").click()
    expect(page.get_by_text("returned").first).to_be_visible()
    check_accessibility(page, ANY)
    live_app.extensions["cpc_jobs"].wait()
    returned = _mail_to(smtp_server, "lead", "")
    assert "Synthetic: add the new date." in returned
    back = re.search(rf"{re.escape(base_url)}/actions/{action_id}\S*", returned)
    assert back, returned
    mobile.goto(back.group(0))
    expect(mobile.get_by_text("Synthetic: add the new date.").first).to_be_visible()
    _all_within(mobile, PHONE["width"])
    check_accessibility(mobile, ANY)
    phone.close()
    desk.close()

    # PG5 opens the site: the rollup, each status saying on how many areas it rests.
    pg5 = browser.new_context(base_url=base_url, locale="en-GB").new_page()
    _open_site_and_sign_in(pg5, "pg5")
    expect(pg5.get_by_role("heading", name="Shared actions across Tayside")).to_be_visible()
    expect(pg5.locator(".cpc-resting").first).to_contain_text(re.compile(r"\d of \d areas? "))
    check_accessibility(pg5, ANY)
    pg5.context.close()

    # The admin resets a password, asked to confirm first, and reads the audit trail.
    admin = browser.new_context(base_url=base_url, locale="en-GB").new_page()
    _open_site_and_sign_in(admin, "admin")
    admin.goto("/admin/users/")
    check_accessibility(admin, ANY)
    admin.get_by_role("link", name=f"Change {ACCOUNTS['viewer'][0]}").click()
    admin.get_by_role("button", name="Reset the password").click()
    expect(admin.get_by_role("button", name="Yes, reset the password")).to_be_visible()
    check_accessibility(admin, ANY)
    admin.get_by_role("button", name="Yes, reset the password").click()
    expect(admin.get_by_role("heading", name="Password reset")).to_be_visible()
    admin.goto("/admin/audit/")
    kinds = admin.get_by_label("Kind of record").locator("option").all_inner_texts()
    assert "Progress updates" in kinds and not any("_" in kind for kind in kinds)
    check_accessibility(admin, ANY)
    admin.context.close()
