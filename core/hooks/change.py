"""What the ``check_update``, ``after_change`` and ``area_pages`` hooks receive and answer:
plain values (and, for pages, a Flask blueprint), so a plugin needs no database session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint

from core.enums import ProgressStatus, Rag


@dataclass(frozen=True)
class UpdateDraft:
    """A progress update about to be saved: its area's slug, the action's number, and the
    fields as given."""

    area: str
    code: str
    reported_on: dt.date
    status: ProgressStatus
    rag: Rag | None
    commentary: str
    evidence_url: str
    rag_reason: str = ""


@dataclass(frozen=True)
class UpdateProblem:
    """An area rule's objection to an update: the form ``field`` it is about and a sentence."""

    field: str
    message: str


@dataclass(frozen=True)
class ChangeEvent:
    """A change that was committed: ``kind`` of record ("progress_update", "action",
    "period", "shared_action"), ``event`` ("posted", "submitted" (posted to wait for a
    coordinator's review), "accepted", "returned", "corrected", "withdrawn", "redacted";
    "added", "reworded"; a period "locked" or "unlocked"; a shared action "reworded"), the
    area's slug (empty for a TRIC PG5 shared action, which is every area's), the record's id
    and a summary in words."""

    kind: str
    event: str
    area: str
    record_id: int
    summary: str


@dataclass(frozen=True)
class AreaPages:
    """A plugin's own pages for an area: a Flask ``blueprint``, mounted at
    ``/areas/<area>/more/<blueprint name>/``, and the ``label`` of its entry in the area's
    menu (the dashboard's list of links), which opens ``endpoint`` (a view of the blueprint,
    by default its ``index``)."""

    area: str
    blueprint: Blueprint
    label: str
    endpoint: str = "index"
