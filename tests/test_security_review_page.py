"""The review page and the translated article page run no script that came from outside.

Hostile text reaches the pages from three places: the article (headline, byline, body), the
glossary (approved targets, enforced into the MT output and shown in term titles) and files
translators send back (a human target imported into the TM and served on the next run). The
pages are opened in headless Chromium, which runs every script and event handler it finds;
each payload, if it ran, leaves a mark in the DOM (an attribute on <html>, a changed title)
that ``--dump-dom`` shows. A control page with the same payloads unescaped proves the marks
appear when scripts do run.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import lxml.html
import pytest
import yaml
from typer.testing import CliRunner

from i18n_pipeline.cli import app
from i18n_pipeline.export.review_page import _JS as REVIEW_PAGE_SCRIPT
from i18n_pipeline.mt.store import ModelStore

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is absent: run `make install` as root (apt-get install chromium)"
)
runner = CliRunner()

# Each payload marks the DOM in a way that cannot appear unless it ran: the marker name is
# assembled at run time ('data-' + 'pwned'), so escaped payload text never contains it.
MARK = "document.documentElement.setAttribute('data-'+'pwned','{0}')"
PAYLOADS = [
    f"<script>{MARK.format('script')}</script>",
    f"<img src=x onerror=\"{MARK.format('img')}\">",
    f"<svg onload=\"{MARK.format('svg')}\"></svg>",
    f"<iframe srcdoc=\"<script>parent.{MARK.format('iframe')}</script>\"></iframe>",
    f"\"><input autofocus onfocus=\"{MARK.format('focus')}\">",
    f"'><details open ontoggle=\"{MARK.format('toggle')}\"></details>",
    "</title></textarea></script><script>document.title='P'+'WNED'</script>",
    f"<body onload=\"{MARK.format('body')}\">",
    f"<object data=\"javascript:{MARK.format('object')}\"></object>",
    f"<a href=\"javascript:{MARK.format('href')}\" id=x>x</a><style>*{{background:url(javascript:{MARK.format('css')})}}</style>",
    f"<meta http-equiv=\"refresh\" content=\"0;url=javascript:{MARK.format('meta')}\">",
    f"{{{{constructor.constructor('{MARK.format('template')}')()}}}}",
]


def sentence(n: int, payload: str) -> str:
    return f"Officials said report number {n} contains {payload} in its text."


FRONT_MATTER = {
    "title": f"Council budget {PAYLOADS[6]} {PAYLOADS[1]}",
    "author": f"Anna {PAYLOADS[4]}",
    "section": "<script>document.title='P'+'WNED'</script>",
    "published": "2025-03-06T20:22:00+04:00",
}
ARTICLE = "---\n" + yaml.safe_dump(FRONT_MATTER, allow_unicode=True) + "---\n\n" + "\n".join(
    f"{sentence(n, p)} The Council met again.\n" for n, p in enumerate(PAYLOADS)
)


@pytest.fixture(scope="module")
def pages(tmp_path_factory, copy_package, copy_package_hy) -> dict[str, Path]:
    """Run translate once on the hostile article, with a hostile glossary and a hostile import."""
    root = tmp_path_factory.mktemp("hostile")
    models = root / "models"
    store = ModelStore(models)
    store.install(copy_package)
    store.install(copy_package_hy)
    inbox = root / "inbox"
    inbox.mkdir()
    (inbox / "hostile.md").write_text(ARTICLE, encoding="utf-8")
    glossary = root / "glossary"
    glossary.mkdir()
    term_ru = PAYLOADS[2].replace('"', '""')
    term_arm = PAYLOADS[5].replace('"', '""')
    (glossary / "terms.csv").write_text(
        "en,ru,arm,note\n"
        f"Council,\"{term_ru}\",\"{term_arm}\",\"{PAYLOADS[0].replace(chr(34), chr(34) * 2)}\"\n", encoding="utf-8")
    # A translator's file approving a hostile Russian target for one of the sentences.
    reviewed = root / "reviewed.xlf"
    source = sentence(3, PAYLOADS[3])
    reviewed.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="en" trgLang="ru">'
        '<file id="f"><unit id="u"><segment state="final">'
        f"<source>{_xml(source)}</source><target>{_xml('Перевод ' + PAYLOADS[7] + PAYLOADS[1])}</target>"
        "</segment></unit></file></xliff>", encoding="utf-8")
    state = root / "state"
    imported = runner.invoke(app, ["review", "import", str(reviewed), "--state", str(state)])
    assert imported.exit_code == 0, imported.output
    out = root / "out"
    result = runner.invoke(app, ["translate", str(inbox), "--to", "ru,arm", "--out", str(out), "--models", str(models),
                                 "--state", str(state), "--glossary", str(glossary), "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    folder = out / "hostile"
    return {name: folder / name for name in ("ru.review.html", "arm.review.html", "ru.html", "arm.html")}


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize("name", ["ru.review.html", "arm.review.html", "ru.html", "arm.html"])
def test_pages_hold_the_payloads_only_as_text(pages, name):
    page = pages[name].read_text(encoding="utf-8")
    doc = lxml.html.document_fromstring(page)
    text = doc.text_content()
    assert "onerror=" in text and "<script>" in text  # the payloads reached the page, as text
    if name.startswith("ru."):
        assert "Перевод <body onload=" in text  # the translator's imported target, served from the TM
    scripts = [s.text for s in doc.iter("script")]
    assert scripts == ([REVIEW_PAGE_SCRIPT] if name.endswith(".review.html") else [])
    allowed = {"html", "head", "meta", "title", "style", "body", "article", "h1", "h2", "p", "ul", "li", "blockquote",
               "div", "strong", "span", "input", "label", "button", "script", "table", "thead", "tbody", "tr", "th", "td", "br", "mark"}
    assert {el.tag for el in doc.iter() if isinstance(el.tag, str)} <= allowed
    for element in doc.iter():
        for attribute, value in element.attrib.items():
            assert not attribute.lower().startswith("on"), (element.tag, attribute)
            assert "javascript:" not in value.lower().replace(" ", ""), (element.tag, attribute, value)
    assert [m.get("charset") for m in doc.iter("meta")] == ["utf-8"]
    assert len(list(doc.iter("style"))) == (1 if name.endswith(".review.html") else 0)


def _dump_dom(page: Path, profile: Path) -> str:
    """The DOM after Chromium loaded the page and ran its scripts and timers (virtual 3 s)."""
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--virtual-time-budget=3000", "--dump-dom", page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL)
    assert done.returncode == 0 and "<html" in done.stdout, done.stderr[-2000:]
    return done.stdout


def _marks(dom: str) -> list[str]:
    root = lxml.html.document_fromstring(dom)
    found = [f"{el.tag}[{a}={v}]" for el in root.iter() if isinstance(el.tag, str)
             for a, v in el.attrib.items() if a == "data-pwned"]
    title = root.findtext(".//title") or ""
    return found + (["title changed to PWNED"] if "PWNED" in title else [])


@needs_chromium
def test_control_the_same_payloads_unescaped_do_run(tmp_path):
    page = tmp_path / "control.html"
    page.write_text("<!DOCTYPE html><html><head><title>control</title></head><body>"
                    + "".join(PAYLOADS) + "</body></html>", encoding="utf-8")
    assert _marks(_dump_dom(page, tmp_path / "profile"))


@needs_chromium
@pytest.mark.parametrize("name", ["ru.review.html", "arm.review.html", "ru.html"])
def test_no_script_runs_when_chromium_opens_the_page(pages, name, tmp_path):
    before = pages[name].read_bytes()
    dom = _dump_dom(pages[name], tmp_path / "profile")
    assert _marks(dom) == []
    shown = lxml.html.document_fromstring(dom)
    assert "onerror=" in shown.text_content()  # Chromium rendered the payload text itself
    assert pages[name].read_bytes() == before
