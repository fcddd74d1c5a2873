"""The hook reference in ``docs/plugins.md``, generated from ``core/hookspecs.py`` (each hook's
signature and docstring), so the documentation cannot drift from the code: a test fails when
the file is out of date. Rewrite it with ``python -m core.hooks.reference``."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

from core.hooks import specs as hookspecs

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
START = (
    "<!-- hook reference: generated from core/hooks/specs.py by python -m core.hooks.reference -->"
)
END = "<!-- end of the hook reference -->"


def hooks() -> list:
    """Every hookspec, in the order ``core/hookspecs.py`` defines them."""
    found = [
        fn
        for _, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(fn, f"{hookspecs.PROJECT}_spec")
    ]
    return sorted(found, key=lambda fn: fn.__code__.co_firstlineno)


def reference() -> str:
    """The reference as Markdown: a section per hook."""
    parts = [START, ""]
    for fn in hooks():
        spec = getattr(fn, f"{hookspecs.PROJECT}_spec")
        signature = str(inspect.signature(fn)).replace("'", "")
        parts.append(f"### `{fn.__name__}{signature}`")
        parts.append("")
        if spec.get("firstresult"):
            parts.append("*First answer wins* (`firstresult=True`).")
        else:
            parts.append("*Every plugin is called.*")
        parts.append("")
        parts.append(inspect.getdoc(fn) or "")
        parts.append("")
    parts.append(END)
    return "\n".join(parts)


def current(text: str) -> str:
    """The reference part of ``text``, between the markers."""
    return text[text.index(START) : text.index(END) + len(END)]


def rewrite(path: Path = DOC) -> bool:
    """Put the current reference into ``path``; returns whether anything changed."""
    text = path.read_text(encoding="utf-8")
    updated = text.replace(current(text), reference())
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return updated != text


if __name__ == "__main__":
    changed = rewrite()
    print(f"{DOC}: {'rewritten' if changed else 'up to date'}")
    sys.exit(0)
