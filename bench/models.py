"""The benchmark's models: random-weight Argos packages built once and cached under ``.bench/``.

en→ru is the model every system runs; en→hy (the site's ``arm``) is a second pack of the same
size, loaded only in the peak-memory run. Both come from the project's own test-model builder and
are installed into a model store of their own (``.bench/models``) as a user installs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import BenchConfig

TARGETS = ("ru", "hy")


@dataclass(frozen=True)
class BenchModels:
    packages: dict[str, Path]  # target language → .argosmodel file
    store_dir: Path  # a model store holding both packs
    pack_dirs: dict[str, Path]  # target language → installed pack directory
    version: str


def ensure_models(config: BenchConfig) -> BenchModels:
    """Build (if not cached) and install (if not installed) the en→ru and en→hy packs."""
    from i18n_pipeline.mt.store import ModelStore
    from i18n_pipeline.testing import build_random_argos_package

    size, tag = config.model, config.model.tag()
    store = ModelStore(config.models_dir)
    packages, pack_dirs = {}, {}
    for offset, target in enumerate(TARGETS):
        package = config.packages_dir / f"translate-en_{target}-{tag}.argosmodel"
        if not package.is_file():
            config.packages_dir.mkdir(parents=True, exist_ok=True)
            build_random_argos_package(
                package, "en", target, layers=size.layers, d_model=size.d_model, heads=size.heads, ffn=size.ffn,
                vocab_size=size.vocab_size, seed=size.seed + offset, quantization=size.quantization,
                package_version=tag, sp_vocab_size=size.tokenizer_pieces,
            )
        installed = store.find("en", target)
        if installed is None or installed.version != tag:
            installed = store.install(package)
        packages[target], pack_dirs[target] = package, Path(installed.path)
    return BenchModels(packages, config.models_dir, pack_dirs, tag)
