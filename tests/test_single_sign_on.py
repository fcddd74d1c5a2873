"""Single sign-on through a real OpenID Connect provider on loopback (tests/oidc_provider.py):
a coordinator lands on their dashboard with the role and areas an admin gave; a wrong state, a
replayed code, a wrong audience, an expired token, an unknown person and a switched-off
account are each refused with a sentence, and nothing is created; sign-out ends the session."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

import pytest
import requests
import sqlalchemy as sa

from core import create_app
from core.enums import Role
from core.models import OidcIdentity, User
from tests.helpers import PK, TEST_PASSWORD, AuthActions, csrf_token, in_session
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, running

COORDINATOR = "pk.coordinator@test.invalid"


@pytest.fixture
def provider():
    with running() as found:
        yield found


@pytest.fixture
def sso_app(make_app, provider, accounts_for):
    app = make_app(
        OIDC_PROVIDERS=[
            {
                "key": "council",
                "name": "Synthetic Council",
                "issuer": provider.url,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "domains": ["test.invalid"],
                "self_register": ["selfserve.invalid"],
            }
        ]
    )
    accounts_for(app)
    return app


def sign_on(app, client, provider, *, who: dict, tamper=None):
    """Through the sign-in button to the provider and back; ``tamper(query)`` may change the
    provider's answer before it reaches the platform. Returns the platform's answer."""
    provider.person = who
    start = client.get("/sign-in/with/council")
    assert start.status_code == 302, start.text
    at_provider = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    query = tamper(back.query) if tamper else back.query
    return client.get(f"{back.path}?{query}")


def set_user(app, email: str, **values) -> None:
    def write(session):
        session.execute(sa.update(User).where(User.email == email).values(**values))
        session.commit()

    in_session(app, write)


def person(email: str, sub: str = "subject-1", verified: bool = True) -> dict:
    return {"sub": sub, "email": email, "email_verified": verified}


def counts(app) -> tuple[int, int]:
    def read(session):
        return (
            session.scalar(sa.select(sa.func.count()).select_from(User)),
            session.scalar(sa.select(sa.func.count()).select_from(OidcIdentity)),
        )

    return in_session(app, read)


def test_a_coordinator_signs_on_is_linked_and_lands_on_their_dashboard(sso_app, provider):
    client = sso_app.test_client()
    page = client.get("/sign-in").text
    assert "Sign in with Synthetic Council" in page
    answer = sign_on(sso_app, client, provider, who=person(COORDINATOR))
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/areas/{PK}/"  # their own area, as an admin gave it
    dashboard = client.get(answer.headers["Location"])
    assert dashboard.status_code == 200 and "pk.coordinator@test.invalid" in dashboard.text
    linked = in_session(
        sso_app,
        lambda s: s.execute(
            sa.select(OidcIdentity.provider, OidcIdentity.subject, User.email, User.role).join(User)
        ).all(),
    )
    assert [tuple(r) for r in linked] == [("council", "subject-1", COORDINATOR, "coordinator")]
    # Next time the subject is enough, whatever email the provider now says.
    client.post("/sign-out", data={"csrf_token": csrf_token(client, f"/areas/{PK}/")})
    again = sign_on(sso_app, client, provider, who=person("renamed@test.invalid"))
    assert again.headers["Location"] == f"/areas/{PK}/"


def test_sign_out_ends_the_single_sign_on_session(sso_app, provider):
    client = sso_app.test_client()
    sign_on(sso_app, client, provider, who=person(COORDINATOR))
    assert client.get(f"/areas/{PK}/").status_code == 200
    stolen = client.get_cookie("session")
    client.post("/sign-out", data={"csrf_token": csrf_token(client, f"/areas/{PK}/")})
    assert client.get(f"/areas/{PK}/").status_code == 302
    # The old cookie, replayed, no longer signs anyone in: the session ended on the server.
    client.set_cookie("session", stolen.value)
    assert client.get(f"/areas/{PK}/").status_code == 302


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong state", "did not work"),
        ("replayed code", "did not work"),
        ("wrong audience", "failed its checks"),
        ("expired token", "failed its checks"),
        ("unknown person", "There is no account for stranger@test.invalid here. Ask an "
         "administrator (admin@test.invalid) to make you one."),
        ("switched off", "Your account (viewer@test.invalid) is switched off: ask an "
         "administrator (admin@test.invalid)."),
        ("email not verified", "did not give a verified email address"),
    ],
)  # fmt: skip
def test_each_failure_is_refused_with_a_sentence_and_nothing_is_created(
    sso_app, provider, case, expected
):
    client = sso_app.test_client()
    who, tamper = person(COORDINATOR), None
    if case == "wrong state":
        tamper = lambda q: q.replace("state=", "state=x")  # noqa: E731
    elif case == "replayed code":
        # A code the provider already exchanged once, sent back with a new sign-in's state.
        first = sso_app.test_client()
        sign_on(sso_app, first, provider, who=who)
        used = next(code for code, grant in provider.codes.items() if grant["used"])
        tamper = lambda q: "&".join(  # noqa: E731
            f"code={used}" if part.startswith("code=") else part for part in q.split("&")
        )
    elif case == "wrong audience":
        provider.audience = "another-client"
    elif case == "expired token":
        provider.expired = True
    elif case == "unknown person":
        who = person("stranger@test.invalid", sub="subject-9")
    elif case == "switched off":
        set_user(sso_app, "viewer@test.invalid", is_active=False)
        who = person("viewer@test.invalid", sub="subject-2")
    elif case == "email not verified":
        who = person(COORDINATOR, sub="subject-3", verified=False)
    before = counts(sso_app)
    answer = sign_on(sso_app, client, provider, who=who, tamper=tamper)
    assert answer.status_code in (400, 403)
    assert expected in html.unescape(answer.text)
    assert "Back to the sign-in page" in answer.text
    assert client.get(f"/areas/{PK}/").status_code == 302  # nobody is signed in
    if case != "switched off":
        assert counts(sso_app) == before  # no account, no link


def test_a_self_registering_domain_makes_a_viewer_awaiting_an_admin(sso_app, provider):
    client = sso_app.test_client()
    answer = sign_on(sso_app, client, provider, who=person("new@selfserve.invalid", sub="s-7"))
    assert answer.status_code == 403
    assert "has been made and waits for an administrator" in html.unescape(answer.text)
    made = in_session(
        sso_app,
        lambda s: s.scalars(sa.select(User).where(User.email == "new@selfserve.invalid")).one(),
    )
    assert (made.role.value, made.is_active, made.password_login) == ("viewer", False, False)
    again = sign_on(sso_app, client, provider, who=person("new@selfserve.invalid", sub="s-7"))
    assert "waits for an administrator to let you in" in html.unescape(again.text)
    admin = sso_app.test_client()
    AuthActions(admin, {"admin": "admin@test.invalid"}).login("admin")
    listed = admin.get("/admin/users/").text
    assert "waiting for you to let them in" in listed


def test_an_email_at_a_providers_domain_is_sent_there(sso_app, provider):
    client = sso_app.test_client()
    token = csrf_token(client, "/sign-in")
    sent = client.post("/sign-in", data={"email": COORDINATOR, "password": "", "csrf_token": token})
    assert sent.status_code == 302
    assert sent.headers["Location"].startswith("/sign-in/with/council?login_hint=")
    # The browser may follow the form's redirects to the provider, and nowhere else.
    assert f"form-action 'self' {provider.url};" in sent.headers["Content-Security-Policy"]
    to_provider = client.get(sent.headers["Location"])
    assert to_provider.headers["Location"].startswith(f"{provider.url}/authorize?")
    assert "login_hint=pk.coordinator%40test.invalid" in to_provider.headers["Location"]


def test_passwords_switched_off_leave_the_break_glass_admin(make_app, provider, accounts_for):
    app = make_app(LOCAL_PASSWORDS=False)
    accounts_for(app)
    set_user(app, "admin@test.invalid", break_glass=True)
    coordinator = app.test_client()
    refused = AuthActions(coordinator, {"pk": COORDINATOR}).login("pk")
    assert refused.status_code == 400
    assert "signs in through your organisation's single sign-on" in html.unescape(refused.text)
    admin = app.test_client()
    assert AuthActions(admin, {"admin": "admin@test.invalid"}).login("admin").status_code == 302


def test_the_last_break_glass_admin_stays_one(app, accounts, client, auth):
    set_user(app, "admin@test.invalid", break_glass=True)
    auth.login("admin")
    admin_id = in_session(
        app, lambda s: s.scalar(sa.select(User.id).where(User.email == "admin@test.invalid"))
    )
    page = f"/admin/users/{admin_id}"
    unticked = {"role": "admin", "is_active": "y"}  # break-glass unticked
    answer = client.post(page, data={**unticked, "csrf_token": csrf_token(client, page)})
    assert answer.status_code == 400
    assert "is the last break-glass administrator" in html.unescape(answer.text)


def test_a_provider_configured_wrongly_stops_the_app_naming_the_mistake(tmp_path):
    with pytest.raises(ValueError, match="issuer"):
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}",
                "OIDC_PROVIDERS": [{"key": "c", "name": "C", "issuer": "http://idp.example",
                                    "client_id": "a", "client_secret": "b"}],
            }
        )  # fmt: skip


def test_a_local_account_can_be_made_sso_only(app, accounts, client):
    set_user(app, COORDINATOR, password_login=False)
    refused = AuthActions(client, {"pk": COORDINATOR}).login("pk", TEST_PASSWORD)
    assert refused.status_code == 400
    assert "single sign-on" in html.unescape(refused.text)


def test_a_providers_error_text_in_the_address_is_not_shown(sso_app, provider):
    client = sso_app.test_client()
    client.get("/sign-in/with/council")
    answer = client.get(
        "/sign-in/with/council/callback?error=access_denied"
        "&error_description=Call+0800+000+000+to+unlock+your+account"
    )
    assert answer.status_code == 400
    assert "(access_denied)" in answer.text and "0800" not in answer.text


def test_two_admins_unmarking_the_last_two_break_glass_admins_at_once_leave_one(
    app, accounts, database_url, password_hash
):
    from tests.served import browser_client, csrf_of, race, served_in_processes

    def two_break_glass(session):
        session.execute(sa.update(User).values(break_glass=False))
        for n in (1, 2):
            session.add(
                User(email=f"bg{n}@test.invalid", role=Role.ADMIN, break_glass=True,
                     password_hash=password_hash)
            )  # fmt: skip
        session.commit()
        return [
            session.scalar(sa.select(User.id).where(User.email == f"bg{n}@test.invalid"))
            for n in (1, 2)
        ]

    ids = in_session(app, two_break_glass)
    with served_in_processes(database_url) as urls:
        clients = [browser_client(url, accounts["admin"]) for url in urls]
        forms = [
            (url, client, csrf_of(client.get(f"{url}/admin/users/{ids[i]}").text))
            for i, (url, client) in enumerate(zip(urls, clients, strict=True))
        ]

        def unmark(i: int) -> int:
            url, client, token = forms[i]
            return client.post(
                f"{url}/admin/users/{ids[i]}",
                data={"role": "admin", "is_active": "y", "csrf_token": token},
                allow_redirects=False,
            ).status_code

        answers = race(2, unmark)
    assert sorted(answers)[0] == 302 and sorted(answers)[1] in (400, 409, 503), answers
    left = in_session(
        app,
        lambda s: s.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.break_glass.is_(True))
        ),
    )
    assert left == 1
