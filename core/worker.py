"""Running the queued jobs: ``cpc worker`` processes (any number, on any machines sharing the
database), or a thread of a web process (``cpc serve``, so that the laptop set-up stays one
command). Each worker runs one job at a time, so a worker process never builds two reports at
once; the same job code runs either way."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import delete
from sqlalchemy.orm import Session

from core.enums import JobState
from core.models import Job, PageFragment
from core.services.jobs import emails, kpi_pulls, queue, report_files, webhooks

log = logging.getLogger(__name__)

# Why a try failed that is worth trying again; anything else is the platform's own error.
PASSING = (emails.NotSent, webhooks.NotDelivered, kpi_pulls.PullClashed)
# Finished jobs are kept this long for the Jobs page.
KEEP_DONE = dt.timedelta(days=30)
# Pages kept by the page cache (core.page_cache) not made again for this long are deleted.
KEEP_PAGES = dt.timedelta(days=2)

Progress = Callable[[int, str], None]
Handler = Callable[[Flask, Session, dict, Progress], tuple[dict | None, dict | None]]


def _email(app: Flask, _session: Session, args: dict, _progress: Progress):
    kept = emails.send(args, smtp_url=app.config["SMTP_URL"], sender=app.config["MAIL_FROM"])
    return None, kept


def _report(app: Flask, session: Session, args: dict, progress: Progress):
    return report_files.make(session, app.extensions["cpc_plugins"], args, progress), None


def _webhook(app: Flask, _session: Session, args: dict, _progress: Progress):
    return webhooks.post(args, url=app.config["WEBHOOK_URL"]), None


def _kpi_pull(app: Flask, session: Session, args: dict, _progress: Progress):
    return kpi_pulls.run(session, app.extensions["cpc_plugins"], args), None


# Each kind of job and the code that does it.
KINDS: dict[str, Handler] = {
    emails.KIND: _email,
    report_files.KIND: _report,
    webhooks.KIND: _webhook,
    kpi_pulls.KIND: _kpi_pull,
}


@dataclass
class Settings:
    """How a worker behaves: ``lease`` (seconds without a heartbeat before a job counts as
    abandoned by a stopped worker) and ``poll`` (seconds between looks at an empty queue)."""

    lease: float = 60.0
    poll: float = 1.0


class Worker:
    """Takes jobs off the queue one at a time and runs them in ``app``'s context."""

    def __init__(self, app: Flask, name: str | None = None) -> None:
        self.app = app
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self.settings = Settings(lease=app.config["JOB_LEASE_SECONDS"])
        self._sessions = app.extensions["cpc_sessionmaker"]
        self._last_tidy = 0.0

    def run_one(self) -> bool:
        """Run the next job whose time has come; False if there was none."""
        with self.app.app_context(), self._sessions() as session:
            self.tidy(session)
            claimed = queue.claim(session, self.name)
            if claimed is None:
                return False
            self._run(session, claimed)
            return True

    def tidy(self, session: Session, force: bool = False) -> None:
        """Take back jobs whose worker stopped, and forget old results and cached pages (at
        most every few seconds)."""
        moment = time.monotonic()
        if not force and moment - self._last_tidy < min(5.0, self.settings.lease / 3):
            return
        self._last_tidy = moment
        queue.recover_stale(session, dt.timedelta(seconds=self.settings.lease))
        now = queue.now()
        report_files.forget_old(session, now)
        session.execute(
            delete(Job).where(Job.state == JobState.DONE, Job.run_after < now - KEEP_DONE)
        )
        session.execute(delete(PageFragment).where(PageFragment.made_at < now - KEEP_PAGES))
        session.commit()

    def _run(self, session: Session, claimed: queue.Claimed) -> None:
        beat = _Heartbeat(self._sessions, claimed, self.settings.lease / 3)
        beat.start()
        try:
            handler = KINDS.get(claimed.kind)
            if handler is None:
                queue.fail(
                    session, claimed, f"No worker knows jobs of kind {claimed.kind!r}.", retry=False
                )
                return
            result, kept = handler(self.app, session, claimed.args, beat.progress)
        except report_files.JobRefused as refused:
            session.rollback()
            queue.fail(session, claimed, str(refused), retry=False)
        except PASSING as problem:
            session.rollback()
            state = queue.fail(session, claimed, str(problem))
            log.warning("job %s (%s) failed, %s: %s", claimed.id, claimed.kind, state, problem)
        except Exception as problem:  # the platform's own fault: logged, tried again
            session.rollback()
            log.exception("job %s (%s) failed", claimed.id, claimed.kind)
            queue.fail(
                session,
                claimed,
                f"An error in the platform ({type(problem).__name__}); it is in the log.",
            )
        else:
            if not queue.finish(session, claimed, result, kept):
                log.warning(
                    "job %s finished after it was taken back; its result is kept", claimed.id
                )
        finally:
            beat.stop()

    def run_until_idle(self, timeout: float = 60.0) -> None:
        """Run jobs until none is due (for tests, and ``cpc worker --until-idle``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.run_one():
                return

    def run_forever(self, stop: threading.Event, wake: threading.Event | None = None) -> None:
        """Run jobs until ``stop`` is set, looking again every ``poll`` seconds when the queue
        is empty (or at once when ``wake`` is set). A database that cannot be reached is
        logged and tried again."""
        wake = wake or threading.Event()
        while not stop.is_set():
            try:
                ran = self.run_one()
            except Exception:
                log.exception("the job worker could not reach the queue; trying again")
                ran = False
                stop.wait(min(30.0, self.settings.poll * 5))
            if not ran:
                wake.wait(self.settings.poll)
                wake.clear()


class _Heartbeat:
    """Renews a running job's heartbeat on a thread of its own (its own session), and says how
    far the job is when the job reports progress."""

    def __init__(self, sessions, claimed: queue.Claimed, every: float) -> None:
        self._sessions, self._claimed, self._every = sessions, claimed, max(0.2, every)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._beat, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(self._every + 5)

    def progress(self, percent: int, step: str) -> None:
        self._write(percent, step)

    def _beat(self) -> None:
        while not self._stop.wait(self._every):
            self._write(None, "")

    def _write(self, percent: int | None, step: str) -> None:
        with self._lock:
            try:
                with self._sessions() as session:
                    queue.heartbeat(session, self._claimed, percent, step)
            except Exception:  # a missed beat is not fatal; the next one tries again
                log.warning("could not renew job %s's heartbeat", self._claimed.id, exc_info=True)


class InProcess:
    """The jobs of one web process: ``wake`` its worker thread after queueing, ``wait`` (in
    tests) until none is due; without a thread (``start`` not called), ``wait`` runs them."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Run jobs on a thread of this process until it stops."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=Worker(self.app).run_forever,
                args=(self._stop, self._wake),
                name="cpc-jobs",
                daemon=True,
            )
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(30)
            self._thread = None

    def wake(self) -> None:
        self._wake.set()

    def pending(self) -> int:
        """Jobs waiting or running."""
        with self.app.extensions["cpc_sessionmaker"]() as session:
            return queue.pending(session)

    def wait(self, timeout: float = 30.0) -> None:
        """Until no job is due now: run them here, or wait for the thread to."""
        if self._thread is None:
            with self._lock:
                Worker(self.app, name=f"inline:{os.getpid()}").run_until_idle(timeout)
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.app.extensions["cpc_sessionmaker"]() as session:
                if not queue.due_now(session):
                    return
            time.sleep(0.05)


def init_app(app: Flask) -> None:
    app.extensions["cpc_jobs"] = InProcess(app)


def wake(app: Flask) -> None:
    """Tell this process's worker thread (if it runs one) that a job was queued."""
    app.extensions["cpc_jobs"].wake()
