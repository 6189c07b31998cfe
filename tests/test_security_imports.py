"""Hostile XML from outside: XLIFF/TMX for ``review import`` and ``qa``, TBX for ``glossary import``.

Every document below declares a DTD, entities, an entity-expansion bomb, an external entity
naming a local secret or /etc/passwd, or a DTD on a local port that a listener in the test
watches. Each file must be refused with one line naming it, the other files of the command
still go through, the TM and the glossary keep what they had, no secret is read into anything,
and nothing connects to the network.
"""

from __future__ import annotations

import hashlib
import socket
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from i18n_pipeline.cli import app

runner = CliRunner()
SECRET = "TOP-SECRET-7f3a"


@pytest.fixture
def listener():
    """A local TCP port that would see any DTD or entity fetch; yields its port."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server.getsockname()[1]
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        pass  # nobody connected: what we want
    else:
        connection.close()
        pytest.fail("an XML import connected to the network")
    finally:
        server.close()


def _doctypes(root: str, secret: Path, port: int) -> dict[str, tuple[str, str]]:
    """name → (prolog before the root element, text to put where a translation goes)."""
    laughs = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    return {
        "internal-entity": (f'<!DOCTYPE {root} [<!ENTITY e "EXPANDED">]>', "&e;"),
        "etc-passwd": (f'<!DOCTYPE {root} [<!ENTITY e SYSTEM "file:///etc/passwd">]>', "&e;"),
        "local-secret": (f'<!DOCTYPE {root} [<!ENTITY e SYSTEM "{secret.as_uri()}">]>', "&e;"),
        "billion-laughs": (f'<!DOCTYPE {root} [<!ENTITY l0 "lol">{laughs}]>', "&l9;"),
        "quadratic-blowup": (f'<!DOCTYPE {root} [<!ENTITY a "{"A" * 50_000}">]>', "&a;" * 2_000),
        "parameter-entity-over-network": (
            f'<!DOCTYPE {root} [<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/p.dtd"> %p;]>', "&e;"),
        "external-dtd-over-network": (f'<!DOCTYPE {root} SYSTEM "http://127.0.0.1:{port}/x.dtd">', "&e;"),
        "element-declarations": (f"<!DOCTYPE {root} [<!ELEMENT {root} ANY>]>", "plain"),
    }


def _xliff2(prolog: str, target: str, source: str = "Hostile sentence.") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}\n'
            '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="en" trgLang="ru">'
            f'<file id="f"><unit id="u"><segment state="final"><source>{source}</source><target>{target}</target>'
            "</segment></unit></file></xliff>")


def _xliff12(prolog: str, target: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}\n'
            '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a" source-language="en"'
            ' target-language="ru" datatype="plaintext"><body><trans-unit id="1" approved="yes">'
            f"<source>Hostile one-two.</source><target>{target}</target></trans-unit></body></file></xliff>")


def _tmx(prolog: str, target: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}\n'
            '<tmx version="1.4"><header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en"'
            ' creationtool="t" creationtoolversion="1" o-tmf="t"/><body><tu>'
            f'<tuv xml:lang="en"><seg>Hostile TMX unit.</seg></tuv><tuv xml:lang="ru"><seg>{target}</seg></tuv>'
            "</tu></body></tmx>")


def _tbx(prolog: str, target: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}\n'
            '<martif type="TBX-Basic" xml:lang="en"><martifHeader><fileDesc><sourceDesc><p>x</p></sourceDesc>'
            "</fileDesc></martifHeader><text><body><termEntry id=\"c1\">"
            f'<langSet xml:lang="en"><tig><term>Hostile term</term></tig></langSet>'
            f'<langSet xml:lang="ru"><tig><term>{target}</term></tig></langSet>'
            "</termEntry></body></text></martif>")


@pytest.fixture
def secret(tmp_path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


def _tm_dump(state: Path) -> list[tuple]:
    with sqlite3.connect(state / "tm.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return sorted(db.execute("SELECT source, target, origin, state FROM tm").fetchall())


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


@pytest.mark.parametrize(("fmt", "root", "build"), [("xlf", "xliff", _xliff2), ("xliff12.xlf", "xliff", _xliff12),
                                                    ("tmx", "tmx", _tmx)])
def test_review_import_refuses_each_hostile_file_and_imports_the_rest(tmp_path, secret, listener, fmt, root, build):
    state = tmp_path / "state"
    earlier = tmp_path / "earlier.xlf"
    earlier.write_text(_xliff2("", "Уже одобрено.", source="Approved before."), encoding="utf-8")
    assert runner.invoke(app, ["review", "import", str(earlier), "--state", str(state)]).exit_code == 0
    before = _tm_dump(state)

    hostile = []
    for name, (prolog, payload) in _doctypes(root, secret, listener).items():
        path = tmp_path / f"{name}.{fmt}"
        path.write_text(build(prolog, payload), encoding="utf-8")
        hostile.append(path)
    good = tmp_path / "good.xlf"
    good.write_text(_xliff2("", "Хорошо.", source="A good sentence."), encoding="utf-8")

    result = runner.invoke(app, ["review", "import", *map(str, hostile), str(good), "--state", str(state)])
    assert result.exit_code == 1, result.output
    errors = _error_lines(result.stderr)
    assert len(errors) == len(hostile), errors  # one line per hostile file, nothing else
    for path in hostile:
        assert sum(line.startswith(f"error: {path}: ") for line in errors) == 1, (path.name, errors)
    after = _tm_dump(state)
    assert set(before) <= set(after)
    assert [row[:2] for row in after if row not in before] == [("A good sentence.", "Хорошо.")]
    everything = repr(after) + result.output
    assert SECRET not in everything and "root:x:0" not in everything and "EXPANDED" not in everything


def test_qa_refuses_each_hostile_file_and_checks_the_rest(tmp_path, secret, listener):
    files = []
    for build, fmt, root in ((_xliff2, "xlf", "xliff"), (_tmx, "tmx", "tmx")):
        for name, (prolog, payload) in _doctypes(root, secret, listener).items():
            path = tmp_path / f"{name}.{fmt}"
            path.write_text(build(prolog, payload), encoding="utf-8")
            files.append(path)
    good = tmp_path / "good.xlf"
    good.write_text(_xliff2("", "Хорошее предложение.", source="A good sentence."), encoding="utf-8")
    result = runner.invoke(app, ["qa", *map(str, files), str(good), "--json"])
    assert result.exit_code == 1
    errors = _error_lines(result.stderr)
    assert len(errors) == len(files) and all(any(e.startswith(f"error: {p}: ") for e in errors) for p in files), errors
    assert '"segments": 1' in result.stdout and str(good) in result.stdout
    assert SECRET not in result.output and "root:x:0" not in result.output


def _folder_digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_glossary_import_refuses_each_hostile_tbx_and_keeps_the_glossary(tmp_path, secret, listener):
    glossary = tmp_path / "glossary"
    glossary.mkdir()
    (glossary / "terms.csv").write_text("en,ru,arm\nCouncil,совет,խորհուրդ\n", encoding="utf-8")
    before = _folder_digest(glossary)
    for name, (prolog, payload) in _doctypes("martif", secret, listener).items():
        path = tmp_path / f"{name}.tbx"
        path.write_text(_tbx(prolog, payload), encoding="utf-8")
        result = runner.invoke(app, ["glossary", "import", str(path), "--glossary", str(glossary)])
        assert result.exit_code == 1, (name, result.output)
        errors = _error_lines(result.stderr)
        assert len(errors) == 1 and errors[0].startswith(f"error: {path}: "), (name, errors)
        assert _folder_digest(glossary) == before, name
        assert SECRET not in result.output and "root:x:0" not in result.output
    good = tmp_path / "good.tbx"
    good.write_text(_tbx("", "Враждебный термин"), encoding="utf-8")
    assert runner.invoke(app, ["glossary", "import", str(good), "--glossary", str(glossary)]).exit_code == 0
    assert "Враждебный термин" in (glossary / "imported.csv").read_text(encoding="utf-8")


def test_xinclude_is_not_processed(tmp_path, secret):
    # Not an entity: an XInclude element. It must stay an inert element, never pull the file in.
    path = tmp_path / "xinclude.xlf"
    include = f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{secret.as_uri()}" parse="text"/>'
    path.write_text(_xliff2("", f"Текст {include}"), encoding="utf-8")
    state = tmp_path / "state"
    result = runner.invoke(app, ["review", "import", str(path), "--state", str(state)])
    assert SECRET not in result.output
    if (state / "tm.sqlite").exists():
        assert SECRET not in repr(_tm_dump(state))
