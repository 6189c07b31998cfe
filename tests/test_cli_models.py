"""CLI: help everywhere, models commands, documented exit codes."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from i18n_pipeline.cli import app

runner = CliRunner()


def _commands(command, prefix=()):
    for name, sub in getattr(command, "commands", {}).items():
        yield prefix + (name,), sub
        yield from _commands(sub, prefix + (name,))


def test_every_command_has_help_a_docstring_and_a_readme_entry():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    commands = list(_commands(typer.main.get_command(app)))
    assert len(commands) >= 8
    for path, command in commands:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path
        assert (command.help or "").strip(), f"{' '.join(path)} has no help text"
        entries = [line for line in readme.splitlines() if line.startswith(f"- `{path[0]}")]
        assert any(path[-1] in line for line in entries), f"`{' '.join(path)}` is not in the README's command list"


def test_every_bracketed_note_in_the_help_texts_reaches_the_help_page():
    """"[default ./out]" and "[tm] url" are words of the help, not markup for the help renderer to eat."""
    for path, command in _commands(typer.main.get_command(app)):
        page = " ".join(runner.invoke(app, [*path, "--help"]).output.split())
        texts = [command.help or ""] + [getattr(param, "help", None) or "" for param in command.params]
        for note in (n for text in texts for n in re.findall(r"\[[^\]\n]+\]", text)):
            assert " ".join(note.split()) in page, f"{' '.join(path)} --help lost {note!r}"


def test_models_list_json_on_an_empty_store(tmp_path):
    result = runner.invoke(app, ["models", "list", "--json", "--models", str(tmp_path)])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_models_install_then_list(tmp_path, random_package):
    result = runner.invoke(app, ["models", "install", str(random_package), "--models", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "en→ru" in result.stdout
    listed = json.loads(runner.invoke(app, ["models", "list", "--json", "--models", str(tmp_path)]).stdout)
    assert {k: listed[0][k] for k in ("from_code", "to_code", "kind")} == {"from_code": "en", "to_code": "ru", "kind": "argos"}
    assert listed[0]["version"] and listed[0]["path"]


def test_models_install_of_a_corrupt_file_is_one_line_exit_3(tmp_path):
    bad = tmp_path / "bad.argosmodel"
    bad.write_text("nope")
    result = runner.invoke(app, ["models", "install", str(bad), "--models", str(tmp_path / "m")])
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 1 and "bad.argosmodel" in result.stderr


def test_models_fetch_offline_fails_at_once_with_one_line(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise OSError("network is disabled in this test")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    result = runner.invoke(app, ["models", "fetch", "en", "ru", "--models", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "offline" in result.stderr and "make models" in result.stderr


def test_missing_model_exits_3_before_any_work(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["translate", "articles", "--to", "arm", "--models", str(tmp_path / "none"),
                                 "--out", str(out), "--state", str(tmp_path / "state")])
    assert result.exit_code == 3
    assert "en→hy (arm)" in result.stderr and "import-opus-mt" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("args", [["--to", "fr"], ["--to", ""]])
def test_unknown_locale_is_a_usage_error(tmp_path, args):
    result = runner.invoke(app, ["translate", "articles", *args, "--models", str(tmp_path)])
    assert result.exit_code == 2
    assert "locale" in result.stderr
