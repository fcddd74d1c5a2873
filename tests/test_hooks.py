"""Every hook is documented and has a test of its own that registers a plugin in-process."""

from __future__ import annotations

import datetime as dt
import inspect
import re
from pathlib import Path

from sqlalchemy import select

from core import hookspecs
from core.enums import ActionOrigin, Rag
from core.hookspecs import hookimpl
from core.models import Action, Area, Plan, SharedAction
from core.plugin_data import AreaSpec, DataSource
from core.rag_types import RagSuggestion
from core.rollup_types import RollupRow, TaysideStatus
from core.services.rollup import tayside_rollup
from core.synthetic import synthetic_plan
from tests.helpers import PK, in_session, init_database, report

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
