"""The side-by-side review page: one standalone HTML file per article and locale.

Source left, target right, one table row per paragraph; every sentence is a ``<span>`` with
``data-seg="<segment id>"`` on both sides, so hovering either highlights the pair. Glossary
terms are ``<mark class="term">`` (title: the approved forms and status), QA flags are listed
under the target with their check title and severity and can be filtered by check id, and
every target sentence shows its state, with its provenance in the tooltip.

The page is read by the ru or hy translator, so its labels, states, severities, QA check titles
and counts come from the gettext catalogs (``i18n_pipeline.localize``) for the target locale.
Check ids and states stay in data attributes (``data-check``, ``data-state``), which the filter
script and tests read; a QA flag's own message comes from the QA code and stays as written.

The page is built with lxml's HTML builder: every piece of text (article, glossary, QA
messages, catalogs, imported files) becomes a text node or attribute value and is escaped by
the serializer; the only raw markup is the constant CSS and JavaScript below. There is no
external URL (no src, href, link, @import or url()), so it opens offline from disk.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import lxml.html
from lxml.html import builder as E

from .. import localize
from ..document import Article, Origin, Provenance, State, Target, TermHit
from ..locales import Locale
from .aligned import AlignedSegment, aligned_blocks, xml_text
from .article import translated_article

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:0 1.5rem 3rem;color:#1d1d1f}
h1{font-size:1.3rem;margin:1rem 0 .3rem}
.meta{color:#555;margin:.2rem 0}
#toolbar{position:sticky;top:0;background:#fff;padding:.5rem 0;border-bottom:1px solid #ddd;z-index:1;display:flex;flex-wrap:wrap;gap:.3rem 1.5rem}
#filters label,#view label{margin-right:1rem;white-space:nowrap}
#filters button{margin-right:1rem;font:inherit;font-size:.85rem}
table{border-collapse:collapse;width:100%;table-layout:fixed}
th,td{border-bottom:1px solid #e4e4e4;padding:.5rem;vertical-align:top;text-align:left}
th.blk,td.blk{width:7rem;color:#777;font-size:.8rem}
.seg{border-radius:3px;padding:0 1px}
.seg.hl{background:#ffe98a}
.state{font-size:.7rem;color:#fff;border-radius:3px;padding:0 3px;margin:0 .3rem 0 .1rem;vertical-align:super}
.state-initial{background:#b3261e}.state-translated{background:#8a8a8a}
.state-reviewed{background:#2e7d32}.state-final{background:#1b5e20}
.empty::before{content:"(" attr(data-empty) ")";color:#b3261e;font-style:italic}
mark.term{background:#d7ebff;border-bottom:2px solid #3d7bd9}
mark.term.missing{background:#ffd9d6;border-bottom-color:#b3261e}
ul.flags{margin:.4rem 0 0;padding-left:1.1rem;font-size:.85rem}
li.flag.sev-error{color:#b3261e}li.flag.sev-warning{color:#8a5a00}li.flag.sev-info{color:#555}
li.flag.dim{opacity:.35}
"""

# Constant code: reads ids from data attributes and compares strings; never builds markup.
_JS = """
(function () {
  var segs = Array.prototype.slice.call(document.querySelectorAll('[data-seg]'));
  function mark(id, on) {
    segs.forEach(function (el) { if (el.getAttribute('data-seg') === id) { el.classList.toggle('hl', on); } });
  }
  segs.forEach(function (el) {
    el.addEventListener('mouseenter', function () { mark(el.getAttribute('data-seg'), true); });
    el.addEventListener('mouseleave', function () { mark(el.getAttribute('data-seg'), false); });
  });
  var boxes = Array.prototype.slice.call(document.querySelectorAll('#filters input[data-check]'));
  var flaggedOnly = document.getElementById('flagged-only');
  var allChecks = document.getElementById('all-checks');
  function apply() {
    var on = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    var onlyFlagged = flaggedOnly !== null && flaggedOnly.checked;
    document.querySelectorAll('tr.para').forEach(function (tr) {
      var checks = (tr.getAttribute('data-checks') || '').split(' ').filter(Boolean);
      tr.hidden = (on.length > 0 && !checks.some(function (c) { return on.indexOf(c) >= 0; }))
        || (onlyFlagged && checks.length === 0);
    });
    document.querySelectorAll('li.flag').forEach(function (li) {
      li.classList.toggle('dim', on.length > 0 && on.indexOf(li.getAttribute('data-check')) < 0);
    });
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  if (flaggedOnly !== null) { flaggedOnly.addEventListener('change', apply); }
  if (allChecks !== null) {
    allChecks.addEventListener('click', function () { boxes.forEach(function (b) { b.checked = false; }); apply(); });
  }
})();
"""

@dataclass(frozen=True)
class _Texts:
    """The translator-facing strings of one page, looked up once in the target locale's catalog."""

    locale: Locale
    labels: dict[str, str]

    @classmethod
    def for_locale(cls, locale: Locale) -> _Texts:
        return cls(locale, localize.review_labels(locale))

    def state(self, state: State) -> str:
        return localize.state_label(state.value, self.locale)

    def severity(self, severity: str) -> str:
        return localize.severity_label(severity, self.locale)

    def check(self, check_id: str) -> str:
        """The check's catalog title; an id the catalog lacks is shown as the id itself."""
        return localize.qa_check_title(check_id, self.locale) or check_id

    def provenance(self, provenance: Provenance) -> str:
        """``Provenance: machine translation · ctranslate2 translate-en_ru 1.9`` in the locale."""
        text = localize.origin_label(provenance.origin.value, self.locale)
        producer = " ".join(part for part in (provenance.engine, provenance.model, provenance.model_version) if part)
        if producer:
            text += f" · {producer}"
        if provenance.tm_hit and provenance.origin is not Origin.TM:
            text += f" ({localize.origin_label(Origin.TM.value, self.locale)})"
        if provenance.glossary_hash:
            text += f" · {self.labels['glossary']} {provenance.glossary_hash}"
        if provenance.note:
            text += f"; {provenance.note}"  # free text from the stage that made the target
        return f"{self.labels['provenance']}: {text}"


def review_html(article: Article, locale: Locale, *, source_lang: str = "en") -> str:
    texts = _Texts.for_locale(locale)
    labels = texts.labels
    blocks = aligned_blocks(article, locale.site)
    items = [item for _, segments in blocks for item in segments]
    doc = translated_article(article, locale)
    checks = Counter(flag.check for item in items if item.target for flag in item.target.flags)

    headline = E.H1(_t(article.headline or doc.headline), lang=_t(source_lang if article.headline else locale.lang))
    header = [
        headline,
        E.P(E.CLASS("meta"), _t(f"{article.stem} · {source_lang} → {locale} · {_state_summary(items, texts)}")),
        E.P(E.CLASS("meta qa-summary"), _t(_qa_summary(items, locale))),
    ]
    for key, value in (("dateline", doc.dateline), ("byline", doc.byline)):
        if value:
            header.append(E.P(E.CLASS(f"meta {key}"), E.STRONG(f"{labels[key]}: "), _t(value)))

    table = E.TABLE(
        E.THEAD(E.TR(
            E.TH(E.CLASS("blk"), labels["block"]),
            E.TH(_t(f"{labels['source']} ({source_lang})")),
            E.TH(_t(f"{labels['target']} ({locale.lang})")),
        )),
        E.TBODY(*[_row(block.id, f"{block.role.value} · {block.lang or '?'}", segments, texts, lang=block.lang or source_lang)
                  for block, segments in blocks]),
        id="review",
    )  # fmt: skip
    page = E.HTML(
        E.HEAD(E.META(charset="utf-8"), E.TITLE(_t(f"{labels['title']} · {article.stem} · {locale.site}")), E.STYLE(_CSS)),
        E.BODY(*header, _toolbar(checks, texts), table, E.SCRIPT(_JS)),
        lang=_t(locale.lang),  # the page's own words are the translator's language
    )
    return lxml.html.tostring(page, doctype="<!DOCTYPE html>", encoding="unicode")


def _t(text: str) -> str:
    return xml_text(text)


def _state_summary(items: list[AlignedSegment], texts: _Texts) -> str:
    states = Counter(item.target.state if item.target else State.INITIAL for item in items)
    return ", ".join(f"{texts.state(state)}: {n}" for state, n in sorted(states.items(), key=lambda kv: kv[0].value))


def _qa_summary(items: list[AlignedSegment], locale: Locale) -> str:
    """Plural-aware counts from the catalog: flagged segments, errors, warnings, unused terms."""
    targets = [item.target for item in items if item.target]
    severities = Counter(flag.severity for target in targets for flag in target.flags)
    flagged = sum(1 for target in targets if target.flags)
    missing = sum(1 for target in targets for hit in target.terms if hit.status == "missing")
    return " · ".join((
        localize.segments_flagged(flagged, locale),
        localize.errors_count(severities["error"], locale),
        localize.warnings_count(severities["warning"], locale),
        localize.glossary_terms_missing(missing, locale),
    ))  # fmt: skip


def _toolbar(checks: Counter, texts: _Texts):
    """Check filters (value and data-check: the check id; text: its localized title) and a view toggle."""
    labels = texts.labels
    filters = E.DIV(E.STRONG(_t(f"{labels['filter_by_check']}: ")), id="filters")
    if not checks:
        filters.append(E.SPAN(_t(labels["no_flags"])))
    else:
        filters.append(E.BUTTON(_t(labels["all_checks"]), type="button", id="all-checks"))
    for check, n in sorted(checks.items()):
        box = E.INPUT(type="checkbox", value=_t(check))
        box.set("data-check", _t(check))
        filters.append(E.LABEL(box, _t(f" {texts.check(check)} ({n})"), title=_t(check)))
    view = E.DIV(E.LABEL(E.INPUT(type="checkbox", id="flagged-only"), _t(f" {labels['flagged_only']}")), id="view")
    return E.DIV(filters, view, id="toolbar")


def _row(block_id: str, block_info: str, segments: list[AlignedSegment], texts: _Texts, *, lang: str):
    source_cell = E.TD(E.CLASS("src"), lang=_t(lang))
    target_cell = E.TD(E.CLASS("tgt"), lang=_t(texts.locale.lang))
    flags = E.UL(E.CLASS("flags"))
    row_checks: set[str] = set()
    for n, item in enumerate(segments):
        if n:
            source_cell.append(E.SPAN(" "))
            target_cell.append(E.SPAN(" "))
        sid = _t(item.segment.id)
        src = E.SPAN(E.CLASS("seg"), *_with_terms(item.segment.source, item.segment.terms, texts))
        src.set("data-seg", sid)
        source_cell.append(src)
        tgt, badge = _target_spans(item.target, texts)
        tgt.set("data-seg", sid)
        target_cell.append(tgt)
        target_cell.append(badge)
        for flag in item.target.flags if item.target else ():
            row_checks.add(flag.check)
            flags.append(_flag_item(item.segment.id, flag, texts))
    if len(flags):
        target_cell.append(flags)
    row = E.TR(E.CLASS("para"), E.TD(E.CLASS("blk"), _t(block_id), E.BR(), _t(block_info)), source_cell, target_cell)
    row.set("data-checks", _t(" ".join(sorted(row_checks))))
    return row


def _target_spans(target: Target | None, texts: _Texts):
    """The target sentence (provenance in its tooltip) and its state badge (state in data-state)."""
    empty = texts.check("empty")
    if target is None:
        span = E.SPAN(E.CLASS("seg empty"), title=_t(empty))
        state, tooltip = State.INITIAL, empty
    else:
        state, tooltip = target.state, texts.provenance(target.provenance)
        text = _with_rendered_terms(target.text, target.terms, texts)
        span = E.SPAN(E.CLASS("seg" if target.text else "seg empty"), *text, title=_t(tooltip))
        span.set("data-origin", _t(target.provenance.origin.value))
    span.set("data-empty", _t(empty))  # shown by the CSS when the target is empty
    badge = E.SPAN(E.CLASS(f"state state-{state.value}"), _t(texts.state(state)),
                   title=_t(f"{texts.labels['state']}: {texts.state(state)}\n{tooltip}"))  # fmt: skip
    badge.set("data-state", _t(state.value))
    return span, badge


def _flag_item(segment_id: str, flag, texts: _Texts):
    """``[seg] <check title> (<severity>): <message>``; the message is the QA code's own English."""
    line = f"[{segment_id}] {texts.check(flag.check)} ({texts.severity(flag.severity)}): {flag.message}"
    item = E.LI(E.CLASS(f"flag sev-{_t(flag.severity)}"), _t(line), title=_t(flag.check))
    item.set("data-check", _t(flag.check))
    item.set("data-severity", _t(flag.severity))
    return item


def _term_title(hit: TermHit, texts: _Texts) -> str:
    labels = texts.labels
    expected = " | ".join(hit.expected) or "—"
    # "missing" is what the glossary-term check reports; other statuses have no catalog text yet.
    status = texts.check("glossary-term") if hit.status == "missing" else hit.status
    return _t(f"{labels['glossary']}: {hit.entry_id} · {labels['expected']}: {expected} ({status})")


def _with_terms(text: str, hits: list[TermHit], texts: _Texts) -> list:
    """Source text with each glossary hit (by offsets) wrapped in <mark>; overlaps keep the first."""
    pieces: list = []
    cursor = 0
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        start, end = hit.start, hit.end
        if not (cursor <= start < end <= len(text)) or text[start:end] != hit.term:
            continue  # offsets that do not match the text would mark the wrong words
        pieces.append(_t(text[cursor:start]))
        pieces.append(E.MARK(E.CLASS(_term_class(hit)), _t(text[start:end]), title=_term_title(hit, texts)))
        cursor = end
    pieces.append(_t(text[cursor:]))
    return [p for p in pieces if not isinstance(p, str) or p]


def _with_rendered_terms(text: str, hits: list[TermHit], texts: _Texts) -> list:
    """Target text with the rendered form of each hit marked (first occurrence, not overlapping)."""
    spans: list[tuple[int, int, TermHit]] = []
    for hit in hits:
        if not hit.rendered:
            continue
        at = text.find(hit.rendered)
        while at >= 0 and any(s < at + len(hit.rendered) and at < e for s, e, _ in spans):
            at = text.find(hit.rendered, at + 1)
        if at >= 0:
            spans.append((at, at + len(hit.rendered), hit))
    pieces: list = []
    cursor = 0
    for start, end, hit in sorted(spans, key=lambda s: s[0]):
        pieces.append(_t(text[cursor:start]))
        pieces.append(E.MARK(E.CLASS(_term_class(hit)), _t(text[start:end]), title=_term_title(hit, texts)))
        cursor = end
    pieces.append(_t(text[cursor:]))
    return [p for p in pieces if not isinstance(p, str) or p]


def _term_class(hit: TermHit) -> str:
    return "term missing" if hit.status in ("missing", "no-target") else "term"
