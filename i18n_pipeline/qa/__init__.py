"""QA checks on translated segments, tuned for en→ru and en→hy news (see CHECKS.md here).

    check_segment(source, target, source_lang=, target_lang=, ...)  -> list[QAFlag]
    check_article(article, locale, config)                          -> {check id: segments flagged}
    check_batch_consistency(articles, locale, config)               -> {"inconsistent": n}
    load_config(settings.extra)                                     -> QAConfig
    skipped_checks(target_lang, config)                             -> {check id: why it cannot run}
    CHECKS                                                          -> id → Check(severity, summary)
"""

from __future__ import annotations

from .config import QAConfig, load_config
from .registry import CHECKS, ERROR, INFO, SEVERITIES, WARNING, Check
from .runner import check_article, check_batch_consistency, check_segment, skipped_checks

__all__ = [
    "CHECKS", "ERROR", "INFO", "SEVERITIES", "WARNING", "Check", "QAConfig", "check_article",
    "check_batch_consistency", "check_segment", "load_config", "skipped_checks",
]
