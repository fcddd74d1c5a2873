"""docs/plugins.md: its hook reference is generated from core/hooks/specs.py and up to date, and
its tutorial's code runs as written."""

from __future__ import annotations

import re

from core.hooks import reference as hook_reference
from core.hooks.reference import DOC


def test_the_hook_reference_is_up_to_date():
    text = DOC.read_text(encoding="utf-8")
    assert hook_reference.current(text) == hook_reference.reference(), (
        "docs/plugins.md is out of date: run `python -m core.hooks.reference`"
    )
    for fn in hook_reference.hooks():
        assert f"### `{fn.__name__}(" in text


def test_the_tutorial_runs_as_written():
    text = DOC.read_text(encoding="utf-8")
    tutorial = text[text.index("## Tutorial") : text.index("## Hook reference")]
    blocks = re.findall(r"```python\n(.*?)```", tutorial, re.S)
    assert len(blocks) >= 5
    namespace: dict = {"__name__": "tutorial_plugin"}
    exec(compile("\n".join(blocks), str(DOC), "exec"), namespace)
    assert namespace["refused"].status_code == 400
