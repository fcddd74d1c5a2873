"""Accounts (admins only) and your own API tokens."""

from __future__ import annotations

from flask_smorest import Blueprint, abort
from marshmallow import RAISE
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.api.areas import get_or_404
from core.api.common import admins_only, me, page_query, writing
from core.api.schemas import (
    NewTokenSchema,
    NewUserSchema,
    PageArgs,
    TokenCreateSchema,
    TokenSchema,
    UserCreateSchema,
    UserPatchSchema,
    UserSchema,
    page_of,
)
from core.models import ApiToken, User
from core.services.accounts import accounts, tokens

users_bp = Blueprint(
    "users_api", __name__, url_prefix="/api/v1/users", description="Accounts (admins only)"
)
tokens_bp = Blueprint(
    "tokens_api", __name__, url_prefix="/api/v1/tokens", description="Your API tokens"
)
BLUEPRINTS = (users_bp, tokens_bp)


users_bp.before_request(admins_only)


def _user_json(user: User, password: str | None = None) -> dict:
    found = {
        "id": user.id,
        "email": user.email,
        "role": user.role,
        "areas": [a.slug for a in user.areas],
        "is_active": user.is_active,
    }
    return found if password is None else {**found, "password": password}


def _token_json(record: ApiToken, token: str | None = None) -> dict:
    found = {
        name: getattr(record, name)
        for name in ("id", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    }
    return found if token is None else {**found, "token": token}


def _user(user_id: int) -> User:
    return get_or_404(User, user_id, options=[selectinload(User.areas)])


def _tokens_of(user: User):
    return select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at)


@users_bp.get("/")
@users_bp.arguments(PageArgs, location="query", unknown=RAISE)
@users_bp.response(200, page_of(UserSchema, "UserPage"))
def list_users(args):
    """Every account, with its role and areas."""
    query = select(User).options(selectinload(User.areas)).order_by(User.email)
    return page_query(query, args, _user_json)


@users_bp.post("/")
@users_bp.arguments(UserCreateSchema)
@users_bp.response(201, NewUserSchema)
def create_user(data):
    """Create an account with a generated password, given only in this answer."""
    password = accounts.generate_password()
    with writing() as session:
        user = accounts.create_user(
            session,
            actor=me(),
            email=data["email"],
            role=data["role"],
            area_slugs=data["areas"],
            password=password,
        )
    return _user_json(user, password), 201


@users_bp.get("/<id:user_id>")
@users_bp.response(200, UserSchema)
def get_user(user_id: int):
    """One account."""
    return _user_json(_user(user_id))


@users_bp.patch("/<id:user_id>")
@users_bp.arguments(UserPatchSchema)
@users_bp.response(200, UserSchema)
def patch_user(data, user_id: int):
    """Change an account's role, areas or whether it can sign in."""
    user = _user(user_id)
    with writing() as session:
        accounts.update_user(
            session,
            user,
            actor=me(),
            role=data.get("role", user.role),
            area_slugs=data.get("areas", [a.slug for a in user.areas]),
            is_active=data.get("is_active", user.is_active),
        )
    return _user_json(user)


@users_bp.post("/<id:user_id>/reset-password")
@users_bp.response(200, NewUserSchema)
def reset_password(user_id: int):
    """Give the account a new generated password (given only in this answer); it is signed
    out of every browser session, its API tokens are revoked, and a sign-in lockout is
    lifted."""
    user = _user(user_id)
    with writing() as session:
        password = accounts.reset_password(session, user, actor=me())
    return _user_json(user, password)


@users_bp.get("/<id:user_id>/tokens")
@users_bp.arguments(PageArgs, location="query", unknown=RAISE)
@users_bp.response(200, page_of(TokenSchema, "UserTokenPage"))
def list_user_tokens(args, user_id: int):
    """An account's API tokens (their first characters only), revoked ones included."""
    user = _user(user_id)
    return page_query(_tokens_of(user), args, _token_json)


@users_bp.delete("/<id:user_id>/tokens/<id:token_id>")
@users_bp.response(204)
def revoke_user_token(user_id: int, token_id: int):
    """Revoke one of an account's tokens: it stops working at once."""
    user = _user(user_id)
    record = get_or_404(ApiToken, token_id)
    if record.user_id != user.id:
        abort(404, message=f"{user.email} has no token {token_id}.")
    with writing() as session:
        tokens.revoke_token(session, record, actor=me())


@tokens_bp.get("/")
@tokens_bp.arguments(PageArgs, location="query", unknown=RAISE)
@tokens_bp.response(200, page_of(TokenSchema, "TokenPage"))
def list_tokens(args):
    """Your API tokens (their first characters only)."""
    return page_query(_tokens_of(me()), args, _token_json)


@tokens_bp.post("/")
@tokens_bp.arguments(TokenCreateSchema)
@tokens_bp.response(201, NewTokenSchema)
def create_token(data):
    """Make a token for yourself; it is given only in this answer."""
    with writing() as session:
        record, token = tokens.create_token(session, me(), data["name"])
    return _token_json(record, token), 201


@tokens_bp.delete("/<id:token_id>")
@tokens_bp.response(204)
def revoke_token(token_id: int):
    """Revoke one of your tokens: it stops working at once."""
    record = get_or_404(ApiToken, token_id)
    if record.user_id != me().id:
        abort(404, message=f"You have no token {token_id}.")
    with writing() as session:
        tokens.revoke_token(session, record, actor=me())
