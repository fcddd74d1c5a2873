"""Fields for the API's schemas that refuse what the database cannot hold."""

from __future__ import annotations

import datetime as dt

from marshmallow import fields, validate

from core.db import MAX_ID
from core.schemas.patterns import END, WEB_ADDRESS

NO_NUL = r"^[^\x00]*" + END


class Text(fields.String):
    """A string without NUL characters (PostgreSQL refuses them), of at most ``max_length``;
    both rules are in the OpenAPI document, as ``pattern`` and ``maxLength``."""

    def __init__(self, *, max_length: int = 4000, min_length: int = 0, pattern: str = NO_NUL, **kw):
        validators = [
            validate.Regexp(pattern, error="Text may not contain the NUL character."),
            validate.Length(min=min_length, max=max_length),
        ]
        super().__init__(validate=validators, **kw)


class WebAddress(Text):
    """An http or https address."""

    def __init__(self, **kwargs):
        super().__init__(max_length=2000, pattern=WEB_ADDRESS, **kwargs)
        self.validators[0] = validate.Regexp(
            WEB_ADDRESS, error="Enter a full web address starting with http:// or https://."
        )


class Id(fields.Integer):
    """A database id: a whole number from 1 to the largest the database holds."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Range(1, MAX_ID), **kwargs)


class UtcDateTime(fields.DateTime):
    """A moment in RFC 3339 form with its offset. SQLite hands back times without one; they
    are stored in UTC, so they are given as UTC."""

    def _serialize(self, value: dt.datetime | None, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return super()._serialize(value, attr, obj, **kwargs)
