"""The read-only pages: every area, and each plan laid out as the published document."""

from __future__ import annotations

import datetime as dt
import re

from core.enums import ProgressStatus, Rag
from core.services.demo.synthetic import SyntheticAreaPlugin
from tests.helpers import PK, action, count_queries, in_session, report

PK_PLAN = "/areas/perth-and-kinross/plans/2021-2023/"


def test_index_lists_the_three_areas_with_their_summary(reader):
    page = reader.get("/")
    assert page.status_code == 200
    for name in ("Angus", "Dundee", "Perth and Kinross"):
        assert f">{name}</a>" in page.text
    # Nothing reported yet: Perth and Kinross's 25 actions are all still ongoing.
    assert (
        'data-label="Total actions/tasks ongoing">25 (Year 1: 10 and Year 2: 15)</td>' in page.text
    )
    assert "CPC Improvement Plan 2021 – 2023 (draft)" in page.text  # Angus and Dundee frames


def test_unknown_areas_are_404_and_bad_dates_400(reader):
    missing = reader.get("/areas/fife/")
    assert missing.status_code == 404
    assert "There is no area" in missing.text
    assert reader.get(PK_PLAN + "?as_at=tomorrow").status_code == 400
    assert reader.get("/actions/999999").status_code == 404
    assert reader.get("/actions/99999999999").status_code == 404  # beyond any id
    assert reader.get("/actions/0").status_code == 404


def test_plan_page_lays_out_the_table_as_the_published_plan(reader):
    page = reader.get(PK_PLAN + "?as_at=2021-08-01")
    assert page.status_code == 200
    headers = re.findall(r'<th scope="col" class="govuk-table__header">([^<]+)</th>', page.text)
    assert headers[5:11] == [
        "No",
        "Expected Impact",
        "Actions/Tasks",
        "Strategic Lead",
        "Target Timescale",
        "RAG",
    ]
    assert page.text.count('<tr class="govuk-table__row" id="action-') == 25
    assert page.text.count('<tr class="govuk-table__row" id="ongoing-') == 7
    assert "Outcome 3 – Assessment and Planning" in page.text
    assert "By end of Year 1<br>31 July 2022" in page.text
    assert "Our children and young people are safe from harm" in page.text  # plan on a page
    assert "Creating a confident, ambitious and fairer Perth and Kinross" in page.text
    assert (
        'data-label="Total actions/tasks ongoing">25 (Year 1: 10 and Year 2: 15)</td>' in page.text
    )


def test_rag_shows_letter_and_word_not_colour_alone(reader, session):
    report(session, "1.3", Rag.GREEN, ProgressStatus.IN_PROGRESS, on=dt.date(2022, 3, 1))
    report(session, "2.2", Rag.RED, on=dt.date(2022, 3, 1))
    page = reader.get(PK_PLAN + "?as_at=2022-03-31").text
    row = page[page.index('id="action-1.3"') :]
    row = row[: row.index("</tr>")]
    assert re.search(r'class="cpc-rag cpc-rag--g">.*>G</span> Green', row)
    assert "In progress" in row
    assert re.search(r'class="cpc-rag cpc-rag--r">.*>R</span> Red', page)
    assert "RED: There are significant issues" in page  # the plan's own legend
    assert "1 Red, 0 Amber,\n    1 Green, 23 not reported" in page


def _post_updates(app, area_slug, codes):
    def post(session):
        for code in codes:
            for month in (1, 2, 3):
                report(session, code, Rag.AMBER, on=dt.date(2022, month, 1), area_slug=area_slug)

    in_session(app, post)


def _queries(client, app, url):
    with count_queries(app) as counted:
        assert client.get(url).status_code == 200
    return counted.n


def _action_id(app, area_slug, code):
    return in_session(app, lambda session: action(session, code, area_slug).id)


def _page_queries(client, app, area_slug):
    plan = f"/areas/{area_slug}/plans/synthetic/"
    return [
        _queries(client, app, url)
        for url in (
            "/",
            f"/areas/{area_slug}/",
            plan,
            plan + "actions/?rag=A&q=synthetic",
            f"/actions/{_action_id(app, area_slug, '1.1')}",
            f"/actions/{_action_id(app, area_slug, '1.1')}/updates/new",
        )
    ]


def test_pages_issue_a_fixed_number_of_queries_whatever_the_size(make_app, client_for):
    small = SyntheticAreaPlugin("small-shire", outcomes=2, actions=2)
    app = make_app(EXTRA_PLUGINS=[("small", small)])
    _post_updates(app, "small-shire", ["1.1"])
    client = client_for(app, "admin")
    small_counts = _page_queries(client, app, "small-shire")

    big = SyntheticAreaPlugin("big-shire", outcomes=6, actions=8)
    app = make_app(EXTRA_PLUGINS=[("small", small), ("big", big)])
    _post_updates(app, "big-shire", ["1.1", "2.3", "4.5", "6.8"])
    client = client_for(app, "admin")
    assert _page_queries(client, app, "big-shire") == small_counts


def test_the_dashboard_lists_the_first_ten_overdue_actions_and_links_to_all(app, reader):
    page = reader.get(f"/areas/{PK}/?as_at=2023-08-01").text
    overdue = page[page.index('id="overdue"') : page.index('id="due-soon"')]
    assert "25 overdue actions, the first 10 shown" in overdue
    assert overdue.count('<tr class="govuk-table__row" id="row-') == 10
    link = f"/areas/{PK}/plans/2021-2023/actions/?overdue=1&amp;as_at=2023-08-01"
    assert f'href="{link}">See all 25 overdue actions' in overdue
    everything = reader.get(link.replace("&amp;", "&")).text
    assert "25 actions match your filters, as at 1 August 2023" in everything


def test_find_actions_pages_a_long_list(app, reader):
    from core import db
    from core.services.plans.actions import add_local_action
    from tests.helpers import plan_of

    with app.app_context():
        session = db.get_session()
        outcome = next(o for o in plan_of(session).outcomes if o.number == 6)
        for n in range(30):
            add_local_action(session, outcome, actor=None, text=f"Synthetic page test {n}")
        session.commit()
    today = dt.date.today().isoformat()  # actions added today are in the plan from today
    first = reader.get(f"{PK_PLAN}actions/?as_at={today}").text
    assert "62 actions match, as at" in first
    assert first.count('id="row-') == 50 and "Page 1 of 2" in first
    assert f'actions/?as_at={today}&amp;page=2" rel="next"' in first
    second = reader.get(f"{PK_PLAN}actions/?as_at={today}&page=2").text
    assert second.count('id="row-') == 12 and 'rel="prev"' in second
    searched = reader.get(f"{PK_PLAN}actions/?as_at={today}&q=page+test&page=1").text
    assert "30 actions match your filters" in searched and "Page 1 of" not in searched
