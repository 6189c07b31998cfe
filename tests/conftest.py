"""Session fixtures: real tiny models built once per test run, and a home directory no test can touch.

The models come from ``i18n_pipeline.testing`` (offline, about a second in all); each fixture
returns a path, so tests install or unpack their own copy and never share mutable state.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from i18n_pipeline.testing import (
    build_copy_argos_package,
    build_random_argos_package,
    build_tiny_opus_mt_release,
    default_training_lines,
)

_HOME_VARIABLES = ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "ARGOS_PACKAGES_DIR")
_saved_environment: dict[str, str | None] = {}
_HOME_KEY = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    # Set before collection, not in a fixture: a test module that imports argostranslate at import
    # time would otherwise create ~/.local/share/argos-translate in the real home.
    home = Path(tempfile.mkdtemp(prefix="i18n-pipeline-test-home-"))
    config.stash[_HOME_KEY] = home
    for name in _HOME_VARIABLES:
        _saved_environment[name] = os.environ.get(name)
    os.environ.update(_home_environment(home))


def pytest_unconfigure(config: pytest.Config) -> None:
    for name, value in _saved_environment.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    home = config.stash.get(_HOME_KEY, None)
    if home is not None:
        shutil.rmtree(home, ignore_errors=True)


def _home_environment(home: Path) -> dict[str, str]:
    return {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "ARGOS_PACKAGES_DIR": str(home / ".local" / "share" / "argos-translate" / "packages"),
    }


@pytest.fixture(scope="session", autouse=True)
def isolated_home(pytestconfig: pytest.Config) -> Path:
    """The session's stand-in home; re-applied here in case a plugin reset the environment."""
    home = pytestconfig.stash[_HOME_KEY]
    os.environ.update(_home_environment(home))
    return home


@pytest.fixture(scope="session")
def sp_lines() -> list[str]:
    """Training text: the sample article's sentences, other English, Russian and Armenian lines."""
    return default_training_lines()


@pytest.fixture(scope="session")
def test_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("test-models")


@pytest.fixture(scope="session")
def random_package(test_models_dir: Path, sp_lines: list[str]) -> Path:
    """An en→ru ``.argosmodel`` with random weights (2+2 layers, d=64)."""
    return build_random_argos_package(test_models_dir / "random-en-ru.argosmodel", "en", "ru", training_lines=sp_lines)


@pytest.fixture(scope="session")
def copy_package(test_models_dir: Path, sp_lines: list[str]) -> Path:
    """An en→ru ``.argosmodel`` whose model reproduces its input (sources up to 512 pieces)."""
    return build_copy_argos_package(test_models_dir / "copy-en-ru.argosmodel", "en", "ru", training_lines=sp_lines)


@pytest.fixture(scope="session")
def copy_package_hy(test_models_dir: Path, sp_lines: list[str]) -> Path:
    """An en→hy ``.argosmodel`` whose model reproduces its input."""
    return build_copy_argos_package(test_models_dir / "copy-en-hy.argosmodel", "en", "hy", training_lines=sp_lines)


@pytest.fixture(scope="session")
def opus_mt_release(test_models_dir: Path) -> Path:
    """A directory laid out like an en→hy OPUS-MT release (Marian .npz, vocab .yml, two .spm)."""
    return build_tiny_opus_mt_release(test_models_dir / "opus-mt-en-hy", src="en", tgt="hy")


@pytest.fixture(scope="session")
def hyx_hyx_release(test_models_dir: Path) -> Path:
    """A tiny release laid out as hyx-hyx opus4m+btTCv20210807-2021-09-30 (needs >>hye<<)."""
    from i18n_pipeline.testing.opus_mt import HYX_HYX_2021

    return build_tiny_opus_mt_release(test_models_dir / "hyx-hyx", src="en", tgt="hy", layout=HYX_HYX_2021,
                                      target_labels=("eng", "hye", "hye_Latn", "hyw", "hyw_Armn", "xcl_Armn"))


@pytest.fixture(scope="session")
def eng_zle_release(test_models_dir: Path) -> Path:
    """A tiny release laid out as eng-zle opusTCv20210807+bt transformer-big 2022-03-13 (needs >>rus<<)."""
    from i18n_pipeline.testing.opus_mt import ENG_ZLE_BIG_2022

    return build_tiny_opus_mt_release(test_models_dir / "eng-zle", src="en", tgt="ru", layout=ENG_ZLE_BIG_2022,
                                      target_labels=("bel", "orv_Cyrl", "rue", "rus", "ukr"))


@pytest.fixture(scope="session")
def copy_doubles(tmp_path_factory):
    """Engines of ``testing.doubles.copy_double_shapes()``, built once per session on first use
    (with their build times): shared by the doubles' own tests and the glossary's."""
    import time

    from i18n_pipeline.testing.doubles import copy_double_shapes

    shapes = copy_double_shapes()
    built: dict[str, tuple[object, float]] = {}

    def get(name: str):
        if name not in built:
            start = time.perf_counter()
            engine = shapes[name].build(tmp_path_factory.mktemp(name.replace("/", "-")))
            built[name] = (engine, time.perf_counter() - start)
        return built[name]

    return get


@pytest.fixture(scope="session")
def translated_site(tmp_path_factory, copy_package, copy_package_hy) -> Path:
    """The sample article translated into ru and arm by the copy models, once per session:
    ``models/``, ``inbox/``, ``glossary/`` (the repo's), ``out/`` and ``state/``. Copy it before changing it."""
    from typer.testing import CliRunner

    from i18n_pipeline.cli import app
    from i18n_pipeline.mt.store import ModelStore

    repo = Path(__file__).resolve().parents[1]
    root = tmp_path_factory.mktemp("translated-site")
    store = ModelStore(root / "models")
    store.install(copy_package)
    store.install(copy_package_hy)
    (root / "inbox").mkdir()
    shutil.copy(repo / "articles" / "000_62d6198c2960ff45.txt", root / "inbox")
    shutil.copytree(repo / "glossary", root / "glossary")
    result = CliRunner().invoke(app, ["translate", str(root / "inbox"), "--to", "ru,arm", "--out", str(root / "out"),
                                      "--models", str(root / "models"), "--state", str(root / "state"),
                                      "--glossary", str(root / "glossary"), "--quiet"])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def site(translated_site, tmp_path) -> Path:
    """A private copy of ``translated_site`` for one test."""
    copy = tmp_path / "site"
    shutil.copytree(translated_site, copy)
    return copy


@pytest.fixture(scope="session")
def copy_engines(tmp_path_factory, copy_package, copy_package_hy):
    """Loaded copy-model engines (en→ru, en→hy, beam 2): their output is their input."""
    from i18n_pipeline.config import MTSettings
    from i18n_pipeline.mt.store import ModelStore

    store = ModelStore(tmp_path_factory.mktemp("copy-engines"))
    store.install(copy_package)
    store.install(copy_package_hy)
    settings = MTSettings(beam_size=2)
    return {"ru": store.load(store.find("en", "ru"), settings), "hy": store.load(store.find("en", "hy"), settings)}


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL server's URL for this session (see i18n_pipeline/testing/postgres_server.py)."""
    from i18n_pipeline.testing.postgres_server import SKIP_REASON, find_bin_dir, start_server

    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip(SKIP_REASON)
    server = start_server(bin_dir)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def fresh_postgres(postgres_url):
    """The session server with no TM tables: each test creates the schema and leaves nothing."""
    import psycopg

    yield postgres_url
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS tm, tm_schema, article_claims, run_manifest, tm_fuzzy_df, tm_fuzzy_df_meta, "
                     "tm_fuzzy_rows, tm_fuzzy_postings, "
                     "segment_edits, workspace_users, workspace_sessions, workspace_login_failures")
