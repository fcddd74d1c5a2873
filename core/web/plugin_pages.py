"""Plugins' own pages for their areas (the ``area_pages`` hook): each blueprint mounted under
its area, with its entry in the area's menu. A plugin's answer for an area it does not
register, of the wrong kind, or with a blueprint name already taken is refused and named in
``cpc plugins``; the other plugins' pages are still mounted.

Anyone signed in may read a plugin's pages. A view that changes anything (any method but GET
and HEAD) must say who may use it with :func:`require_area_role`; one that does not is refused
(403) for everyone, so a plugin that forgets cannot let a viewer write."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask, abort, current_app, request, url_for

from core import db
from core.enums import Role
from core.hooks.change import AreaPages
from core.hooks.registry import PluginProblem, PluginRegistry
from core.identity import signed_in_user
from core.services.accounts import permissions
from core.services.plans import plans

MENUS = "cpc_area_menus"
# Each mounted plugin blueprint's name, and the slug of the area it belongs to.
AREAS = "cpc_area_pages"
ROLES = ("coordinator", "admin")
READING = ("GET", "HEAD", "OPTIONS")


def require_area_role(role: str = "coordinator") -> Callable:
    """Decorate a plugin page's view so that only those who may do ``role``'s work in the
    page's area reach it: ``"coordinator"``, the area's coordinators and administrators;
    ``"admin"``, administrators. Anyone else gets 403 with a sentence, checked on the server
    for every request. Every view of a plugin page that writes must use it."""
    if role not in ROLES:
        raise ValueError(f"require_area_role takes one of {', '.join(ROLES)}, not {role!r}")

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            area = plans.area_by_slug(
                db.get_session(), current_app.extensions[AREAS][request.blueprint]
            )
            user = signed_in_user()
            if role == "admin" and user.role is not Role.ADMIN:
                abort(403, "Only administrators can do this.")
            if role == "coordinator" and not permissions.writes_area(user, area):
                abort(403, f"Only {area.name}'s coordinators and administrators can do this.")
            return view(*args, **kwargs)

        checked.cpc_area_role = role  # type: ignore[attr-defined]
        return checked

    return decorate


def _writes_need_a_role() -> None:
    """Refuse a write to a plugin page whose view does not say who may use it."""
    if request.method in READING or request.blueprint not in current_app.extensions[AREAS]:
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and not hasattr(view, "cpc_area_role"):
        abort(
            403,
            "This page of a plugin does not say who may change things through it (its view "
            "lacks require_area_role), so nothing was changed.",
        )


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
    app.extensions[AREAS] = areas_of = {}
    app.before_request(_writes_need_a_role)
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
            areas_of[blueprint.name] = pages.area
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
