"""Plugins: found through entry points, registered in-process, refused when broken."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from core import db
from core.hooks.plugin_data import AreaSpec, DataSource
from core.hooks.registry import DuplicatePluginError, build_registry
from core.hooks.specs import hookimpl
from core.models import Area, Plan
from core.services.demo.synthetic import SyntheticAreaPlugin, synthetic_plan
from tests.helpers import in_session, init_database

SHIPPED = {"angus", "dundee", "perth_kinross", "shared_tric"}


def plan_labels(session):
    return sorted(
        f"{area}/{slug}" for area, slug in session.execute(select(Area.slug, Plan.slug).join(Plan))
    )


def test_shipped_plugins_are_found_through_entry_points():
    registry = build_registry()
    assert set(registry.names()) >= SHIPPED
    assert registry.problems == []
    assert "core.default_plugins.tayside_status" in registry.names()


def test_cpc_plugins_lists_versions_and_hooks(runner):
    result = runner.invoke(args=["plugins", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.output)["plugins"]}
    assert rows["perth_kinross"]["hooks"] == [
        "contribute_kpis",
        "contribute_plans",
        "register_areas",
    ]
    assert rows["shared_tric"]["hooks"] == ["contribute_plan_frames", "contribute_shared_actions"]
    assert rows["angus"]["version"] == "0.1.0"
    text = runner.invoke(args=["plugins"]).output
    assert "dundee (0.1.0): contribute_plans, register_areas" in text


def test_a_plugin_registered_in_process_adds_an_area_with_a_plan(make_app, client_for):
    app = make_app(EXTRA_PLUGINS=[("synthetic", SyntheticAreaPlugin(outcomes=2, actions=3))])
    labels = in_session(app, plan_labels)
    assert "synthetic-shire/synthetic" in labels
    assert "perth-and-kinross/2021-2023" in labels
    page = client_for(app).get("/areas/synthetic-shire/plans/synthetic/")
    assert page.status_code == 200
    assert "Synthetic action 2.3" in page.text
    assert "Synthetic data" in client_for(app).get("/").text


class BrokenFilePlugin:
    def __init__(self, path):
        self.path = path

    @hookimpl
    def register_areas(self):
        return [AreaSpec("broken-area", "Broken (synthetic)", "Broken CPC", is_synthetic=True)]

    @hookimpl
    def contribute_plans(self):
        return [DataSource.file(self.path)]


def test_a_broken_data_file_is_refused_with_a_clear_error_and_the_rest_load(
    make_app, tmp_path, runner_for
):
    plan = synthetic_plan("broken-area", 1, 2)
    plan["priority_groups"][0]["outcomes"][0]["actions"][1]["target_date"] = "next year"
    path = tmp_path / "plan_broken.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    app = make_app(load=False, EXTRA_PLUGINS=[("broken", BrokenFilePlugin(path))])
    result = runner_for(app).invoke(args=["init"])
    assert result.exit_code == 0
    assert (
        "plugin 'broken': plan_broken.json: "
        "priority_groups.0.outcomes.0.actions.1.target_date: Not a valid date." in result.output
    )
    labels = in_session(app, plan_labels)
    assert labels == [
        "angus/2021-2023",
        "dundee/2021-2023",
        "perth-and-kinross/2021-2023",
    ]


def test_a_plan_naming_a_missing_shared_action_stores_nothing(make_app, tmp_path):
    plan = synthetic_plan("broken-area", 1, 2)
    plan["priority_groups"][0]["outcomes"][0]["actions"][0]["shared_action"] = "no-such-thing"
    path = tmp_path / "plan_missing.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    app = make_app(load=False, EXTRA_PLUGINS=[("broken", BrokenFilePlugin(path))])
    report = init_database(app)
    assert [str(p) for p in report.problems] == [
        "plugin 'broken': plan_missing.json: shared_action: "
        "no TRIC shared action with key 'no-such-thing'"
    ]
    with app.app_context():
        session = db.get_session()
        assert "broken-area/synthetic" not in plan_labels(session)
        assert session.scalar(select(Area).where(Area.slug == "broken-area")) is not None


def test_invalid_json_names_the_file_and_line(make_app, tmp_path):
    path = tmp_path / "plan_bad.json"
    path.write_text('{"area": "broken-area",\n "slug": }', encoding="utf-8")
    app = make_app(load=False, EXTRA_PLUGINS=[("broken", BrokenFilePlugin(path))])
    problems = [str(p) for p in init_database(app).problems]
    assert problems == [
        "plugin 'broken': plan_bad.json: not valid JSON at line 2, column 10: Expecting value"
    ]


class RaisingPlugin:
    @hookimpl
    def contribute_plans(self):
        raise RuntimeError("database of plans is down")


def test_a_plugin_whose_hook_raises_does_not_stop_the_others(make_app):
    app = make_app(load=False, EXTRA_PLUGINS=[("raising", RaisingPlugin())])
    report = init_database(app)
    assert [p.plugin for p in report.problems] == ["raising"]
    assert "hook contribute_plans raised RuntimeError('database of plans is down')" in str(
        report.problems[0]
    )
    assert len(report.plans_added) == 3


class TypoPlugin:
    @hookimpl
    def contribute_plan(self):  # not a hook: contribute_plans is
        return []


def test_a_plugin_with_an_unknown_hook_is_left_out_and_named():
    registry = build_registry(entry_points=False, extra=[("typo", TypoPlugin())])
    assert "typo" not in registry.names()
    assert [str(p) for p in registry.problems] == [
        "plugin 'typo': implements unknown hooks: contribute_plan"
    ]


def test_start_up_refuses_duplicate_registrations(make_app):
    with pytest.raises(DuplicatePluginError, match="'angus' is registered twice"):
        make_app(load=False, EXTRA_PLUGINS=[("angus", SyntheticAreaPlugin())])
    twice = SyntheticAreaPlugin()
    with pytest.raises(DuplicatePluginError):
        build_registry(entry_points=False, extra=[("one", twice), ("two", twice)])


def test_an_area_registered_by_two_plugins_is_refused_for_the_later_one(make_app):
    app = make_app(load=False, EXTRA_PLUGINS=[("copycat", SyntheticAreaPlugin(slug="angus"))])
    report = init_database(app)
    assert [str(p) for p in report.problems] == [
        "plugin 'copycat': area 'angus' is already registered by plugin 'angus'",
        "plugin 'copycat': (in-memory data): area: area 'angus' belongs to plugin 'angus': "
        "a plugin contributes plans only for the areas it registers",
    ]
    with app.app_context():
        session = db.get_session()
        angus = session.scalar(select(Area).where(Area.slug == "angus"))
        assert angus.name == "Angus" and not angus.is_synthetic
        assert "angus/synthetic" not in plan_labels(session)
