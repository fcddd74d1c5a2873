"""Plugins' own pages for their areas (the ``area_pages`` hook): each blueprint mounted under
its area, with its entry in the area's menu. A plugin's answer for an area it does not
register, of the wrong kind, or with a blueprint name already taken is refused and named in
``cpc plugins``; the other plugins' pages are still mounted."""

from __future__ import annotations

from flask import Flask, current_app, url_for

from core.change_types import AreaPages
from core.plugins import PluginProblem, PluginRegistry

MENUS = "cpc_area_menus"


def _areas_by_plugin(registry: PluginRegistry) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for name, specs in registry.call_each("register_areas"):
        try:
            found.setdefault(name, set()).update(spec.slug for spec in specs)
        except (TypeError, AttributeError):
            continue  # the loader reports a bad answer to register_areas
    return found


def init_app(app: Flask, registry: PluginRegistry) -> None:
    menus: dict[str, list[tuple[str, str]]] = {}
    app.extensions[MENUS] = menus
    owned = _areas_by_plugin(registry)
    for name, answer in registry.call_each("area_pages", registry.problems):
        try:
            pages_list = list(answer)
        except TypeError:
            registry.problems.append(PluginProblem(name, "area_pages did not answer a list"))
            continue
        for pages in pages_list:
            problem = _problem(app, name, pages, owned.get(name, set()))
            if problem:
                registry.problems.append(PluginProblem(name, f"area_pages: {problem}"))
                continue
            blueprint = pages.blueprint
            app.register_blueprint(
                blueprint, url_prefix=f"/areas/{pages.area}/more/{blueprint.name}"
            )
            menus.setdefault(pages.area, []).append(
                (pages.label, f"{blueprint.name}.{pages.endpoint}")
            )
    app.jinja_env.globals["area_menu"] = area_menu


def _problem(app: Flask, plugin: str, pages: object, areas: set[str]) -> str | None:
    if not isinstance(pages, AreaPages):
        return f"{pages!r} is not an AreaPages"
    if pages.area not in areas:
        return f"pages for area {pages.area!r}, which plugin {plugin!r} does not register"
    if pages.blueprint.name in app.blueprints:
        return f"the blueprint name {pages.blueprint.name!r} is taken"
    return None


def area_menu(slug: str) -> list[tuple[str, str]]:
    """The plugins' menu entries for an area: (label, address)."""
    return [
        (label, url_for(endpoint))
        for label, endpoint in current_app.extensions.get(MENUS, {}).get(slug, [])
    ]
