"""Accounts: people, sessions, API tokens, password resets, permissions and contributors.
May use: records."""

from typing import Any


def __getattr__(name: str) -> Any:
    # Plugins written before the packages import from core.services.accounts what is now in
    # core.services.accounts.accounts.
    from core.moved import same_named

    return same_named("accounts", name)
