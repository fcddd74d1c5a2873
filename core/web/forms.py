"""Reading a submitted form through its marshmallow schema, and keeping what was typed with
any errors so that the page can show them next to the fields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import abort, request
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from core import db
from core.services.accounts.permissions import PermissionDenied
from core.services.errors import FieldError, FieldErrors, StaleEdit
from core.web.form_schemas import FormSchema


@dataclass
class FormState:
    """What the form shows: the values (as typed) and an error per field, in order."""

    values: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    # What loaded cleanly from a form that had errors, for the service's own checks.
    valid: dict[str, Any] = field(default_factory=dict)
    # Set when someone else saved a change after this form was opened.
    stale: bool = False

    @classmethod
    def with_defaults(cls, **defaults: Any) -> FormState:
        values = {}
        for name, value in defaults.items():
            if isinstance(value, list | tuple):
                values[name] = [str(v) for v in value]
            elif value is not None:
                values[name] = [str(value)]
        return cls(values=values)

    def value(self, name: str) -> str:
        return (self.values.get(name) or [""])[0]

    def values_of(self, name: str) -> list[str]:
        return self.values.get(name, [])

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)


def read_form(schema: type[FormSchema]) -> tuple[dict[str, Any] | None, FormState]:
    """The submitted form, loaded by ``schema``: ``(data, state)``, with ``data`` ``None``
    when the state has errors."""
    state = FormState(
        values={k: request.form.getlist(k) for k in request.form if k != "csrf_token"}
    )
    try:
        return schema().load(schema.from_form(request.form)), state
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"": error.messages}
        for name, problems in messages.items():
            state.add_error(str(name), _first(problems))
        state.valid = error.valid_data if isinstance(error.valid_data, dict) else {}
        return None, state


def _first(problems: Any) -> str:
    while isinstance(problems, list | dict):
        problems = next(iter(problems.values() if isinstance(problems, dict) else problems))
    return str(problems)


def allowed(require: Callable[..., None], *args: Any) -> None:
    """Check a permission for the signed-in user before showing or reading a form: 403 with
    the reason if refused. (The service checks again when it writes.)"""
    from core.identity import signed_in_user

    try:
        require(signed_in_user(), *args)
    except PermissionDenied as refusal:
        abort(403, str(refusal))


def admins_only() -> None:
    """A blueprint's ``before_request`` for pages only administrators may open."""
    from core.services.accounts.permissions import require_user_admin

    allowed(require_user_admin)


def submit(
    schema: type[FormSchema],
    form: FormState,
    write: Callable[[dict], Any],
    check: Callable[[dict], list[FieldError]] | None = None,
):
    """On a POST, read the form through ``schema`` and run ``write(data)`` in one transaction.
    Returns ``(saved, result, form)``: ``saved`` is false when nothing was posted or the input
    was refused (``form`` then carries the errors, and nothing is saved). ``check(valid)``
    gives the service's own problems with the fields that did load, so that every error shows
    in one pass."""
    if request.method != "POST":
        return False, None, form
    data, form = read_form(schema)
    if data is None:
        for problem in check(form.valid) if check else []:
            form.add_error(problem.field, problem.message)
        return False, None, form
    try:
        with db.transaction():
            result = write(data)
    except FieldError as error:
        for problem in error.all if isinstance(error, FieldErrors) else [error]:
            form.add_error(problem.field, problem.message)
        form.stale = isinstance(error, StaleEdit)
        return False, None, form
    except IntegrityError:
        form.add_error(
            "",
            "This clashes with a change someone else saved at the same moment: nothing was "
            "saved. Look at the page again and retry.",
        )
        return False, None, form
    except PermissionDenied as refusal:
        abort(403, str(refusal))
    return True, result, form


@dataclass(frozen=True)
class ConflictRow:
    """One field of a record that someone else changed while you were editing it."""

    label: str
    theirs: str
    yours: str


def conflict_rows(
    form: FormState, current: dict[str, str], labels: dict[str, str]
) -> list[ConflictRow]:
    """Their saved wording beside what was typed, for each field where the two differ."""
    rows = []
    for name, label in labels.items():
        theirs, yours = current.get(name, ""), form.value(name)
        if theirs.strip() != yours.strip():
            rows.append(ConflictRow(label, theirs, yours))
    return rows
