"""The data that ships says only what its sources publish: every frame line is quoted in the
Perth and Kinross plan, shared actions name no lead the plan does not give them, and the Angus
and Dundee frames claim no plan content and adopt nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.test_seed_plan import _repaired

ROOT = Path(__file__).resolve().parents[1]


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("*", "")).strip()


def _load(path: str) -> dict:
    return json.loads((ROOT / path).read_text(encoding="utf-8"))


def test_every_line_of_the_priorities_frame_is_quoted_in_the_published_plan(seed_text):
    seed = _normalise(seed_text)
    frame = _load("shared_tric/priorities_for_practice.json")
    assert "May 2021" not in frame["title"] and "PG5" not in frame["title"]
    quoted = [g["title"] for g in frame["priority_groups"]]
    quoted += [o["title"] for g in frame["priority_groups"] for o in g["outcomes"]]
    for items in frame["alignment"].values():
        for item in items:
            quoted += [item["text"], item.get("detail", "")]
    for text in filter(None, quoted):
        assert _normalise(text) in seed, text
    assert "Perth and Kinross CPC Improvement Plan" in frame["source"]


def test_shared_actions_name_no_lead_and_are_worded_as_the_plan_words_them(seed_text):
    seed = _repaired(seed_text)  # with the listed repairs of the text conversion
    for action in _load("shared_tric/shared_actions.json")["shared_actions"]:
        assert action["lead"] == "", action["key"]
        assert "Perth and Kinross CPC Improvement Plan" in action["source"], action["key"]
        assert "TRIC PG5" not in action["text"] and "every Tayside area" not in action["text"]
        # The plan's own words, less "across Perth and Kinross" where the source says so.
        published = seed
        if "less the words" in action["source"]:
            published = seed.replace(" across Perth and Kinross", "")
        assert _normalise(action["text"]) in published, action["key"]
        assert _normalise(action["expected_impact"]) in published, action["key"]


def test_the_angus_and_dundee_frames_adopt_nothing_and_claim_no_plan(seed_text):
    for area in ("angus", "dundee"):
        frame = _load(f"plugins/{area}/plan_2021_2023.json")
        assert frame.get("adopt", []) == [] and frame.get("actions", []) == []
        assert frame["status"] == "draft"
        assert "every Tayside area delivers" not in frame["source"]
        assert "Nothing here is taken from a plan of" in frame["source"]


def test_every_change_to_the_conversion_is_listed_where_a_reader_looks():
    """The README lists each kind of change the data makes; the plan's source says so in one
    sentence; the shared actions' titles are said to be the platform's labels; Angus and
    Dundee say what they hold."""
    import importlib
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    readme = (root / "plugins" / "perth_kinross" / "README.md").read_text(encoding="utf-8")
    plan = json.loads((root / "plugins" / "perth_kinross" / "plan_2021_2023.json").read_text())
    for code in ("3.2", "3.5", "4.3", "4.4", "5.3", "6.1", "6.4"):
        assert f"{code}'s" in readme, code
    assert "1.2, 1.3 and 1.4 share\n  1.1's expected impact" in readme
    assert "the project's reading of the plan" in readme
    assert "a few faults" not in plan["source"] and "each listed" in plan["source"]
    shared = json.loads((root / "shared_tric" / "shared_actions.json").read_text())
    assert all("short label" in a["source"] for a in shared["shared_actions"])
    for area in ("angus", "dundee"):
        assert (root / "plugins" / area / "README.md").exists()
        doc = importlib.import_module(f"plugins.{area}").__doc__
        assert "adopting no TRIC PG5 shared action" in doc and "README.md" in doc
