"""Managing accounts: the first-run admin, ``cpc user`` commands, and the admin pages."""

from __future__ import annotations

import re

from tests.helpers import AuthActions


def _sign_in(app, email, password):
    return AuthActions(app.test_client(), {}).login(email, password)


def test_first_init_creates_an_admin_and_prints_a_generated_password(make_app):
    app = make_app(load=False, ADMIN_EMAIL="first.admin@test.invalid")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    assert "Sign in as: first.admin@test.invalid" in first.output
    password = re.search(r"Password:\s+(\S+)", first.output).group(1)
    assert len(password) >= 16
    assert _sign_in(app, "first.admin@test.invalid", password).status_code == 302
    again = runner.invoke(args=["init"])
    assert "Password:" not in again.output  # created once, never printed again
    other = make_app(load=False, ADMIN_EMAIL="first.admin@test.invalid")
    # Each installation gets its own password: nothing fixed in the repository.
    assert password not in other.test_cli_runner().invoke(args=["init"]).output


def test_cpc_user_create_with_a_password_on_stdin_or_prompt(app, runner):
    result = runner.invoke(
        args=[
            *("user", "create", "Coord@Test.Invalid", "--role", "coordinator"),
            *("--area", "angus", "--area", "dundee", "--password-stdin"),
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created coord@test.invalid: coordinator for Angus, Dundee." in result.output
    assert _sign_in(app, "coord@test.invalid", "a long enough password").status_code == 302
    prompted = runner.invoke(
        args=["user", "create", "viewer@test.invalid", "--role", "viewer"],
        input="another long password\nanother long password\n",
    )
    assert prompted.exit_code == 0, prompted.output
    assert "Repeat for confirmation" in prompted.output
    listed = runner.invoke(args=["user", "list"]).output
    assert "coord@test.invalid\tcoordinator\tangus, dundee" in listed
    assert "viewer@test.invalid\tviewer" in listed


def test_cpc_user_create_refuses_bad_input_and_saves_nothing(app, runner):
    cases = {
        ("x@test.invalid", "--role", "coordinator"): "Choose the area",
        ("x@test.invalid", "--role", "coordinator", "--area", "fife"): "There is no area fife",
        ("x@test.invalid", "--role", "viewer", "--area", "angus"): "Only coordinators have areas",
        ("not-an-email", "--role", "viewer"): "Enter an email address in the right format",
    }
    for args, message in cases.items():
        result = runner.invoke(
            args=["user", "create", *args, "--password-stdin"], input="a long enough password\n"
        )
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    short = runner.invoke(
        args=["user", "create", "x@test.invalid", "--role", "viewer", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    bad_role = runner.invoke(args=["user", "create", "x@test.invalid", "--role", "chief"])
    assert bad_role.exit_code == 2 and "'chief' is not one of" in bad_role.output
    assert runner.invoke(args=["user", "list"]).output.strip() == ""


def test_cpc_user_set_password(app, runner, accounts):
    result = runner.invoke(
        args=["user", "set-password", accounts["pk"], "--password-stdin"],
        input="a replacement password\n",
    )
    assert result.exit_code == 0, result.output
    assert _sign_in(app, accounts["pk"], "a replacement password").status_code == 302
    missing = runner.invoke(args=["user", "set-password", "nobody@test.invalid"])
    assert missing.exit_code == 1
    assert "There is no account for nobody@test.invalid" in missing.output


def test_admin_creates_changes_and_resets_accounts_in_the_app(client, auth, app):
    auth.login("admin")
    bad = auth.post("/admin/users/new", {"email": "new@test.invalid", "role": "coordinator"})
    assert bad.status_code == 400 and "Choose the area or areas" in bad.text
    assert 'value="new@test.invalid"' in bad.text
    created = auth.post(
        "/admin/users/new",
        {"email": "new@test.invalid", "role": "coordinator", "areas": ["dundee"]},
    )
    assert created.status_code == 200 and "Account created" in created.text
    password = re.search(r'id="new-password">([^<]+)<', created.text).group(1)
    assert _sign_in(app, "new@test.invalid", password).status_code == 302
    listing = client.get("/admin/users/").text
    assert "new@test.invalid" in listing and "Dundee" in listing
    duplicate = auth.post("/admin/users/new", {"email": "NEW@test.invalid", "role": "viewer"})
    assert "There is already an account for new@test.invalid" in duplicate.text

    user_id = re.search(r'href="/admin/users/(\d+)">Change<span[^>]*> new@test', listing).group(1)
    changed = auth.post(f"/admin/users/{user_id}", {"role": "pg5", "is_active": "y"})
    assert changed.status_code == 302
    assert "TRIC PG5 member" in client.get("/admin/users/").text
    asked = auth.post(f"/admin/users/{user_id}/reset-password", {})
    assert asked.status_code == 200 and "Yes, reset the password" in asked.text
    assert _sign_in(app, "new@test.invalid", password).status_code == 302  # nothing changed yet
    auth.logout()
    auth.login("admin")
    reset = auth.post(f"/admin/users/{user_id}/reset-password", {"confirm": "yes"})
    new_password = re.search(r'id="new-password">([^<]+)<', reset.text).group(1)
    assert _sign_in(app, "new@test.invalid", password).status_code == 400
    assert _sign_in(app, "new@test.invalid", new_password).status_code == 302


def test_an_admin_cannot_lock_themselves_out(client, auth, app):
    auth.login("admin")
    listing = client.get("/admin/users/").text
    me = re.search(r'href="/admin/users/(\d+)">Change<span[^>]*> admin@test', listing).group(1)
    refused = auth.post(f"/admin/users/{me}", {"role": "viewer", "is_active": "y"})
    assert refused.status_code == 400 and "cannot remove your own admin role" in refused.text
    assert client.get("/admin/users/").status_code == 200


def test_an_admin_creates_a_contributor_and_saves_their_account_unchanged(client, auth, app):
    from tests.forms_on_page import post_forms

    auth.login("admin")
    form = client.get("/admin/users/new").text
    assert 'value="contributor"' in form and "Contributor" in form
    created = auth.post("/admin/users/new", {"email": "lead2@test.invalid", "role": "contributor"})
    assert created.status_code == 200 and "Account created" in created.text
    listing = client.get("/admin/users/").text
    user_id = re.search(r'href="/admin/users/(\d+)">Change<span[^>]*> lead2@', listing).group(1)
    page = f"/admin/users/{user_id}"
    [edit] = [f for f in post_forms(client.get(page).text, page) if f.action == page]
    assert edit.fields.get("role") == "contributor"  # the account's own role, chosen
    saved = client.post(page, data=edit.fields)
    assert saved.status_code == 302, saved.text
    assert "Contributor" in client.get("/admin/users/").text
