"""Each role's home after signing in: a coordinator's area dashboard, a contributor's "my
actions", TRIC PG5's Tayside rollup; everyone else the list of areas."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, render_template, url_for

from core import db
from core.enums import Role
from core.identity import signed_in_user
from core.models import User
from core.services.progress.my_actions import my_actions

bp = Blueprint("home", __name__)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an address elsewhere, nor one with control characters
    (which could split the redirect's headers)."""
    target = target or ""
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return url_for("pages.index")
    parts = urlsplit(target)
    local = not parts.scheme and not parts.netloc and target.startswith("/")
    if local and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("pages.index")


def home_for(user: User) -> str:
    if user.role is Role.COORDINATOR and user.areas:
        return url_for("pages.area", slug=user.areas[0].slug)
    if user.role is Role.CONTRIBUTOR:
        return url_for("home.my_actions_page")
    if user.role is Role.PG5:
        return url_for("tric.rollup")
    return url_for("pages.index")


@bp.get("/my-actions/")
def my_actions_page():
    """The actions the signed-in user is a contributor to, with what is due."""
    rows = my_actions(db.get_session(), signed_in_user())
    return render_template("my_actions.html", rows=rows)
