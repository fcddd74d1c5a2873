"""The error a service raises when input is refused: it names the field and says why."""

from __future__ import annotations


class FieldError(ValueError):
    """A change was refused; ``field`` names the input at fault and ``message`` says why in
    plain English, so a form can show it next to that field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
