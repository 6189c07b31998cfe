"""QA settings from the ``[qa]`` table of i18n.toml: checks off, severities, thresholds.

    [qa]
    off = ["spelling"]                      # checks switched off
    [qa.severity]                           # re-grade any check: error | warning | info
    whitespace = "info"
    [qa.length-ratio]                       # target/source length in characters, per pair
    en-ru = [0.6, 2.0]
    [qa.thresholds]                         # see QAConfig for every name and its default
    length-min-source-chars = 25
    [qa.spelling]
    dictionaries = ["/usr/share/hunspell"]  # folders searched for <lang>_*.dic/.aff

Every threshold is documented in CHECKS.md next to this file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from ..errors import UsageError
from .registry import CHECKS, SEVERITIES

# Clean pairs of tests/data/qa (source ≥ 25 chars) span en→ru 0.64–1.50, en→hy 0.77–1.66; wide enough
# for headlines and short sentences, narrow enough to catch a dropped clause or a loop.
DEFAULT_LENGTH_RATIO = {"en-ru": (0.6, 2.0), "en-hy": (0.6, 2.1)}
FALLBACK_LENGTH_RATIO = (0.5, 2.5)
DEFAULT_DICTIONARY_DIRS = ("/usr/share/hunspell", "/usr/share/myspell", "/usr/share/myspell/dicts")


@dataclass(frozen=True)
class QAConfig:
    """Everything the checks can be tuned with. Names match i18n.toml with ``-`` for ``_``."""

    off: frozenset[str] = frozenset()
    severity: dict[str, str] = field(default_factory=dict)  # check id → re-graded severity
    length_ratio: dict[str, tuple[float, float]] = field(default_factory=lambda: dict(DEFAULT_LENGTH_RATIO))
    # length-ratio: sources shorter than this are skipped (a headline "Baku" → "Баку" proves nothing).
    length_min_source_chars: int = 25
    # untranslated: this many consecutive source words copied into the target (DNT/names aside).
    untranslated_min_words: int = 4
    # untranslated/wrong-language: share of the target's letters that must be in the expected script.
    min_script_share: float = 0.5
    # wrong-language within one script (e.g. ru vs uk): trust the language identifier only when
    # the target has this many letters and the identifier is at least this sure.
    langid_min_letters: int = 25
    langid_min_confidence: float = 0.9
    # repeated-words: longest phrase (in words) looked for as a back-to-back repeat.
    stutter_max_ngram: int = 5
    dictionary_dirs: tuple[str, ...] = DEFAULT_DICTIONARY_DIRS

    def enabled(self, check_id: str) -> bool:
        return check_id not in self.off

    def severity_of(self, check_id: str) -> str:
        return self.severity.get(check_id, CHECKS[check_id].severity)

    def ratio_bounds(self, source_lang: str, target_lang: str) -> tuple[float, float]:
        return self.length_ratio.get(f"{source_lang}-{target_lang}", FALLBACK_LENGTH_RATIO)


_THRESHOLDS = {
    f.name.replace("_", "-"): f.name
    for f in fields(QAConfig)
    if f.name not in ("off", "severity", "length_ratio", "dictionary_dirs")
}


def load_config(settings_extra: dict[str, Any] | None) -> QAConfig:
    """Build QAConfig from ``Settings.extra`` (the whole dict, or just its ``qa`` table)."""
    extra = settings_extra or {}
    table = extra.get("qa", extra if _looks_like_qa_table(extra) else {})
    if not isinstance(table, dict):
        raise UsageError("i18n.toml: [qa] must be a table; see i18n_pipeline/qa/CHECKS.md")
    known_keys = {"off", "severity", "length-ratio", "thresholds", "spelling"}
    unknown = sorted(set(table) - known_keys)
    if unknown:
        raise UsageError(f"i18n.toml: unknown [qa] key(s) {', '.join(unknown)}; known: {', '.join(sorted(known_keys))}")
    config = QAConfig()
    off = table.get("off", [])
    if not isinstance(off, list):
        raise UsageError('i18n.toml: [qa] off must be a list of check ids, e.g. off = ["spelling"]')
    config = replace(config, off=frozenset(_check_ids(off, "[qa] off")))
    severity = table.get("severity", {})
    for check_id, grade in severity.items():
        _check_ids([check_id], "[qa.severity]")
        if grade not in SEVERITIES:
            raise UsageError(f"i18n.toml: [qa.severity] {check_id} = {grade!r}; use one of {', '.join(SEVERITIES)}")
    config = replace(config, severity=dict(severity))
    config = replace(config, length_ratio=_length_ratio(table.get("length-ratio", {})))
    config = _thresholds(config, table.get("thresholds", {}))
    dirs = table.get("spelling", {}).get("dictionaries")
    if dirs is not None:
        if not isinstance(dirs, list) or not all(isinstance(d, str) for d in dirs):
            raise UsageError("i18n.toml: [qa.spelling] dictionaries must be a list of folder paths")
        config = replace(config, dictionary_dirs=tuple(dirs))
    return config


def _looks_like_qa_table(extra: dict[str, Any]) -> bool:
    return bool(extra) and set(extra) <= {"off", "severity", "length-ratio", "thresholds", "spelling"}


def _check_ids(ids: list[Any], where: str) -> list[str]:
    bad = [i for i in ids if i not in CHECKS]
    if bad:
        raise UsageError(f"i18n.toml: {where} names unknown check(s) {', '.join(map(str, bad))}; known: {', '.join(CHECKS)}")
    return ids


def _length_ratio(table: dict[str, Any]) -> dict[str, tuple[float, float]]:
    bounds = dict(DEFAULT_LENGTH_RATIO)
    for pair, value in table.items():
        ok = isinstance(value, list) and len(value) == 2 and all(isinstance(v, int | float) for v in value)
        if not ok or not 0 < value[0] < value[1]:
            raise UsageError(f"i18n.toml: [qa.length-ratio] {pair} must be [low, high] with 0 < low < high")
        bounds[pair] = (float(value[0]), float(value[1]))
    return bounds


def _thresholds(config: QAConfig, table: dict[str, Any]) -> QAConfig:
    for key, value in table.items():
        if key not in _THRESHOLDS:
            raise UsageError(f"i18n.toml: unknown [qa.thresholds] {key}; known: {', '.join(_THRESHOLDS)}")
        name = _THRESHOLDS[key]
        expected = type(getattr(config, name))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or isinstance(value, bool):
            raise UsageError(f"i18n.toml: [qa.thresholds] {key} must be {expected.__name__}, got {value!r}")
        config = replace(config, **{name: value})
    return config
