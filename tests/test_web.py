"""The read-only pages: every area, and each plan laid out as the published document."""

from __future__ import annotations

import datetime as dt
import re

from core.enums import ProgressStatus, Rag
from core.synthetic import SyntheticAreaPlugin
from tests.helpers import count_queries, in_session, report

PK_PLAN = "/areas/perth-and-kinross/plans/2021-2023/"


def test_index_lists_the_three_areas_with_their_summary(client):
    page = client.get("/")
    assert page.status_code == 200
    for name in ("Angus", "Dundee", "Perth and Kinross"):
        assert f">{name}</a>" in page.text
    # Nothing reported yet: Perth and Kinross's 25 actions are all still ongoing.
    assert "<td>25 (Year 1: 10 and Year 2: 15)</td>" in page.text
    assert "CPC Improvement Plan 2021 – 2023 (draft)" in page.text  # Angus and Dundee frames


def test_area_redirects_to_its_plan_and_unknown_ones_are_404(client):
    response = client.get("/areas/perth-and-kinross/")
    assert response.status_code == 302 and response.location.endswith(PK_PLAN)
    missing = client.get("/areas/fife/")
    assert missing.status_code == 404
    assert "There is no area" in missing.text
    assert client.get(PK_PLAN + "?as_at=tomorrow").status_code == 400


def test_plan_page_lays_out_the_table_as_the_published_plan(client):
    page = client.get(PK_PLAN + "?as_at=2021-08-01")
    assert page.status_code == 200
    headers = re.findall(r'<th scope="col">([^<]+)</th>', page.text)
    assert headers[5:11] == [
        "No",
        "Expected Impact",
        "Actions/Tasks",
        "Strategic Lead",
        "Target Timescale",
        "RAG",
    ]
    assert page.text.count('<tr id="action-') == 25
    assert page.text.count('<tr id="ongoing-') == 7
    assert "Outcome 3 – Assessment and Planning" in page.text
    assert "By end of Year 1<br>31 July 2022" in page.text
    assert "Our children and young people are safe from harm" in page.text  # plan on a page
    assert "Creating a confident, ambitious and fairer Perth and Kinross" in page.text
    assert "<td>25 (Year 1: 10 and Year 2: 15)</td>" in page.text


def test_rag_shows_letter_and_word_not_colour_alone(client, session):
    report(session, "1.3", Rag.GREEN, ProgressStatus.IN_PROGRESS, on=dt.date(2022, 3, 1))
    report(session, "2.2", Rag.RED, on=dt.date(2022, 3, 1))
    page = client.get(PK_PLAN + "?as_at=2022-03-31").text
    row = page[page.index('<tr id="action-1.3"') :]
    row = row[: row.index("</tr>")]
    assert re.search(r'class="rag rag-g">.*>G</span> Green', row)
    assert "In progress" in row
    assert re.search(r'class="rag rag-r">.*>R</span> Red', page)
    assert "RED: There are significant issues" in page  # the plan's own legend
    assert "1 Red, 0 Amber,\n    1 Green, 23 not reported" in page


def _post_updates(app, area_slug, codes):
    def post(session):
        for code in codes:
            for month in (1, 2, 3):
                report(session, code, Rag.AMBER, on=dt.date(2022, month, 1), area_slug=area_slug)

    in_session(app, post)


def _queries(app, url):
    with count_queries(app) as counted:
        assert app.test_client().get(url).status_code == 200
    return counted.n


def test_pages_issue_a_fixed_number_of_queries_whatever_the_size(make_app):
    small = SyntheticAreaPlugin("small-shire", outcomes=2, actions=2)
    app = make_app(EXTRA_PLUGINS=[("small", small)])
    _post_updates(app, "small-shire", ["1.1"])
    index_before = _queries(app, "/")
    small_page = _queries(app, "/areas/small-shire/plans/synthetic/")

    big = SyntheticAreaPlugin("big-shire", outcomes=6, actions=8)
    app = make_app(EXTRA_PLUGINS=[("small", small), ("big", big)])
    _post_updates(app, "big-shire", ["1.1", "2.3", "4.5", "6.8"])
    assert _queries(app, "/") == index_before
    assert _queries(app, "/areas/big-shire/plans/synthetic/") == small_page
    assert _queries(app, PK_PLAN) == small_page
