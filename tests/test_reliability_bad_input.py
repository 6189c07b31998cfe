"""Bad input in the inbox: one line per bad file naming it, the rest of the batch completes,
exit code 1, and nothing already in out/ or the TM is lost or damaged.

The corpus is built here: empty, binary, wrong encodings, malformed and hostile HTML,
truncated JSON, JSON without a body, a file name that would escape out/, a broken glossary,
unknown locale codes, and a 5 MB one-paragraph file. (Hostile XML imports and model archives
are in test_security_imports.py and test_security_archives.py.)
"""

from __future__ import annotations

import codecs
import json
import signal
from pathlib import Path

import pytest
from test_reliability_support import article, install_models, make_inbox, snapshot, tm_rows, translate_command
from typer.testing import CliRunner

from i18n_pipeline.cli import app
from i18n_pipeline.errors import EXIT_USAGE
from i18n_pipeline.ingest import read_article

runner = CliRunner()
MARKER = "PAYLOAD-7c1e"  # text inside script/style/iframe: must never reach an output

BAD = {  # file name → bytes; each must fail with one line
    "empty.txt": b"",
    "blank.md": b"  \n\n \t\n",
    "binary.txt": bytes(range(256)) * 40,
    "utf16-without-bom.txt": article(90).encode("utf-16-le"),
    "latin1.txt": "Le conseil a approuvé le budget. Café, naïveté, déjà vu, où, été.\n".encode("latin-1") * 20,
    "gb18030.md": "市议会周二批准了新预算。官员们说，该计划将资助学校。\n".encode("gb18030") * 10,
    "bad-bom.txt": codecs.BOM_UTF16_LE + b"\x00\xd8",
    "garbage.html": b"<<<>>><!-- -->\x01<",
    "truncated.json": json.dumps({"title": "T", "body": "The council met. It approved the plan."}).encode()[:-9],
    "no-body.json": json.dumps({"title": "A headline", "author": "Anna"}).encode(),
    "list.json": b"[1, 2, 3]",
    "bad-front-matter.md": b"---\ntitle: [unclosed\n---\n\nThe council met on Tuesday. It approved the plan.\n",
}
GOOD = {  # unusual but readable: must complete
    "malformed.html": (b"<html><body><h1>Council approves budget<p>The city council approved the new budget on "
                       b"Tuesday after a long debate.<div><p>Officials said the plan would fund schools and roads"
                       b"<p>Critics argued that the spending was too high</b></i></body>"),
    "hostile.html": (f"<html><head><title>Budget</title><script>alert('{MARKER}')</script>"
                     f"<style>body{{content:'{MARKER}'}}</style></head><body onload=\"alert('{MARKER}')\">"
                     f"<h1 onclick=\"alert('{MARKER}')\">Council approves budget</h1>"
                     f"<iframe srcdoc=\"{MARKER}\">{MARKER}</iframe><noscript>{MARKER}</noscript>"
                     "<p onmouseover=\"alert(1)\">The city council approved the new budget on Tuesday after a long"
                     f" debate.</p><svg><script>alert('{MARKER}')</script></svg><template>{MARKER}</template>"
                     "<p>Officials said the plan would fund schools, roads and hospitals.</p>"
                     f"<object data=\"x\">{MARKER}</object></body></html>").encode(),
    "only-body.json": json.dumps({"body": "The council met on Tuesday. It approved the budget for schools."}).encode(),
    "cp1251.md": ("# Совет утвердил бюджет\n\nГородской совет утвердил новый бюджет во вторник после долгих дебатов.\n\n"
                  "Чиновники заявили, что план профинансирует школы и дороги.\n").encode("cp1251"),
}


@pytest.fixture(scope="module")
def models(tmp_path_factory, copy_package, copy_package_hy) -> Path:
    return install_models(tmp_path_factory.mktemp("models"), copy_package, copy_package_hy)


@pytest.fixture
def workspace(tmp_path, models):
    """A workspace after one good run: the out/ and TM that bad input must not damage."""
    make_inbox(tmp_path / "inbox", count=2)
    out, state = tmp_path / "out", tmp_path / "state"
    command = translate_command(tmp_path / "inbox", out, state, models, "--json")[1:]
    first = runner.invoke(app, command)
    assert first.exit_code == 0, first.output
    return {"root": tmp_path, "inbox": tmp_path / "inbox", "out": out, "state": state, "command": command,
            "models": models, "outputs": snapshot(out), "tm": tm_rows(state)}


def _unchanged_or_grown(ws) -> None:
    after = snapshot(ws["out"])
    assert {k: after.get(k) for k in ws["outputs"]} == ws["outputs"]  # every earlier output intact
    assert set(ws["tm"]) <= set(tm_rows(ws["state"]))  # the TM lost nothing and passes integrity_check


def test_each_bad_file_fails_alone_and_the_batch_completes(workspace):
    for name, data in {**BAD, **GOOD}.items():
        (workspace["inbox"] / name).write_bytes(data)
    escaping = workspace["root"] / "elsewhere" / "...md"  # its stem is "..": outputs would land beside out/
    escaping.parent.mkdir()
    escaping.write_text(article(7), encoding="utf-8")
    result = runner.invoke(app, [*workspace["command"], str(escaping)])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    failed = {Path(f["path"]).name: f["error"] for f in report["failed"]}
    assert set(failed) == set(BAD) | {"...md"}, failed
    for name, error in failed.items():
        assert "\n" not in error and name in error.split(":")[0], error
        assert "Traceback" not in error and "please report" not in error, error  # a known problem, not a crash
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == len(failed) and all(line.startswith("error: ") for line in errors), errors
    written = {Path(a["path"]).stem for a in report["articles"] if a["outputs"]}
    assert {Path(n).stem for n in GOOD} | {"story0", "story1"} <= written
    for stem in written:
        assert len(list((workspace["out"] / stem).iterdir())) == 12
    everything = b"".join(p.read_bytes() for p in workspace["out"].rglob("*") if p.is_file())
    assert MARKER.encode() not in everything and b"onload" not in everything and b"onmouseover" not in everything
    assert not (workspace["root"] / "ru.xlf").exists() and not (workspace["out"].parent / "ru.json").exists()
    _unchanged_or_grown(workspace)


@pytest.mark.parametrize(("csv", "problem"), [
    ('en,ru,arm\n"Council,совет,խորհուրդ\nBudget,бюджет,բյուջե\n', "terms.csv:"),
    ("en,ru,arm\nCouncil,совет,խորհուրդ\nCouncil,совет,խորհուրդ\n", "duplicate term 'Council'"),
    ("en,ru,arm\nCouncil,совет,խորհուրդ\nCouncil,Совет,խորհուրդ\n", "conflicting targets for 'Council'"),
    ("en,ru,arm\nCouncil,совет,խորհուրդ,extra,cells\n", "malformed row"),
    ("ru,arm\nсовет,խորհուրդ\n", "no 'en' column"),
    ("en,ru,arm\n-,тире,գիծ\n", "no letters or digits"),
])
def test_a_broken_glossary_is_one_line_naming_the_row_and_the_batch_goes_on(workspace, csv, problem):
    glossary = workspace["root"] / "glossary"
    glossary.mkdir()
    (glossary / "terms.csv").write_text(csv, encoding="utf-8")
    command = list(workspace["command"])
    command[command.index("--glossary") + 1] = str(glossary)
    result = runner.invoke(app, command)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith(f"error: {glossary / 'terms.csv'}") and problem in errors[0], errors
    report = json.loads(result.stdout)
    assert [f["path"].split(":")[0] for f in report["failed"]] == [str(glossary / "terms.csv")]
    assert report["articles"] and all(len(a["outputs"]) == 12 for a in report["articles"])  # every article done
    # A different glossary may refresh MT rows (that is TM invalidation), never drop a sentence.
    assert {row[:3] for row in workspace["tm"]} <= {row[:3] for row in tm_rows(workspace["state"])}


@pytest.mark.parametrize("codes", ["ru,xx", "klingon", "ru,,arm;", "", "../../etc"])
def test_unknown_locale_codes_are_a_usage_error_and_write_nothing(workspace, codes):
    before = {p: p.read_bytes() for p in workspace["out"].rglob("*") if p.is_file()}
    command = list(workspace["command"])
    command[command.index("--to") + 1] = codes
    result = runner.invoke(app, command)
    assert result.exit_code == EXIT_USAGE, (codes, result.output)
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("error: "), errors
    assert {p: p.read_bytes() for p in workspace["out"].rglob("*") if p.is_file()} == before
    _unchanged_or_grown(workspace)


class _TooSlow(BaseException):
    """Not an Exception: the pipeline's catch-all for reader bugs must not swallow the guard."""


def test_a_five_megabyte_paragraph_is_refused_with_one_line(workspace):
    sentence = "The convoy moved slowly along the coast road towards the port. "
    (workspace["inbox"] / "huge.md").write_text(f"# Huge report\n\n{sentence * 80_000}\n\nA normal last paragraph.\n",
                                                encoding="utf-8")
    assert len(read_article(workspace["inbox"] / "huge.md").blocks[1].text) > 5_000_000  # it is body text

    def too_slow(signum, frame):
        raise _TooSlow("still translating a 5 MB paragraph after 60 s")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(60)  # a hang guard, not a timing claim: MT of 80,000 sentences would take many minutes
    try:
        result = runner.invoke(app, workspace["command"], catch_exceptions=False)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert result.exit_code == 1, result.output
    failed = json.loads(result.stdout)["failed"]
    assert [Path(f["path"]).name for f in failed] == ["huge.md"] and "\n" not in failed[0]["error"]
    assert "please report" not in failed[0]["error"], failed[0]["error"]
    _unchanged_or_grown(workspace)
