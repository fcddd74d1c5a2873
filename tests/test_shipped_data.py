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
