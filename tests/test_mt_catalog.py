"""The pinned releases: URL and layout served from 127.0.0.1, >>id<< labels, licences, choices."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from i18n_pipeline.cli import app
from i18n_pipeline.config import load_settings
from i18n_pipeline.errors import ModelError, UsageError
from i18n_pipeline.mt.catalog import RELEASES, choose, licence_in_text, require_accepted, Licence
from i18n_pipeline.mt.opus_mt_labels import source_prefix
from i18n_pipeline.mt.store import ModelStore
from i18n_pipeline.testing import zip_opus_mt_release

runner = CliRunner()
# As the model cards give them (Tatoeba-Challenge models/hyx-hyx/README.md "download:" and
# models/eng-zle/opusTCv20210807+bt_transformer-big_2022-03-13.yml "release:").
VERIFIED_URLS = {
    ("en", "hy"): "https://object.pouta.csc.fi/Tatoeba-MT-models/hyx-hyx/opus4m+btTCv20210807-2021-09-30.zip",
    ("en", "ru"): "https://object.pouta.csc.fi/Tatoeba-MT-models/eng-zle/opusTCv20210807+bt_transformer-big_2022-03-13.zip",
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        self.server.asked.append(self.path)
        status, body = self.server.routes.get(self.path, (404, b"no such file"))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def mirror(monkeypatch):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.routes, httpd.asked = {}, []
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/tatoeba"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    monkeypatch.setenv("I18N_PIPELINE_OPUS_MT_MIRROR", httpd.url)
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_the_pinned_opus_mt_urls_are_the_ones_the_model_cards_give():
    from i18n_pipeline.config import ModelSources
    from i18n_pipeline.mt.fetch import release_url

    for pair, url in VERIFIED_URLS.items():
        release = choose(*pair)
        assert release.kind == "opus-mt" and release_url(release, ModelSources()) == url
        assert release.licence.id == "CC-BY-4.0" and not release.licence.non_commercial


@pytest.mark.parametrize("pair, site, fixture, label, version, chrf", [
    (("en", "hy"), "arm", "hyx_hyx_release", ">>hye<<", "opus4m+btTCv20210807-2021-09-30", "chrF++ 43.3"),
    (("en", "ru"), "ru", "eng_zle_release", ">>rus<<", "opusTCv20210807+bt_transformer-big_2022-03-13", "chrF++ 57.0"),
])
def test_fetch_installs_each_pinned_release_with_its_label_and_licence(tmp_path, mirror, request, pair, site,
                                                                        fixture, label, version, chrf):
    release = choose(*pair)
    archive = zip_opus_mt_release(request.getfixturevalue(fixture), tmp_path / "release.zip")
    mirror.routes[f"/tatoeba/{release.path}"] = (200, archive.read_bytes())
    result = runner.invoke(app, ["models", "fetch", "en", site, "--models", str(tmp_path / "models")])
    assert result.exit_code == 0, result.output
    announced, installed = result.stdout.splitlines()
    assert announced.startswith(f"{release.name}: licence CC-BY-4.0 (https://creativecommons.org/licenses/by/4.0/)")
    assert chrf in announced and f"from {mirror.url}/{release.path}" in announced
    assert installed.startswith(f"installed opus-mt-en_{pair[1]}")
    assert mirror.asked == [f"/tatoeba/{release.path}"]
    (pack,) = ModelStore(tmp_path / "models").packs()
    metadata = json.loads((Path(pack.path) / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["source_prefix"] == [label] and pack.version == version
    assert (pack.licence, pack.source_url) == ("CC-BY-4.0", f"{mirror.url}/{release.path}")
    assert "Tiedemann" in pack.attribution
    engine = ModelStore(tmp_path / "models").load(pack, load_settings().mt)
    assert engine.source_pieces("The minister spoke.")[0] == label


def test_hyx_hyx_quoted_labels_and_eng_zle_bare_label_key_both_need_a_label(hyx_hyx_release, eng_zle_release):
    assert source_prefix(hyx_hyx_release, "hy") == [">>hye<<"]
    assert source_prefix(eng_zle_release, "ru") == [">>rus<<"]  # README lists none; vocabulary has it
    assert source_prefix(eng_zle_release, "uk") == [">>ukr<<"]
    with pytest.raises(ModelError, match=r"needs a target label and has no >>hye<< or >>hy<<.*>>rus<<"):
        source_prefix(eng_zle_release, "hy")


def test_list_shows_licence_source_and_attribution(tmp_path, mirror, hyx_hyx_release):
    release = choose("en", "hy")
    mirror.routes[f"/tatoeba/{release.path}"] = (200, zip_opus_mt_release(hyx_hyx_release, tmp_path / "r.zip").read_bytes())
    models = tmp_path / "models"
    assert runner.invoke(app, ["models", "fetch", "en", "hy", "--models", str(models)]).exit_code == 0
    listed = json.loads(runner.invoke(app, ["models", "list", "--json", "--models", str(models)]).stdout)
    assert [(p["licence"], p["source_url"]) for p in listed] == [("CC-BY-4.0", f"{mirror.url}/{release.path}")]
    assert "Tatoeba" in listed[0]["attribution"]
    text = runner.invoke(app, ["models", "list", "--models", str(models)])
    assert text.exit_code == 0
    assert "licence CC-BY-4.0" in text.stdout and f"source: {mirror.url}/{release.path}" in text.stdout


def test_an_imported_release_reads_its_licence_from_the_license_file(tmp_path, opus_mt_release):
    info = ModelStore(tmp_path / "models").import_opus_mt(opus_mt_release, "en", "hy")
    assert info.licence == "CC-BY-4.0" and info.source_url == opus_mt_release.name


def test_an_argos_package_without_a_licence_is_listed_as_unknown(tmp_path, random_package):
    info = ModelStore(tmp_path / "models").install(random_package)
    assert (info.licence, info.source_url) == ("unknown", random_package.name)


def test_licences_named_in_model_cards():
    assert licence_in_text("* License: cc-by-4.0").id == "CC-BY-4.0"
    assert licence_in_text("License: CC-BY-NC-4.0").non_commercial
    assert licence_in_text("Trained on OPUS data.").id == "unknown"


def test_a_non_commercial_licence_needs_explicit_acceptance():
    nc = Licence("CC-BY-NC-4.0")
    with pytest.raises(UsageError, match="non-commercial use only.*--accept-licence non-commercial"):
        require_accepted(nc, set(), "nllb-200")
    require_accepted(nc, {"non-commercial"}, "nllb-200")
    require_accepted(Licence("CC-BY-4.0"), set(), "hyx-hyx")


def test_i18n_toml_chooses_the_kind_per_locale(tmp_path):
    config = tmp_path / "i18n.toml"
    config.write_text('[models]\nru = "argos"\narm = "opus-mt"\n', encoding="utf-8")
    sources = load_settings(config).sources
    assert sources.choices == {"ru": "argos", "hy": "opus-mt"}
    assert choose("en", "ru", choices=sources.choices).kind == "argos"
    assert choose("en", "ru").kind == "opus-mt"  # the default: best published permissive release
    assert choose("en", "ru", "argos").name == "argos/translate-en_ru"
    with pytest.raises(UsageError, match="NLLB-200.*import-nllb"):
        choose("en", "hy", "nllb")
    config.write_text('[models]\nru = "marian"\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"\[models\] ru must name a model kind"):
        load_settings(config)


def test_the_chosen_kind_is_the_pack_translate_uses(tmp_path, random_package, eng_zle_release):
    models = tmp_path / "models"
    ModelStore(models).install(random_package)
    ModelStore(models).import_opus_mt(eng_zle_release, "en", "ru")
    assert ModelStore(models).find("en", "ru").kind == "opus-mt"
    assert ModelStore(models, prefer={"ru": "argos"}).route("en", "ru")[0].kind == "argos"
    assert [p.kind for p in ModelStore(models, prefer={"ru": "argos"}).packs_for("en", "ru")] == ["argos", "opus-mt"]


def test_every_catalogue_release_names_a_licence_and_its_kind_is_known():
    from i18n_pipeline.mt.packs import PACK_KINDS

    for release in RELEASES:
        assert release.kind in PACK_KINDS and release.licence.id
        assert bool(release.path) == (release.kind == "opus-mt")
