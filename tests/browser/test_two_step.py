"""Two-step sign-in in the browser: a coordinator sets it up (a QR code drawn on the server),
signs in with a code, then with a recovery code; an admin resets it. Each new page passes axe.
Then single sign-on through the loopback provider, and its refusal page."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility
from tests.browser.test_coordinator_journey import sign_in
from tests.helpers import PK, TEST_PASSWORD

COORDINATOR = "pk.coordinator@test.invalid"


def password_only(page) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(COORDINATOR)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def test_set_up_sign_in_with_a_code_and_a_recovery_code_and_an_admin_resets_it(page, live_app):
    sign_in(page, "pk")
    page.get_by_role("link", name="Change password").click()
    page.get_by_role("link", name="Set up two-step sign-in, or see your recovery codes").click()
    expect(page.get_by_role("img", name="QR code to scan with your app")).to_be_visible()
    check_accessibility(page)
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("That code is not right")
    check_accessibility(page)
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    check_accessibility(page)
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    sign_out(page)

    password_only(page)
    expect(page.get_by_role("heading", name="Enter the code from your app")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {COORDINATOR}")).to_be_visible()
    expect(page).to_have_url(re.compile(f"/areas/{PK}/$"))
    page.goto("/account/two-step")
    expect(page.locator("#recovery-left")).to_have_text("10")
    check_accessibility(page)
    sign_out(page)

    password_only(page)
    page.get_by_label("Code").fill(codes[3])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("You signed in with a recovery code: 9 are left")).to_be_visible()
    sign_out(page)

    sign_in(page, "admin")
    page.goto("/admin/users/")
    check_accessibility(page)  # with the dormant accounts' list
    page.get_by_role("link", name=f"Change {COORDINATOR}").click()
    page.get_by_role("button", name="Reset two-step sign-in").click()
    expect(page.get_by_text("two-step sign-in has been reset")).to_be_visible()
    check_accessibility(page)
    sign_out(page)
    password_only(page)  # the password alone now
    expect(page.get_by_text(f"Signed in as {COORDINATOR}")).to_be_visible()


def test_single_sign_on_through_the_loopback_provider(browser, make_app, accounts_for):
    from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, running
    from tests.served import served_in_threads

    with running() as provider:
        app = make_app(
            OIDC_PROVIDERS=[
                {"key": "council", "name": "Synthetic Council", "issuer": provider.url,
                 "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                 "domains": ["test.invalid"]}
            ]
        )  # fmt: skip
        accounts_for(app)
        with served_in_threads(app, threads=4) as (url,):
            context = browser.new_context(base_url=url, locale="en-GB")
            page = context.new_page()
            page.goto("/sign-in")
            check_accessibility(page)  # with the provider's button
            provider.person = {"sub": "s-1", "email": COORDINATOR, "email_verified": True}
            page.get_by_role("link", name="Sign in with Synthetic Council").click()
            expect(page.get_by_text(f"Signed in as {COORDINATOR}")).to_be_visible()
            sign_out(page)
            provider.person = {"sub": "s-2", "email": "x@test.invalid", "email_verified": True}
            page.goto("/sign-in")
            page.get_by_label("Email address").fill("x@test.invalid")
            # No password: to the provider.
            page.get_by_role("button", name="Sign in", exact=True).click()
            expect(page.locator("#sso-refused")).to_contain_text(
                "There is no account for x@test.invalid here"
            )
            check_accessibility(page)
            context.close()
