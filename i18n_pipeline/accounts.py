"""Workspace accounts and who may do what: roles, argon2 password hashes, the editing rules.

Roles: ``translator:ru`` / ``translator:arm`` (edit that locale, up to ``reviewed``),
``reviewer`` (edit every locale, set ``final``, change a final segment), ``glossary`` (the
glossary desk), ``admin`` (everything). The rules live here, not in the web layer, so every
caller of ``workspace.apply_correction`` gets the same answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .document import State
from .errors import UsageError
from .locales import resolve_locale

ROLES = ("translator:ru", "translator:arm", "reviewer", "glossary", "admin")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MIN_PASSWORD = 8


class NotAllowed(Exception):
    """The user's roles do not allow this change (the message says which role would)."""


@dataclass(frozen=True)
class User:
    name: str
    roles: tuple[str, ...]

    def can_edit(self, site: str) -> bool:
        return bool({"admin", "reviewer", f"translator:{site}"} & set(self.roles))

    def can_edit_glossary(self) -> bool:
        return bool({"admin", "glossary"} & set(self.roles))

    def can_finalize(self) -> bool:
        return bool({"admin", "reviewer"} & set(self.roles))

    def check_change(self, site: str, current: State, new: State) -> None:
        """Raise NotAllowed unless this user may move a ``site`` segment from ``current`` to ``new``."""
        if not self.can_edit(site):
            raise NotAllowed(f"{self.name} may not change {site}: that needs translator:{site} or reviewer")
        if new is State.FINAL and not self.can_finalize():
            raise NotAllowed(f"{self.name} may not set final: only a reviewer does")
        if current is State.FINAL and not self.can_finalize():
            raise NotAllowed(f"{self.name} may not change a final segment: ask a reviewer")


def parse_roles(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """``["translator:hy", "reviewer"]`` → ``("translator:arm", "reviewer")``; UsageError for others."""
    roles = []
    for value in values:
        for role in value.replace(",", " ").split():
            if role.startswith("translator:"):
                try:
                    role = f"translator:{resolve_locale(role.split(':', 1)[1]).site}"
                except Exception as exc:  # UnknownLocaleError, said once in the message below
                    raise UsageError(f"role {role!r}: unknown locale; use translator:ru or translator:arm") from exc
            if role not in ROLES:
                raise UsageError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
            roles.append(role)
    if not roles:
        raise UsageError(f"give at least one --role ({', '.join(ROLES)})")
    return tuple(dict.fromkeys(roles))


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise UsageError(f"user name {name!r}: use 1-64 letters, digits, '.', '_' or '-'")
    return name


def hash_password(password: str) -> str:
    from argon2 import PasswordHasher

    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password needs at least {MIN_PASSWORD} characters")
    return PasswordHasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return PasswordHasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY: list[str] = []


def dummy_verify(password: str) -> None:
    if not _DUMMY:
        from argon2 import PasswordHasher

        _DUMMY.append(PasswordHasher().hash("not a password of anyone"))
    verify_password(_DUMMY[0], password)
