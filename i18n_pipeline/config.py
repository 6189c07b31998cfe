"""Settings: defaults, overridden by ``i18n.toml`` (or ``--config``), the environment and flags.

Other stages add their own tables (``[qa]``, ``[glossary]``…) and read them from
``Settings.extra`` so this module stays the one place that knows where settings come from.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import UsageError

CONFIG_FILE = "i18n.toml"
MODELS_ENV = "I18N_PIPELINE_MODELS"
STATE_ENV = "I18N_PIPELINE_STATE"
ARGOS_INDEX_ENV = "I18N_PIPELINE_ARGOS_INDEX"
OPUS_MT_MIRROR_ENV = "I18N_PIPELINE_OPUS_MT_MIRROR"
TM_URL_ENV = "I18N_PIPELINE_TM_URL"
DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class MTSettings:
    """Decoding settings passed straight to CTranslate2."""

    beam_size: int = 4
    min_decoding_length: int = 1
    max_decoding_length: int = 256
    # Guard against runaway output: never decode more than ratio × source tokens + 10.
    max_length_ratio: float = 3.0
    # 0, 0: one decoding worker per core (at most 4), the cores shared out among them; see
    # mt/ctranslate2_engine.py:thread_layout. Set both to pin a layout.
    inter_threads: int = 0
    intra_threads: int = 0
    # "auto": CUDA when CTranslate2 sees a GPU, else the CPU (mt/ctranslate2_engine.py:resolve_device)
    device: str = "auto"
    # "auto": int8_float16 on CUDA, int8 on the CPU; or any CTranslate2 compute type
    compute_type: str = "auto"
    # Source tokens per CTranslate2 sub-batch. Each worker holds one sub-batch's decoder state:
    # at news length (48 target pieces, beam 4) on 2 cores 1024 decodes with the same CPU time
    # as 2048 and peaks ~330 MB lower per loaded model (bench/README.md, issue 18).
    max_batch_tokens: int = 1024
    num_hypotheses: int = 1


@dataclass(frozen=True)
class ModelSources:
    """Where ``models fetch`` downloads from (``[models]`` in i18n.toml, or the environment)."""

    argos_index: str = ""  # URL of the Argos package index.json; "" = the one argostranslate uses
    # Base URL of the Tatoeba-Challenge releases: <base>/hyx-hyx/opus4m+btTCv20210807-2021-09-30.zip
    opus_mt_mirror: str = "https://object.pouta.csc.fi/Tatoeba-MT-models"
    # Pack kind per target language (``[models] ru = "argos"``, ``arm = "opus-mt"``): what
    # ``models fetch`` installs and which installed pack ``translate`` uses; see mt/catalog.py.
    choices: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TMSettings:
    """``[tm]``: where the translation memory lives."""

    url: str = ""  # "" = <state>/tm.sqlite; "postgresql://user@host/db" = the shared PostgreSQL memory
    # PostgreSQL: how long an article claim lasts unless its holder renews it (every third of it,
    # while a batch or a save works); a crashed holder's articles are free again after this
    lease_s: float = 60.0


@dataclass(frozen=True)
class Settings:
    models_dir: Path = Path("models")
    state_dir: Path = Path(".i18n")
    glossary_dir: Path = Path("glossary")
    out_dir: Path = Path("out")
    mt: MTSettings = field(default_factory=MTSettings)
    sources: ModelSources = field(default_factory=ModelSources)
    tm: TMSettings = field(default_factory=TMSettings)
    extra: dict[str, Any] = field(default_factory=dict)  # other tables of i18n.toml, by name


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Build Settings: defaults < i18n.toml < environment < explicit overrides (non-None)."""
    settings = Settings()
    path = config if config is not None else Path(CONFIG_FILE)
    if config is not None and not path.is_file():
        raise UsageError(f"{path}: config file not found; pass an existing file to --config")
    if path.is_file():
        settings = _apply_file(settings, path)
    if os.environ.get(MODELS_ENV):
        settings = replace(settings, models_dir=Path(os.environ[MODELS_ENV]))
    if os.environ.get(STATE_ENV):
        settings = replace(settings, state_dir=Path(os.environ[STATE_ENV]))
    for env, name in ((ARGOS_INDEX_ENV, "argos_index"), (OPUS_MT_MIRROR_ENV, "opus_mt_mirror")):
        if os.environ.get(env):
            settings = replace(settings, sources=replace(settings.sources, **{name: os.environ[env]}))
    if os.environ.get(TM_URL_ENV):
        settings = replace(settings, tm=_tm(Path(f"${TM_URL_ENV}"), {"url": os.environ[TM_URL_ENV]}, settings.tm))
    given = {k: Path(v) if k.endswith("_dir") else v for k, v in overrides.items() if v is not None}
    return replace(settings, **given)


def _apply_file(settings: Settings, path: Path) -> Settings:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: not a readable TOML file ({exc}); fix or remove it") from exc
    mt_table = data.pop("mt", {})
    known = {f.name: f.type for f in fields(MTSettings)}
    unknown = sorted(set(mt_table) - set(known))
    if unknown:
        raise UsageError(f"{path}: unknown [mt] setting(s) {', '.join(unknown)}; known: {', '.join(known)}")
    mt = settings.mt
    for name, value in mt_table.items():
        expected = type(getattr(mt, name))
        if expected is float and isinstance(value, int):
            value = float(value)
        if not isinstance(value, expected) or isinstance(value, bool):
            raise UsageError(f"{path}: [mt] {name} must be {expected.__name__}, got {value!r}")
        mt = replace(mt, **{name: value})
    if mt.device not in DEVICES:
        raise UsageError(f"{path}: [mt] device must be one of {', '.join(DEVICES)}, got {mt.device!r}")
    paths = data.pop("paths", {})
    dirs = {f"{k}_dir": Path(v) for k, v in paths.items() if k in ("models", "state", "glossary", "out")}
    sources = _sources(path, data.pop("models", {}), settings.sources)
    tm = _tm(path, data.pop("tm", {}))
    return replace(settings, mt=mt, sources=sources, tm=tm, extra=data, **dirs)


def _tm(path: Path, table: dict[str, Any], tm: TMSettings = TMSettings()) -> TMSettings:
    from .tm.urls import is_postgres_url, redact_url

    unknown = sorted(set(table) - {"url", "lease_s"})
    if unknown:
        raise UsageError(f"{path}: unknown [tm] setting(s) {', '.join(unknown)}; known: url, lease_s")
    url = table.get("url", tm.url)
    if not isinstance(url, str) or (url and not is_postgres_url(url)):
        shown = redact_url(url) if isinstance(url, str) else repr(url)
        raise UsageError(f"{path}: [tm] url must be a postgresql://… URL (or absent for SQLite), got {shown}")
    lease = table.get("lease_s", tm.lease_s)
    if isinstance(lease, bool) or not isinstance(lease, (int, float)) or not lease > 0:
        raise UsageError(f"{path}: [tm] lease_s must be a number of seconds above 0, got {lease!r}")
    return TMSettings(url=url, lease_s=float(lease))


def _sources(path: Path, table: dict[str, Any], sources: ModelSources) -> ModelSources:
    from .locales import SITE_LOCALES, resolve_locale

    known = [f.name for f in fields(ModelSources) if f.name != "choices"]
    choices = dict(sources.choices)
    for name, value in table.items():
        if name in SITE_LOCALES or name in {loc.lang for loc in SITE_LOCALES.values()}:
            choices[resolve_locale(name).lang] = _kind_choice(path, name, value)
            continue
        if name not in known:
            raise UsageError(f"{path}: unknown [models] setting {name}; known: {', '.join(known)}, "
                             f"or a locale ({', '.join(SITE_LOCALES)}) naming a model kind")
        if not isinstance(value, str):
            raise UsageError(f"{path}: [models] {name} must be a URL string, got {value!r}")
        sources = replace(sources, **{name: value})
    return replace(sources, choices=choices)


def _kind_choice(path: Path, name: str, value: Any) -> str:
    from .mt.packs import PACK_KINDS

    if not isinstance(value, str) or value not in PACK_KINDS:
        raise UsageError(f"{path}: [models] {name} must name a model kind ({', '.join(map(repr, PACK_KINDS))}), "
                         f"got {value!r}")
    return value
