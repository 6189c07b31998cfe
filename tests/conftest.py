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
def postgres_url():
    """A throwaway PostgreSQL server's URL for this session (see tests/postgres_server.py)."""
    from postgres_server import SKIP_REASON, find_bin_dir, start_server

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
        conn.execute("DROP TABLE IF EXISTS tm, tm_schema")
