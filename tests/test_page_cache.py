"""The page cache as users meet it: the busiest pages served from the cache (one query for the
page) until the data changes, a change made in another process seen at once, each viewer's
own page, and nothing that differs between showings (CSRF tokens, forms' one-time keys, a
message after a change) ever kept."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
import sqlalchemy as sa

from core.models import PageFragment
from tests.conftest import add_accounts
from tests.helpers import PK, AuthActions, action, count_queries, in_session
from tests.served import api_client, api_token, browser_client, served_in_processes

PLAN = f"/areas/{PK}/plans/2021-2023/"
# The plan as it stands today (by default, an ended plan shows its wording at its end).
TODAY = f"{PLAN}?as_at={dt.date.today().isoformat()}"
PAGES = (f"/areas/{PK}/", PLAN, f"{PLAN}actions/?q=guidance", "/tric/", "/api/v1/rollup")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FORM_KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


def _less_one_time_values(page: str) -> str:
    return FORM_KEY.sub("", CSRF.sub("", page))


def _kept(app) -> int:
    return in_session(app, lambda s: s.scalar(sa.select(sa.func.count()).select_from(PageFragment)))


def test_a_page_is_served_from_the_cache_with_one_query_until_the_data_changes(app, client, auth):
    auth.login("pk")
    for page in (*PAGES, f"/actions/{in_session(app, lambda s: action(s, '1.1').id)}"):
        with count_queries(app) as made:
            first = client.get(page)
        with count_queries(app) as served:
            again = client.get(page)
        assert first.status_code == again.status_code == 200, page
        # The same page, less its one-time values; far fewer queries (the sign-in's and one).
        assert _less_one_time_values(first.text) == _less_one_time_values(again.text), page
        assert served.n < made.n, (page, served.n, made.n)
    assert _kept(app) == len(PAGES) + 1


def test_a_change_in_another_process_is_seen_at_once(make_app, password_hash):
    """Two apps on one database, each with its own connections and memory, as two web
    processes: a page kept by one is not served after the other changes the data."""
    reader, writer = make_app(), None
    accounts = add_accounts(reader, password_hash)
    writer = make_app(load=False)
    viewer = AuthActions(reader.test_client(), accounts)
    viewer.login("viewer")
    coordinator = AuthActions(writer.test_client(), accounts)
    coordinator.login("pk")
    action_id = in_session(reader, lambda s: action(s, "1.1").id)
    assert "Synthetic: seen at once" not in viewer.client.get(TODAY).text
    assert viewer.client.get(TODAY).status_code == 200  # now served from the cache
    edit = f"/actions/{action_id}/edit"
    form = coordinator.client.get(edit).text
    version = re.search(r'name="revision" value="(\d+)"', form).group(1)
    saved = coordinator.post(edit, {"revision": version, "text": "Synthetic: seen at once"}, edit)
    assert saved.status_code == 302, saved.text
    assert "Synthetic: seen at once" in viewer.client.get(TODAY).text


def test_every_showing_has_its_own_csrf_token_and_form_keys_and_signing_out_works(app, accounts):
    action_id = in_session(app, lambda s: action(s, "1.1").id)
    page = f"/actions/{action_id}"
    first, second = (
        AuthActions(app.test_client(), accounts),
        AuthActions(app.test_client(), accounts),
    )
    first.login("pk")
    second.login("pk")
    one, two = first.client.get(page).text, second.client.get(page).text
    three = first.client.get(page).text  # from the cache
    assert "cpc-csrf" not in one + two + three and "cpc-form-key" not in one + two + three
    assert CSRF.search(one).group(1) != CSRF.search(two).group(1)  # each session's own
    keys = FORM_KEY.findall(one) + FORM_KEY.findall(three)
    assert keys and len(set(keys)) == len(keys)  # a new one-time key in every form, every time
    # The sign-out form of a page from the cache works, in each session.
    for signed_in in (first, second):
        token = CSRF.search(signed_in.client.get(page).text).group(1)
        assert signed_in.client.post("/sign-out", data={"csrf_token": token}).status_code == 302
        assert signed_in.client.get(page).status_code == 302  # signed out: to the sign-in page


def test_each_viewer_gets_their_own_page_and_a_message_is_shown_once(app, accounts):
    action_id = in_session(app, lambda s: action(s, "1.1").id)
    page = f"/actions/{action_id}"
    viewer = AuthActions(app.test_client(), accounts)
    viewer.login("viewer")
    coordinator = AuthActions(app.test_client(), accounts)
    coordinator.login("pk")
    assert "Post a progress update" not in viewer.client.get(page).text
    assert "Post a progress update" in coordinator.client.get(page).text
    assert (
        "Post a progress update" not in viewer.client.get(page).text
    )  # not the coordinator's page
    form = f"{page}/updates/new"
    posted = coordinator.post(
        form,
        {
            "reported_on": "2022-03-15",
            "status": "in_progress",
            "rag": "G",
            "rag_reason": "Synthetic: on track",
            "commentary": "Synthetic: shown once",
        },
        form,
    )
    assert posted.status_code == 302
    told = coordinator.client.get(posted.location).text
    assert "has been saved" in told and "Synthetic: shown once" in told
    again = coordinator.client.get(posted.location).text
    assert "has been saved" not in again and "Synthetic: shown once" in again


@pytest.mark.skipif(
    not os.environ.get("CPC_DATABASE_URL"), reason="two web processes share a PostgreSQL database"
)
def test_two_web_processes_never_serve_a_stale_page(app, accounts, database_url):
    token = api_token(app, accounts["pk"])
    action_id = in_session(app, lambda s: action(s, "1.1").id)
    with served_in_processes(database_url) as (first, second):
        reader = browser_client(first, accounts["viewer"])
        writer = api_client(second, token)
        path = f"/api/v1/actions/{action_id}"
        for round_ in range(5):
            page = reader.get(f"{first}{TODAY}")  # made, then kept
            assert page.status_code == 200
            etag = writer.get(f"{second}{path}").headers["ETag"]
            text = f"Synthetic: round {round_} of the other process"
            changed = writer.patch(
                f"{second}{path}", json={"text": text}, headers={"If-Match": etag}
            )
            assert changed.status_code == 200, changed.text
            assert text in reader.get(f"{first}{TODAY}").text  # at once, from the first
