"""The workspace's views in process (Starlette's TestClient over httpx): access, saves, errors, escaping."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from i18n_pipeline.cli import app as cli
from i18n_pipeline.web import WebConfig, create_app
from i18n_pipeline.workspace import Workspace
from workspace_support import STEM, outputs_digest, settings_for, tm_row

PASSWORD = "correct horse battery"


def _client(site, accounts=False):
    config = WebConfig(settings_for(site), accounts=accounts, token="launch-secret", local_user="editor")
    return TestClient(create_app(config), base_url="http://127.0.0.1", follow_redirects=False)


@pytest.fixture
def local(site):
    client = _client(site)
    assert client.get("/?token=launch-secret").status_code == 303
    return client


def _csrf(page: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def _segment(site, n=1):
    items = [i for _, row in Workspace(settings_for(site)).article(STEM, "ru").rows for i in row if i.editable]
    return items[n]


def _save(client, locale="ru", *, text="Правка.", version=0, state="reviewed", segment=None, csrf=None, site=None, json=True,
          edit_ms=None):
    page = client.get(f"/a/{STEM}/{locale}").text
    data = {"csrf": csrf if csrf is not None else _csrf(page), "segment": segment, "version": str(version), "text": text,
            "state": state, "edit_ms": edit_ms}
    headers = {"accept": "application/json"} if json else {}
    return client.post(f"/a/{STEM}/{locale}/save", data={k: v for k, v in data.items() if v is not None}, headers=headers)


def test_without_the_launch_secret_nothing_is_shown(site):
    client = _client(site)
    assert client.get("/").status_code == 401
    assert client.get("/?token=wrong").status_code == 401
    answer = client.get("/?token=launch-secret")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_queue_and_editor_pages_carry_a_strict_csp(local):
    queue = local.get("/")
    assert queue.status_code == 200 and f"/a/{STEM}/ru" in queue.text and f"/a/{STEM}/arm" in queue.text
    csp = queue.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    editor = local.get(f"/a/{STEM}/ru")
    assert editor.status_code == 200 and "<script>" not in editor.text and "style=" not in editor.text
    assert 'class="term"' in editor.text and "США" in editor.text  # glossary terms with approved targets
    assert local.get("/static/workspace.js").status_code == 200


def test_filters(local):
    assert f"/a/{STEM}/arm" not in local.get("/?locale=ru").text
    assert STEM not in local.get("/?state=final").text
    assert STEM in local.get("/?errors=1").text
    assert STEM not in local.get("/?mine=1").text


def test_a_save_answers_with_the_new_version_and_fresh_qa(site, local):
    seg = _segment(site)
    answer = _save(local, segment=seg.segment.id, text="Союзники США.")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["version"] == 1 and body["state"] == "reviewed" and body["who"] == "editor"
    assert any(f["check"] == "glossary-term" for f in body["flags"])  # Washington, Trump, Russia left out
    assert tm_row(site, seg.segment.source).target == "Союзники США."
    assert "Союзники США." in (site / "out" / STEM / "ru.txt").read_text(encoding="utf-8")
    assert STEM in local.get("/?mine=1").text


def test_a_plain_form_post_redirects_back_to_the_segment(site, local):
    seg = _segment(site)
    answer = _save(local, segment=seg.segment.id, json=False)
    assert answer.status_code == 303 and answer.headers["location"].endswith(f"#seg-{seg.segment.id}")


def test_a_stale_version_gets_409_with_both_texts(site, local):
    seg = _segment(site)
    assert _save(local, segment=seg.segment.id, text="Первая.").status_code == 200
    before = outputs_digest(site)
    answer = _save(local, segment=seg.segment.id, text="Вторая.", version=0)
    assert answer.status_code == 409
    conflict = answer.json()["conflict"]
    assert (conflict["yours"], conflict["theirs"], conflict["version"]) == ("Вторая.", "Первая.", 1)
    assert outputs_digest(site) == before
    page = _save(local, segment=seg.segment.id, text="Вторая.", version=0, json=False)
    assert page.status_code == 409 and "Первая." in page.text and "Вторая." in page.text


@pytest.mark.parametrize(("change", "status"), [
    ({"csrf": "forged"}, 403),
    ({"csrf": ""}, 403),
    ({"version": "x"}, 400),
    ({"state": "approved"}, 400),
    ({"version": 7}, 400),
    ({"segment": "no-such-segment"}, 404),
    ({"text": "x" * 6000}, 400),
])
def test_bad_input_is_one_message_a_4xx_and_nothing_changed(site, local, change, status):
    seg = _segment(site)
    before = outputs_digest(site)
    answer = _save(local, **{"segment": seg.segment.id, **change})
    assert answer.status_code == status and answer.json()["error"]
    assert outputs_digest(site) == before


def test_unknown_article_oversize_body_and_malformed_form(site, local):
    assert local.get("/a/nothing-here/ru").status_code == 404
    assert local.get(f"/a/{STEM}/de").status_code == 404
    before = outputs_digest(site)
    huge = local.post(f"/a/{STEM}/ru/save", content=b"text=" + b"x" * 100_000,
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert huge.status_code == 413
    broken = local.post(f"/a/{STEM}/ru/save", content=b"--x\r\nnot multipart", headers={
        "content-type": "multipart/form-data; boundary=x", "accept": "application/json"})
    assert broken.status_code in (400, 403)
    assert outputs_digest(site) == before


def test_script_payloads_are_escaped(site, local):
    seg = _segment(site)
    payload = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    assert _save(local, segment=seg.segment.id, text=payload).status_code == 200
    page = local.get(f"/a/{STEM}/ru").text
    assert payload not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.fixture
def accounts(site):
    ws = Workspace(settings_for(site))
    ws.add_user("rita", PASSWORD, ("translator:ru",))
    ws.add_user("vera", PASSWORD, ("reviewer",))
    return _client(site, accounts=True)


def _login(client, name, password=PASSWORD):
    page = client.get("/login")
    return client.post("/login?next=/", data={"csrf": _csrf(page.text), "name": name, "password": password})


def test_accounts_mode_needs_a_login_with_csrf(accounts):
    assert accounts.get("/").status_code == 303
    assert accounts.get("/?token=launch-secret").headers["location"].startswith("/login")
    page = accounts.get("/login")
    assert accounts.post("/login", data={"csrf": "forged", "name": "rita", "password": PASSWORD}).status_code == 403
    assert _login(accounts, "rita", "wrong password").status_code == 401
    answer = _login(accounts, "rita")
    assert answer.status_code == 303 and accounts.get("/").status_code == 200
    assert page.status_code == 200


def test_logins_are_rate_limited(accounts):
    for _ in range(5):
        assert _login(accounts, "rita", "wrong password").status_code == 401
    assert _login(accounts, "rita").status_code == 429


def test_a_ru_translator_cannot_change_arm_and_only_a_reviewer_sets_final(site, accounts):
    _login(accounts, "rita")
    seg = _segment(site)
    refused = _save(accounts, "arm", segment=seg.segment.id)
    assert refused.status_code == 403 and "translator:arm" in refused.json()["error"]
    assert "You may read this locale but not change it" in accounts.get(f"/a/{STEM}/arm").text
    assert _save(accounts, segment=seg.segment.id, state="final").status_code == 403
    assert _save(accounts, segment=seg.segment.id).status_code == 200
    reviewer = TestClient(accounts.app, base_url="http://127.0.0.1", follow_redirects=False)
    _login(reviewer, "vera")
    assert _save(reviewer, segment=seg.segment.id, state="final", version=1).status_code == 200


def test_users_add_and_serve_refusing_a_public_host_without_accounts(site, monkeypatch):
    runner = CliRunner()
    state = str(site / "state")
    refused = runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--state", state, "--out", str(site / "out")])
    assert refused.exit_code == 2 and "users add" in refused.output
    bad = runner.invoke(cli, ["users", "add", "x", "--role", "translator:de", "--state", state])
    assert bad.exit_code == 2 and "unknown locale" in bad.output
    monkeypatch.setenv("I18N_PIPELINE_PASSWORD", PASSWORD)
    added = runner.invoke(cli, ["users", "add", "anna", "--role", "translator:hy", "--state", state])
    assert added.exit_code == 0 and "translator:arm" in added.output
    listed = runner.invoke(cli, ["users", "list", "--state", state])
    assert listed.exit_code == 0 and "anna\ttranslator:arm" in listed.output


def _seed_fuzzy(site, item, target="Мэр сказал иначе.", origin=None):
    """A human TM row whose source is the segment's with its last word changed (a fuzzy match)."""
    from i18n_pipeline.document import Origin, State
    from i18n_pipeline.tm import TMEntry, TranslationMemory

    head, _, last = item.segment.source.rstrip(".").rpartition(" ")
    source = f"{head} somewhere."
    with TranslationMemory(site / "state" / "tm.sqlite") as tm:
        tm.import_human([TMEntry(source, target, "en", "ru", origin or Origin.HUMAN, State.REVIEWED)])
    return source, last


def test_the_editor_lists_fuzzy_matches_with_percentage_and_differing_words(site, local):
    item = _segment(site, 1)
    source, last = _seed_fuzzy(site, item, target="<b>Мэр</b> сказал иначе.")
    page = local.get(f"/a/{STEM}/ru").text
    row = page[page.index(f'id="seg-{item.segment.id}"'):]
    row = row[:row.index("</tr>")]
    assert 'class="fuzzy"' in row and "(Ctrl+I)" in row
    from i18n_pipeline.tm.fuzzy import words

    n = len(words(item.segment.source))  # one word of n replaced: (n - 1) / n
    assert f'<span class="label pct">{round((n - 1) / n * 100)}%</span>' in row
    assert '<mark class="diff">somewhere</mark>' in row
    assert "&lt;b&gt;Мэр&lt;/b&gt; сказал иначе." in row  # escaped, never markup


def test_the_editor_names_glossary_terms_that_differ_in_a_fuzzy_match(site, local):
    from i18n_pipeline.document import Origin, State
    from i18n_pipeline.tm import TMEntry, TranslationMemory

    item = next(i for i in (_segment(site, n) for n in range(1, 6)) if "CIA" not in i.segment.source)
    head, _, _ = item.segment.source.rstrip(".").rpartition(" ")
    with TranslationMemory(site / "state" / "tm.sqlite") as tm:  # the last word becomes a glossary term
        tm.import_human([TMEntry(f"{head} CIA.", "Перевод с ЦРУ.", "en", "ru", Origin.HUMAN, State.REVIEWED)])
    page = local.get(f"/a/{STEM}/ru").text
    row = page[page.index(f'id="seg-{item.segment.id}"'):]
    row = row[:row.index("</tr>")]
    assert '<span class="flag warning terms">glossary terms differ: CIA</span>' in row


def test_history_page_shows_each_save_as_a_diff_and_reverts_need_csrf(site, local):
    item = _segment(site, 1)
    sid = item.segment.id
    assert local.get(f"/a/{STEM}/ru/history/{sid}").status_code == 404  # never saved
    assert _save(local, text="Первая <правка>.", segment=sid).status_code == 200
    assert _save(local, text="Вторая <правка>.", segment=sid, version=1).status_code == 200
    page = local.get(f"/a/{STEM}/ru/history/{sid}")
    assert page.status_code == 200
    assert "<del>Первая</del><ins>Вторая</ins> &lt;правка&gt;." in page.text
    assert 'value="1"><input type="hidden" name="version" value="2"><button type="submit">Revert to v1' in page.text
    form = {"segment": sid, "to": "1", "version": "2"}
    assert local.post(f"/a/{STEM}/ru/revert", data=form).status_code == 403  # no CSRF token
    answer = local.post(f"/a/{STEM}/ru/revert", data={**form, "csrf": _csrf(page.text)})
    assert answer.status_code == 303 and answer.headers["location"] == f"/a/{STEM}/ru/history/{sid}"
    assert tm_row(site, item.segment.source).target == "Первая <правка>."
    stale = local.post(f"/a/{STEM}/ru/revert", data={**form, "csrf": _csrf(page.text)})
    assert stale.status_code == 409 and "after you opened it" in stale.text
    editor = local.get(f"/a/{STEM}/ru").text
    assert f'href="/a/{STEM}/ru/history/{sid}">history</a>' in editor


def test_a_save_stores_the_editors_edit_time_capped_and_refuses_a_non_number(site, local):
    from i18n_pipeline.workspace import EDIT_MS_CAP

    seg = _segment(site)
    assert _save(local, segment=seg.segment.id, text="Первая.", edit_ms="2500").status_code == 200
    assert _save(local, segment=seg.segment.id, text="Вторая.", version=1, edit_ms=str(EDIT_MS_CAP * 3)).status_code == 200
    bad = _save(local, segment=seg.segment.id, text="Третья.", version=2, edit_ms="soon")
    assert bad.status_code == 400 and "\n" not in bad.json()["error"]
    history = Workspace(settings_for(site)).history(STEM, "ru", seg.segment.id)
    assert [h.edit_ms for h in history] == [EDIT_MS_CAP, 2500]


@pytest.mark.parametrize("fmt, version", [("xliff12", "1.2"), ("xliff20", "2.0"), ("xliff21", "2.1")])
def test_the_editor_offers_each_xliff_and_it_carries_the_saved_text(site, local, tmp_path, fmt, version):
    from lxml import etree

    from i18n_pipeline.review import read_bilingual

    seg = _segment(site)
    assert _save(local, segment=seg.segment.id, text="Сохранённая правка.").status_code == 200
    assert f"/a/{STEM}/ru/export?format={fmt}" in local.get(f"/a/{STEM}/ru").text
    answer = local.get(f"/a/{STEM}/ru/export?format={fmt}")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/xliff+xml")
    assert answer.headers["content-disposition"] == f'attachment; filename="{STEM}.ru.xlf"'
    assert etree.fromstring(answer.content).get("version") == version
    path = tmp_path / "x.xlf"
    path.write_bytes(answer.content)
    saved = next(u for u in read_bilingual(path) if u.source == seg.segment.source)
    assert (saved.target, saved.state, saved.approved) == ("Сохранённая правка.", "reviewed", True)


def test_an_unknown_export_format_or_article_is_one_line(site, local):
    bad = local.get(f"/a/{STEM}/ru/export?format=docx", headers={"accept": "application/json"})
    assert bad.status_code == 400 and bad.json()["error"] == "unknown format 'docx': use one of xliff21, xliff20, xliff12"
    assert local.get("/a/nope/ru/export?format=xliff12").status_code == 404


def test_the_stats_page_shows_the_figures_sacrebleu_gives(site, local):
    from lxml import html
    from sacrebleu.metrics import CHRF, TER

    assert "No saved segment with an MT text yet" in local.get("/stats").text
    first, second = _segment(site, 0), _segment(site, 1)
    assert _save(local, segment=first.segment.id, text=first.target.text, edit_ms="3000").status_code == 200
    assert _save(local, segment=second.segment.id, text="Совсем другой перевод.").status_code == 200
    page = local.get("/stats")
    assert page.status_code == 200
    doc = html.fromstring(page.text)
    mts, posts = [first.target.text, second.target.text], [[first.target.text, "Совсем другой перевод."]]
    hter = TER(case_sensitive=True).corpus_score(mts, posts).score
    chrf = CHRF().corpus_score(mts, posts).score
    overall = doc.xpath('//table[@data-group="Overall"]//tr[@data-key="all"]')[0]
    cell = lambda row, cls: row.xpath(f'td[contains(@class, "{cls}")]')[0].text_content().strip()  # noqa: E731
    assert cell(overall, "segments") == "2" and cell(overall, "unchanged") == "50.0%"
    assert cell(overall, "hter") == f"{hter:.1f}" and cell(overall, "chrf") == f"{chrf:.1f}"
    words = len(first.segment.source.split())
    assert cell(overall, "spw") == f"{3.0 / words:.2f}" and cell(overall, "timed") == "1"
    editor = doc.xpath('//table[@data-group="Per translator"]//tr[@data-key="editor"]')[0]
    assert cell(editor, "segments") == "2"
    assert len(doc.xpath('//table[@data-group="Per week"]/tbody/tr')) == 1 and "case:mixed" in page.text
    made = first.target.provenance  # the model that wrote the MT: a chart and a row of its own
    model = f"{made.model} {made.model_version}"
    (chart,) = doc.xpath("//figure[contains(@class, 'chart')]")
    assert chart.get("data-model") == model
    bars = {r.get("data-metric"): r for r in chart.xpath(".//*[local-name()='rect']")}
    assert bars["hter"].get("data-value") == f"{hter:.1f}" and bars["chrf"].get("data-value") == f"{chrf:.1f}"
    assert float(bars["chrf"].get("height")) == pytest.approx(min(chrf, 100.0))  # 0–100 over 100 units
    per_model = doc.xpath(f'//table[@data-group="Per model"]//tr[@data-key="{model}"]')[0]
    assert cell(per_model, "hter") == f"{hter:.1f}" and cell(per_model, "segments") == "2"


def test_the_per_article_page_lists_each_edited_segment_with_the_figures_sacrebleu_gives(site, local):
    from lxml import html
    from sacrebleu.metrics import CHRF, TER

    first, second = _segment(site, 0), _segment(site, 1)
    final = "Совсем <другой> перевод."
    assert _save(local, segment=first.segment.id, text=first.target.text, edit_ms="3000").status_code == 200
    assert _save(local, segment=second.segment.id, text=final, edit_ms="1500").status_code == 200
    dashboard = html.fromstring(local.get("/stats").text)
    (link,) = dashboard.xpath('//table[@data-group="Per article"]//tr[@data-key="%s"]//a' % STEM)
    assert link.get("href") == f"/stats/a/{STEM}"
    page = local.get(link.get("href"))
    assert page.status_code == 200
    doc = html.fromstring(page.text)
    rows = {r.get("data-segment"): r for r in doc.xpath('//table[@data-group="Segments"]//tr[@class="segment"]')}
    assert list(rows) == [first.segment.id, second.segment.id]  # in the article's order
    cell = lambda row, cls: row.xpath(f'.//*[contains(@class, "{cls}")]')[0].text_content().strip()  # noqa: E731
    made = first.target.provenance
    for item, post, seconds in ((first, first.target.text, "3.0 s"), (second, final, "1.5 s")):
        row, mt = rows[item.segment.id], item.target.text
        assert cell(row, "mt-text") == mt and cell(row, "final-text") == post
        assert cell(row, "hter") == f"{TER(case_sensitive=True).sentence_score(mt, [post]).score:.1f}"
        assert cell(row, "chrf") == f"{CHRF().sentence_score(mt, [post]).score:.1f}"
        assert cell(row, "time") == seconds and cell(row, "unchanged") == ("yes" if mt == post else "no")
        assert cell(row, "model") == f"{made.model} {made.model_version}"
        assert cell(row, "glossary") == (item.target.provenance.glossary_hash or "unknown")
        assert cell(row, "termbase") == item.target.provenance.termbase and len(cell(row, "termbase")) == 16
    changed = rows[second.segment.id]
    assert changed.xpath('.//p[@class="diff"]/ins') and "&lt;другой&gt;" in page.text and "<другой>" not in page.text
    assert not rows[first.segment.id].xpath('.//p[@class="diff"]/ins | .//p[@class="diff"]/del')
    mts, posts = [first.target.text, second.target.text], [[first.target.text, final]]
    (article,) = doc.xpath('//table[@data-group="Article"]/tbody/tr')
    assert cell(article, "hter") == f"{TER(case_sensitive=True).corpus_score(mts, posts).score:.1f}"
    missing = local.get("/stats/a/no-such-article", headers={"accept": "application/json"})
    assert missing.status_code == 404 and "no post-edited segment of article 'no-such-article'" in missing.json()["error"]


def test_serve_passes_the_trusted_load_balancers_to_uvicorn(site, monkeypatch):
    import uvicorn

    monkeypatch.setenv("I18N_PIPELINE_PASSWORD", PASSWORD)
    state, out = str(site / "state"), str(site / "out")
    assert CliRunner().invoke(cli, ["users", "add", "anna", "--role", "reviewer", "--state", state]).exit_code == 0
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    base = ["serve", "--host", "0.0.0.0", "--state", state, "--out", out]
    assert CliRunner().invoke(cli, base + ["--forwarded-allow-ips", "10.0.0.5,10.0.0.6"]).exit_code == 0
    assert CliRunner().invoke(cli, base).exit_code == 0
    trusted, default = calls
    assert trusted["proxy_headers"] and trusted["forwarded_allow_ips"] == "10.0.0.5,10.0.0.6"
    assert default["proxy_headers"] and "forwarded_allow_ips" not in default  # uvicorn's: 127.0.0.1 or the env


def test_serve_builds_the_fuzzy_index_before_it_serves_and_serves_when_it_cannot(site, monkeypatch):
    import uvicorn

    from i18n_pipeline import tm_search
    from i18n_pipeline.errors import StateError
    from i18n_pipeline.tm import TranslationMemory

    served = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.append(options))
    command = ["serve", "--state", str(site / "state"), "--out", str(site / "out")]
    with TranslationMemory(site / "state" / "tm.sqlite") as tm:
        assert not tm.fuzzy_index_ready()  # translate wrote rows; no lookup has been made
    first = CliRunner().invoke(cli, command)
    assert first.exit_code == 0, first.output
    with TranslationMemory(site / "state" / "tm.sqlite") as tm:
        assert tm.fuzzy_index_ready()
    assert "building the fuzzy-match index" in first.stderr and "fuzzy-match index built in" in first.stderr
    again = CliRunner().invoke(cli, command)
    assert again.exit_code == 0 and "fuzzy-match index" not in again.stderr  # built once

    def no_trgm(settings, on_build=None):
        raise StateError("postgresql://tm: fuzzy matches on the PostgreSQL TM need the pg_trgm extension")

    monkeypatch.setattr(tm_search, "prepare_fuzzy_index", no_trgm)
    degraded = CliRunner().invoke(cli, command)
    assert degraded.exit_code == 0 and len(served) == 3
    assert "warning: fuzzy matches will not work: postgresql://tm: fuzzy matches on the PostgreSQL TM need" \
        in degraded.stderr


def test_behind_a_trusted_balancer_the_lockout_counts_each_translators_own_address(accounts):
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    # What uvicorn puts in front of the app with --forwarded-allow-ips (TestClient's peer is "testclient").
    behind = TestClient(ProxyHeadersMiddleware(accounts.app, trusted_hosts="testclient"), base_url="http://127.0.0.1",
                        follow_redirects=False)
    for _ in range(5):
        behind.headers["X-Forwarded-For"] = "198.51.100.7"
        assert _login(behind, f"guess{_}", "wrong password").status_code == 401
    assert _login(behind, "someone", "wrong password").status_code == 429  # that address is locked out
    behind.headers["X-Forwarded-For"] = "203.0.113.9"  # another translator behind the same balancer
    assert _login(behind, "rita").status_code == 303
