"""Bytes → text: UTF-8 (with or without BOM), UTF-16 with a BOM, legacy Cyrillic cp1251.

Anything else is refused with an InputError rather than guessed: a wrong guess would send
mojibake through MT and into the translation memory.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..errors import InputError

MAX_INPUT_BYTES = 50 * 1024 * 1024  # far above any article; stops a stray disk image early

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# cp1251 maps almost every byte to something, so "it decoded" proves nothing; require that the
# letters are mostly Cyrillic and that no C0 control characters (other than whitespace) appear.
_MIN_CYRILLIC_SHARE = 0.5
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f"}
_MAX_MIXED_WORDS = 0.2
_WORD = re.compile(r"\w+")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[A-Za-z]")


def read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InputError(path, f"file is {size // (1024 * 1024)} MB, larger than any article; check the path")
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(path, "file not found; check the path") from exc
    except IsADirectoryError as exc:
        raise InputError(path, "is a directory; pass the article files inside it") from exc
    except OSError as exc:
        raise InputError(path, f"cannot read ({exc.strerror or exc}); check permissions") from exc


def decode_bytes(path: Path, data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``; raise InputError for empty, binary or undecodable input."""
    if not data.strip():
        raise InputError(path, "file is empty; export the article again")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise InputError(path, f"starts with a {encoding} byte-order mark but is not valid {encoding}; re-save it as UTF-8") from exc
    if b"\x00" in data:
        raise InputError(path, "binary file (contains NUL bytes), not an article; check the path")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_cp1251(data)
        if text is None:
            raise InputError(path, "not UTF-8, UTF-16 or cp1251 text; re-save it as UTF-8") from None
        return text, "cp1251"
    if _has_controls(text):
        raise InputError(path, "binary file (control characters), not an article; check the path")
    return text, "utf-8"


def _decode_cp1251(data: bytes) -> str | None:
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        return None
    if _has_controls(text):
        return None
    letters = [c for c in text if c.isalpha() and not c.isascii()]
    if not letters:
        return None
    cyrillic = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    if cyrillic / len(letters) < _MIN_CYRILLIC_SHARE:
        return None
    # Latin-1 text read as cp1251 puts Cyrillic letters inside Latin words ("Cafй"); real
    # Russian text almost never mixes scripts within a word.
    words = [w for w in _WORD.findall(text[:65536]) if _CYRILLIC.search(w)]
    mixed = sum(1 for w in words if _LATIN.search(w))
    # Other multi-byte encodings (GB18030, Shift-JIS, UTF-16 halves) read as cp1251 are all
    # Cyrillic too, but with case changing inside words ("КРТй", "юЕъЧ"); Russian words are
    # lower case, Capitalised or ALL CAPS.
    miscased = sum(1 for w in words if not (w.islower() or w.isupper() or w.istitle()))
    if not words or mixed / len(words) >= _MAX_MIXED_WORDS or miscased / len(words) >= _MAX_MIXED_WORDS:
        return None
    return text


def _has_controls(text: str) -> bool:
    sample = text[:65536]
    return any(ord(c) < 32 and c not in _ALLOWED_CONTROLS for c in sample)
