"""marshmallow schemas for every API request and response; they also make the OpenAPI document.

Request bodies refuse unknown fields. Dates are ISO 8601 (YYYY-MM-DD).
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from core.api.fields import Id, Text, UtcDateTime, WebAddress
from core.enums import (
    ActionKind,
    ActionOrigin,
    Direction,
    PlanStatus,
    ProgressStatus,
    Rag,
    ReviewState,
    Role,
)
from core.schemas.dates import PlanDate
from core.schemas.patterns import END

RAG_OR_NONE = [r.value for r in Rag] + ["none"]
STATUS_OR_NONE = [s.value for s in ProgressStatus] + ["none"]


class Strict(Schema):
    class Meta:
        unknown = RAISE


# Lists ---------------------------------------------------------------------------------------


class PageArgs(Strict):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class PageSchema(Schema):
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Items across all pages"})
    pages = fields.Integer(required=True)


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """A page envelope: ``items`` of ``item``, with the page number, size and total."""
    return type(name, (PageSchema,), {"items": fields.List(fields.Nested(item), required=True)})


class AsAtArgs(Strict):
    as_at = PlanDate(
        load_default=None, metadata={"description": "As things stood on this date (default today)"}
    )


# Areas, plans, outcomes ------------------------------------------------------------------------


class PlanBriefSchema(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    title = fields.String(required=True)


class AreaSchema(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    committee_name = fields.String(required=True)
    is_synthetic = fields.Boolean(required=True)
    current_plan = fields.Nested(PlanBriefSchema, allow_none=True, required=True)
    plans = fields.List(fields.Nested(PlanBriefSchema), required=True)


class OutcomeSchema(Schema):
    id = fields.Integer(required=True)
    plan_id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    title = fields.String(required=True)
    commitment = fields.String(required=True)
    notes = fields.String(required=True)


class PlanSchema(Schema):
    id = fields.Integer(required=True)
    area = fields.String(required=True, attribute="area.slug")
    slug = fields.String(required=True)
    title = fields.String(required=True)
    period_start = PlanDate(required=True)
    period_end = PlanDate(required=True)
    published_on = PlanDate(required=True, allow_none=True)
    status = fields.Enum(PlanStatus, by_value=True, required=True)
    source = fields.String(required=True)
    public = fields.Boolean(
        required=True, metadata={"description": "Shown without an account at /public/…"}
    )
    review_updates = fields.Boolean(
        required=True,
        metadata={"description": "Contributors' updates wait for a coordinator's review"},
    )


class PlanPatchSchema(Strict):
    public = fields.Boolean()
    review_updates = fields.Boolean()


class PlanDetailSchema(PlanSchema):
    outcomes = fields.List(fields.Nested(OutcomeSchema), required=True)


class PlanArgs(PageArgs):
    area = Text(max_length=60, load_default=None)


class OutcomeArgs(PageArgs):
    plan = Id(load_default=None)
    area = Text(max_length=60, load_default=None)


class SummarySchema(Schema):
    """The same keys as ``cpc summary --json``."""

    area = fields.String(required=True)
    plan = fields.String(required=True)
    as_at = fields.String(required=True, metadata={"format": "date"})
    total = fields.Integer(required=True)
    completed = fields.Integer(required=True)
    added = fields.Integer(required=True)
    ongoing = fields.Integer(required=True)
    by_year = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    maintenance_actions = fields.Integer(required=True)


# Actions, KPI measures, progress updates -------------------------------------------------------


class CurrentSchema(Schema):
    rag = fields.Enum(Rag, by_value=True, required=True, allow_none=True)
    status = fields.Enum(ProgressStatus, by_value=True, required=True)
    reported_on = PlanDate(required=True)


class ActionSchema(Schema):
    id = fields.Integer(required=True)
    plan_id = fields.Integer(required=True)
    area = fields.String(required=True)
    outcome_id = fields.Integer(required=True, allow_none=True)
    code = fields.String(required=True)
    kind = fields.Enum(ActionKind, by_value=True, required=True)
    text = fields.String(required=True)
    expected_impact = fields.String(required=True)
    leads = fields.List(fields.String(), required=True)
    target_date = PlanDate(required=True, allow_none=True)
    timescale = fields.String(required=True)
    origin = fields.Enum(ActionOrigin, by_value=True, required=True)
    shared_action = fields.String(required=True, allow_none=True)
    adopted_version = fields.Integer(required=True, allow_none=True)
    added_on = PlanDate(required=True, allow_none=True)
    revision = fields.Integer(required=True, metadata={"description": "Also sent as the ETag"})
    kpi_measures = fields.List(fields.String(), required=True)
    current = fields.Nested(
        CurrentSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The latest update in force (null: none)"},
    )
    reported_this_period = fields.Boolean(
        required=True,
        metadata={
            "description": "False where the action has no update, or its `current` update is "
            "from on or before `period_since` (last period's): it counts as not reported"
        },
    )
    period_since = PlanDate(
        required=True,
        allow_none=True,
        metadata={
            "description": "The plan's reporting date before the date shown: an update must be "
            "reported after it to speak for this period (null: no earlier reporting date)"
        },
    )
    overdue = fields.Boolean(required=True)
    suggested_rag = fields.Enum(
        Rag,
        by_value=True,
        required=True,
        allow_none=True,
        metadata={"description": "The RAG the engine suggests for the current state (null: none)"},
    )
    reason = fields.String(
        required=True, metadata={"description": "Why the engine suggests `suggested_rag`"}
    )
    direction = fields.Enum(
        Direction,
        by_value=True,
        required=True,
        allow_none=True,
        metadata={
            "description": "Direction of travel since the plan's previous reporting date: "
            "`better`, `same`, `worse`, `new`, or `not_reported` (no update this period; "
            "null: no RAG now)"
        },
    )


class ActionArgs(PageArgs, AsAtArgs):
    area = Text(max_length=60, load_default=None)
    plan = Id(load_default=None)
    outcome = fields.Integer(load_default=None, validate=validate.Range(1, 1000))
    rag = fields.String(load_default=None, validate=validate.OneOf(RAG_OR_NONE))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUS_OR_NONE))
    lead = Text(max_length=300, load_default="")
    overdue = fields.Boolean(load_default=False)
    q = Text(max_length=300, load_default="")
    indicator = Id(
        load_default=None,
        metadata={"description": "Only actions tagged with this quality indicator (its id)."},
    )


class ActionCreateSchema(Strict):
    outcome_id = Id(required=True)
    text = Text(required=True, min_length=1)
    expected_impact = Text(load_default="")
    leads = fields.List(Text(max_length=300), load_default=list, validate=validate.Length(max=20))
    target_date = PlanDate(load_default=None)


class ActionPatchSchema(Strict):
    text = Text(min_length=1)
    expected_impact = Text()
    leads = fields.List(Text(max_length=300), validate=validate.Length(max=20))
    target_date = PlanDate(allow_none=True)


class KpiMeasureSchema(Schema):
    id = fields.Integer(required=True)
    action_id = fields.Integer(required=True)
    action_code = fields.String(required=True, attribute="action.code")
    text = fields.String(required=True)


class KpiArgs(PageArgs):
    area = Text(max_length=60, load_default=None)
    plan = Id(load_default=None)


class UpdateSchema(Schema):
    id = fields.Integer(required=True)
    action_id = fields.Integer(required=True)
    reported_on = PlanDate(required=True)
    rag = fields.Enum(Rag, by_value=True, required=True, allow_none=True)
    status = fields.Enum(ProgressStatus, by_value=True, required=True)
    commentary = fields.String(required=True)
    evidence_url = fields.String(required=True)
    author = fields.String(required=True, allow_none=True, attribute="author.email")
    created_at = UtcDateTime(required=True, allow_none=True)
    corrects_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The update this corrects"}
    )
    retired_how = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "`corrected` or `withdrawn` (it then counts nowhere), or null"},
    )
    retired_at = UtcDateTime(required=True, allow_none=True)
    retired_by = fields.String(allow_none=True, attribute="retired_by.email")
    retired_reason = fields.String(required=True)
    redacted_at = UtcDateTime(
        required=True, allow_none=True, metadata={"description": "When its commentary was removed"}
    )
    on_behalf_of = fields.String(
        required=True,
        allow_none=True,
        attribute="on_behalf_of.email",
        metadata={"description": "The contributor a coordinator posted it for"},
    )
    review = fields.Enum(
        ReviewState,
        by_value=True,
        required=True,
        metadata={
            "description": "`submitted` (waiting for review), `accepted` or `returned`; "
            "only accepted updates count"
        },
    )
    review_comment = fields.String(required=True)
    reviewed_at = UtcDateTime(required=True, allow_none=True)
    suggested_rag = fields.Enum(Rag, by_value=True, required=True, allow_none=True)
    suggestion_reason = fields.String(required=True)
    rag_reason = fields.String(
        required=True, metadata={"description": "Why a RAG greener than suggested was chosen"}
    )
    back_on_track = fields.String(
        required=True,
        metadata={"description": "For an action at Red or Amber, or overdue: what will bring it "
                  "back on track"},
    )  # fmt: skip


class UpdateCreateSchema(Strict):
    reported_on = PlanDate(required=True)
    status = fields.Enum(ProgressStatus, by_value=True, required=True)
    rag = fields.Enum(Rag, by_value=True, load_default=None, allow_none=True)
    commentary = Text(required=True, min_length=1, max_length=10_000)
    evidence_url = WebAddress(load_default="")
    rag_reason = Text(
        load_default="",
        max_length=10_000,
        metadata={"description": "Needed when `rag` is greener than the engine's suggestion"},
    )
    back_on_track = Text(
        load_default="",
        max_length=10_000,
        metadata={"description": "Asked for when the action is at Red or Amber, or overdue: "
                  "what will bring it back on track"},
    )  # fmt: skip
    on_behalf_of = Text(
        load_default=None,
        max_length=320,
        metadata={"description": "A coordinator posting for a contributor: their email"},
    )


class ReturnSchema(Strict):
    comment = Text(required=True, min_length=1, max_length=10_000)


class ContributorSchema(Schema):
    email = fields.String(required=True)


class ContributorCreateSchema(Strict):
    email = Text(required=True, min_length=1, max_length=320)


class CorrectionCreateSchema(Strict):
    """The corrected fields (any not sent stay as they were), and why."""

    reason = Text(required=True, min_length=1)
    reported_on = PlanDate()
    status = fields.Enum(ProgressStatus, by_value=True)
    rag = fields.Enum(Rag, by_value=True, allow_none=True)
    commentary = Text(max_length=10_000)
    evidence_url = WebAddress()


class ReasonSchema(Strict):
    reason = Text(required=True, min_length=1)


# Shared actions and the rollup ----------------------------------------------------------------


class SharedActionSchema(Schema):
    key = fields.String(required=True)
    title = fields.String(required=True)
    text = fields.String(required=True)
    expected_impact = fields.String(required=True)
    lead = fields.String(required=True)
    target_date = PlanDate(required=True, allow_none=True)
    kind = fields.Enum(ActionKind, by_value=True, required=True)
    priority_for_practice = fields.Integer(required=True, allow_none=True)
    version = fields.Integer(required=True, metadata={"description": "Also sent as the ETag"})


class SharedActionCreateSchema(Strict):
    title = Text(required=True, min_length=1, max_length=300)
    text = Text(required=True, min_length=1)
    expected_impact = Text(load_default="")
    lead = Text(load_default="", max_length=300)
    target_date = PlanDate(load_default=None)
    kind = fields.Enum(ActionKind, by_value=True, load_default=ActionKind.IMPROVEMENT)
    priority_for_practice = fields.Integer(load_default=None, validate=validate.Range(1, 6))


class SharedActionPatchSchema(Strict):
    title = Text(min_length=1, max_length=300)
    text = Text(min_length=1)
    expected_impact = Text()
    lead = Text(max_length=300)
    target_date = PlanDate(allow_none=True)


class AdoptionSchema(Schema):
    area = fields.String(required=True)
    adopted = fields.Boolean(required=True)
    action_id = fields.Integer(required=True, allow_none=True)
    action_code = fields.String(required=True, allow_none=True)
    adopted_version = fields.Integer(required=True, allow_none=True)
    not_applicable = fields.Boolean(required=True)
    not_applicable_reason = fields.String(required=True, allow_none=True)


class AdoptionCreateSchema(Strict):
    area = Text(required=True, max_length=60)
    outcome_id = Id(load_default=None)
    code = fields.String(
        load_default="", validate=validate.Regexp(r"^(\d{1,3}(\.\d{1,3})?)?" + END)
    )


class NotApplicableCreateSchema(Strict):
    area = Text(required=True, max_length=60)
    reason = Text(required=True, min_length=1)


class RollupAreaSchema(Schema):
    action_code = fields.String(required=True, allow_none=True)
    rag = fields.String(required=True, allow_none=True)
    status = fields.String(required=True, allow_none=True)
    last_update = fields.String(required=True, allow_none=True, metadata={"format": "date"})
    direction = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "`better`, `same`, `worse` or `new` since the area's previous "
            "reporting date"
        },
    )
    overdue = fields.Boolean(required=True)
    stale = fields.Boolean(
        required=True,
        metadata={
            "description": "Not reported this period: `rag` and `status` are the last "
            "update's, and the cell counts as not reported"
        },
    )
    reported_this_period = fields.Boolean(required=True)
    adopted = fields.Boolean(required=True)
    not_applicable = fields.Boolean(required=True)
    not_applicable_reason = fields.String(required=True, allow_none=True)


class RollupItemSchema(Schema):
    """The same shape as each item of ``cpc rollup --json``."""

    code = fields.String(required=True)
    title = fields.String(required=True)
    target_date = fields.String(required=True, allow_none=True, metadata={"format": "date"})
    tayside_status = fields.String(required=True, allow_none=True)
    areas = fields.Dict(keys=fields.String(), values=fields.Nested(RollupAreaSchema), required=True)


class MeSchema(Schema):
    email = fields.String(required=True)
    role = fields.Enum(Role, by_value=True, required=True)
    areas = fields.List(fields.String(), required=True)


# Accounts and tokens ---------------------------------------------------------------------------


class UserSchema(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    role = fields.Enum(Role, by_value=True, required=True)
    areas = fields.List(fields.String(), required=True)
    is_active = fields.Boolean(required=True)


class NewUserSchema(UserSchema):
    password = fields.String(
        required=True, metadata={"description": "Generated; shown only in this answer"}
    )


class UserCreateSchema(Strict):
    email = Text(required=True, min_length=3, max_length=320)
    role = fields.Enum(Role, by_value=True, required=True)
    areas = fields.List(Text(max_length=60), load_default=list, validate=validate.Length(max=20))


class UserPatchSchema(Strict):
    role = fields.Enum(Role, by_value=True)
    areas = fields.List(Text(max_length=60), validate=validate.Length(max=20))
    is_active = fields.Boolean()


class TokenSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    prefix = fields.String(required=True, metadata={"description": "Its first characters"})
    created_at = UtcDateTime(required=True, allow_none=True)
    last_used_at = UtcDateTime(required=True, allow_none=True)
    revoked_at = UtcDateTime(required=True, allow_none=True)


class NewTokenSchema(TokenSchema):
    token = fields.String(required=True, metadata={"description": "Shown only in this answer"})


class TokenCreateSchema(Strict):
    name = Text(required=True, min_length=1, max_length=100)


# The audit trail -------------------------------------------------------------------------------


class AuditArgs(PageArgs):
    user = Text(load_default=None, max_length=320, metadata={"description": "Who, by email"})
    area = Text(load_default=None, max_length=60, metadata={"description": "An area's slug"})
    kind = Text(
        load_default=None,
        max_length=40,
        metadata={"description": "A kind of record (its table, like `actions`), or `sign_in`"},
    )
    since = PlanDate(load_default=None, metadata={"description": "From this day on"})
    until = PlanDate(load_default=None, metadata={"description": "Up to and including this day"})


class AuditEntrySchema(Schema):
    id = fields.Integer(required=True)
    at = UtcDateTime(required=True)
    user = fields.String(
        required=True, allow_none=True, metadata={"description": "Who, or null for the platform"}
    )
    remote_addr = fields.String(required=True)
    kind = fields.String(required=True)
    event = fields.String(required=True)
    record_id = fields.Integer(required=True, allow_none=True)
    area = fields.String(required=True, allow_none=True)
    summary = fields.String(required=True)
    before = fields.Dict(required=True, allow_none=True)
    after = fields.Dict(required=True, allow_none=True)


# Reporting dates -------------------------------------------------------------------------------


class ReportingDateSchema(Schema):
    date = PlanDate(required=True, attribute="reported_on", metadata={"description": "The meeting"})
    deadline = PlanDate(required=True, metadata={"description": "Updates are due by this date"})
    locked_at = UtcDateTime(
        allow_none=True,
        metadata={"description": "When the period up to the meeting was locked (null: open)"},
    )


class MissingActionSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    kind = fields.Enum(ActionKind, by_value=True)
    text = fields.String()
    leads = fields.List(fields.String())


class MissingUpdatesSchema(Schema):
    date = PlanDate(required=True, metadata={"description": "The reporting date"})
    deadline = PlanDate(required=True)
    since = PlanDate(
        allow_none=True,
        metadata={"description": "The reporting date before it (null: the plan's start)"},
    )
    actions = fields.List(fields.Nested(MissingActionSchema))


class ReportingDateCreateSchema(Strict):
    date = PlanDate(required=True, data_key="date", attribute="reported_on")
    deadline = PlanDate(required=True)
