"""Dates and numbers in the locale's own CLDR formats (babel), for datelines and rendered figures.

CLDR owns every pattern here: nothing is hand-written, so a babel/CLDR update changes the output
(pinned babel keeps it stable), and tests compare against babel rather than literal strings.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from babel.dates import format_date, format_time, get_datetime_format, get_timezone_gmt
from babel.numbers import format_decimal
from babel.numbers import format_percent as _babel_percent

from ..locales import Locale, resolve_locale


def _lang(locale: Locale | str) -> str:
    return locale.lang if isinstance(locale, Locale) else resolve_locale(locale).lang


def format_datetime_long(dt: datetime, locale: Locale | str, *, with_zone: bool = True) -> str:
    """CLDR long date + short time, joined by the locale's long date-time pattern.

    The time stays in ``dt``'s own zone (a Baku article keeps 20:22, never converted); with
    ``with_zone`` an aware ``dt`` also shows its offset in CLDR's localized GMT format
    (``GMT+04:00``), so a reader in another zone is not misled. CLDR's full "long" date-time
    would add seconds and a bare ``+0400``; an editor writes neither.
    """
    lang = _lang(locale)
    date_text = format_date(dt.date(), "long", locale=lang)
    time_text = format_time(dt, "short", tzinfo=dt.tzinfo, locale=lang) if dt.tzinfo else format_time(dt.time(), "short", locale=lang)
    text = get_datetime_format("long", locale=lang).replace("{1}", date_text).replace("{0}", time_text)
    if with_zone and dt.tzinfo is not None and dt.utcoffset() is not None:
        text += " " + get_timezone_gmt(dt, "long", locale=lang)
    return text


def format_number(value: int | float | Decimal, locale: Locale | str) -> str:
    """A number with the locale's grouping and decimal signs (ru/hy: ``1 234,5``)."""
    return format_decimal(value, locale=_lang(locale), decimal_quantization=False)


def format_percent(value: int | float | Decimal, locale: Locale | str) -> str:
    """A fraction as a percentage in the locale's pattern (0.125 → ru ``12,5 %``, hy ``12,5%``)."""
    return _babel_percent(value, locale=_lang(locale), decimal_quantization=False)
