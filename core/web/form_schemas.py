"""marshmallow schemas for what people type into the web forms, with plain-English errors.

Blank inputs count as not given. Unknown inputs (such as the CSRF token) are ignored here; the
API's schemas refuse them.
"""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, post_load, validate

from core.db import MAX_ID
from core.enums import (
    ActionKind,
    KpiCombine,
    KpiDirection,
    KpiFrequency,
    KpiUnit,
    ProgressStatus,
    Rag,
    Role,
)
from core.schemas.dates import PlanDate
from core.services.accounts.accounts import MAX_PASSWORD_LENGTH
from core.services.plans.search import NOT_REPORTED, ActionFilter

MAX_COMMENTARY = 10_000
MAX_TEXT = 4_000


def _required(message: str) -> dict[str, str]:
    return {"required": message, "null": message}


def _length(max_length: int, what: str) -> validate.Length:
    return validate.Length(
        max=max_length, error=f"{what} must be {max_length:,} characters or fewer."
    )


class FormSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    @classmethod
    def from_form(cls, form: Any) -> dict[str, Any]:
        """The submitted values this schema reads, from a form's multi-valued dict: lists for
        list fields, and blank values left out so that they count as not given."""
        data: dict[str, Any] = {}
        for name, field in cls().fields.items():
            key = field.data_key or name
            if isinstance(field, fields.List):
                values = [v for v in form.getlist(key) if v.strip()]
                if values:
                    data[key] = values
            elif (value := form.get(key, "")).strip():
                data[key] = value
        return data


class SignInForm(FormSchema):
    email = fields.String(required=True, error_messages=_required("Enter your email address."))
    password = fields.String(required=True, error_messages=_required("Enter your password."))


class PasswordForm(FormSchema):
    current_password = fields.String(
        required=True, error_messages=_required("Enter your current password.")
    )
    new_password = fields.String(
        required=True,
        validate=_length(MAX_PASSWORD_LENGTH, "The password"),
        error_messages=_required("Enter a new password."),
    )
    confirm_password = fields.String(
        required=True, error_messages=_required("Enter the new password again.")
    )


class ForgottenPasswordForm(FormSchema):
    email = fields.String(
        required=True,
        validate=_length(320, "The email address"),
        error_messages=_required("Enter your email address."),
    )


class ResetPasswordForm(FormSchema):
    new_password = PasswordForm._declared_fields["new_password"]
    confirm_password = PasswordForm._declared_fields["confirm_password"]


def _reporting_date() -> PlanDate:
    return PlanDate(
        required=True,
        error_messages={
            **_required("Enter the date this update reports on."),
            "invalid": "Enter the reporting date as a real date, like 2022-03-31.",
        },
    )


class ProgressUpdateForm(FormSchema):
    reported_on = _reporting_date()
    status = fields.Enum(
        ProgressStatus,
        by_value=True,
        required=True,
        error_messages={
            **_required("Choose the action's status."),
            "unknown": "Choose one of the statuses listed.",
        },
    )
    rag = fields.Enum(
        Rag,
        by_value=True,
        load_default=None,
        error_messages={"unknown": "Choose Red, Amber or Green."},
    )
    commentary = fields.String(
        required=True,
        validate=_length(MAX_COMMENTARY, "The commentary"),
        error_messages=_required("Say what has happened since the last update."),
    )
    evidence_url = fields.Url(
        schemes={"http", "https"},
        load_default="",
        validate=_length(2000, "The evidence link"),
        error_messages={"invalid": "Enter the evidence link as a full web address, like https://…"},
    )


class CompleteForm(FormSchema):
    reported_on = _reporting_date()
    commentary = fields.String(load_default="", validate=_length(MAX_COMMENTARY, "The commentary"))


class ActionForm(FormSchema):
    text = fields.String(
        required=True,
        validate=_length(MAX_TEXT, "The action"),
        error_messages=_required("Say what the action is."),
    )
    expected_impact = fields.String(
        load_default="", validate=_length(MAX_TEXT, "The expected impact")
    )
    leads = fields.String(load_default="", validate=_length(MAX_TEXT, "The strategic leads"))
    target_date = PlanDate(
        load_default=None,
        error_messages={"invalid": "Enter the target date as a real date, like 2023-07-31."},
    )

    @staticmethod
    def lead_names(leads: str) -> list[str]:
        """One strategic lead per line."""
        return [line.strip() for line in leads.splitlines() if line.strip()]


class NewActionForm(ActionForm):
    outcome = fields.Integer(
        required=True,
        error_messages={**_required("Choose the outcome."), "invalid": "Choose the outcome."},
    )


def _edited_from(what: str) -> fields.Integer:
    """The hidden field carrying the revision or version the form was opened at."""
    return fields.Integer(
        required=True,
        error_messages={
            **_required(f"The form is missing its {what}: reload the page and try again."),
            "invalid": f"The form's {what} is not a number: reload the page and try again.",
        },
    )


class EditActionForm(ActionForm):
    revision = _edited_from("revision")


class UserForm(FormSchema):
    email = fields.String(required=True, error_messages=_required("Enter the email address."))
    role = fields.Enum(
        Role,
        by_value=True,
        required=True,
        error_messages={**_required("Choose a role."), "unknown": "Choose one of the roles."},
    )
    areas = fields.List(fields.String(), load_default=list)


class EditUserForm(UserForm):
    class Meta(FormSchema.Meta):
        exclude = ("email",)  # an account's email does not change

    is_active = fields.Boolean(load_default=False)
    # Ticked: single sign-on only, no password here (unticked, the default, keeps it).
    sso_only = fields.Boolean(load_default=False)
    break_glass = fields.Boolean(load_default=False)


class ActionFilterForm(FormSchema):
    outcome = fields.Integer(
        load_default=None,
        validate=validate.Range(1, 1000, error="Choose an outcome."),
        error_messages={"invalid": "Choose an outcome."},
    )
    rag = fields.String(
        load_default=None,
        validate=validate.OneOf(
            [r.value for r in Rag] + [NOT_REPORTED], error="Choose Red, Amber, Green or none."
        ),
    )
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(
            [s.value for s in ProgressStatus] + [NOT_REPORTED], error="Choose a status."
        ),
    )
    lead = fields.String(
        load_default="",
        validate=validate.Length(max=300, error="Give at most 300 characters of a lead's name."),
    )
    overdue = fields.Boolean(load_default=False)
    q = fields.String(
        load_default="",
        validate=validate.Length(max=300, error="Search for at most 300 characters of words."),
    )
    indicator = fields.Integer(
        load_default=None,
        validate=validate.Range(1, MAX_ID, error="Choose one of the quality indicators listed."),
        error_messages={"invalid": "Choose one of the quality indicators listed."},
    )

    @post_load
    def _to_filter(self, data: dict[str, Any], **_kwargs: Any) -> ActionFilter:
        return ActionFilter.of(
            outcome=data["outcome"],
            rag=data["rag"],
            status=data["status"],
            lead=data["lead"],
            overdue=data["overdue"],
            text=data["q"],
            indicator=data["indicator"],
        )


class SharedActionForm(FormSchema):
    title = fields.String(
        required=True,
        validate=_length(300, "The title"),
        error_messages=_required("Give the shared action a short title."),
    )
    text = fields.String(
        required=True,
        validate=_length(MAX_TEXT, "The action"),
        error_messages=_required("Say what the action is."),
    )
    expected_impact = fields.String(
        load_default="", validate=_length(MAX_TEXT, "The expected impact")
    )
    lead = fields.String(load_default="", validate=_length(300, "The lead"))
    target_date = PlanDate(
        load_default=None,
        error_messages={"invalid": "Enter the target date as a real date, like 2023-07-31."},
    )


class NewSharedActionForm(SharedActionForm):
    kind = fields.Enum(
        ActionKind,
        by_value=True,
        load_default=ActionKind.IMPROVEMENT,
        error_messages={"unknown": "Choose an improvement action or an ongoing one."},
    )
    priority_for_practice = fields.Integer(
        load_default=None,
        validate=validate.Range(1, 6, error="Choose a Priority for Practice from 1 to 6."),
        error_messages={"invalid": "Choose a Priority for Practice from 1 to 6."},
    )


class EditSharedActionForm(SharedActionForm):
    version = _edited_from("version")


class AdoptForm(FormSchema):
    outcome = fields.Integer(load_default=None, error_messages={"invalid": "Choose the outcome."})
    code = fields.String(
        load_default="",
        validate=validate.Regexp(
            r"^(\d{1,3}(\.\d{1,3})?)?\Z", error='Give a number like "3.5", or leave it blank.'
        ),
    )


class NotApplicableForm(FormSchema):
    reason = fields.String(
        required=True,
        validate=_length(MAX_TEXT, "The reason"),
        error_messages=_required("Say why this shared action does not apply."),
    )


class TokenForm(FormSchema):
    name = fields.String(
        required=True, error_messages=_required("Name the token, to tell it apart later.")
    )


class AuditFilterForm(FormSchema):
    """The audit trail's filters (a GET form)."""

    user = fields.String(load_default=None, validate=_length(320, "The email"))
    area = fields.String(load_default=None, validate=_length(60, "The area"))
    kind = fields.String(load_default=None, validate=_length(40, "The kind of record"))
    since = PlanDate(
        load_default=None, error_messages={"invalid": "Enter “from” as a date, like 2022-03-31."}
    )
    until = PlanDate(
        load_default=None, error_messages={"invalid": "Enter “to” as a date, like 2022-03-31."}
    )
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(1, 100_000, error="Choose a page from 1."),
        error_messages={"invalid": "Choose a page from 1."},
    )


def _reason(message: str) -> fields.String:
    return fields.String(
        required=True,
        validate=_length(MAX_TEXT, "The reason"),
        error_messages=_required(message),
    )


class CorrectionForm(ProgressUpdateForm):
    reason = _reason("Say why the update is being corrected.")


class NewUpdateForm(ProgressUpdateForm):
    """A new update: the update's fields, the reason for a RAG greener than the engine's
    suggestion, and (for a coordinator) the contributor it is posted for."""

    rag_reason = fields.String(load_default="", validate=_length(MAX_TEXT, "The reason"))
    back_on_track = fields.String(
        load_default="", validate=_length(MAX_TEXT, "What will bring it back on track")
    )
    on_behalf_of = fields.Integer(
        load_default=None, strict=False, error_messages={"invalid": "Choose who the update is for."}
    )


class ReturnUpdateForm(FormSchema):
    comment = _reason("Say what the author should change.")


class ContributorForm(FormSchema):
    email = fields.String(
        required=True,
        validate=_length(320, "The email address"),
        error_messages=_required("Enter the contributor's email address."),
    )


def _on_or_off(message: str) -> fields.String:
    """A setting switched "on" or "off"."""
    return fields.String(
        required=True,
        validate=validate.OneOf(["on", "off"], error=message),
        error_messages=_required(message),
    )


class ReminderSettingForm(FormSchema):
    reminders = _on_or_off("Choose whether to get reminders.")


class ReviewSettingForm(FormSchema):
    review = _on_or_off("Choose whether contributors' updates are reviewed.")


class PublicSettingForm(FormSchema):
    public = _on_or_off("Choose whether the plan is public.")


class WithdrawalForm(FormSchema):
    reason = _reason("Say why the update is being withdrawn.")


class RedactionForm(FormSchema):
    reason = _reason("Say why the commentary is being removed.")


class ReportingDateForm(FormSchema):
    date = PlanDate(
        required=True,
        attribute="reported_on",
        error_messages={
            **_required("Enter the date of the meeting."),
            "invalid": "Enter the meeting's date as a real date, like 2022-03-31.",
        },
    )
    deadline = PlanDate(
        required=True,
        error_messages={
            **_required("Enter the deadline for updates."),
            "invalid": "Enter the deadline as a real date, like 2022-03-17.",
        },
    )


class KpiForm(FormSchema):
    name = fields.String(
        required=True,
        validate=_length(300, "The name"),
        error_messages=_required("Give the KPI a name."),
    )
    counted = fields.String(load_default="", validate=_length(MAX_TEXT, "What is counted"))
    unit = fields.Enum(
        KpiUnit, by_value=True, load_default=None, error_messages={"unknown": "Choose a unit."}
    )
    frequency = fields.Enum(
        KpiFrequency,
        by_value=True,
        load_default=None,
        error_messages={"unknown": "Choose how often it is counted."},
    )
    direction = fields.Enum(
        KpiDirection,
        by_value=True,
        load_default=KpiDirection.NEITHER,
        error_messages={"unknown": "Choose which way is better."},
    )
    combine = fields.Enum(
        KpiCombine,
        by_value=True,
        load_default=KpiCombine.NONE,
        error_messages={"unknown": "Choose how areas' figures combine."},
    )
    target_value = fields.Float(
        load_default=None,
        allow_nan=False,
        validate=validate.Range(-1e12, 1e12, error="Enter the target as a number."),
        error_messages={"invalid": "Enter the target as a number, like 75."},
    )
    target_date = PlanDate(
        load_default=None,
        error_messages={"invalid": "Enter the target date as a real date, like 2023-07-31."},
    )
    actions = fields.String(
        load_default="",
        validate=validate.Regexp(
            r"^[\d.,\s]*\Z", error='List the action numbers separated by commas, like "3.1, 3.2".'
        ),
    )
    source = fields.String(load_default="", validate=_length(MAX_TEXT, "The source"))


class KpiEditForm(KpiForm):
    """A KPI's wording, direction, target, links and source (its unit, frequency and
    combination stay as defined)."""

    class Meta(FormSchema.Meta):
        exclude = ("unit", "frequency", "combine")

    version = _edited_from("version")
