"""The services are packages by subject with no circle between them, and each package's
docstring says truly which others it may use: a feature is a few neighbouring files."""

from __future__ import annotations

import re
from pathlib import Path

from tests.test_module_seams import imports_of

SERVICES = Path(__file__).resolve().parents[1] / "core" / "services"
PACKAGES = sorted(p.name for p in SERVICES.iterdir() if (p / "__init__.py").exists())


def uses() -> dict[str, set[str]]:
    """Each services package's imports of the others, anywhere in its modules."""
    found: dict[str, set[str]] = {name: set() for name in PACKAGES}
    for name in PACKAGES:
        for path in (SERVICES / name).rglob("*.py"):
            for module in imports_of(path):
                parts = module.split(".")
                if len(parts) > 2 and parts[1] == "services" and parts[2] in PACKAGES:
                    found[name].add(parts[2])
        found[name].discard(name)
    return found


def test_no_circle_between_the_services_packages():
    graph = uses()
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = "visiting"
        for other in sorted(graph[name]):
            assert state.get(other) != "visiting", " -> ".join([*path, name, other])
            if other not in state:
                visit(other, [*path, name])
        state[name] = "done"

    for name in PACKAGES:
        if name not in state:
            visit(name, [])


def test_each_package_says_what_it_holds_and_which_packages_it_may_use():
    assert {"plans", "progress", "tric", "kpis", "reports", "accounts", "records"} <= set(PACKAGES)
    graph = uses()
    for name in PACKAGES:
        doc = (SERVICES / name / "__init__.py").read_text(encoding="utf-8")
        said = re.search(r"May use: ([^\n]*?)\.?\"\"\"", doc.replace("\n", " "))
        assert said, f"{name}/__init__.py does not say which packages it may use"
        allowed = set(re.findall(r"[a-z]+", said.group(1))) & set(PACKAGES)
        if "every other package" in said.group(1):
            allowed = set(PACKAGES)
        assert graph[name] <= allowed, f"{name} uses {sorted(graph[name] - allowed)} too"


def test_plugins_written_against_the_old_paths_still_import():
    """The plugin author's imports stay as they were: a moved module is the same module under
    its old path (never run twice), and a package answers for its namesake module."""
    import importlib

    from core.moved import OLD_PATHS

    for old, new in OLD_PATHS.items():
        assert importlib.import_module(old) is importlib.import_module(new), old
    import core.report_formats.xlsx_format as old_format

    import core.services.reports.formats.xlsx_format as new_format

    assert old_format is new_format
    from core.services.report_data import ReportData

    from core.services import loader
    from core.services.accounts import hash_password
    from core.services.plans import NotFound, plan_by_slug

    assert loader.__name__ == "core.services.plans.loader"
    assert hash_password.__module__ == "core.services.accounts.accounts"
    assert plan_by_slug.__module__ == "core.services.plans.plans" and issubclass(
        NotFound, LookupError
    )
    assert ReportData.__module__ == "core.hooks.report_data"  # the type the hook receives


def test_the_plugin_seam_imports_no_service():
    """core/hooks/ (the specs, the types the hooks pass, the registry) imports no service, so
    that the services may use it without a circle; the report data the report_sections hook
    receives is one of its own types."""
    from core.hooks import specs

    assert specs.ReportData.__module__ == "core.hooks.report_data"
    hooks = SERVICES.parent / "hooks"
    for path in sorted(hooks.glob("*.py")):
        assert [n for n in imports_of(path) if n.startswith("core.services")] == [], path.name


def test_the_schemas_at_the_edges_import_no_service():
    """core/schemas/ (plugin data files, dates, patterns) is below the services, which use it;
    the web forms' schemas, which use services, live with the web pages."""
    for path in sorted((SERVICES.parent / "schemas").glob("*.py")):
        assert [n for n in imports_of(path) if n.startswith("core.services")] == [], path.name


def test_the_services_do_not_import_the_built_in_plugins():
    """The built-in plugins (core/default_plugins/) answer hooks over the services' data; the
    services, report formats included, never import them back."""
    for path in sorted(SERVICES.rglob("*.py")):
        assert [n for n in imports_of(path) if n.startswith("core.default_plugins")] == [], path
