"""No input, however hostile, gets a 5xx: every registered route and every field of every web
form and API operation is sent NUL characters, lone surrogates, 100,000 characters, a
right-to-left override, HTML, out-of-range dates, ids and numbers, on whichever database the
suite runs on (CI runs it on SQLite and on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import quote, urlencode

import pytest
import sqlalchemy as sa

from core import db
from core.api import SpellingAlias
from core.enums import KpiValueOrigin, ProgressStatus, Rag
from core.models import Action, ApiToken, Kpi, SharedAction, User
from core.services.accounts.contributors import link_contributor
from core.services.kpis.kpis import record_value
from core.services.progress.period_locks import lock_period
from core.services.progress.progress import post_update
from core.services.progress.reporting import reporting_date_on
from tests.forms_on_page import post_forms
from tests.helpers import (
    TEST_PASSWORD,
    action,
    add_reporting_date,
    annual_report_values,
    csrf_token,
    in_session,
    not_applying_in_dundee,
    plan_of,
    report,
    review_and_recommendation,
    self_evaluation_values,
)
from tests.served import api_token

# Hostile text by class: each parameter meets every class once, the class's values taking
# turns across parameters (so that every value still reaches many), rather than every value
# meeting every parameter.
HOSTILE_CLASSES = [
    ["\x00", "before\x00after"],  # NUL
    ["\ud800"],  # a lone surrogate
    ["x" * 100_000],  # huge
    ["\u202eevil.exe\u202c", "<script>alert(1)</script>"],  # direction marks and markup
    ["0001-01-01", "9999-12-31"],  # dates at the ends of the calendar
    ["99999999999999999999", "-1"],  # numbers out of range
]
HOSTILE_TEXT = [value for values in HOSTILE_CLASSES for value in values]
_turns = iter(range(10**9))


def one_of_each_class() -> list[str]:
    """A value of each class of hostile text, the next in turn of each."""
    turn = next(_turns)
    return [values[turn % len(values)] for values in HOSTILE_CLASSES]


# JSON can carry more than text: numbers too big for any column, NaN, nesting.
HOSTILE_JSON = [
    *HOSTILE_TEXT,
    10**30,
    -(2**63),
    float("nan"),
    float("inf"),
    [],
    {"a": {"b": {"c": "\x00"}}},
    True,
    None,
]
PATH_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


@pytest.fixture
def known(app, accounts):
    """Real values for every kind of path parameter, so that hostile values in one place reach
    the code behind the others."""

    def find(session):
        viewer = session.scalars(sa.select(User).where(User.email == accounts["viewer"])).one()
        return {
            "slug": "perth-and-kinross",
            "plan_slug": "2021-2023",
            "action_id": str(action(session, "1.1").id),
            "key": session.scalars(sa.select(SharedAction.key)).first(),
            "user_id": str(viewer.id),
            "outcome_id": str(action(session, "1.1").outcome_id),
            "plan_id": str(action(session, "1.1").plan_id),
            "filename": "cpc.js",
            "kind": "xlsx",
        }

    values = in_session(app, find)
    # A shared action Dundee records as not applying, so its page offers every kind of form.
    with app.app_context(), db.transaction() as session:
        values["key"] = not_applying_in_dundee(session, "Hostile input")
        add_reporting_date(session)
        # A locked period too, so that the reporting dates page offers to unlock one.
        add_reporting_date(session, dt.date(2022, 2, 28))
        session.flush()
        lock_period(
            session, reporting_date_on(session, plan_of(session), dt.date(2022, 2, 28)), actor=None
        )
        add_reporting_date(session, tric=True)
        # Dates still to come, so that the dates pages offer to remove one.
        later = dt.date.today() + dt.timedelta(days=60)
        add_reporting_date(session, later)
        add_reporting_date(session, later, tric=True)
        values["date_text"] = "2022-03-31"
    values["update_id"] = str(in_session(app, lambda s: report(s, "1.1", Rag.AMBER).id))

    def submitted(session):
        """The contributor linked to 1.1 submits an update, so the action's page offers the
        forms that accept, return and unlink."""
        found = action(session, "1.1")
        lead = session.scalars(sa.select(User).where(User.email == accounts["lead"])).one()
        link_contributor(session, found, actor=None, email=lead.email)
        post_update(
            session,
            found,
            actor=lead,
            reported_on=dt.date(2022, 3, 15),
            status=ProgressStatus.IN_PROGRESS,
            rag=Rag.AMBER,
            commentary="Synthetic: waiting for review",
        )
        session.commit()

    in_session(app, submitted)

    def figure(session):
        irds = session.scalars(sa.select(Kpi).where(Kpi.key == "no-of-irds-held")).one()
        record_value(session, irds, irds.area, actor=None, period="2025-03", value=4)
        pulled = record_value(
            session,
            irds,
            irds.area,
            actor=None,
            period="2025-03",
            value=5,
            origin=KpiValueOrigin.PULLED,
        )
        session.commit()
        return irds.id, pulled.id

    kpi, proposal = in_session(app, figure)
    values["kpi_id"], values["value_id"] = str(kpi), str(proposal)

    def reset_link(session):
        from core.services.accounts.password_resets import request_reset

        _user, token = request_reset(session, accounts["viewer"])
        session.commit()
        return token

    values["token"] = in_session(app, reset_link)
    api_token(app, accounts["admin"])  # so that Your API tokens offers to revoke one
    api_token(app, accounts["viewer"])
    values["token_id"] = str(
        in_session(app, lambda s: s.scalar(sa.select(sa.func.max(ApiToken.id))))
    )

    def failed_email(session):  # a job the Jobs page lists, fails and offers to retry
        from core.enums import JobState
        from core.services.jobs import emails
        from core.services.mail import Mail

        (job_id,) = emails.enqueue(session, [Mail("someone@test.invalid", "Synthetic", "Hi")])
        session.execute(
            sa.text("UPDATE jobs SET state = :failed"), {"failed": JobState.FAILED.value}
        )
        session.commit()
        return job_id

    values["job_id"] = str(in_session(app, failed_email))

    values.update(review_and_recommendation(app, accounts["admin"], "H1"))
    values.update(self_evaluation_values(app, accounts["admin"], "H1"))
    values.update(annual_report_values(app, accounts["admin"]))
    return values


def _fill(rule: str, values: dict[str, str], hostile: tuple[str, str] | None = None) -> str:
    def one(match: re.Match) -> str:
        name = match.group(2)
        if hostile and hostile[0] == name:
            return quote(hostile[1], safe="", errors="surrogatepass")
        return quote(values[name], safe="")

    return PATH_PARAM.sub(one, rule)


def _no_5xx(answer, what: str) -> None:
    answer.close()
    assert answer.status_code < 500, f"{what}: {answer.status_code}\n{answer.text[:2000]}"


def _form_body(data: dict[str, str]) -> str:
    return urlencode(data, errors="surrogatepass")


QUERY_NAMES = (
    "as_at", "q", "outcome", "rag", "status", "lead", "overdue", "page", "page_size", "area",
    "plan", "next", "kind", "month", "from", "to",
)  # fmt: skip


def test_no_web_route_gives_a_5xx_for_hostile_addresses_queries_or_form_fields(
    app, client_for, known
):
    admin = client_for(app, "admin")
    rules = [r for r in app.url_map.iter_rules() if not r.rule.startswith("/api/")]
    covered: set[str] = set()
    forms = {}
    for rule in rules:
        names = [m.group(2) for m in PATH_PARAM.finditer(rule.rule)]
        method = "GET" if "GET" in rule.methods else "POST"
        send = admin.get if method == "GET" else admin.post
        for name in names:
            for value in one_of_each_class():
                url = _fill(rule.rule, known, (name, value))
                _no_5xx(send(url), f"{method} {url[:200]}")
        if method == "GET":
            url = _fill(rule.rule, known)
            for name in QUERY_NAMES:
                for value in one_of_each_class():
                    query = urlencode({name: value}, errors="surrogatepass")
                    _no_5xx(admin.get(f"{url}?{query}"), f"GET {url}?{name}=…")
            page = admin.get(url)
            _no_5xx(page, f"GET {url}")
            if page.status_code == 200 and page.mimetype == "text/html":
                for form in post_forms(page.text, url):
                    forms.setdefault(form.action.split("?")[0], form)
        covered.add(rule.endpoint)
    # Every field of every form (the sign-in form, signed out, below).
    posted = set()
    for action_url, form in forms.items():
        if action_url == "/sign-out":
            continue
        for name in form.fields | form.choices:
            for value in one_of_each_class():
                data = _filled(form, csrf_token(admin, "/account/password"))
                data[name] = value
                answer = admin.post(
                    action_url,
                    data=_form_body(data),
                    content_type="application/x-www-form-urlencoded",
                )
                _no_5xx(answer, f"POST {action_url} with {name}={value[:30]!r}")
        posted.add(app.url_map.bind("localhost").match(action_url, method="POST")[0])
    signed_out = app.test_client()
    for name in ("email", "password", "csrf_token"):
        for value in HOSTILE_TEXT:
            data = {"email": "someone@test.invalid", "password": TEST_PASSWORD}
            data["csrf_token"] = csrf_token(signed_out)
            data[name] = value
            answer = signed_out.post(
                "/sign-in", data=_form_body(data), content_type="application/x-www-form-urlencoded"
            )
            _no_5xx(answer, f"POST /sign-in with {name}={value[:30]!r}")
    posted.add("auth.sign_in")
    posted |= _second_step_forms(app, admin)
    post_endpoints = {
        r.endpoint for r in rules if "POST" in r.methods and r.endpoint != "auth.sign_out"
    }
    assert post_endpoints <= posted, sorted(post_endpoints - posted)
    assert covered == {r.endpoint for r in rules}


def _second_step_forms(app, admin) -> set[str]:
    """The forms reached only part-way through signing in (the code, setting it up), and an
    admin's reset of a second factor (offered once one is set up): hostile values in each."""
    import time

    import pyotp

    def set_up(session):
        from core.models import SecondFactor

        lead = session.scalars(sa.select(User).where(User.email == "lead@test.invalid")).one()
        lead.second_factor = SecondFactor(
            secret=pyotp.random_base32(), enabled_at=dt.datetime.now(dt.UTC), last_step=0
        )
        session.commit()
        return lead.id

    lead_id = in_session(app, set_up)
    pg5_id = in_session(
        app, lambda s: s.scalar(sa.select(User.id).where(User.email == "pg5.member@test.invalid"))
    )
    page = f"/admin/users/{lead_id}"
    (reset,) = [f for f in post_forms(admin.get(page).text, page) if "reset-two-step" in f.action]
    for name in reset.fields:
        for value in one_of_each_class():
            data = {**_filled(reset, csrf_token(admin, page)), name: value}
            answer = admin.post(reset.action, data=_form_body(data),
                                content_type="application/x-www-form-urlencoded")  # fmt: skip
            _no_5xx(answer, f"POST {reset.action} with {name}={value[:30]!r}")
    # The code for an account with a second factor; setting one up for an account without.
    for path, uid, extra in (
        ("/sign-in/code", lead_id, {}),
        ("/sign-in/set-up", pg5_id, {"action": "confirm"}),
    ):
        for name in ("code", "action", "csrf_token"):
            for value in HOSTILE_TEXT:
                signed_out = app.test_client()
                with signed_out.session_transaction() as cookie:
                    cookie["pending"] = {"uid": uid, "at": int(time.time()), "next": ""}
                data = {
                    **extra,
                    "code": "123456",
                    "csrf_token": csrf_token(signed_out),
                    name: value,
                }
                answer = signed_out.post(
                    path, data=_form_body(data), content_type="application/x-www-form-urlencoded"
                )
                _no_5xx(answer, f"POST {path} with {name}={value[:30]!r}")
    return {"users.reset_two_step", "two_step.code", "two_step.set_up"}


def _filled(form, token: str) -> dict[str, str]:
    """The form as a person would send it: what it shows, with blanks filled in sensibly."""
    data = dict(form.fields)
    for name, choice in form.choices.items():
        data.setdefault(name, choice)
    for name, value in list(data.items()):
        if value:
            continue
        kind = form.types.get(name, "text")
        data[name] = {
            "date": "2022-03-01",
            "email": "someone.new@test.invalid",
            "password": "orbit kettle maple tramline",
        }.get(kind, "A sensible value")
    data["csrf_token"] = token
    return data


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def test_no_api_operation_gives_a_5xx_for_hostile_parameters_or_bodies(app, accounts, known):
    api = app.test_client()
    spec = api.get("/api/v1/openapi.json").json
    headers = {
        "Authorization": f"Bearer {api_token(app, accounts['admin'])}",
        "If-Match": "*",
        "Content-Type": "application/json",
    }
    operations = 0
    for template, methods in spec["paths"].items():
        rule = re.sub(r"\{(\w+)\}", r"<\1>", template)
        for method, operation in methods.items():
            if method == "parameters":
                continue
            operations += 1
            send = getattr(api, method)
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            for name in names:
                for value in HOSTILE_TEXT:
                    url = _fill(rule, known, (name, value))
                    _no_5xx(send(url, headers=headers), f"{method} {url[:200]}")
            url = _fill(rule, known)
            for name in query:
                for value in HOSTILE_TEXT:
                    q = urlencode({name: value}, errors="surrogatepass")
                    _no_5xx(send(f"{url}?{q}", headers=headers), f"{method} {url}?{name}")
            body = operation.get("requestBody")
            if not body:
                continue
            schema = _resolve(spec, body["content"]["application/json"]["schema"])
            for name in schema.get("properties", {}):
                for value in HOSTILE_JSON:
                    raw = json.dumps({name: value}, ensure_ascii=True)
                    answer = send(url, data=raw, headers=headers)
                    _no_5xx(answer, f"{method} {url} with {name}={str(value)[:30]!r}")
            for raw in ("[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000, "[]", "nul"):
                _no_5xx(send(url, data=raw, headers=headers), f"{method} {url} with {raw[:20]}")
    assert operations == len(
        [r for r in app.url_map.iter_rules() for m in r.methods - {"HEAD", "OPTIONS"}
         if r.rule.startswith("/api/v1/") and r.endpoint not in
         ("api-docs.openapi_json", "api_pages.docs") and not isinstance(r, SpellingAlias)]
    )  # fmt: skip


def test_a_body_over_two_mebibytes_is_refused_with_413_before_it_is_read(app, accounts):
    api = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(app, accounts['admin'])}"}
    big = json.dumps({"text": "x" * (3 * 1024 * 1024)})
    answer = api.post(
        "/api/v1/actions/", data=big, headers=headers, content_type="application/json"
    )
    assert answer.status_code == 413
    assert "larger than the 2 MiB" in answer.json["message"]
    page = app.test_client().post("/sign-in", data={"email": "x" * (3 * 1024 * 1024)})
    assert page.status_code == 413
    assert "larger than the 2 MiB" in page.text


def test_specific_hostile_inputs_get_clear_4xx_answers(app, accounts, client_for, known):
    api = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(app, accounts['admin'])}"}
    deep = api.post(
        "/api/v1/actions/", data="[" * 1000 + "]" * 1000, headers=headers,
        content_type="application/json",
    )  # fmt: skip
    assert deep.status_code == 400 and "nested more than" in deep.json["message"]
    lone = api.post(
        "/api/v1/shared-actions/",
        data='{"title": "A\\ud800", "text": "t"}',
        headers=headers,
        content_type="application/json",
    )
    assert lone.status_code == 422 and "lone UTF-16 surrogate" in lone.json["message"]
    # A far-off "as at" date is refused in words, not by overflowing.
    web = client_for(app, "pk")
    far = web.get("/areas/perth-and-kinross/?as_at=9999-12-31")
    assert far.status_code == 400 and "from 1 January 2000 to 31 December 2099" in far.text
    # A NUL in a form field is refused naming the field.
    page = web.get(f"/actions/{known['action_id']}/updates/new")
    nul = web.post(
        f"/actions/{known['action_id']}/updates/new",
        data={
            "csrf_token": csrf_token(web, "/account/password"),
            "reported_on": "2022-03-01",
            "status": "in_progress",
            "commentary": "Going well\x00",
        },
    )
    assert page.status_code == 200 and nul.status_code == 400
    assert "The form field “commentary” contains a NUL character" in nul.text
    # Shared action target dates far in the past or future are refused.
    for day in ("0001-01-01", "9999-12-31"):
        made = api.post(
            "/api/v1/shared-actions/",
            json={"title": "Far off", "text": "Far off", "target_date": day},
            headers=headers,
        )
        assert made.status_code == 422, made.json
        assert "from 1 January 2000 to 31 December 2099" in str(made.json["errors"])


def test_a_next_address_with_line_breaks_goes_home_after_sign_in(app, accounts):
    client = app.test_client()
    answer = client.post(
        "/sign-in?next=/%0d%0aSet-Cookie:%20x=1",
        data={
            "email": accounts["pk"],
            "password": TEST_PASSWORD,
            "csrf_token": csrf_token(client),
        },
    )
    assert answer.status_code == 302 and answer.location == "/"


def test_the_hostile_values_reach_the_database_where_they_are_allowed(app, client_for, known):
    """HTML and a right-to-left override are ordinary text: saved as typed, shown escaped."""
    web = client_for(app, "pk")
    text = "<script>alert(1)</script> \u202eevil"
    answer = web.post(
        f"/actions/{known['action_id']}/updates/new",
        data={
            "csrf_token": csrf_token(web, "/account/password"),
            "reported_on": "2022-03-01",
            "status": "in_progress",
            "rag": "G",
            "rag_reason": text,
            "commentary": text,
        },
    )
    assert answer.status_code == 302, re.findall(r'error-message">(.*?)</p>', answer.text, re.S)
    page = web.get(f"/actions/{known['action_id']}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)</script>" not in page.text
    stored = in_session(app, lambda s: s.get(Action, int(known["action_id"])).updates[-1])
    assert stored.commentary == text and stored.rag_reason == text


def test_the_request_limit_is_configurable(monkeypatch, make_app):
    monkeypatch.setenv("CPC_MAX_REQUEST_MB", "0.5")
    app = make_app(load=False)
    assert app.config["MAX_CONTENT_LENGTH"] == 512 * 1024
    answer = app.test_client().post("/sign-in", data={"email": "x" * (600 * 1024)})
    assert answer.status_code == 413 and "larger than the 0.5 MiB" in answer.text
