"""The error a service raises when input is refused: it names the field and says why."""

from __future__ import annotations


class FieldError(ValueError):
    """A change was refused; ``field`` names the input at fault and ``message`` says why in
    plain English, so a form can show it next to that field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class StaleEdit(FieldError):
    """Someone else saved a change after the editor read the record: nothing was saved.
    ``current`` is the version or revision now saved, to edit on top of."""

    def __init__(self, field: str, message: str, current: int | None = None) -> None:
        super().__init__(field, message)
        self.current = current


class Conflict(FieldError):
    """The change clashes with one saved at the same moment (the database's unique rules
    refused it): nothing was saved, and the message says what is already there."""
