"""Dates people and programs may enter: from 2000 to 2099, so that no date arithmetic
overflows and no plan carries a date like 0001-01-01 or 9999-12-31."""

from __future__ import annotations

import datetime as dt

from marshmallow import fields, validate

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2099, 12, 31)
OUT_OF_RANGE = "Enter a date from 1 January 2000 to 31 December 2099."


def in_range(day: dt.date) -> bool:
    return EARLIEST <= day <= LATEST


class PlanDate(fields.Date):
    """A date from 2000-01-01 to 2099-12-31 (YYYY-MM-DD)."""

    def __init__(self, **kwargs):
        range_check = validate.Range(min=EARLIEST, max=LATEST, error=OUT_OF_RANGE)
        given = kwargs.pop("validate", None)
        validators = [range_check, *([given] if callable(given) else given or [])]
        super().__init__(validate=validators, **kwargs)


def parse_date(value: str) -> dt.date:
    """A YYYY-MM-DD date in range, or ``ValueError`` saying what is wrong."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date: use YYYY-MM-DD, like 2022-03-31.") from None
    if not in_range(day):
        raise ValueError(OUT_OF_RANGE)
    return day
