"""Small helpers for tests: finding plans and actions, posting updates."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import db, migrate
from core.enums import ActionKind, ProgressStatus, Rag
from core.models import Action, Area, Plan
from core.services.plans import loader
from core.services.progress.progress import post_update

PK = "perth-and-kinross"
# The test accounts' password: used only in tests' own throwaway databases.
TEST_PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/sign-in") -> str:
    """A CSRF token for the client's session, read from a form on ``path``."""
    page = client.get(path)
    found = CSRF.search(page.text)
    assert found, f"no CSRF token on {path} ({page.status_code})"
    return found.group(1)


class AuthActions:
    """Sign in and out through the real form, and post forms with a valid CSRF token."""

    def __init__(self, client, accounts: dict[str, str]) -> None:
        self.client = client
        self.accounts = accounts

    def login(self, who: str = "pk", password: str = TEST_PASSWORD):
        email = self.accounts.get(who, who)
        token = csrf_token(self.client, "/sign-in")
        return self.client.post(
            "/sign-in", data={"email": email, "password": password, "csrf_token": token}
        )

    def logout(self):
        return self.post("/sign-out", {})

    def post(self, path: str, data: dict, token_from: str = "/account/password"):
        token = csrf_token(self.client, token_from)
        return self.client.post(path, data={**data, "csrf_token": token})


def init_database(app: Flask) -> loader.LoadReport:
    with app.app_context():
        migrate.upgrade(db.engine())
        with db.transaction() as session:
            return loader.load_plugin_content(session, app.extensions["cpc_plugins"])


def in_session(app: Flask, fn):
    """Call ``fn(session)`` inside the app's context and return its answer."""
    with app.app_context():
        return fn(db.get_session())


def plan_of(session: Session, area_slug: str = PK) -> Plan:
    return session.scalars(select(Plan).join(Area).where(Area.slug == area_slug)).one()


def action(session: Session, code: str, area_slug: str = PK, kind=ActionKind.IMPROVEMENT):
    return session.scalars(
        select(Action).where(
            Action.plan_id == plan_of(session, area_slug).id,
            Action.code == code,
            Action.kind == kind,
        )
    ).one()


def report(
    session: Session,
    code: str,
    rag: Rag | None,
    status: ProgressStatus = ProgressStatus.IN_PROGRESS,
    on: dt.date = dt.date(2022, 3, 1),
    area_slug: str = PK,
    kind=ActionKind.IMPROVEMENT,
):
    update = post_update(
        session,
        action(session, code, area_slug, kind),
        actor=None,
        reported_on=on,
        status=status,
        rag=rag,
        commentary=f"Test update for {code}",
    )
    session.commit()
    return update


@dataclass
class QueryCount:
    n: int = 0


@contextmanager
def count_queries(app: Flask) -> Iterator[QueryCount]:
    """Count the SQL statements the app's engine runs inside the block."""
    counted = QueryCount()

    def before(*_args):
        counted.n += 1

    engine = app.extensions["cpc_engine"]
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield counted
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def adopt_everywhere(app: Flask, areas: tuple[str, ...] = ("angus", "dundee")) -> None:
    """Synthetic test set-up, as each area's coordinator would do it in the app: adopt every
    TRIC shared action into the areas' plans (the shipped frames adopt none), as if on the
    day each plan started."""
    from core.services.plans.plans import area_by_slug, current_plan
    from core.services.tric import shared

    with app.app_context(), db.transaction() as session:
        for slug in areas:
            plan = current_plan(area_by_slug(session, slug))
            outcomes = {o.number: o for o in plan.outcomes}
            for definition in shared.shared_actions(session):
                shared.adopt_shared_action(
                    session,
                    definition,
                    plan,
                    actor=None,
                    outcome=outcomes.get(definition.priority_for_practice or 0),
                    on=plan.period_start,
                )


def not_applying_in_dundee(
    session: Session, title: str, text: str = "A test action.", reason: str = "Test reason"
) -> str:
    """Synthetic: a new ongoing shared action that Dundee records as not applying to it;
    returns its key. The caller commits."""
    from core.services.plans.plans import area_by_slug, current_plan
    from core.services.tric import shared

    definition = shared.create_shared_action(
        session, actor=None, title=title, text=text, kind=ActionKind.ONGOING
    )
    dundee = area_by_slug(session, "dundee")
    shared.record_not_applicable(
        session, definition, dundee, current_plan(dundee), actor=None, reason=reason
    )
    return definition.key


def add_reporting_date(
    session: Session, on: dt.date = dt.date(2022, 3, 31), tric: bool = False
) -> None:
    """Synthetic test set-up: a reporting date for the Perth and Kinross plan (or TRIC PG5's),
    updates due a fortnight before. The caller commits."""
    from core.services.progress.reporting import add_reporting_date as add

    plan = None if tric else plan_of(session)
    add(session, plan, actor=None, reported_on=on, deadline=on - dt.timedelta(14))


def reword(session: Session, found: Action, text: str) -> None:
    """Change an action's text as its editor would, keeping the rest of its wording. The
    caller commits."""
    from core.services.plans.actions import edit_action

    edit_action(
        session,
        found,
        actor=None,
        revision=found.revision,
        text=text,
        expected_impact=found.expected_impact,
        leads=[lead.name for lead in found.leads],
        target_date=found.target_date,
    )


# Two synthetic meetings of the Perth and Kinross committee, for the report's tests.
MARCH, SEPTEMBER = dt.date(2022, 3, 31), dt.date(2022, 9, 30)


def post_march(session: Session) -> None:
    """Synthetic updates for the March 2022 meeting."""
    report(session, "1.1", Rag.GREEN, on=dt.date(2022, 3, 1))
    report(session, "1.2", Rag.AMBER, on=dt.date(2022, 3, 1))
    report(session, "1.3", Rag.RED, on=dt.date(2022, 3, 1))
    report(session, "1.4", None, ProgressStatus.COMPLETED, on=dt.date(2022, 3, 1))


def post_september(session: Session) -> None:
    """Synthetic updates for the September 2022 meeting."""
    report(session, "1.1", Rag.AMBER, on=dt.date(2022, 9, 1))
    report(session, "1.2", Rag.GREEN, on=dt.date(2022, 9, 1))
    report(session, "1.3", Rag.RED, on=dt.date(2022, 9, 1))
    report(session, "2.1", None, ProgressStatus.COMPLETED, on=dt.date(2022, 9, 1))


def two_meetings(app: Flask, september: bool = True) -> None:
    """Reporting dates of the Perth and Kinross plan in March and September 2022, with
    synthetic updates for March and (unless ``september`` is false) for September."""
    with app.app_context():
        session = db.get_session()
        add_reporting_date(session, MARCH)
        add_reporting_date(session, SEPTEMBER)
        session.commit()
        post_march(session)
        if september:
            post_september(session)


def download_by_job(client, url: str):
    """A report in PDF or Word as a user gets it: asked for, its job's page ("Preparing"),
    the job run (as a worker would), then its download from the job's page."""
    asked = client.get(url)
    if asked.status_code == 200:  # made already for the data as it is
        return asked
    assert asked.status_code == 303, asked.text
    job_page = asked.headers["Location"]
    assert "Preparing" in client.get(job_page).text
    client.application.extensions["cpc_jobs"].wait()
    ready = client.get(job_page)
    assert "Ready" in ready.text, ready.text
    return client.get(job_page.rstrip("/") + "/file")


def review_and_recommendation(app: Flask, admin_email: str, suffix: str) -> dict[str, str]:
    """Path values for the learning review, recommendation and framework pages: a review in
    Perth and Kinross with a recommendation that action 1.1 answers (synthetic)."""

    def make(session: Session) -> tuple[int, int]:
        from core.enums import RecommendationSource
        from core.models import User
        from core.services.improvement import learning_reviews, recommendations

        admin = session.scalars(select(User).where(User.email == admin_email)).one()
        area = action(session, "1.1").plan.area
        review = learning_reviews.add(
            session, actor=admin, area=area, reference=f"LR-{suffix}", notified_on=None
        )
        words = recommendations.RecommendationText(suffix, RecommendationSource.AUDIT, "Synthetic")
        found = recommendations.add(
            session, actor=admin, area=area, words=words, learning_review=review
        )
        recommendations.link_action(session, found, action(session, "1.1"), actor=admin)
        session.commit()
        return review.id, found.id

    review_id, recommendation_id = in_session(app, make)
    return {
        "review_id": str(review_id),
        "recommendation_id": str(recommendation_id),
        "framework_key": "care-inspectorate-care-and-protection",
    }


def self_evaluation_values(app: Flask, admin_email: str, suffix: str) -> dict[str, str]:
    """Path values for the self-evaluation pages: a synthetic activity in Perth and Kinross
    rating indicator 2.1, with a document as evidence, and action 1.1 tagged with 2.1."""

    def make(session: Session) -> tuple[int, int, int]:
        from core.enums import EvidenceKind
        from core.models import Kpi, QualityFramework, QualityIndicator, User
        from core.services.improvement import indicators, self_evaluations

        admin = session.scalars(select(User).where(User.email == admin_email)).one()
        one = action(session, "1.1")
        framework = session.scalars(select(QualityFramework).order_by(QualityFramework.id)).first()
        two_one = session.scalars(
            select(QualityIndicator).where(QualityIndicator.number == "2.1")
        ).one()
        activity = self_evaluations.add(
            session,
            actor=admin,
            area=one.plan.area,
            framework=framework,
            words=self_evaluations.ActivityText(
                f"Synthetic self-evaluation {suffix}",
                dt.date(2022, 2, 1),
                done_on=dt.date(2022, 3, 1),
                agreed_by="Synthetic CPC",
            ),
            ratings={two_one.id: 4},
        )
        evidence = self_evaluations.add_evidence(
            session,
            activity,
            self_evaluations.EvidenceChoice(
                EvidenceKind.DOCUMENT, url="https://docs.test.invalid/a", title="Synthetic"
            ),
            actor=admin,
            plan=one.plan,
        )
        indicators.tag_action(session, one, two_one, actor=admin)
        for kpi in session.scalars(select(Kpi)):  # whichever KPI a test shows, it is tagged
            indicators.tag_kpi(session, kpi, two_one, actor=admin)
        session.commit()
        return activity.id, evidence.id, two_one.id

    activity_id, evidence_id, indicator_id = in_session(app, make)
    return {
        "activity_id": str(activity_id),
        "evidence_id": str(evidence_id),
        "indicator_id": str(indicator_id),
    }


def annual_report_values(app: Flask, admin_email: str) -> dict[str, str]:
    """Path values for the annual report pages: Perth and Kinross's report for 2021-22 begun,
    its preface written, and its report for 2025-26 approved (synthetic)."""

    def make(session: Session) -> None:
        from core.models import User
        from core.services.reports import annual

        admin = session.scalars(select(User).where(User.email == admin_email)).one()
        area = action(session, "1.1").plan.area
        year = annual.year_for(session, area, "2021-22")
        found = annual.templates(app.extensions["cpc_plugins"])
        template = found.get(None)
        report = annual.start(session, area, year, template, actor=admin)
        section = next(s for s in template.sections if s.key == "preface")
        annual.save_text(
            session, report, section, "Synthetic preface.", read_version=0, actor=admin
        )
        # And an approved one (its page offers to make it public).
        later = annual.year_for(session, area, "2025-26")
        approved = annual.start(session, area, later, template, actor=admin)
        session.flush()
        document = annual.build(session, app.extensions["cpc_plugins"], area, later)
        annual.approve(session, approved, document, actor=admin, revision=approved.revision)
        session.commit()

    in_session(app, make)
    return {"year": "2021-22", "section": "preface"}


def sso_identity(session: Session, email: str) -> None:
    """Synthetic: the account ``email`` linked to an identity provider's subject, with a
    second factor (not yet confirmed) and a recovery code."""
    from core.models import OidcIdentity, RecoveryCode, SecondFactor, User

    user = session.scalars(select(User).where(User.email == email)).one()
    session.add(OidcIdentity(user_id=user.id, provider="synthetic-idp", subject="s-1", email=email))
    session.add(SecondFactor(user_id=user.id, secret="JBSWY3DPEHPK3PXP", last_step=0))
    session.add(RecoveryCode(user_id=user.id, code_hash="0" * 64))
    session.flush()
