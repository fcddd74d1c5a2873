"""Every hook is documented and has a test of its own that registers a plugin in-process."""

from __future__ import annotations

import datetime as dt
import inspect
import re
from pathlib import Path

import pytest
from flask import Blueprint
from sqlalchemy import select

from core.enums import ActionOrigin, Rag
from core.hooks import specs as hookspecs
from core.hooks.change import AreaPages, ChangeEvent, UpdateProblem
from core.hooks.plugin_data import AreaSpec, DataSource
from core.hooks.rag import RagSuggestion
from core.hooks.rollup import RollupRow, TaysideStatus
from core.hooks.specs import hookimpl
from core.models import Action, Area, Plan, SharedAction
from core.services.demo.synthetic import synthetic_plan
from core.services.tric.rollup import tayside_rollup
from tests.helpers import PK, AuthActions, in_session, init_database, report

HOOKS = sorted(
    name
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
    if hasattr(fn, "tayside_cpc_spec")
)


def test_every_hook_is_documented():
    assert HOOKS, "no hookspecs found"
    for name in HOOKS:
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert len(doc) > 80, f"hook {name} has no documentation"
        assert "Returns" in doc and "Receives" in doc, f"hook {name}: say what it gets and gives"


def test_every_firstresult_hook_says_so():
    for name in HOOKS:
        fn = getattr(hookspecs, name)
        first = fn.tayside_cpc_spec.get("firstresult", False)
        assert first == ("first answer wins" in inspect.getdoc(fn)), name


def test_every_hook_has_a_test_of_its_own():
    tests = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    tested = set(re.findall(r"def test_hook_(\w+)\(", tests))
    assert sorted(set(HOOKS) - tested) == [], "hooks without a test_hook_<name> test"


class Plugin:
    """Holds whichever hook implementations a test gives it."""

    def __init__(self, **impls):
        for name, fn in impls.items():
            setattr(self, name, hookimpl(fn))


def test_hook_register_areas(make_app):
    spec = AreaSpec("fictional-isle", "Fictional Isle (synthetic)", "Fictional CPC", True)
    app = make_app(EXTRA_PLUGINS=[("isle", Plugin(register_areas=lambda: [spec]))])
    area = in_session(app, lambda s: s.scalar(select(Area).where(Area.slug == spec.slug)))
    assert (area.name, area.is_synthetic) == ("Fictional Isle (synthetic)", True)


def test_hook_contribute_plans(make_app):
    spec = AreaSpec("fictional-isle", "Fictional Isle (synthetic)", "Fictional CPC", True)
    plugin = Plugin(
        register_areas=lambda: [spec],
        contribute_plans=lambda: [DataSource(data=synthetic_plan(spec.slug, 2, 2))],
    )
    app = make_app(EXTRA_PLUGINS=[("isle", plugin)])
    titles = in_session(
        app,
        lambda s: list(
            s.scalars(select(Action.text).join(Plan).join(Area).where(Area.slug == spec.slug))
        ),
    )
    assert "Synthetic action 2.2" in titles and len(titles) == 5


def test_hook_contribute_shared_actions(make_app):
    data = {
        "shared_actions": [
            {
                "key": "synthetic-shared",
                "title": "Synthetic shared action",
                "text": "A synthetic Tayside-wide action",
                "target_date": "2022-07-31",
                "priority_for_practice": 2,
            }
        ]
    }
    plugin = Plugin(contribute_shared_actions=lambda: [DataSource(data=data)])
    app = make_app(EXTRA_PLUGINS=[("pg5-extra", plugin)])
    keys = in_session(app, lambda s: list(s.scalars(select(SharedAction.key))))
    assert "synthetic-shared" in keys and "chronologies" in keys
    # A plan can now adopt it: it lands under Priority for Practice 2, numbered next there.
    plan = synthetic_plan("fictional-isle", 0, 0)
    plan.update(frame="tayside-priorities-for-practice", priority_groups=[])
    plan["adopt"] = [{"shared_action": "synthetic-shared"}]
    spec = AreaSpec("fictional-isle", "Fictional Isle (synthetic)", "Fictional CPC", True)
    isle = Plugin(register_areas=lambda: [spec], contribute_plans=lambda: [DataSource(data=plan)])
    app = make_app(EXTRA_PLUGINS=[("pg5-extra2", plugin), ("isle", isle)], load=False)
    init_database(app)
    adopted = in_session(
        app,
        lambda s: s.scalars(
            select(Action)
            .join(Plan)
            .join(Area)
            .where(Area.slug == "fictional-isle", Action.origin == ActionOrigin.ADOPTED)
        ).one(),
    )
    assert (adopted.code, adopted.origin) == ("2.1", ActionOrigin.ADOPTED)


def test_hook_contribute_plan_frames(make_app, client_for):
    frame = {
        "key": "synthetic-frame",
        "title": "Synthetic frame",
        "priority_groups": [
            {"title": "Synthetic group", "outcomes": [{"number": 1, "title": "X"}]}
        ],
        "alignment": {"cpc_function": [{"text": "Synthetic function"}]},
    }
    plan = synthetic_plan("fictional-isle", 0, 0)
    plan.update(frame="synthetic-frame", priority_groups=[])
    spec = AreaSpec("fictional-isle", "Fictional Isle (synthetic)", "Fictional CPC", True)
    plugin = Plugin(
        register_areas=lambda: [spec],
        contribute_plans=lambda: [DataSource(data=plan)],
        contribute_plan_frames=lambda: [DataSource(data=frame)],
    )
    app = make_app(EXTRA_PLUGINS=[("isle", plugin)])
    page = client_for(app).get("/areas/fictional-isle/plans/synthetic/")
    assert "Outcome 1 – X" in page.text
    assert "Synthetic function" in page.text


def test_hook_tayside_status(make_app):
    def strict(row: RollupRow):
        """A stricter rule: anything short of all Green is Red."""
        cells = [c for c in row.cells.values() if c is not None]
        return TaysideStatus.GREEN if all(c.rag is Rag.GREEN for c in cells) else TaysideStatus.RED

    app = make_app(EXTRA_PLUGINS=[("strict", Plugin(tayside_status=strict))])

    def rows(session):
        report(session, "3.3", Rag.AMBER, on=dt.date(2022, 3, 1), area_slug=PK)
        plugins = app.extensions["cpc_plugins"]
        return {r.key: r for r in tayside_rollup(session, plugins, dt.date(2022, 4, 1)).rows}

    result = in_session(app, rows)
    assert result["chronologies"].tayside_status is TaysideStatus.RED  # default rule: Amber
    assert result["childs-plan-review"].tayside_status is TaysideStatus.RED  # default: not reported

    # A plugin that answers None, or raises, leaves the decision to the default rule.
    def broken(row):
        raise ValueError("bad rule")

    app = make_app(
        EXTRA_PLUGINS=[
            ("pass", Plugin(tayside_status=lambda row: None)),
            ("bad", Plugin(tayside_status=broken)),
        ]
    )
    result = in_session(app, rows)
    assert result["chronologies"].tayside_status is TaysideStatus.AMBER


def test_hook_suggest_rag(make_app, client_for):
    def cautious(facts):
        """A synthetic rule for Perth and Kinross's action 1.1 only."""
        if (facts.area, facts.code) != (PK, "1.1"):
            return None
        return RagSuggestion(Rag.AMBER, "synthetic area rule: never Green without evidence")

    def broken(facts):
        raise ValueError("bad rule")

    app = make_app(
        EXTRA_PLUGINS=[
            ("cautious", Plugin(suggest_rag=cautious)),
            ("bad", Plugin(suggest_rag=broken)),
        ]
    )
    pk_action = in_session(app, lambda s: _action_id(s, PK, "1.1"))
    other_action = in_session(app, lambda s: _action_id(s, PK, "1.2"))
    web = client_for(app, "viewer")
    page = web.get(f"/actions/{pk_action}").text
    assert "synthetic area rule: never Green without evidence" in page
    # Another action gets the built-in rule: the plugin answered None for it.
    other = web.get(f"/actions/{other_action}").text
    assert "synthetic area rule" not in other and 'id="suggested-rag"' in other


def _action_id(session, area_slug: str, code: str) -> int:
    query = select(Action.id).join(Plan).join(Area).where(Area.slug == area_slug)
    return session.scalars(query.where(Action.code == code).order_by(Action.id).limit(1)).one()


def test_hook_check_update(make_app, accounts_for):
    def evidence_for_green(update):
        """A synthetic Perth and Kinross rule: Green needs an evidence link."""
        if update.area == PK and update.rag is Rag.GREEN and not update.evidence_url:
            return [UpdateProblem("evidence_url", "Synthetic rule: Green needs an evidence link.")]
        return None

    def broken(update):
        raise ValueError("bad rule")

    app = make_app(
        EXTRA_PLUGINS=[
            ("evidence", Plugin(check_update=evidence_for_green)),
            ("bad", Plugin(check_update=broken)),
        ]
    )
    web = AuthActions(app.test_client(), accounts_for(app))
    web.login("pk")
    first = in_session(app, lambda s: _action_id(s, PK, "1.1"))
    form = f"/actions/{first}/updates/new"
    update = {
        "reported_on": "2022-03-01",
        "status": "in_progress",
        "rag": "G",
        "rag_reason": "Synthetic",
        "commentary": "x",
    }
    refused = web.post(form, update, form)
    assert refused.status_code == 400
    assert "Synthetic rule: Green needs an evidence link." in refused.text
    saved = web.post(form, {**update, "evidence_url": "https://example.org/minutes"}, form)
    assert saved.status_code == 302  # the raising rule was skipped, not fatal


def test_hook_after_change(make_app, accounts_for, runner_for):
    seen: list[ChangeEvent] = []

    def broken(change):
        raise ConnectionError("the area's own system is down")

    app = make_app(
        EXTRA_PLUGINS=[
            ("bad", Plugin(after_change=broken)),
            ("record", Plugin(after_change=lambda change: seen.append(change))),
        ]
    )
    accounts = accounts_for(app)
    token = runner_for(app).invoke(args=["token", "create", accounts["pk"], "--name", "t"])
    headers = {"Authorization": f"Bearer {token.stdout.strip()}"}
    first = in_session(app, lambda s: _action_id(s, PK, "1.1"))
    posted = app.test_client().post(
        f"/api/v1/actions/{first}/updates",
        json={"reported_on": "2022-03-01", "status": "in_progress", "rag": "A", "commentary": "x"},
        headers=headers,
    )
    assert posted.status_code == 201  # saved, although one plugin failed afterwards
    update_id = posted.get_json()["id"]
    client = app.test_client()
    fixed = client.post(
        f"/api/v1/updates/{update_id}/correction", json={"reason": "x"}, headers=headers
    )
    assert fixed.status_code == 201
    etag = client.get(f"/api/v1/actions/{first}", headers=headers).headers["ETag"]
    reworded = client.patch(
        f"/api/v1/actions/{first}",
        json={"text": "Synthetic: reworded for the after_change test"},
        headers={**headers, "If-Match": etag},
    )
    assert reworded.status_code == 200
    assert [(e.kind, e.event, e.area, e.record_id) for e in seen] == [
        ("progress_update", "posted", PK, update_id),
        ("progress_update", "corrected", PK, fixed.get_json()["id"]),
        ("action", "reworded", PK, first),
    ]


def test_hook_area_pages(make_app, client_for):
    spec = AreaSpec("fictional-isle", "Fictional Isle (synthetic)", "Fictional CPC", True)
    pages = Blueprint("isle_reports", __name__)
    pages.add_url_rule("/", "index", lambda: "Synthetic: the isle's own report page")
    elsewhere = Blueprint("isle_elsewhere", __name__)
    elsewhere.add_url_rule("/", "index", lambda: "not allowed")
    plugin = Plugin(
        register_areas=lambda: [spec],
        contribute_plans=lambda: [DataSource(data=synthetic_plan(spec.slug, 1, 1))],
        area_pages=lambda: [
            AreaPages(spec.slug, pages, "The isle's own reports (synthetic)"),
            AreaPages(PK, elsewhere, "Pages for an area the plugin does not register"),
        ],
    )
    app = make_app(EXTRA_PLUGINS=[("isle", plugin)])
    web = client_for(app, "viewer")
    page = web.get("/areas/fictional-isle/more/isle_reports/")
    assert page.status_code == 200 and "the isle's own report page" in page.text
    assert app.test_client().get("/areas/fictional-isle/more/isle_reports/").status_code == 302
    board = web.get("/areas/fictional-isle/").text
    assert 'href="/areas/fictional-isle/more/isle_reports/">The isle' in board
    assert web.get(f"/areas/{PK}/more/isle_elsewhere/").status_code == 404
    problems = [str(p) for p in app.extensions["cpc_plugins"].problems]
    assert any("does not register" in p and "'isle'" in p for p in problems)


def test_a_plugin_page_that_writes_checks_the_role_and_area_on_the_server(make_app, client_for):
    from core.web.plugin_pages import require_area_role

    spec = AreaSpec("fictional-isle", "Fictional Isle (synthetic)", "Fictional CPC", True)
    pages = Blueprint("isle_notes_kept", __name__)
    kept: list[str] = []

    @require_area_role("coordinator")
    def keep():
        kept.append("note")
        return "Synthetic: kept"

    def forgot():
        kept.append("unchecked")
        return "Synthetic: written without a check"

    pages.add_url_rule("/", "index", lambda: "Synthetic: the isle's notes")
    pages.add_url_rule("/keep", "keep", keep, methods=["POST"])
    pages.add_url_rule("/forgot", "forgot", forgot, methods=["POST"])
    plugin = Plugin(
        register_areas=lambda: [spec],
        contribute_plans=lambda: [DataSource(data=synthetic_plan(spec.slug, 1, 1))],
        area_pages=lambda: [AreaPages(spec.slug, pages, "The isle's notes (synthetic)")],
    )
    app = make_app(EXTRA_PLUGINS=[("isle", plugin)])
    base = "/areas/fictional-isle/more/isle_notes_kept"
    for who in ("viewer", "lead", "pk", "pg5"):
        web = AuthActions(client_for(app, who), {})
        assert web.client.get(f"{base}/").status_code == 200  # everyone reads
        refused = web.post(f"{base}/keep", {})
        assert refused.status_code == 403, who
        assert (
            "Only Fictional Isle (synthetic)&#39;s coordinators and administrators" in refused.text
        )
    admin = AuthActions(client_for(app, "admin"), {})
    assert admin.post(f"{base}/keep", {}).status_code == 200
    unchecked = admin.post(f"{base}/forgot", {})
    assert unchecked.status_code == 403 and "lacks require_area_role" in unchecked.text
    assert kept == ["note"]
    with pytest.raises(ValueError, match="require_area_role takes one of"):
        require_area_role("viewer")
