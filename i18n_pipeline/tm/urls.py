"""Database URLs as they may be shown: never with a password."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_CONNINFO_PASSWORD = re.compile(r"(password\s*=\s*)('[^']*'|\S+)", re.IGNORECASE)


def is_postgres_url(where: object) -> bool:
    return isinstance(where, str) and where.startswith(("postgresql://", "postgres://"))


def redact_url(url: str) -> str:
    """``postgresql://tm:secret@db/tm`` → ``postgresql://tm:***@db/tm`` (also ``password=`` in conninfo)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if parts.password is not None:
        host = parts.netloc.rpartition("@")[2]
        parts = parts._replace(netloc=f"{parts.username or ''}:***@{host}")
    return _CONNINFO_PASSWORD.sub(r"\1***", urlunsplit(parts))


def scrub(error: object, url: str) -> str:
    """An error's text on one line, with the URL's password (if any) masked wherever it appears."""
    text = " ".join(str(error).split())
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    if password:
        text = text.replace(password, "***")
    return text.replace(url, redact_url(url))
