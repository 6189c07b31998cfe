"""The glossary desk in a real browser (Playwright on Debian's /usr/bin/chromium): a candidate
becomes an entry, a validation error shows at its field as the editor types, the forms preview
updates, and the save changes one line of the CSV."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")

from test_web_browser import Server  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM))
        yield b
        b.close()


def test_candidate_to_entry_with_field_error_forms_preview_and_a_one_line_csv_diff(site, browser):
    segments = [{"id": "s0", "source": "Talks in Nuuk went on.", "target": {"text": "Переговоры в Нууке.", "terms": []}},
                {"id": "s1", "source": "Officials in Nuuk agreed.", "target": {"text": "Чиновники согласились.", "terms": []}}]
    (site / "out" / "a1").mkdir()
    (site / "out" / "a1" / "ru.json").write_text(json.dumps({"blocks": [{"segments": segments}]}), encoding="utf-8")
    before = (site / "glossary" / "places.csv").read_text(encoding="utf-8")
    server = Server(site, accounts=False)
    errors: list[str] = []
    try:
        page = browser.new_context().new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{server.url}/glossary?token=browser-secret")
        page.get_by_role("link", name="Candidates").first.click()
        page.locator('tr[data-candidate="Nuuk"] a.start').click()
        assert page.locator('input[name="en"]').input_value() == "Nuuk"
        page.locator('input[name="en"]').fill("Trump")  # taken, with other targets
        page.locator('input[name="ru"]').fill("Нуук")
        sync_api.expect(page.locator('ul[data-problems-for="en"] li.error')).to_contain_text("conflicting targets")
        page.locator('input[name="en"]').fill("Nuuk")
        sync_api.expect(page.locator('ul[data-problems-for="en"] li.error')).to_have_count(0)
        sync_api.expect(page.locator('table.forms[data-locale="ru"]')).to_contain_text("Нуука")
        sync_api.expect(page.locator("#affected-count")).to_contain_text("2 published segment(s)")
        page.locator('input[name="arm"]').fill("Նուուկ")
        page.locator('select[name="file"]').select_option("places.csv")
        page.get_by_role("button", name="Save").click()
        sync_api.expect(page.locator("#message")).to_have_text("saved")
    finally:
        server.stop()
    after = (site / "glossary" / "places.csv").read_text(encoding="utf-8")
    assert after.startswith(before) and after[len(before):].count("\n") == 1
    assert after[len(before):].startswith("Nuuk,Нуук,Նուուկ,")
    assert errors == []
