"""The error a service raises when input is refused: it names the field and says why."""

from __future__ import annotations


class FieldError(ValueError):
    """A change was refused; ``field`` names the input at fault and ``message`` says why in
    plain English, so a form can show it next to that field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class FieldErrors(FieldError):
    """Several fields refused at once, so that a form shows every problem in one pass. It
    reads as its first problem; ``all`` holds each."""

    def __init__(self, problems: list[FieldError]) -> None:
        super().__init__(problems[0].field, problems[0].message)
        self.all = problems

    @staticmethod
    def raise_any(problems: list[FieldError]) -> None:
        if len(problems) == 1:
            raise problems[0]
        if problems:
            raise FieldErrors(problems)


class StaleEdit(FieldError):
    """Someone else saved a change after the editor read the record: nothing was saved."""


class Conflict(FieldError):
    """The change clashes with one saved at the same moment (the database's unique rules
    refused it): nothing was saved, and the message says what is already there."""


class NotFound(LookupError):
    """The named area or plan does not exist."""
