"""What a benchmark run uses: model size, decoding settings, corpus size and where things go."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_ARTICLE = PROJECT_ROOT / "articles" / "000_62d6198c2960ff45.txt"


@dataclass(frozen=True)
class ModelSize:
    """A random-weight Transformer; the default is transformer-base as issue 7 asks."""

    layers: int = 6
    d_model: int = 512
    heads: int = 8
    ffn: int = 2048
    vocab_size: int = 32_000
    quantization: str = "int8"
    seed: int = 7
    # Upper bound for the SentencePiece model (trained on i18n_pipeline.testing's text, which
    # allows 3,901 pieces): English then costs ~1.6 pieces a word; 1,000 pieces gave 2.4, nearly
    # character-level for a 32k-vocabulary model, so the encoder was too large a share of the work.
    tokenizer_pieces: int = 8_000

    @classmethod
    def named(cls, name: str) -> "ModelSize":
        """``base`` (transformer-base, the default) or ``big`` (transformer-big: d=1024, 16 heads,
        ffn 4096, the shape of OPUS-MT's eng-zle release)."""
        if name == "base":
            return cls()
        if name == "big":
            return cls(d_model=1024, heads=16, ffn=4096)
        raise ValueError(f"unknown model size {name!r}; use base or big")

    def tag(self) -> str:
        """A short, stable name for these weights: cache file names and the pack version."""
        digest = hashlib.sha1(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:10]
        return f"bench-{digest}"


@dataclass(frozen=True)
class Decoding:
    """The same for all three systems, so random weights cost the same everywhere.

    ``length`` is both min and max decoding length: random weights never emit ``</s>``, so every
    sentence decodes exactly this many target tokens. 48 is a news sentence (~25 words, 35–50
    Russian pieces with a 32k vocabulary; issue 18); ``--length 8`` and ``--length 24`` are the
    shorter settings earlier rounds measured with. ARTICLES=50 at 48 took 18 minutes on
    2 cores here with Argos over all 50 articles (10½ minutes of it); Argos now runs on 20
    (``BenchConfig.argos_articles``).
    """

    beam_size: int = 4
    length: int = 48
    max_batch_tokens: int = 1024  # the pipeline's default; Argos keeps its own (ARGOS_BATCH_SIZE)
    # The pipeline's and the ceiling's layout; 0, 0 = the pipeline's automatic choice
    # (i18n_pipeline.mt.ctranslate2_engine.thread_layout). Argos keeps its own (argos_system.py).
    inter_threads: int = 0
    intra_threads: int = 0
    compute_type: str = "int8"


@dataclass(frozen=True)
class BenchConfig:
    articles: int = 50
    cache_dir: Path = PROJECT_ROOT / ".bench"
    results_file: Path = PROJECT_ROOT / "bench" / "results.json"
    model: ModelSize = field(default_factory=ModelSize)
    decoding: Decoding = field(default_factory=Decoding)
    help_runs: int = 5
    measure_rss: bool = True  # the extra cold run with ru and arm loaded
    # Argos is timed on the first this many articles and projected to the corpus by target
    # tokens (0: all). It translates one paragraph at a time, so its time is linear in them; at
    # length 48 all 50 articles took 10½ of the bench's 18 minutes here.
    argos_articles: int = 20

    @property
    def argos_subset(self) -> int:
        return self.articles if not self.argos_articles else min(self.argos_articles, self.articles)

    @property
    def corpus_dir(self) -> Path:
        return self.cache_dir / f"corpus-{self.articles}"

    @property
    def argos_home(self) -> Path:
        return self.cache_dir / "argos-home"

    @property
    def models_dir(self) -> Path:
        return self.cache_dir / "models"

    @property
    def packages_dir(self) -> Path:
        return self.cache_dir / "packages"

    @property
    def pipeline_config_file(self) -> Path:
        return self.cache_dir / "i18n.toml"

    @property
    def urgent_article(self) -> Path:
        """The newsroom's one urgent article: the sample page itself."""
        return SAMPLE_ARTICLE

    @property
    def no_glossary_config_file(self) -> Path:
        return self.cache_dir / "i18n-no-glossary.toml"
