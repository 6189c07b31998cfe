"""Datelines, numbers and percentages: the expected text always comes from babel/CLDR itself."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_time, get_datetime_format, get_month_names, get_timezone_gmt
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol
from babel.numbers import format_percent as babel_percent

from i18n_pipeline.locales import resolve_locale
from i18n_pipeline.localize import format_datetime_long, format_number, format_percent

BAKU = timezone(timedelta(hours=4))
SAMPLE = datetime(2025, 3, 6, 20, 22, tzinfo=BAKU)  # the sample article: 06 March 2025 20:22, Baku


@pytest.mark.parametrize("code", ["ru", "arm", "hy"])
def test_dateline_is_cldr_long_date_with_the_time_in_the_articles_zone(code):
    lang = resolve_locale(code).lang
    text = format_datetime_long(SAMPLE, resolve_locale(code))
    date_part = format_date(SAMPLE.date(), "long", locale=lang)
    time_part = format_time(SAMPLE, "short", tzinfo=BAKU, locale=lang)
    glue = get_datetime_format("long", locale=lang)
    assert text == glue.replace("{1}", date_part).replace("{0}", time_part) + " " + get_timezone_gmt(SAMPLE, "long", locale=lang)
    # The pieces CLDR owns are all there: month name (genitive/format form), year, 20:22 Baku time.
    assert get_month_names("wide", context="format", locale=lang)[3] in text
    assert "2025" in text and time_part in text and "20" in time_part and "22" in time_part
    assert format_time(SAMPLE, "short", tzinfo=timezone.utc, locale=lang) not in text  # never converted to UTC


def test_named_zone_and_fixed_offset_give_the_same_dateline():
    named = SAMPLE.astimezone(ZoneInfo("Asia/Baku"))
    for code in ("ru", "arm"):
        assert format_datetime_long(named, code) == format_datetime_long(SAMPLE, code)


def test_zone_can_be_left_out_and_naive_times_are_not_shifted():
    without = format_datetime_long(SAMPLE, "ru", with_zone=False)
    assert get_timezone_gmt(SAMPLE, "long", locale="ru") not in without
    assert format_datetime_long(SAMPLE.replace(tzinfo=None), "ru") == without


@pytest.mark.parametrize("code", ["ru", "arm"])
def test_numbers_and_percentages_follow_the_locale(code):
    lang = resolve_locale(code).lang
    assert format_number(1234.5, code) == format_decimal(1234.5, locale=lang)
    assert get_decimal_symbol(lang) in format_number(1234.5, code)
    assert get_group_symbol(lang) in format_number(1234567, code)
    assert format_percent(0.125, code) == babel_percent(0.125, locale=lang, decimal_quantization=False)
    assert format_number(55, code) == "55"
