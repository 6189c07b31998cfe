"""The gettext catalogs in locales/: complete, consistent with the code and with CLDR, compilable."""

from __future__ import annotations

import gettext
import logging
import shutil
import string
from pathlib import Path

import pytest
from babel import Locale as BabelLocale
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from i18n_pipeline.errors import InputError
from i18n_pipeline.locales import SITE_LOCALES
from i18n_pipeline.localize import (
    DOMAIN,
    LOCALES_DIR,
    apply_typography,
    errors_count,
    format_number,
    qa_check_title,
    review_labels,
    section_name,
    segments_flagged,
    translator,
)
from i18n_pipeline.localize import messages
from i18n_pipeline.qa.registry import CHECKS

LANGS = [loc.lang for loc in SITE_LOCALES.values()]  # ru, hy
# The keywords of the Makefile's `pybabel extract` line.
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "NP_": ((1, "c"), 2)}
CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")


def _po(lang: str):
    with (LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def _entries(catalog):
    return [m for m in catalog if m.id]


def _key(message):
    return message.context, message.id if isinstance(message.id, str) else message.id[0]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_code_template_and_catalogs_hold_the_same_messages():
    package = Path(__file__).resolve().parents[1] / "i18n_pipeline"
    in_code = {
        (context, msgid if isinstance(msgid, str) else msgid[0])
        for _, _, msgid, _, context in extract_from_dir(package, [("**.py", "python")], keywords=KEYWORDS)
    }
    with (LOCALES_DIR / f"{DOMAIN}.pot").open("rb") as handle:
        template = {_key(m) for m in _entries(read_po(handle))}
    assert in_code == template, "run `make catalogs-update` after changing messages"
    for lang in LANGS:
        assert {_key(m) for m in _entries(_po(lang))} == template, lang


@pytest.mark.parametrize("lang", LANGS)
def test_every_entry_is_translated_with_the_same_placeholders(lang):
    catalog = _po(lang)
    assert not catalog.fuzzy, "a fuzzy header makes `pybabel compile` skip the whole catalog"
    assert not catalog.obsolete
    for message in _entries(catalog):
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert len(strings) == (catalog.num_plurals if message.pluralizable else 1), message.id
        for text in strings:
            assert text.strip(), f"{lang}: empty translation of {message.id!r}"
            assert _fields(text) == _fields(ids[0]) == _fields(ids[-1]), f"{lang}: placeholders of {message.id!r}"
        assert not message.check(catalog), message.id  # babel's own checks (python-format etc.)


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_strings_already_follow_the_typography_rules(lang):
    for message in _entries(_po(lang)):
        for text in [message.string] if isinstance(message.string, str) else message.string:
            assert apply_typography(text, lang) == text
            assert '"' not in text


@pytest.mark.parametrize("lang", LANGS)
def test_plural_forms_agree_with_cldr(lang):
    catalog = _po(lang)
    choose = gettext.c2py(catalog.plural_expr)
    cldr = BabelLocale.parse(lang).plural_form
    integer_categories = [c for c in CLDR_ORDER if any(cldr(n) == c for n in range(1000))]
    assert catalog.num_plurals == len(integer_categories)
    for n in range(1000):
        assert choose(n) == integer_categories.index(cldr(n)), n


@pytest.mark.parametrize("lang", LANGS)
def test_ngettext_picks_the_cldr_form(lang):
    plural = {m.id[0]: m.string for m in _entries(_po(lang)) if m.pluralizable}
    cldr = BabelLocale.parse(lang).plural_form
    integer_categories = [c for c in CLDR_ORDER if any(cldr(n) == c for n in range(1000))]
    for n in (0, 1, 2, 3, 5, 11, 21, 22, 25, 101, 111, 1234):
        expected = plural["{n} segment flagged"][integer_categories.index(cldr(n))]
        assert segments_flagged(n, lang) == expected.format(n=format_number(n, lang))
        assert translator(lang).ngettext("{n} error", "{n} errors", n) == plural["{n} error"][integer_categories.index(cldr(n))]


@pytest.mark.parametrize("lang", LANGS)
def test_catalogs_compile_and_load_from_mo(lang, tmp_path):
    folder = tmp_path / lang / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / f"{DOMAIN}.mo").open("wb") as handle:
        write_mo(handle, _po(lang), use_fuzzy=True)
    loaded = Translations.load(str(tmp_path), [lang], DOMAIN)
    assert isinstance(loaded, Translations)
    ours = translator(lang, locales_dir=tmp_path)
    for message in _entries(_po(lang)):
        if not message.pluralizable:
            got = ours.pgettext(message.context, message.id) if message.context else ours.gettext(message.id)
            assert got == message.string
    assert ours.pgettext("section", "World") == loaded.pgettext("section", "World") != "World"


def test_without_mo_the_po_is_read_and_a_log_line_says_so(tmp_path, caplog):
    shutil.copytree(LOCALES_DIR / "hy", tmp_path / "hy")
    (tmp_path / "hy" / "LC_MESSAGES" / f"{DOMAIN}.mo").unlink(missing_ok=True)
    with caplog.at_level(logging.INFO, logger="i18n_pipeline.localize.catalog"):
        loaded = translator("hy", locales_dir=tmp_path)
    assert loaded.pgettext("section", "Politics") == "Քաղաքականություն"
    assert any("reading the .po directly" in r.getMessage() and r.levelno < logging.ERROR for r in caplog.records)


def test_a_missing_or_corrupt_catalog_is_one_clear_error(tmp_path):
    with pytest.raises(InputError, match="no message catalog for ru"):
        translator("ru", locales_dir=tmp_path)
    folder = tmp_path / "x" / "hy" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / f"{DOMAIN}.mo").write_bytes(b"not a catalog")
    with pytest.raises(InputError, match="cannot be read"):
        translator("arm", locales_dir=tmp_path / "x")


def test_section_names_read_as_an_editor_writes_them():
    assert section_name("WORLD", "ru") == "Мир"
    assert section_name("WORLD", "arm") == "Աշխարհ"
    assert section_name(" politics ", "hy") == "Քաղաքականություն"
    assert section_name("NOT A SECTION", "ru") is None
    for key in messages.SECTIONS:
        for lang in LANGS:
            assert section_name(key.upper(), lang)


def test_every_qa_check_and_review_label_has_a_translation():
    for lang in LANGS:
        for check_id in CHECKS:
            title = qa_check_title(check_id, lang)
            assert title and title != messages.QA_CHECK_TITLES[check_id][1], (lang, check_id)
        labels = review_labels(lang)
        assert set(labels) == set(messages.REVIEW_LABELS)
        assert all(labels[k] != messages.REVIEW_LABELS[k][1] for k in labels)
    assert qa_check_title("no-such-check", "ru") is None
    assert errors_count(1234, "ru").startswith(format_number(1234, "ru"))
