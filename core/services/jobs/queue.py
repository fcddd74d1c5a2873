"""Putting jobs on the queue, and taking them off: each step one atomic statement, so any
number of workers on any machines share the queue and no job runs twice at once.

A worker claims the next waiting job (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite lets
one writer at a time), renews its heartbeat while it runs, and finishes it only if the job
is still its own. A job whose heartbeat goes stale (its worker was killed) is waiting again,
or failed if every try is used or trying again could repeat it (an email that may have been
sent): an admin sees it on the Jobs page and may retry it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.enums import JobState
from core.models import Job
from core.services.errors import Conflict

jobs = Job.__table__

# Seconds before the second and third tries (and any after): back-off, 30 s, 2 min, 8 min...
FIRST_WAIT = 30.0
# A kind of job that must not be run again once started, in case it was done (an email).
RUN_ONCE = frozenset({"email"})


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def enqueue(
    session: Session,
    kind: str,
    args: dict,
    *,
    title: str = "",
    key: str | None = None,
    user_id: int | None = None,
    area_id: int | None = None,
    max_attempts: int = 3,
) -> Job:
    """Add a job to ``session`` (saved with the caller's transaction). With ``key``, a job for
    the same work already waiting or running is answered instead of a second one."""
    if key is not None:
        found = open_job(session, key)
        if found is not None:
            return found
    job = Job(
        kind=kind,
        args=args,
        title=title[:300],
        key=key,
        user_id=user_id,
        area_id=area_id,
        max_attempts=max_attempts,
        run_after=now(),
        state=JobState.WAITING,
        attempts=0,
        progress=0,
        step="",
        worker="",
        error="",
    )
    if key is None:
        session.add(job)
        return job
    try:
        with session.begin_nested():  # another request queued the same work just now
            session.add(job)
    except IntegrityError:
        found = open_job(session, key)
        if found is None:
            raise Conflict(
                "job", "The same work was queued and finished just now: ask again."
            ) from None
        return found
    return job


def open_job(session: Session, key: str) -> Job | None:
    """The waiting or running job for ``key``, if any."""
    return session.scalar(
        select(Job).where(Job.key == key, Job.state.in_([JobState.WAITING, JobState.RUNNING]))
    )


@dataclass(frozen=True)
class Claimed:
    """A job a worker holds: which try this is (a finish for another try is refused)."""

    id: int
    kind: str
    args: dict
    attempt: int
    worker: str


def claim(session: Session, worker: str) -> Claimed | None:
    """Take the next job whose time has come, for ``worker``; None if there is none. Commits."""
    moment = now()
    pick = (
        select(jobs.c.id)
        .where(jobs.c.state == JobState.WAITING.value, jobs.c.run_after <= moment)
        .order_by(jobs.c.run_after, jobs.c.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    row = session.execute(
        update(jobs)
        .where(jobs.c.id == pick.scalar_subquery(), jobs.c.state == JobState.WAITING.value)
        .values(
            state=JobState.RUNNING.value,
            attempts=jobs.c.attempts + 1,
            worker=worker,
            heartbeat_at=moment,
            progress=0,
            step="Starting",
        )
        .returning(jobs.c.id, jobs.c.kind, jobs.c.args, jobs.c.attempts)
    ).first()
    session.commit()
    if row is None:
        return None
    return Claimed(id=row.id, kind=row.kind, args=row.args, attempt=row.attempts, worker=worker)


def _mine(claimed: Claimed):
    return and_(
        jobs.c.id == claimed.id,
        jobs.c.state == JobState.RUNNING.value,
        jobs.c.worker == claimed.worker,
        jobs.c.attempts == claimed.attempt,
    )


def heartbeat(
    session: Session, claimed: Claimed, progress: int | None = None, step: str = ""
) -> bool:
    """Say the job is still running (and how far it is); False if it is no longer this
    worker's (its heartbeat went stale and it was taken again). Commits."""
    values: dict = {"heartbeat_at": now()}
    if progress is not None:
        values |= {"progress": max(0, min(100, progress)), "step": step[:200]}
    held = session.execute(update(jobs).where(_mine(claimed)).values(**values)).rowcount == 1
    session.commit()
    return held


def finish(
    session: Session, claimed: Claimed, result: dict | None = None, args: dict | None = None
) -> bool:
    """Mark the job done with its ``result`` (and ``args`` to keep, e.g. an email without its
    body); False if it is no longer this worker's. Commits."""
    values: dict = {
        "state": JobState.DONE.value,
        "progress": 100,
        "step": "Done",
        "result": result,
        "error": "",
        "finished_at": now(),
    }
    if args is not None:
        values["args"] = args
    held = session.execute(update(jobs).where(_mine(claimed)).values(**values)).rowcount == 1
    session.commit()
    return held


def fail(session: Session, claimed: Claimed, reason: str, *, retry: bool = True) -> JobState | None:
    """Record that this try failed for ``reason``: the job waits to be tried again after a
    back-off, or (every try used, or ``retry`` False) fails. None if it is no longer this
    worker's. Commits."""
    job = session.get(Job, claimed.id, populate_existing=True)
    if job is None:
        session.rollback()
        return None
    again = retry and claimed.attempt < job.max_attempts
    state = JobState.WAITING if again else JobState.FAILED
    values: dict = {"state": state.value, "error": reason[:2000], "step": "", "worker": ""}
    if again:
        values["run_after"] = now() + dt.timedelta(seconds=FIRST_WAIT * 4 ** (claimed.attempt - 1))
    else:
        values["finished_at"] = now()
    held = session.execute(update(jobs).where(_mine(claimed)).values(**values)).rowcount == 1
    session.commit()
    return state if held else None


STOPPED = (
    "The worker running it stopped before it finished (the process was killed or its machine "
    "stopped)."
)
STOPPED_EMAIL = (
    "The worker sending it stopped before it finished, so it may or may not have been sent. "
    "Retry it to send it again."
)


def recover_stale(session: Session, lease: dt.timedelta, limit: int = 100) -> int:
    """Take back jobs whose worker stopped (no heartbeat for ``lease``): waiting again, or
    failed (every try used, or an email that may have gone). How many. Commits."""
    cutoff = now() - lease
    stale = jobs.c.state == JobState.RUNNING.value
    stale = and_(stale, or_(jobs.c.heartbeat_at.is_(None), jobs.c.heartbeat_at < cutoff))
    rows = session.execute(
        select(jobs.c.id, jobs.c.kind, jobs.c.attempts, jobs.c.max_attempts, jobs.c.heartbeat_at)
        .where(stale)
        .order_by(jobs.c.id)
        .limit(limit)
    ).all()
    taken = 0
    for row in rows:
        again = row.kind not in RUN_ONCE and row.attempts < row.max_attempts
        values: dict = {"worker": "", "step": ""}
        if again:
            values |= {"state": JobState.WAITING.value, "run_after": now(), "error": STOPPED}
        else:
            values |= {
                "state": JobState.FAILED.value,
                "finished_at": now(),
                "error": STOPPED_EMAIL if row.kind in RUN_ONCE else STOPPED,
            }
        # Only if it is still as read: a heartbeat since then means its worker is alive.
        same = and_(
            jobs.c.id == row.id,
            jobs.c.state == JobState.RUNNING.value,
            jobs.c.attempts == row.attempts,
            jobs.c.heartbeat_at.is_(None)
            if row.heartbeat_at is None
            else jobs.c.heartbeat_at == row.heartbeat_at,
        )
        taken += session.execute(update(jobs).where(same).values(**values)).rowcount
    session.commit()
    return taken


def retry(session: Session, job_id: int) -> Job:
    """Put a failed job back on the queue (an admin's choice), with its tries counted again.
    Refused (``Conflict``) unless it has failed, or if the same work is queued already."""
    try:
        with session.begin_nested():
            changed = session.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.state == JobState.FAILED.value)
                .values(
                    state=JobState.WAITING.value,
                    attempts=0,
                    run_after=now(),
                    finished_at=None,
                    progress=0,
                    step="",
                )
            ).rowcount
    except IntegrityError:
        raise Conflict("job", "The same work is waiting or running already.") from None
    if changed != 1:
        raise Conflict(
            "job", "Only a failed job can be retried: this one is waiting, running or done."
        )
    job = session.get(Job, job_id, populate_existing=True)
    assert job is not None
    return job


def counts(session: Session) -> dict[JobState, int]:
    """How many jobs are in each state."""
    found = dict(session.execute(select(Job.state, func.count()).group_by(Job.state)).all())
    return {state: found.get(state, 0) for state in JobState}


def pending(session: Session) -> int:
    """How many jobs are waiting or running (whatever their time to run)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Job)
            .where(Job.state.in_([JobState.WAITING, JobState.RUNNING]))
        )
        or 0
    )


def due_now(session: Session) -> int:
    """How many jobs are running, or waiting with their time come."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Job)
            .where(
                or_(
                    Job.state == JobState.RUNNING,
                    and_(Job.state == JobState.WAITING, Job.run_after <= now()),
                )
            )
        )
        or 0
    )


def listing(session: Session, state: JobState | None, *, page: int, per_page: int) -> list[Job]:
    """One page of jobs, newest first (one state, or all)."""
    query = select(Job).order_by(Job.id.desc()).limit(per_page).offset((page - 1) * per_page)
    if state is not None:
        query = query.where(Job.state == state)
    return list(session.scalars(query))
