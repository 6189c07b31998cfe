"""``models fetch`` against a local HTTP server on 127.0.0.1 that serves an index and packages.

The server answers 403 to any client that does not say who it is, as the real package hosts do
(argos-translate#269), so every successful fetch here also proves the User-Agent is sent.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from i18n_pipeline.cli import app
from i18n_pipeline.cli.models import progress_bar
from i18n_pipeline.config import ModelSources
from i18n_pipeline.errors import DownloadError, UsageError
from i18n_pipeline.mt.fetch import USER_AGENT, Step, download, fetch
from i18n_pipeline.mt.store import ModelStore
from i18n_pipeline.testing import zip_opus_mt_release

HYX_HYX_PATH = "hyx-hyx/opus4m+btTCv20210807-2021-09-30.zip"
ENG_ZLE_PATH = "eng-zle/opusTCv20210807+bt_transformer-big_2022-03-13.zip"

runner = CliRunner()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        server = self.server
        agent = self.headers.get("User-Agent", "")
        server.agents.append(agent)
        status, body, length = server.routes.get(self.path, (404, b"no such file", None))
        if not agent.startswith("i18n-pipeline/"):
            status, body, length = 403, b"Forbidden", None
        self.send_response(status)
        self.send_header("Content-Length", str(length if length is not None else len(body)))
        self.end_headers()
        self.wfile.write(body)  # a length larger than the body: the connection closes early

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.routes, httpd.agents = {}, []
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def sources(server, monkeypatch):
    monkeypatch.setenv("I18N_PIPELINE_ARGOS_INDEX", f"{server.url}/index.json")
    monkeypatch.setenv("I18N_PIPELINE_OPUS_MT_MIRROR", f"{server.url}/tatoeba")
    return server


def _serve_argos(server, package: bytes, **entry) -> str:
    link = f"{server.url}/packages/translate-en_ru.argosmodel"
    index = [{"from_code": "en", "to_code": "ru", "package_version": "1.9", "links": [link], **entry}]
    server.routes["/index.json"] = (200, json.dumps(index).encode(), None)
    server.routes["/packages/translate-en_ru.argosmodel"] = (200, package, None)
    return link


def _fetch(models: Path, *pair: str):
    return runner.invoke(app, ["models", "fetch", *pair, "--models", str(models)])


def test_fetch_installs_the_argos_package_and_says_who_it_is(tmp_path, sources, random_package):
    package = random_package.read_bytes()
    _serve_argos(sources, package, sha256=hashlib.sha256(package).hexdigest())
    result = _fetch(tmp_path / "models", "en", "ru", "--kind", "argos")
    assert result.exit_code == 0, result.output
    licence, installed = result.stdout.splitlines()
    assert licence.startswith("argos/translate-en_ru: licence unknown (read from the package README); from")
    assert installed.startswith("installed translate-en_ru: en→ru") and result.stderr == ""
    assert [(p.from_code, p.to_code, p.kind) for p in ModelStore(tmp_path / "models").packs()] == [("en", "ru", "argos")]
    assert set(sources.agents) == {USER_AGENT} and USER_AGENT == "i18n-pipeline/0.1.0"


def test_fetch_converts_the_opus_mt_release_from_the_mirror(tmp_path, sources, opus_mt_release):
    archive = zip_opus_mt_release(opus_mt_release, tmp_path / "release.zip").read_bytes()
    sources.routes["/tatoeba/hyx-hyx/opus4m+btTCv20210807-2021-09-30.zip"] = (200, archive, None)
    result = _fetch(tmp_path / "models", "en", "arm")
    assert result.exit_code == 0, result.output
    (pack,) = ModelStore(tmp_path / "models").packs()
    assert (pack.kind, pack.to_code, pack.version) == ("opus-mt", "hy", "opus4m+btTCv20210807-2021-09-30")
    assert (Path(pack.path) / "preprocess.sh").is_file()


@pytest.mark.parametrize("status, words", [(403, "HTTP 403 Forbidden"), (404, "HTTP 404 Not Found"),
                                           (500, "HTTP 500 Internal Server Error")])
def test_an_http_error_is_reported_as_such_with_the_url(tmp_path, sources, random_package, status, words):
    link = _serve_argos(sources, random_package.read_bytes())
    sources.routes["/packages/translate-en_ru.argosmodel"] = (status, b"nope", None)
    result = _fetch(tmp_path / "models", "en", "ru", "--kind", "argos")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert f"{link}: the server answered {words}" in result.stderr and "offline" not in result.stderr
    assert ModelStore(tmp_path / "models").packs() == []


def test_a_missing_index_is_a_404_naming_the_index(tmp_path, sources):
    result = _fetch(tmp_path / "models", "en", "ru", "--kind", "argos")
    assert result.exit_code == 1
    assert f"{sources.url}/index.json: the server answered HTTP 404" in result.stderr


def test_python_default_user_agent_is_what_the_server_refuses(sources):
    import urllib.error
    import urllib.request

    sources.routes["/index.json"] = (200, b"[]", None)
    with pytest.raises(urllib.error.HTTPError, match="403"):
        urllib.request.urlopen(f"{sources.url}/index.json", timeout=5)  # the control: no agent of ours


def test_a_truncated_download_is_refused_and_nothing_is_installed(tmp_path, sources, random_package):
    package = random_package.read_bytes()
    _serve_argos(sources, package)
    sources.routes["/packages/translate-en_ru.argosmodel"] = (200, package[: len(package) // 2], len(package))
    result = _fetch(tmp_path / "models", "en", "ru", "--kind", "argos")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert f"was cut short after {len(package) // 2:,} of {len(package):,} bytes" in result.stderr
    assert ModelStore(tmp_path / "models").packs() == []


@pytest.mark.parametrize("corrupt", ["not a zip", "bad crc", "not a pack", "sha256"])
def test_a_corrupt_archive_is_refused_before_install_with_exit_3(tmp_path, sources, random_package, corrupt):
    package = random_package.read_bytes()
    entry = {}
    if corrupt == "not a zip":
        package = b"<html>maintenance</html>" * 100
    elif corrupt == "bad crc":
        middle = len(package) // 2  # inside the weights, not the zip directory at the end
        package = package[:middle] + bytes([package[middle] ^ 0xFF]) + package[middle + 1:]
    elif corrupt == "not a pack":
        buffer = io.BytesIO()
        import zipfile

        with zipfile.ZipFile(buffer, "w") as bundle:
            bundle.writestr("readme.txt", "hello")
        package = buffer.getvalue()
    else:
        entry = {"sha256": "0" * 64}
    _serve_argos(sources, package, **entry)
    result = _fetch(tmp_path / "models", "en", "ru", "--kind", "argos")
    assert result.exit_code == 3, result.output
    assert result.stderr.count("\n") == 1 and "translate-en_ru.argosmodel" in result.stderr
    expected = {"not a zip": "not a readable zip", "bad crc": "CRC", "not a pack": "lacks metadata.json",
                "sha256": "sha256"}[corrupt]
    assert expected in result.stderr
    assert ModelStore(tmp_path / "models").packs() == []


def test_missing_only_does_nothing_when_the_pair_is_installed(tmp_path, sources, random_package):
    ModelStore(tmp_path / "models").install(random_package)
    result = runner.invoke(app, ["models", "fetch", "en", "ru", "--missing-only", "--models", str(tmp_path / "models")])
    assert result.exit_code == 0 and result.stdout.startswith("already installed translate-en_ru")
    assert sources.agents == []  # not even the index was asked


def test_download_reports_progress_in_bytes_up_to_the_size(tmp_path, sources):
    body = bytes(range(256)) * 1000
    sources.routes["/big.bin"] = (200, body, None)
    steps: list[Step] = []
    download(f"{sources.url}/big.bin", tmp_path / "big.bin", "en→ru", steps.append)
    assert (tmp_path / "big.bin").read_bytes() == body
    assert steps[0] == Step("download en→ru", 0, len(body)) and steps[-1] == Step("download en→ru", len(body), len(body))
    assert len(steps) > 2 and all(a.completed <= b.completed for a, b in zip(steps, steps[1:]))


def test_fetch_reports_download_then_install(tmp_path, server, random_package):
    _serve_argos(server, random_package.read_bytes())
    steps: list[Step] = []
    fetch(ModelStore(tmp_path / "models"), "en", "ru", ModelSources(argos_index=f"{server.url}/index.json"), steps.append,
          kind="argos")
    tasks = list(dict.fromkeys(step.task for step in steps))
    assert tasks == ["download en→ru", "install en→ru"] and steps[-1] == Step("install en→ru", 1, 1, "steps")


def test_the_cli_progress_bar_shows_sizes_on_a_terminal():
    out = io.StringIO()
    with progress_bar(Console(file=out, force_terminal=True, width=100)) as show:
        show(Step("download en→hy", 1_500_000, 3_000_000))
        show(Step("convert en→hy", 0, 1, "steps"))
    text = out.getvalue()
    assert "download en→hy" in text and "1.5 MB / 3.0 MB" in text and "convert en→hy" in text
    quiet = io.StringIO()
    with progress_bar(Console(file=quiet, force_terminal=False)) as show:
        show(Step("download en→hy", 1, 2))
    assert quiet.getvalue() == ""  # logs and pipes get no bar


def test_a_download_error_is_one_line(tmp_path, sources):
    with pytest.raises(DownloadError) as caught:
        download(f"{sources.url}/missing.zip", tmp_path / "x", "en→hy")
    assert "\n" not in str(caught.value) and "HTTP 404" in str(caught.value)


REPO = Path(__file__).resolve().parents[1]


def _make(target: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    return subprocess.run(["make", "--no-print-directory", "-C", str(REPO), target], capture_output=True, text=True,
                          env={**clean, **env}, timeout=300)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_translate_offline_stops_with_exit_3_and_the_line_saying_what_to_install(tmp_path):
    nowhere = "http://127.0.0.1:9"  # the discard port: connection refused, as on an offline machine
    run = _make("translate", {"I18N_PIPELINE_MODELS": str(tmp_path / "none"), "I18N_PIPELINE_STATE": str(tmp_path / "s"),
                              "I18N_PIPELINE_ARGOS_INDEX": f"{nowhere}/index.json", "I18N_PIPELINE_OPUS_MT_MIRROR": nowhere})
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "no model for en→ru" in errors[0] and "models install" in errors[0], run.stderr
    assert "Error 3" in run.stderr and "offline" not in run.stderr  # make reports translate's exit 3


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_translate_fetches_the_missing_pairs_first(tmp_path, sources, hyx_hyx_release, eng_zle_release):
    for path, release in ((HYX_HYX_PATH, hyx_hyx_release), (ENG_ZLE_PATH, eng_zle_release)):
        sources.routes[f"/tatoeba/{path}"] = (200, zip_opus_mt_release(release, tmp_path / "r.zip").read_bytes(), None)
    models = tmp_path / "models"
    env = {"I18N_PIPELINE_MODELS": str(models), "I18N_PIPELINE_ARGOS_INDEX": f"{sources.url}/index.json",
           "I18N_PIPELINE_OPUS_MT_MIRROR": f"{sources.url}/tatoeba"}
    run = _make("models-missing", env)  # the step `make translate` runs first
    assert run.returncode == 0, run.stderr
    assert sorted((p.to_code, p.kind) for p in ModelStore(models).packs()) == [("hy", "opus-mt"), ("ru", "opus-mt")]
    again = _make("models-missing", env)
    assert again.returncode == 0 and again.stdout.count("already installed") == 2


def test_sources_come_from_i18n_toml_and_the_environment_wins(tmp_path, monkeypatch):
    from i18n_pipeline.config import load_settings

    config = tmp_path / "i18n.toml"
    config.write_text('[models]\nargos_index = "http://127.0.0.1:1/a.json"\nopus_mt_mirror = "http://127.0.0.1:1/t"\n',
                      encoding="utf-8")
    monkeypatch.delenv("I18N_PIPELINE_ARGOS_INDEX", raising=False)
    monkeypatch.delenv("I18N_PIPELINE_OPUS_MT_MIRROR", raising=False)
    assert load_settings(config).sources == ModelSources("http://127.0.0.1:1/a.json", "http://127.0.0.1:1/t")
    monkeypatch.setenv("I18N_PIPELINE_ARGOS_INDEX", "http://127.0.0.1:2/b.json")
    assert load_settings(config).sources.argos_index == "http://127.0.0.1:2/b.json"
    config.write_text('[models]\nindex = "x"\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"unknown \[models\] setting index; known: argos_index, opus_mt_mirror"):
        load_settings(config)
