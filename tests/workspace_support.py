"""Shared by the workspace tests: settings for a translated site, users, reading the TM."""

from __future__ import annotations

import hashlib
from pathlib import Path

from i18n_pipeline.accounts import User
from i18n_pipeline.config import Settings, TMSettings
from i18n_pipeline.tm import TranslationMemory

STEM = "000_62d6198c2960ff45"
ADMIN = User("admin", ("admin",))
RU = User("rita", ("translator:ru",))
ARM = User("aram", ("translator:arm",))
REVIEWER = User("vera", ("reviewer",))


def settings_for(site: Path, tm_url: str = "") -> Settings:
    """The translated site's settings; ``tm_url`` (a PostgreSQL URL) puts the TM and workspace there."""
    return Settings(models_dir=site / "models", state_dir=site / "state", glossary_dir=site / "glossary",
                    out_dir=site / "out", tm=TMSettings(url=tm_url))


def outputs_digest(site: Path, locale: str = "ru") -> str:
    digest = hashlib.sha256()
    for path in sorted((site / "out" / STEM).glob(f"{locale}.*")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def tm_row(site: Path, source: str, tgt: str = "ru", tm_url: str = ""):
    with TranslationMemory(tm_url or site / "state" / "tm.sqlite") as tm:
        return tm.entries_for([source], "en", tgt).get(source)
