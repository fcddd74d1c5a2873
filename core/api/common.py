"""What every API resource shares: pages of results, service errors as HTTP errors, ETags."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import request
from flask_smorest import abort
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from core import db
from core.identity import signed_in_user
from core.services.accounts.permissions import PermissionDenied, require_user_admin
from core.services.errors import Conflict, FieldError, FieldErrors, StaleEdit
from core.services.plans.plans import NotFound


def page_query(
    query: Select, args: dict[str, Any], shape: Callable[[Any], Any] | None = None
) -> dict[str, Any]:
    """One page of an ORM ``query``'s rows, cut by the database (``LIMIT``/``OFFSET``), with
    the total from a count query; ``shape`` turns each row into its JSON."""
    session = db.get_session()
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    size, number = args["page_size"], args["page"]
    rows = session.scalars(query.limit(size).offset((number - 1) * size)).unique()
    return paged([shape(row) if shape else row for row in rows], total or 0, args)


def paged(items: list[Any], total: int, args: dict[str, Any]) -> dict[str, Any]:
    """A page already cut by the database: its ``items``, and ``total`` across all pages."""
    size = args["page_size"]
    return {
        "items": items,
        "page": args["page"],
        "page_size": size,
        "total": total,
        "pages": math.ceil(total / size) if total else 0,
    }


@contextmanager
def writing() -> Iterator[Any]:
    """Run a write in one transaction as the signed-in user; a refused field is 422 naming it,
    a refused role or area 403, an edit from a stale read 412, a clash with a write saved at
    the same moment 409; nothing is saved in any of these."""
    try:
        with db.transaction() as session:
            yield session
    except StaleEdit as error:
        abort(412, message=f"{error.message} Read it again and send its new ETag.")
    except StaleDataError:
        abort(
            412,
            message="Someone changed this since you read it: nothing was saved. Read it "
            "again and send its new ETag.",
        )
    except Conflict as error:
        abort(409, message=error.message, errors={"json": {error.field: [error.message]}})
    except IntegrityError:
        abort(
            409,
            message="This clashes with a change someone else saved at the same moment: nothing "
            "was saved. Read it again and retry.",
        )
    except FieldError as error:
        problems = error.all if isinstance(error, FieldErrors) else [error]
        abort(
            422,
            message=" ".join(p.message for p in problems),
            errors={"json": {p.field: [p.message] for p in problems}},
        )
    except PermissionDenied as refusal:
        abort(403, message=str(refusal))


def admins_only() -> None:
    """A blueprint's ``before_request`` for what only administrators may read or do."""
    try:
        require_user_admin(me())
    except PermissionDenied as refusal:
        abort(403, message=str(refusal))


def found(fn, *args):
    try:
        return fn(*args)
    except NotFound as missing:
        abort(404, message=str(missing))


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(version: int) -> None:
    """Refuse a change made from a stale read: 428 without If-Match, 412 if it differs."""
    wanted = request.headers.get("If-Match")
    if not wanted:
        abort(428, message="Send the ETag you read as the If-Match header.")
    tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
    if "*" not in tags and etag(version) not in tags:
        abort(
            412,
            message="Someone changed this since you read it: nothing was saved. Read it again "
            "and send its new ETag.",
        )


def me():
    return signed_in_user()
