"""Who is signed in lives in one module, ``core.identity``, that the web pages and the API
both use and that imports neither; the API imports nothing of the web pages."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "core"


def imports_of(path: Path) -> set[str]:
    """The ``core...`` modules a file imports, anywhere in it (inside functions too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "core" or name.startswith("core.")}


def _touches(names: set[str], package: str) -> list[str]:
    return sorted(n for n in names if n == package or n.startswith(package + "."))


def test_identity_imports_neither_the_web_pages_nor_the_api():
    names = imports_of(CORE / "identity.py")
    assert _touches(names, "core.web") == [] and _touches(names, "core.api") == []


def test_the_api_imports_nothing_of_the_web_pages():
    for path in sorted((CORE / "api").glob("*.py")):
        assert _touches(imports_of(path), "core.web") == [], path.name


def test_the_web_pages_and_the_api_ask_identity_who_is_signed_in():
    users = [
        path
        for path in [*(CORE / "api").glob("*.py"), *(CORE / "web").glob("*.py")]
        if "signed_in_user" in path.read_text(encoding="utf-8")
    ]
    assert any(p.parent.name == "api" for p in users)
    for path in users:
        names = imports_of(path)
        if path.name != "auth.py" or path.parent.name != "web":
            assert "core.web.auth.signed_in_user" not in names, path
        assert "core.identity.signed_in_user" in names or path.name == "__init__.py", path
