"""Gettext catalogs from ``locales/``: loading, and lookups of the fixed strings in messages.py.

Compiled ``.mo`` files are built at install time (``make catalogs-compile``) and never committed.
On a fresh checkout before that step the ``.po`` is read directly, so the library still works;
a log line says so. Fuzzy entries are used, as ``pybabel compile --use-fuzzy`` does: a reviewed-
later Armenian string beats English in an Armenian article, and the .po keeps the fuzzy mark.
"""

from __future__ import annotations

import functools
import logging
import re
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import Translations

from ..errors import InputError
from ..locales import LOCALES_DIR, SITE_LOCALES, Locale, resolve_locale
from . import messages
from .dates import format_number

logger = logging.getLogger(__name__)

DOMAIN = "i18n_pipeline"
# The repository's locales/ (the package is installed editable by `make install`).
USE_FUZZY = True  # keep in step with `pybabel compile --use-fuzzy` in the Makefile

_SPACE_BEFORE_MARK = re.compile(r"\s+(?=[?!.,:;])")


def translator(locale: Locale | str, locales_dir: Path | None = None) -> Translations:
    """The gettext translations of ``locale`` (gettext, ngettext, pgettext, npgettext)."""
    lang = _lang(locale)
    return _load(lang, str(locales_dir or LOCALES_DIR))


@functools.lru_cache(maxsize=None)
def _load(lang: str, locales_dir: str) -> Translations:
    folder = Path(locales_dir) / lang / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    try:
        if mo.is_file():
            if po.is_file() and po.stat().st_mtime > mo.stat().st_mtime:
                logger.warning("%s is older than its .po; run `make catalogs-compile` to pick up edits", mo)
            with mo.open("rb") as handle:
                return Translations(handle, domain=DOMAIN)
        if po.is_file():
            logger.info("%s: no compiled catalog; reading the .po directly (`make catalogs-compile` builds it)", po)
            with po.open("rb") as handle:
                catalog = read_po(handle, locale=lang, domain=DOMAIN)
            compiled = BytesIO()
            write_mo(compiled, catalog, use_fuzzy=USE_FUZZY)
            compiled.seek(0)
            return Translations(compiled, domain=DOMAIN)
    except (OSError, PoFileError, ValueError) as exc:
        raise InputError(folder, f"message catalog cannot be read ({exc}); fix the .po and run `make catalogs-compile`") from exc
    raise InputError(po, f"no message catalog for {lang}; restore locales/ from the repository and run `make catalogs-compile`")


def _lang(locale: Locale | str) -> str:
    return locale.lang if isinstance(locale, Locale) else resolve_locale(locale).lang


def _translated(locale: Locale | str, entry: tuple[str, str]) -> str | None:
    """The catalog's translation of a (context, msgid) entry, or None when it has none."""
    context, msgid = entry
    text = translator(locale).pgettext(context, msgid)
    return text if text != msgid else None


def _label(locale: Locale | str, entry: tuple[str, str]) -> str:
    context, msgid = entry
    return translator(locale).pgettext(context, msgid)


def section_name(section: str, locale: Locale | str) -> str | None:
    """The section as the locale's editors name it (``WORLD`` → «Мир», «Աշխարհ»), or None."""
    entry = messages.SECTIONS.get(" ".join(section.split()).casefold())
    return _translated(locale, entry) if entry else None


def chrome_text(text: str, locale: Locale | str) -> str | None:
    """The catalog rendering of a recognised site-chrome string, or None when it has no entry.

    The string may be the site's English or already one of our catalog languages (the sample
    page carries a stray Russian "Ссылка скопирована"): either way it is rendered in ``locale``.
    """
    key = _chrome_key(text)
    entry = _CHROME_BY_KEY.get(key) or _chrome_by_translation().get(key)
    return _translated(locale, entry) if entry else None


def _chrome_key(text: str) -> str:
    # The page dump upper-cases some chrome, spaces out marks ("WHAT ARE YOU LOOKING FOR ?") and
    # glues icon class names to widget text ("share-lineLiked the story?").
    text = _ICON_PREFIX.sub("", " ".join(text.split()))
    return _SPACE_BEFORE_MARK.sub("", text).casefold()


_ICON_PREFIX = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)+(?=[A-Z])")
_CHROME_BY_KEY = {_chrome_key(msgid): (context, msgid) for context, msgid in messages.SITE_CHROME}


@functools.lru_cache(maxsize=1)
def _chrome_by_translation() -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for site_locale in SITE_LOCALES.values():
        for entry in messages.SITE_CHROME:
            rendered = _translated(site_locale, entry)
            if rendered:
                found.setdefault(_chrome_key(rendered), entry)
    return found


def byline(author: str, locale: Locale | str) -> str:
    """"By {author}" in the locale (the name itself is left as given)."""
    return translator(locale).gettext(messages.BYLINE).format(author=author)


def views_line(count: int, locale: Locale | str) -> str:
    return translator(locale).gettext(messages.VIEWS).format(count=format_number(count, locale))


def review_labels(locale: Locale | str) -> dict[str, str]:
    """Every review-page label, by the stable keys of messages.REVIEW_LABELS."""
    return {key: _label(locale, entry) for key, entry in messages.REVIEW_LABELS.items()}


def state_label(state: str, locale: Locale | str) -> str:
    """A segment state (``translated``…) as translators read it; unknown states pass through."""
    entry = messages.SEGMENT_STATES.get(str(state))
    return _label(locale, entry) if entry else str(state)


def origin_label(origin: str, locale: Locale | str) -> str:
    entry = messages.ORIGINS.get(str(origin))
    return _label(locale, entry) if entry else str(origin)


def severity_label(severity: str, locale: Locale | str) -> str:
    entry = messages.SEVERITIES.get(str(severity))
    return _label(locale, entry) if entry else str(severity)


def qa_check_title(check_id: str, locale: Locale | str) -> str | None:
    """The translator-facing title of a QA check id, or None for an id the catalog lacks."""
    entry = messages.QA_CHECK_TITLES.get(check_id)
    return _label(locale, entry) if entry else None


# Plural-sensitive messages: literal ngettext calls so `pybabel extract` records both forms.
def segments_flagged(n: int, locale: Locale | str) -> str:
    text = translator(locale).ngettext("{n} segment flagged", "{n} segments flagged", n)
    return text.format(n=format_number(n, locale))


def errors_count(n: int, locale: Locale | str) -> str:
    text = translator(locale).ngettext("{n} error", "{n} errors", n)
    return text.format(n=format_number(n, locale))


def warnings_count(n: int, locale: Locale | str) -> str:
    text = translator(locale).ngettext("{n} warning", "{n} warnings", n)
    return text.format(n=format_number(n, locale))


def glossary_terms_missing(n: int, locale: Locale | str) -> str:
    text = translator(locale).ngettext("{n} glossary term not used", "{n} glossary terms not used", n)
    return text.format(n=format_number(n, locale))
