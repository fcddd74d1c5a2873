"""Old module paths, kept for plugins written against them: ``core.hookspecs`` is
``core.hooks.specs``, ``core.report_types`` is ``core.hooks.report``, ``core.services.loader`` is
``core.services.plans.loader``, ``core.report_formats`` is ``core.services.reports.formats``, and
so on. An import finder gives the moved module itself under its old name, only when asked for
(nothing is imported up front); ``core`` installs it."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

# Each moved module, by package (its old path was core.services.<module>).
PACKAGES = {
    "plans": (
        "actions action_query dashboard document loader plan_sync plan_transfer search summary "
        "wording"
    ),
    "progress": "missing_updates my_actions period_locks rag_suggestions reporting review travel",
    "tric": "rollup rollup_export shared",
    "kpis": "kpi_tayside kpi_transfer kpi_words periods",
    "reports": "report report_data",
    "accounts": "contributors password_resets permissions sessions tokens",
    "records": "archive_limits audit backup idempotency spreadsheet_safety",
    "notify": "notices reminders",
    "demo": "demo_data",
}
OLD_PATHS = {
    f"core.services.{module}": f"core.services.{package}.{module}"
    for package, modules in PACKAGES.items()
    for module in modules.split()
}
# The plugin seam's modules, moved into core/hooks/ (the paths plugins and docs/plugins.md use).
OLD_PATHS.update(
    {
        "core.hookspecs": "core.hooks.specs",
        "core.plugins": "core.hooks.registry",
        "core.hook_reference": "core.hooks.reference",
        "core.report_types": "core.hooks.report",
        "core.rag_types": "core.hooks.rag",
        "core.kpi_types": "core.hooks.kpi",
        "core.change_types": "core.hooks.change",
        "core.rollup_types": "core.hooks.rollup",
        "core.plugin_data": "core.hooks.plugin_data",
        "core.synthetic": "core.services.demo.synthetic",
    }
)
OLD_PREFIXES = {"core.report_formats": "core.services.reports.formats"}


def new_path(old: str) -> str | None:
    if old in OLD_PATHS:
        return OLD_PATHS[old]
    for prefix, moved in OLD_PREFIXES.items():
        if old == prefix or old.startswith(prefix + "."):
            return moved + old[len(prefix) :]
    return None


class _Alias(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module) -> None:
        pass  # the moved module is already run


class MovedModules(importlib.abc.MetaPathFinder):
    """Finds a moved module under its old path."""

    def find_spec(self, fullname, path=None, target=None):
        moved = new_path(fullname)
        if moved is None:
            return None
        return importlib.util.spec_from_loader(fullname, _Alias(moved))


def install() -> None:
    # First, so that a module below a moved package is not run again under its old name.
    if not any(isinstance(finder, MovedModules) for finder in sys.meta_path):
        sys.meta_path.insert(0, MovedModules())


def same_named(package: str, name: str):
    """An old import from a module that is now its package's namesake (``from
    core.services.plans import plan_by_slug``): the name from ``<package>.<package>``."""
    module = importlib.import_module(f"core.services.{package}.{package}")
    try:
        return getattr(module, name)
    except AttributeError:
        raise AttributeError(
            f"module 'core.services.{package}' has no attribute {name!r}"
        ) from None
