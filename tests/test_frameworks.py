"""Quality frameworks for self-evaluation: contributed by plugins (`contribute_frameworks`),
the Care Inspectorate's shipped only as far as it could be sourced (marked partial), shown
with its scale, questions and indicators, and completed by an administrator in the app."""

from __future__ import annotations

import sqlalchemy as sa

from core.hooks.plugin_data import DataSource
from core.models import QualityFramework, QualityIndicator
from core.services.plans import loader
from tests.helpers import in_session
from tests.test_hooks import Plugin

CARE = "care-inspectorate-care-and-protection"


def synthetic_framework(**changes) -> dict:
    return {
        "key": "synthetic-framework",
        "title": "A synthetic framework (test data)",
        "source": "Generated for the tests.",
        "partial": False,
        "scale": [{"value": 1, "label": "Low"}, {"value": 2, "label": "High"}],
        "questions": ["Is it good?"],
        "indicators": [{"number": "1.1", "title": "Synthetic indicator"}],
        **changes,
    }


def _indicators(app, key: str) -> list[tuple[str, str]]:
    return in_session(
        app,
        lambda s: list(
            s.execute(
                sa.select(QualityIndicator.number, QualityIndicator.title)
                .join(QualityFramework)
                .where(QualityFramework.key == key)
                .order_by(QualityIndicator.position)
            ).all()
        ),
    )


def test_hook_contribute_frameworks(make_app):
    plugin = Plugin(contribute_frameworks=lambda: [DataSource(data=synthetic_framework())])
    app = make_app(EXTRA_PLUGINS=[("frameworks-extra", plugin)])
    assert _indicators(app, "synthetic-framework") == [("1.1", "Synthetic indicator")]
    scale = in_session(
        app,
        lambda s: s.scalar(
            sa.select(QualityFramework.scale).where(QualityFramework.key == "synthetic-framework")
        ),
    )
    assert [p["value"] for p in scale] == [2, 1]  # best first
    # Loading again with an indicator more adds it and keeps the rest.
    more = synthetic_framework(
        title="Retitled", indicators=[{"number": "1.2", "title": "Another synthetic one"}]
    )
    again = Plugin(contribute_frameworks=lambda: [DataSource(data=more)])
    second = make_app(load=False, EXTRA_PLUGINS=[("frameworks-extra", again)])
    with second.app_context():
        from core import db

        session = db.get_session()
        loader.load_plugin_content(session, second.extensions["cpc_plugins"])
        session.commit()
    assert _indicators(app, "synthetic-framework") == [
        ("1.1", "Synthetic indicator"),
        ("1.2", "Another synthetic one"),
    ]


def test_a_bad_framework_file_is_reported_and_nothing_of_it_stored(make_app):
    bad = synthetic_framework(
        indicators=[{"number": "1.1", "title": "One"}, {"number": "1.1", "title": "Again"}]
    )
    plugin = Plugin(contribute_frameworks=lambda: [DataSource(data=bad)])
    app = make_app(load=False, EXTRA_PLUGINS=[("frameworks-bad", plugin)])
    from tests.helpers import init_database

    report = init_database(app)
    assert any("Each indicator number may appear once." in str(p) for p in report.problems)
    assert _indicators(app, "synthetic-framework") == []
    assert _indicators(app, CARE)  # the others still load


def test_the_care_inspectorate_framework_ships_only_what_could_be_sourced(app, client_for):
    assert _indicators(app, CARE) == [
        ("2.1", "Impact on children and young people"),
        ("5.3", "Care planning, managing risk and effective intervention"),
        ("5.4", "Involving individual children, young people and families"),
        ("9.2", "Leadership of strategy and direction"),
    ]
    page = client_for(app, "viewer").get(f"/self-evaluation/frameworks/{CARE}/").text
    assert 'id="partial"' in page and "the other 18 are missing" in page
    for words in ("6</td>", "Excellent", "Unsatisfactory", "How good are we now?",
                  "How do we know?", "What do we plan to do next?"):  # fmt: skip
        assert words in page


def test_an_administrator_adds_an_indicator_and_nobody_else_may(app, client_for):
    admin = client_for(app, "admin")
    path = f"/self-evaluation/frameworks/{CARE}/indicators/new"
    token = admin.get(path).text.split('name="csrf_token" value="')[1].split('"')[0]
    added = admin.post(path, data={"csrf_token": token, "number": "1.1", "title": "Synthetic"})
    assert added.status_code == 302
    page = admin.get(f"/self-evaluation/frameworks/{CARE}/").text
    assert "Synthetic" in page and "Added in the app" in page
    again = admin.post(path, data={"csrf_token": token, "number": "2.1", "title": "Twice"})
    assert again.status_code == 400 and "already has indicator 2.1" in again.text
    assert client_for(app, "pk").get(path).status_code == 403
    assert len(_indicators(app, CARE)) == 5
