"""The side-by-side review page: one standalone HTML file per article and locale.

Source left, target right, one table row per paragraph; every sentence is a ``<span>`` with
``data-seg="<segment id>"`` on both sides, so hovering either highlights the pair. Glossary
terms are ``<mark class="term">`` (title: the approved forms and status), QA flags are listed
under the target with their check id and severity and can be filtered by check id, and every
target sentence shows its state and provenance.

The page is built with lxml's HTML builder: every piece of text (article, glossary, QA
messages, imported files) becomes a text node or attribute value and is escaped by the
serializer; the only raw markup is the constant CSS and JavaScript below. There is no external
URL (no src, href, link, @import or url()), so it opens offline from disk.
"""

from __future__ import annotations

from collections import Counter

import lxml.html
from lxml.html import builder as E

from ..document import Article, State, TermHit
from ..locales import Locale
from .aligned import AlignedSegment, aligned_blocks, xml_text
from .article import translated_article

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:0 1.5rem 3rem;color:#1d1d1f}
h1{font-size:1.3rem;margin:1rem 0 .3rem}
.meta{color:#555;margin:.2rem 0}
#filters{position:sticky;top:0;background:#fff;padding:.5rem 0;border-bottom:1px solid #ddd;z-index:1}
#filters label{margin-right:1rem;white-space:nowrap}
table{border-collapse:collapse;width:100%;table-layout:fixed}
th,td{border-bottom:1px solid #e4e4e4;padding:.5rem;vertical-align:top;text-align:left}
th.blk,td.blk{width:7rem;color:#777;font-size:.8rem}
.seg{border-radius:3px;padding:0 1px}
.seg.hl{background:#ffe98a}
.state{font-size:.7rem;color:#fff;border-radius:3px;padding:0 3px;margin:0 .3rem 0 .1rem;vertical-align:super}
.state-initial{background:#b3261e}.state-translated{background:#8a8a8a}
.state-reviewed{background:#2e7d32}.state-final{background:#1b5e20}
.empty::before{content:"(no translation)";color:#b3261e;font-style:italic}
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
  function apply() {
    var on = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    document.querySelectorAll('tr.para').forEach(function (tr) {
      var checks = (tr.getAttribute('data-checks') || '').split(' ').filter(Boolean);
      tr.hidden = on.length > 0 && !checks.some(function (c) { return on.indexOf(c) >= 0; });
    });
    document.querySelectorAll('li.flag').forEach(function (li) {
      li.classList.toggle('dim', on.length > 0 && on.indexOf(li.getAttribute('data-check')) < 0);
    });
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
})();
"""


def review_html(article: Article, locale: Locale, *, source_lang: str = "en") -> str:
    blocks = aligned_blocks(article, locale.site)
    items = [item for _, segments in blocks for item in segments]
    doc = translated_article(article, locale)
    states = Counter(item.target.state.value if item.target else State.INITIAL.value for item in items)
    checks = Counter(flag.check for item in items if item.target for flag in item.target.flags)

    header = [
        E.H1(_t(article.headline or doc.headline)),
        E.P(E.CLASS("meta"), _t(f"{article.stem} · {source_lang} → {locale.lang} ({locale.site}) · {len(items)} segments · ")
            + _t(", ".join(f"{n} {state}" for state, n in sorted(states.items())))),
    ]
    for label, value in (("Dateline", doc.dateline), ("Byline", doc.byline)):
        if value:
            header.append(E.P(E.CLASS("meta"), E.STRONG(f"{label}: "), _t(value)))

    filters = E.DIV(id="filters")
    filters.append(E.STRONG("QA checks: "))
    if not checks:
        filters.append(E.SPAN("no flags"))
    for check, n in sorted(checks.items()):
        box = E.INPUT(type="checkbox", value=_t(check))
        box.set("data-check", _t(check))
        filters.append(E.LABEL(box, _t(f" {check} ({n})")))

    table = E.TABLE(
        E.THEAD(E.TR(E.TH(E.CLASS("blk"), "Block"), E.TH(f"Source ({source_lang})"), E.TH(f"Target ({locale.lang})"))),
        E.TBODY(*[_row(block.id, block.role.value, block.lang, segments, source_lang, locale.lang) for block, segments in blocks]),
        id="review",
    )
    page = E.HTML(
        E.HEAD(E.META(charset="utf-8"), E.TITLE(_t(f"Review · {article.stem} · {locale.site}")), E.STYLE(_CSS)),
        E.BODY(*header, filters, table, E.SCRIPT(_JS)),
        lang="en",
    )
    return lxml.html.tostring(page, doctype="<!DOCTYPE html>", encoding="unicode")


def _t(text: str) -> str:
    return xml_text(text)


def _row(block_id: str, role: str, lang: str, segments: list[AlignedSegment], source_lang: str, target_lang: str):
    source_cell = E.TD(E.CLASS("src"), lang=_t(lang or source_lang))
    target_cell = E.TD(E.CLASS("tgt"), lang=target_lang)
    flags = E.UL(E.CLASS("flags"))
    row_checks: set[str] = set()
    for n, item in enumerate(segments):
        if n:
            source_cell.append(E.SPAN(" "))
            target_cell.append(E.SPAN(" "))
        sid = _t(item.segment.id)
        src = E.SPAN(E.CLASS("seg"), *_with_terms(item.segment.source, item.segment.terms))
        src.set("data-seg", sid)
        source_cell.append(src)
        target = item.target
        if target is None:
            tgt = E.SPAN(E.CLASS("seg empty"), title="no translation")
            state = State.INITIAL
        else:
            tgt = E.SPAN(E.CLASS("seg" if target.text else "seg empty"), *_with_rendered_terms(target.text, target.terms), title=_t(target.provenance.describe()))
            state = target.state
            for flag in target.flags:
                row_checks.add(flag.check)
                li = E.LI(E.CLASS(f"flag sev-{_t(flag.severity)}"), _t(f"[{item.segment.id}] {flag.check} ({flag.severity}): {flag.message}"))
                li.set("data-check", _t(flag.check))
                flags.append(li)
        tgt.set("data-seg", sid)
        target_cell.append(tgt)
        target_cell.append(E.SPAN(E.CLASS(f"state state-{state.value}"), state.value))
    if len(flags):
        target_cell.append(flags)
    row = E.TR(E.CLASS("para"), E.TD(E.CLASS("blk"), _t(block_id), E.BR(), _t(f"{role} · {lang or '?'}")), source_cell, target_cell)
    row.set("data-checks", _t(" ".join(sorted(row_checks))))
    return row


def _term_title(hit: TermHit) -> str:
    expected = " | ".join(hit.expected) or "no approved target"
    return _t(f"{hit.entry_id}: {expected} ({hit.status})")


def _with_terms(text: str, hits: list[TermHit]) -> list:
    """Source text with each glossary hit (by offsets) wrapped in <mark>; overlaps keep the first."""
    pieces: list = []
    cursor = 0
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        start, end = hit.start, hit.end
        if not (cursor <= start < end <= len(text)) or text[start:end] != hit.term:
            continue  # offsets that do not match the text would mark the wrong words
        pieces.append(_t(text[cursor:start]))
        pieces.append(E.MARK(E.CLASS(_term_class(hit)), _t(text[start:end]), title=_term_title(hit)))
        cursor = end
    pieces.append(_t(text[cursor:]))
    return [p for p in pieces if not isinstance(p, str) or p]


def _with_rendered_terms(text: str, hits: list[TermHit]) -> list:
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
        pieces.append(E.MARK(E.CLASS(_term_class(hit)), _t(text[start:end]), title=_term_title(hit)))
        cursor = end
    pieces.append(_t(text[cursor:]))
    return [p for p in pieces if not isinstance(p, str) or p]


def _term_class(hit: TermHit) -> str:
    return "term missing" if hit.status in ("missing", "no-target") else "term"
