"""The post-editing dashboard: the figures of ``i18n-pipeline stats`` as a page.

    GET /stats    overall; a chart per model of HTER and chrF per ISO week (inline SVG drawn
                  here, no script); then per week, model, term-base version (each named by the
                  glossary-desk change that made it, ``Workspace.termbase_versions``), glossary key,
                  article, locale and translator: HTER, chrF, share unchanged, seconds per word
                  (``Workspace.post_edit_report``)
    GET /stats/a/{article}   the drill-down from "Per article": each edited segment of the article,
                  its MT and final text as a word diff (as the history page), its own HTER, chrF,
                  edit time, unchanged or not, model, term-base version and glossary key
                  (``Workspace.article_post_edits``, the same report)

Bars are ``<meter>`` elements and SVG ``<rect>``s coloured by class: the page's CSP allows no
inline style and no outside script.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from ..errors import PipelineError
from ..postedit import Figures
from ..textdiff import diff_words
from ..workspace import UnknownItem
from .app import _authenticate, _error, _page, _workspace

GROUPS = (("week", "Per week"), ("model", "Per model"), ("termbase", "Per term-base version"),
          ("glossary", "Per glossary key (the entries matching the sentence)"),
          ("article", "Per article"), ("locale", "Per locale"), ("who", "Per translator"))
# Chart geometry (SVG user units): a group of two bars per week, 0–100 on the vertical axis.
PLOT_H, TOP, BOTTOM, LEFT = 100, 8, 30, 28
BAR_W, GAP, WEEK_W = 14, 2, 44


@dataclass(frozen=True)
class Bar:
    metric: str  # "hter" | "chrf"
    week: str
    value: float  # the figure (HTER may pass 100; the bar stops at the top)
    x: float
    y: float
    height: float


@dataclass
class WeekChart:
    """One model's HTER and chrF per ISO week, as SVG geometry the template draws."""

    model: str
    weeks: list[tuple[str, float]] = field(default_factory=list)  # (ISO week, label x)
    bars: list[Bar] = field(default_factory=list)
    width: float = 0
    height: float = TOP + PLOT_H + BOTTOM
    baseline: float = TOP + PLOT_H
    ticks: tuple[tuple[int, float], ...] = tuple((v, TOP + PLOT_H - v) for v in (0, 50, 100))


def week_chart(model: str, weeks: dict[str, Figures]) -> WeekChart:
    chart = WeekChart(model, width=LEFT + WEEK_W * max(1, len(weeks)) + GAP * 4)
    for n, (week, figures) in enumerate(sorted(weeks.items())):
        left = LEFT + n * WEEK_W + GAP * 4
        for k, (metric, value) in enumerate((("hter", figures.hter), ("chrf", figures.chrf))):
            height = max(0.0, min(value, 100.0)) * PLOT_H / 100
            chart.bars.append(Bar(metric, week, value, left + k * (BAR_W + GAP), TOP + PLOT_H - height, height))
        chart.weeks.append((week, left + BAR_W + GAP / 2))
    return chart


async def stats_view(request: Request) -> Response:
    if (answer := _authenticate(request)) is not None:
        return answer
    try:
        result = _workspace(request).post_edit_report()
    except PipelineError as exc:
        return _error(request, 500, str(exc))
    groups = [(name, title, sorted(result.by.get(name, {}).items())) for name, title in GROUPS]
    try:
        current, changes, made = _workspace(request).termbase_versions()
    except PipelineError:  # a term base that cannot be read: the figures stand without the names
        current, changes, made = "", 0, {}
    notes = {digest: _termbase_note(made.get(digest), digest == current) for digest in result.by.get("termbase", {})}
    charts = [week_chart(model, weeks) for model, weeks in sorted(result.model_week.items())]
    return _page(request, "stats.html", overall=result.overall, groups=groups, charts=charts, notes=notes,
                 termbase_now=current, termbase_changes=changes,
                 model_week=result.model_week, signatures=result.signatures, bar_w=BAR_W, left=LEFT)


def _termbase_note(made, current: bool) -> str:
    """``desk change 14 · 2026-03-02 10:00 · vera (edit CIA) · current`` for one term-base version."""
    parts = ["current"] if current else []
    if made is not None:
        when = made.at[:16].replace("T", " ")
        parts.insert(0, f"desk change {made.change} · {when} · {made.who} ({made.action} {made.entry})")
    return " · ".join(parts)


async def stats_article_view(request: Request) -> Response:
    if (answer := _authenticate(request)) is not None:
        return answer
    article = request.path_params["article"]
    try:
        figures, segments = _workspace(request).article_post_edits(article)
    except UnknownItem as exc:
        return _error(request, 404, str(exc))
    except PipelineError as exc:
        return _error(request, 500, str(exc))
    rows = [(f, diff_words(f.mt_text, f.final)) for f in segments]
    return _page(request, "stats_article.html", article=article, figures=figures, rows=rows)
