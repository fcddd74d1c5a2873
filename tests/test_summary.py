"""The Progress/Update Report row, RAG counts and overdue actions, through the engine and CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from core.enums import ProgressStatus, Rag
from core.models import ProgressUpdate
from core.models.progress import AppendOnlyError
from core.services.plans.actions import ActionError, add_local_action
from core.services.plans.summary import plan_state, plan_summary
from core.services.progress.progress import ProgressError, post_update
from tests.helpers import action, plan_of, report

PUBLISHED = dt.date(2021, 8, 1)


def test_summary_at_publication_is_the_published_row(session):
    summary = plan_summary(session, plan_of(session), PUBLISHED)
    assert (summary.total, summary.completed, summary.added, summary.ongoing) == (25, 0, 0, 25)
    assert summary.by_year == {1: 10, 2: 15}
    assert summary.maintenance == 7


def test_completed_added_and_red_updates_change_the_summary(session):
    plan = plan_of(session)
    report(session, "1.3", None, ProgressStatus.COMPLETED, on=dt.date(2022, 5, 1))
    report(session, "2.1", Rag.RED, on=dt.date(2022, 5, 1))
    outcome = action(session, "1.1").outcome
    added = add_local_action(
        session,
        outcome,
        actor=None,
        text="Synthetic test action",
        leads=["Test lead"],
        target_date=dt.date(2023, 3, 31),
        added_on=dt.date(2022, 4, 1),
    )
    session.commit()
    assert added.code == "1.6"
    summary = plan_summary(session, plan, dt.date(2022, 5, 1))
    assert (summary.total, summary.completed, summary.added, summary.ongoing) == (26, 1, 1, 25)
    assert summary.by_year == {1: 9, 2: 16}
    state = plan_state(session, plan, dt.date(2022, 5, 1))
    # A completed action carries no RAG: it counts as completed, not as Green.
    assert (state.rag_total.red, state.rag_total.green, state.rag_total.completed) == (1, 0, 1)
    assert state.rag_by_outcome[outcome.id].completed == 1
    assert state.rag_by_outcome[action(session, "2.1").outcome_id].red == 1
    # As at an earlier reporting date, none of it had happened yet.
    before = plan_summary(session, plan, dt.date(2022, 3, 31))
    assert (before.total, before.completed, before.added, before.ongoing) == (25, 0, 0, 25)


def test_the_latest_update_is_the_current_state(session):
    plan = plan_of(session)
    report(session, "3.4", Rag.RED, on=dt.date(2022, 2, 1))
    report(session, "3.4", Rag.AMBER, on=dt.date(2022, 5, 1))
    state = plan_state(session, plan, dt.date(2022, 6, 1))
    assert state.current(action(session, "3.4")).rag is Rag.AMBER
    assert plan_state(session, plan, dt.date(2022, 3, 1)).current(action(session, "3.4")).rag is (
        Rag.RED
    )


def test_overdue_actions_are_past_target_and_not_completed(session):
    plan = plan_of(session)
    report(session, "1.3", None, ProgressStatus.COMPLETED, on=dt.date(2022, 7, 1))
    overdue = plan_state(session, plan, dt.date(2022, 8, 1)).overdue
    assert sorted(a.code for a in overdue) == [
        "1.4", "2.2", "3.1", "3.2", "3.3", "3.5", "4.2", "4.4", "5.2"
    ]  # fmt: skip
    assert plan_state(session, plan, dt.date(2022, 7, 31)).overdue == []


def test_progress_updates_are_append_only(session):
    update = report(session, "1.1", Rag.GREEN)
    update.commentary = "rewritten"
    with pytest.raises(AppendOnlyError):
        session.commit()
    session.rollback()
    session.delete(session.get(ProgressUpdate, update.id))
    with pytest.raises(AppendOnlyError):
        session.commit()


def test_bad_updates_and_actions_are_refused_with_the_field_named(session):
    with pytest.raises(ProgressError) as error:
        post_update(
            session,
            action(session, "1.1"),
            actor=None,
            reported_on=dt.date(2022, 1, 1),
            status=ProgressStatus.IN_PROGRESS,
        )
    assert error.value.field == "rag"
    with pytest.raises(ProgressError) as error:
        post_update(
            session,
            action(session, "1.1"),
            actor=None,
            reported_on=dt.date(2020, 1, 1),
            status=ProgressStatus.NOT_STARTED,
        )
    assert error.value.field == "reported_on"
    with pytest.raises(ActionError) as error:
        add_local_action(session, action(session, "1.1").outcome, actor=None, text="x", code="1.2")
    assert "already has an action 1.2" in str(error.value)
    with pytest.raises(ActionError) as error:
        add_local_action(
            session,
            action(session, "1.1").outcome,
            actor=None,
            text="x",
            target_date=dt.date(2030, 1, 1),
        )
    assert error.value.field == "target_date"


def test_cpc_summary_prints_the_row_and_json(app, runner, session):
    result = runner.invoke(args=["summary", "perth-and-kinross", "--as-at", "2021-08-01"])
    assert result.exit_code == 0, result.output
    assert "01/08/2021" in result.output
    assert "25 (Year 1: 10 and Year 2: 15)" in result.output
    report(session, "1.3", None, ProgressStatus.COMPLETED, on=dt.date(2022, 5, 1))
    result = runner.invoke(args=["summary", "perth-and-kinross", "--as-at", "2022-06-30", "--json"])
    data = json.loads(result.output)
    assert {k: data[k] for k in ("total", "completed", "added", "ongoing", "by_year")} == {
        "total": 25,
        "completed": 1,
        "added": 0,
        "ongoing": 24,
        "by_year": {"1": 9, "2": 15},
    }


def test_cpc_summary_names_a_bad_area_or_date(runner):
    result = runner.invoke(args=["summary", "fife"])
    assert result.exit_code != 0
    assert "There is no area 'fife'" in result.output
    assert "perth-and-kinross" in result.output
    result = runner.invoke(args=["summary", "angus", "--as-at", "31/07/2022"])
    assert result.exit_code != 0
    assert "use YYYY-MM-DD" in result.output
