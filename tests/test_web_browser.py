"""The workspace in a real browser (Playwright driving Debian's /usr/bin/chromium), for what only a
browser shows: the page's script saving in place, keyboard flow, two sessions in conflict, CSP.

Set I18N_PIPELINE_SCREENSHOTS=docs to refresh the README's screenshots (docs/workspace-*.png).
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium (make install as root adds it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright (pip install playwright)")

from i18n_pipeline.web import WebConfig, create_app  # noqa: E402
from i18n_pipeline.workspace import Workspace  # noqa: E402
from workspace_support import STEM, settings_for, tm_row  # noqa: E402

PASSWORD = "correct horse battery"


class Server:
    def __init__(self, site: Path, accounts: bool):
        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.config = WebConfig(settings_for(site), accounts=accounts, token="browser-secret", local_user="editor")
        self.server = uvicorn.Server(uvicorn.Config(create_app(self.config), host="127.0.0.1", port=self.port,
                                                    log_level="error", access_log=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(5)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM))
        yield b
        b.close()


@pytest.fixture
def server(site):
    s = Server(site, accounts=False)
    yield s
    s.stop()


def _open(browser, server, path="/"):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server.url}/?token=browser-secret")
    if path != "/":
        page.goto(server.url + path)
    return page


def _first_row(page):
    return page.locator("tr.seg").nth(1)


def test_open_queue_edit_save_and_see_tm_and_ru_txt(site, browser, server):
    page = _open(browser, server)
    assert page.locator("table.queue-table tbody tr").count() == 2
    shots = os.environ.get("I18N_PIPELINE_SCREENSHOTS")
    if shots:
        page.screenshot(path=str(Path(shots) / "workspace-queue.png"))
    page.locator(f'a[href="/a/{STEM}/ru"]').click()
    row = _first_row(page)
    segment = row.get_attribute("data-segment")
    area = row.locator("textarea")
    area.fill("Некоторые союзники США пересматривают обмен разведданными.")
    row.get_by_role("button", name="Save reviewed").click()
    sync_api.expect(row.locator(".result")).to_have_text("saved v1")
    sync_api.expect(row).to_have_class(re.compile(r"\bstate-reviewed\b"))
    source = Workspace(settings_for(site)).article(STEM, "ru").rows[1][1][0].segment.source
    assert tm_row(site, source).target == "Некоторые союзники США пересматривают обмен разведданными."
    assert "пересматривают обмен" in (site / "out" / STEM / "ru.txt").read_text(encoding="utf-8")
    if shots:
        page.locator("tr.seg").nth(2).locator("textarea").focus()
        page.screenshot(path=str(Path(shots) / "workspace-editor.png"))
    assert segment


def test_keyboard_flow_save_and_next_copy_source_and_help(site, browser, server):
    page = _open(browser, server, f"/a/{STEM}/ru")
    rows = page.locator("tr.seg")
    first, second = rows.nth(0), rows.nth(1)
    first.locator("textarea").focus()
    page.keyboard.press("Alt+s")  # copy the source
    assert first.locator("textarea").input_value().startswith("NBC:")
    first.locator("textarea").fill("NBC: союзники США, включая Великобританию и Канаду.")
    page.keyboard.press("Control+Enter")
    sync_api.expect(first.locator(".result")).to_have_text("saved v1")
    sync_api.expect(second.locator("textarea")).to_be_focused()
    page.keyboard.press("Alt+ArrowUp")  # previous not yet reviewed: none before, stays
    page.keyboard.press("Control+ArrowUp")
    sync_api.expect(first.locator("textarea")).to_be_focused()
    page.keyboard.press("Alt+ArrowDown")  # next not yet reviewed
    sync_api.expect(second.locator("textarea")).to_be_focused()
    page.locator("h2, header").first.click()
    page.keyboard.press("?")
    sync_api.expect(page.locator("dialog#help")).to_be_visible()
    assert "save as reviewed" in page.locator("dialog#help").inner_text()


def test_two_sessions_conflict_and_nothing_is_lost(site, browser, server):
    anna = _open(browser, server, f"/a/{STEM}/ru")
    boris = _open(browser, server, f"/a/{STEM}/ru")
    a_row, b_row = _first_row(anna), _first_row(boris)
    a_row.locator("textarea").fill("Текст Анны.")
    a_row.get_by_role("button", name="Save reviewed").click()
    sync_api.expect(a_row.locator(".result")).to_have_text("saved v1")
    b_row.locator("textarea").fill("Текст Бориса.")
    b_row.get_by_role("button", name="Save reviewed").click()
    conflict = b_row.locator(".result.conflict")
    sync_api.expect(conflict.locator("blockquote.theirs")).to_have_text("Текст Анны.")
    sync_api.expect(conflict.locator("blockquote.yours")).to_have_text("Текст Бориса.")
    assert b_row.locator("textarea").input_value() == "Текст Бориса."
    conflict.get_by_role("button", name="Keep mine (save again over theirs)").click()
    sync_api.expect(b_row.locator(".result")).to_have_text("saved v2")
    assert "Текст Бориса." in (site / "out" / STEM / "ru.txt").read_text(encoding="utf-8")


def test_script_payloads_stay_text(site, browser, server):
    page = _open(browser, server, f"/a/{STEM}/ru")
    row = _first_row(page)
    payload = '<img src=x onerror="window.pwned=1;alert(1)"><script>window.pwned=2;alert(2)</script>'
    row.locator("textarea").fill(payload)
    row.get_by_role("button", name="Save reviewed").click()
    sync_api.expect(row.locator(".result")).to_have_text("saved v1")
    page.reload()
    assert _first_row(page).locator("textarea").input_value() == payload
    assert page.evaluate("window.pwned === undefined") and page.dialogs == []
    assert page.locator("tr.seg img, tr.seg script").count() == 0


def test_a_ru_translator_is_refused_on_arm(site, browser):
    Workspace(settings_for(site)).add_user("rita", PASSWORD, ("translator:ru",))
    server = Server(site, accounts=True)
    try:
        page = browser.new_context().new_page()
        page.goto(f"{server.url}/a/{STEM}/arm")
        page.fill('input[name="name"]', "rita")
        page.fill('input[name="password"]', PASSWORD)
        page.click('button[type="submit"]')
        page.wait_for_url(f"**/a/{STEM}/arm")
        assert "You may read this locale but not change it" in page.content()
        assert page.get_by_role("button", name="Save reviewed").count() == 0
        status = page.evaluate("""async () => {
            const row = document.querySelector("tr.seg");
            const body = new URLSearchParams({csrf: document.querySelector('meta[name=csrf-token]').content,
                segment: row.dataset.segment, version: "0", text: "x", state: "reviewed"});
            const r = await fetch(location.pathname + "/save", {method: "POST", body, headers: {Accept: "application/json"}});
            return r.status; }""")
        assert status == 403
    finally:
        server.stop()


def test_ctrl_i_inserts_the_best_fuzzy_match_and_it_saves(site, browser, server):
    from i18n_pipeline.document import Origin, State
    from i18n_pipeline.tm import TMEntry, TranslationMemory

    item = [i for _, row in Workspace(settings_for(site)).article(STEM, "ru").rows for i in row if i.editable][1]
    source = item.segment.source.rstrip(".").rpartition(" ")[0] + " somewhere."
    with TranslationMemory(site / "state" / "tm.sqlite") as tm:
        tm.import_human([TMEntry(source, "Нечёткое совпадение.", "en", "ru", Origin.HUMAN, State.REVIEWED)])
    page = _open(browser, server, f"/a/{STEM}/ru")
    row = page.locator(f"#seg-{item.segment.id}")
    sync_api.expect(row.locator("li.match mark.diff").first).to_have_text("somewhere")
    row.locator("textarea").focus()
    page.keyboard.press("Control+i")
    assert row.locator("textarea").input_value() == "Нечёткое совпадение."
    page.keyboard.press("Control+Enter")
    sync_api.expect(row.locator(".result")).to_have_text("saved v1")
    assert tm_row(site, item.segment.source).target == "Нечёткое совпадение."


def test_revert_from_the_history_page_and_a_changed_source_shown_as_needs_review(site, browser, server):
    from typer.testing import CliRunner

    from i18n_pipeline.accounts import User
    from i18n_pipeline.cli import app
    from i18n_pipeline.document import State
    from i18n_pipeline.workspace import Correction

    ws = Workspace(settings_for(site))
    item = [i for _, row in ws.article(STEM, "ru").rows for i in row if i.editable][0]
    who = User("editor", ("admin",))
    ws.apply_correction(Correction(STEM, "ru", item.segment.id, "Первая правка.", State.REVIEWED, 0, who))
    ws.apply_correction(Correction(STEM, "ru", item.segment.id, "Вторая правка.", State.REVIEWED, 1, who))
    page = _open(browser, server, f"/a/{STEM}/ru")
    page.locator(f"#seg-{item.segment.id} a.history-link").click()
    page.locator("tr.version[data-version='1'] button").click()
    sync_api.expect(page.locator("tr.version").first).to_have_attribute("data-version", "3")
    assert tm_row(site, item.segment.source).target == "Первая правка."

    inbox = next((site / "inbox").glob("*.txt"))
    new = item.segment.source.rstrip(".") + " today."
    inbox.write_text(inbox.read_text(encoding="utf-8").replace(item.segment.source, new), encoding="utf-8")
    result = CliRunner().invoke(app, ["translate", str(site / "inbox"), "--to", "ru", "--out", str(site / "out"),
                                      "--models", str(site / "models"), "--state", str(site / "state"),
                                      "--glossary", str(site / "glossary"), "--quiet"])
    assert result.exit_code == 0, result.output
    page.goto(f"{server.url}/a/{STEM}/ru")
    row = page.locator("tr.seg", has=page.locator(".badge.needs-review"))
    sync_api.expect(row).to_have_count(1)
    assert row.locator("textarea").input_value() == "Первая правка."
    sync_api.expect(row.locator(".source-diff ins")).to_contain_text("today")


def test_the_editor_sends_the_focus_time_and_counts_afresh_after_a_save(site, browser, server):
    page = _open(browser, server, f"/a/{STEM}/ru")
    row = _first_row(page)
    segment = row.get_attribute("data-segment")
    area = row.locator("textarea")
    area.focus()
    page.wait_for_timeout(400)
    area.fill("Первая правка с таймером.")
    page.locator("h2, header").first.click()  # blur: time away from the segment does not count
    page.wait_for_timeout(2000)
    area.focus()
    page.keyboard.press("Control+Enter")
    sync_api.expect(row.locator(".result")).to_have_text("saved v1")
    area.focus()
    page.wait_for_timeout(200)
    area.fill("Вторая правка.")
    row.get_by_role("button", name="Save reviewed").click()
    sync_api.expect(row.locator(".result")).to_have_text("saved v2")
    second, first = (h.edit_ms for h in Workspace(settings_for(site)).history(STEM, "ru", segment))
    assert 400 <= first < 2000  # the 2 s without focus are left out
    assert 200 <= second < first + 200  # counted afresh from the first save


def test_the_stats_page_shows_the_figures_sacrebleu_gives_for_edits_made_in_the_browser(site, browser, server):
    from sacrebleu.metrics import CHRF, TER

    page = _open(browser, server, f"/a/{STEM}/ru")
    rows = page.locator("tr.seg:has(textarea)")
    finals = [None, "Совсем другой перевод этого предложения.", "Союзники США, по словам источников, сократят обмен."]
    mts, ids = [], []
    for n, final in enumerate(finals):  # the first is saved as the MT left it: unchanged
        row = rows.nth(n)
        ids.append(row.get_attribute("data-segment"))
        area = row.locator("textarea")
        mts.append(area.input_value())  # the MT text as the translator saw it, whatever the model wrote
        if final is not None:
            area.fill(final)
        row.get_by_role("button", name="Save reviewed").click()
        sync_api.expect(row.locator(".result")).to_have_text("saved v1")
    posts = [mts[0], *finals[1:]]
    hter = TER(case_sensitive=True).corpus_score(mts, [posts]).score  # computed here, not by the pipeline
    chrf = CHRF().corpus_score(mts, [posts]).score
    unchanged = 100 * sum(m == p for m, p in zip(mts, posts)) / len(mts)
    page.goto(f"{server.url}/stats")
    overall = page.locator('table[data-group="Overall"] tr[data-key="all"]')
    sync_api.expect(overall.locator("td.segments")).to_have_text("3")
    assert overall.locator("td.hter").inner_text().strip() == f"{hter:.1f}"
    assert overall.locator("td.chrf").inner_text().strip() == f"{chrf:.1f}"
    assert overall.locator("td.unchanged").inner_text().strip() == f"{unchanged:.1f}%"
    chart = page.locator("figure.chart")  # one model wrote all three: one chart, one week
    sync_api.expect(chart).to_have_count(1)
    assert chart.locator("rect.hter").get_attribute("data-value") == f"{hter:.1f}"
    assert chart.locator("rect.chrf").get_attribute("data-value") == f"{chrf:.1f}"
    assert chart.locator("rect.chrf").bounding_box()["height"] > 0  # drawn, not only in the markup
    if os.environ.get("I18N_PIPELINE_SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["I18N_PIPELINE_SCREENSHOTS"]) / "workspace-stats.png"), full_page=True)
    page.locator('table[data-group="Per article"]').get_by_role("link", name=STEM).click()  # the drill-down
    page.wait_for_url(f"**/stats/a/{STEM}")
    segments = page.locator('table[data-group="Segments"] tr.segment')
    sync_api.expect(segments).to_have_count(3)
    for segment, mt, post in zip(ids, mts, posts):
        row = page.locator(f'tr.segment[data-segment="{segment}"]')
        assert row.locator(".mt-text").inner_text() == mt and row.locator(".final-text").inner_text() == post
        assert row.locator("td.hter").inner_text().strip() == f"{TER(case_sensitive=True).sentence_score(mt, [post]).score:.1f}"
        assert row.locator("td.chrf").inner_text().strip() == f"{CHRF().sentence_score(mt, [post]).score:.1f}"
        assert row.locator("td.unchanged").inner_text().strip() == ("yes" if mt == post else "no")
        if mt == post:
            assert row.locator("p.diff ins, p.diff del").count() == 0
        else:  # the word diff the history page draws
            assert row.locator("p.diff ins").first.is_visible()
    if os.environ.get("I18N_PIPELINE_SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["I18N_PIPELINE_SCREENSHOTS"]) / "workspace-stats-article.png"), full_page=True)
