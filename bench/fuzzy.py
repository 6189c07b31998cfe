"""``python -m bench --fuzzy``: fuzzy TM lookups on a generated 200,000-entry memory (issue 19).

The target: at most 50 ms per lookup with 200,000 TM entries. A memory of ``entries`` distinct
sentences shaped like news copy (seeded, so every run builds the same one: 8 to 30 words, English
function words, content words drawn Zipf-wise from a lexicon of made-up words, some numbers and
capitals; no real corpus is there offline) is stored in SQLite and,
when PostgreSQL's binaries are there, in a throwaway local server (``pg_trgm``); then
``tm.fuzzy.search`` — what the editor and ``tm search`` call — runs for ``lookups`` queries:
stored sentences with one word changed (a near match must come back at 75% or more) and as many
that match nothing (the index still has to be asked). Per back-end: build time, the index's
first use (each back-end fills its trigram postings from the rows stored then), and the lookup
times in milliseconds (median, 95th percentile, worst), each query timed alone after one warm-up.

Results go to ``bench/results-scale.json`` under ``fuzzy``; ``make bench`` does not run it.
"""

from __future__ import annotations

import itertools
import os
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable

from .measure import BenchError

FUZZY_ENTRIES = 200_000
FUZZY_LOOKUPS = 200
TARGET_MS = 50.0

# Function words as English uses them; content words from a Zipf-distributed lexicon of made-up
# words (syllables), so that, as in a newsroom's memory, a few words are everywhere and most are rare.
_FUNCTION = ("the of to and a in that is for on with as was at by said it from his be has have an are "
             "not but after who their they its were had been more will this which about than over also "
             "up into would against two three new last year first told officials on Monday on Tuesday").split()
_ONSETS = ["b", "br", "c", "ch", "d", "dr", "f", "g", "gr", "h", "j", "k", "l", "m", "n", "p", "pr", "r", "s",
           "sh", "st", "t", "tr", "v", "w", "z"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io"]
_CODAS = ["", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ng", "ck"]
_LEXICON = 40_000
_SWAP = ["quietly", "again", "formally", "finally", "publicly", "reportedly"]


def _lexicon(rng: random.Random) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < _LEXICON:
        word = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(rng.randint(1, 3)))
        if len(word) > 2:
            words[word] = None
    return list(words)


def generate_sources(count: int, seed: int = 19) -> list[str]:
    """``count`` distinct news-like sentences (8 to 30 words, Zipf-distributed vocabulary), the same per seed."""
    rng = random.Random(seed)
    lexicon = _lexicon(rng)
    cumulative = list(itertools.accumulate(1 / (rank + 1) ** 1.05 for rank in range(len(lexicon))))
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        length = rng.randint(8, 30)
        content = rng.choices(lexicon, cum_weights=cumulative, k=length)
        words = [w if rng.random() < 0.55 else rng.choice(_FUNCTION) for w in content]
        if rng.random() < 0.3:
            words[rng.randrange(length)] = str(rng.randint(2, 2026))
        words = [w.capitalize() if rng.random() < 0.12 else w for w in words]
        sentence = " ".join(words).capitalize() + "."
        if sentence not in seen:
            seen.add(sentence)
            out.append(sentence)
    return out


def near_queries(sources: list[str], count: int, seed: int = 20) -> list[str]:
    """Stored sentences with one word added (a near match exists, at 75% or more)."""
    rng = random.Random(seed)
    queries = []
    for source in rng.sample(sources, count):
        words = source.split()
        words.insert(2, rng.choice(_SWAP))
        queries.append(" ".join(words))
    return queries


MISSES = ["Heavy snow closed every mountain pass overnight.", "A rare orchid bloomed in the botanical garden.",
          "The orchestra rehearsed the symphony until midnight.", "Fishermen reported an unusually large catch."]


def run_fuzzy_lookup(note: Callable[[str], None], entries: int = FUZZY_ENTRIES, lookups: int = FUZZY_LOOKUPS) -> dict:
    from i18n_pipeline.testing.postgres_server import SKIP_REASON, find_bin_dir, start_server

    load_before = os.getloadavg()
    note(f"fuzzy: generating {entries:,} TM entries")
    sources = generate_sources(entries)
    queries = near_queries(sources, lookups)
    results: dict = {"entries": entries, "lookups": lookups, "target_ms": TARGET_MS}
    with tempfile.TemporaryDirectory(prefix="bench-fuzzy-") as scratch:
        note("fuzzy: SQLite (FTS5 trigram index)")
        results["sqlite"] = time_fuzzy(Path(scratch) / "tm.sqlite", sources, queries)
    bin_dir = find_bin_dir()
    if bin_dir is None:
        note(f"fuzzy: PostgreSQL skipped: {SKIP_REASON}")
        results["postgresql"] = None
    else:
        note("fuzzy: starting a throwaway PostgreSQL (pg_trgm)")
        server = start_server(bin_dir)
        try:
            results["postgresql"] = time_fuzzy(server.url, sources, queries)
            results["postgresql_version"] = subprocess.run([str(bin_dir / "postgres"), "--version"],
                                                           capture_output=True, text=True).stdout.strip()
        finally:
            server.stop()
    results["machine"] = {"cpu_count": os.cpu_count(), "load_average_before": load_before,
                          "load_average_after": os.getloadavg()}
    return results


def time_fuzzy(where, sources: list[str], queries: list[str]) -> dict:
    """Store ``sources``, then time ``search`` for each near query and as many misses (milliseconds)."""
    from i18n_pipeline.tm import TMEntry, TranslationMemory
    from i18n_pipeline.tm.fuzzy import search

    entries = [TMEntry(s, f"[ru] {s}", "en", "ru", model="bench", model_version="1") for s in sources]
    timings: dict = {}
    with TranslationMemory(where) as tm:
        started = time.perf_counter()
        for start in range(0, len(entries), 20_000):
            tm.store_many(entries[start : start + 20_000])
        timings["store_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        search(tm, queries[0], "en", "ru")  # builds the index on first use
        timings["index_first_use_s"] = round(time.perf_counter() - started, 2)
        near, found = _timed(tm, search, queries)
        misses = (MISSES * (len(queries) // len(MISSES) + 1))[: len(queries)]
        miss, stray = _timed(tm, search, misses)
    if found < len(queries):
        raise BenchError(f"{where}: only {found} of {len(queries)} near queries found their sentence at 75% or more")
    timings["near_ms"] = _summary(near)
    timings["miss_ms"] = _summary(miss)
    timings["near_found"] = found
    timings["misses_matched"] = stray
    return timings


def _timed(tm, search, queries: list[str]) -> tuple[list[float], int]:
    times, hits = [], 0
    for query in queries:
        started = time.perf_counter()
        matches = search(tm, query, "en", "ru")
        times.append((time.perf_counter() - started) * 1000)
        hits += bool(matches)
    return times, hits


def _summary(ms: list[float]) -> dict:
    ordered = sorted(ms)
    return {"median": round(statistics.median(ordered), 2), "p95": round(ordered[int(len(ordered) * 0.95) - 1], 2),
            "max": round(ordered[-1], 2)}
