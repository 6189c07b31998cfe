"""The model releases ``models fetch`` knows, with their licences and published scores, as data.

Each pair has one release per pack kind; the default kind is the best permissively licensed one
by published FLORES-200 devtest chrF++ (Helsinki-NLP/OPUS-MT-leaderboard and
External-MT-leaderboard, ``scores/<pair>/flores200-devtest/chrf++-scores.txt``), and
``[models] ru = "argos"`` (or ``arm = …``) in i18n.toml picks another kind. Every URL and file
name here was checked against the release's Tatoeba-Challenge model card
(``models/<set>/README.md`` and ``<release>.yml``); see README "Supported models".

A non-commercial release (NLLB-200, CC-BY-NC-4.0) installs only when the caller accepts that
licence class (``--accept-licence non-commercial``); its pack records it, and every translation
made with it says so in its provenance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import UsageError

CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"
CC_BY_NC_4 = "https://creativecommons.org/licenses/by-nc/4.0/"
TATOEBA_ATTRIBUTION = ("OPUS-MT, Tiedemann & Thottingal (2020), \"OPUS-MT — Building open translation services "
                       "for the World\", EAMT; Tatoeba Translation Challenge, Helsinki-NLP; CC-BY 4.0")
NON_COMMERCIAL = "non-commercial"


@dataclass(frozen=True)
class Licence:
    id: str  # SPDX identifier, or "unknown"
    url: str = ""
    attribution: str = ""

    @property
    def non_commercial(self) -> bool:
        return "-NC" in self.id.upper()

    @property
    def licence_class(self) -> str:
        return NON_COMMERCIAL if self.non_commercial else "permissive" if self.id != "unknown" else "unknown"

    def as_metadata(self, source_url: str) -> dict[str, str]:
        return {"licence": self.id, "licence_url": self.url, "attribution": self.attribution, "source_url": source_url}


UNKNOWN = Licence("unknown")


@dataclass(frozen=True)
class Release:
    """One downloadable model for a pair. ``path`` is under the OPUS-MT mirror (kind opus-mt);
    Argos releases come from the package index, so they have no path."""

    kind: str  # a pack kind of mt.packs.PACK_KINDS
    from_code: str
    to_code: str
    name: str  # the release name, e.g. "hyx-hyx/opus4m+btTCv20210807-2021-09-30"
    licence: Licence
    path: str = ""
    sha256: str | None = None
    # Published FLORES-200 devtest scores for this direction: {"chrF++": 43.3, "BLEU": 13.2}
    scores: dict[str, float] = field(default_factory=dict, compare=False)
    note: str = ""

    @property
    def version(self) -> str:
        return self.name.rsplit("/", 1)[-1]


RELEASES: tuple[Release, ...] = (
    # English → Armenian. hyx-hyx (multilingual Armenian, needs >>hye<<) tops the OPUS-MT
    # leaderboard: chrF++ 0.4326 vs 0.40686 for eng-hyx and 0.3305 for eng-hye opus-2020-06-16.
    Release("opus-mt", "en", "hy", "hyx-hyx/opus4m+btTCv20210807-2021-09-30",
            Licence("CC-BY-4.0", CC_BY_4, TATOEBA_ATTRIBUTION),
            path="hyx-hyx/opus4m+btTCv20210807-2021-09-30.zip", scores={"chrF++": 43.3, "BLEU": 13.2},
            note="transformer (base), multi-target: >>hye<<"),
    # English → Russian. eng-zle transformer-big (needs >>rus<<): chrF++ 0.56961, the best OPUS-MT
    # row (eng-rus opus+bt-2021-04-14 is 0.52193). Argos en→ru is on no leaderboard, and its
    # package names no licence (argos-translate#507): the kind a newsroom may verify is OPUS-MT.
    Release("opus-mt", "en", "ru", "eng-zle/opusTCv20210807+bt_transformer-big_2022-03-13",
            Licence("CC-BY-4.0", CC_BY_4, TATOEBA_ATTRIBUTION),
            path="eng-zle/opusTCv20210807+bt_transformer-big_2022-03-13.zip", scores={"chrF++": 57.0, "BLEU": 32.7},
            note="transformer-big, multi-target: >>rus<<"),
    Release("argos", "en", "ru", "argos/translate-en_ru", UNKNOWN,
            note="Argos Translate package index; licence read from the package README when it names one"),
)
# Kinds a pair gets when i18n.toml names none: the best permissive release by published chrF++.
DEFAULT_KIND = {("en", "hy"): "opus-mt", ("en", "ru"): "opus-mt"}
# Kinds that install from a file only (no pinned public URL): listed for `models fetch` to explain.
IMPORT_ONLY = {
    "nllb": ("NLLB-200 (CC-BY-NC-4.0, non-commercial): convert it with CTranslate2 or take a pre-converted "
             "int8 folder, then `i18n-pipeline models import-nllb FOLDER_OR_ZIP --to {to} "
             "--accept-licence non-commercial`"),
}


def releases_for(from_code: str, to_code: str) -> list[Release]:
    return [r for r in RELEASES if (r.from_code, r.to_code) == (from_code, to_code)]


def choose(from_code: str, to_code: str, kind: str | None = None, choices: dict[str, str] | None = None) -> Release:
    """The release to fetch for a pair: ``kind`` if given, else the i18n.toml choice, else the default."""
    offered = releases_for(from_code, to_code)
    if not offered:
        raise UsageError(f"no known release for {from_code}→{to_code}; install a pack file with "
                         "`i18n-pipeline models install` or `models import-opus-mt`")
    wanted = kind or (choices or {}).get(to_code) or DEFAULT_KIND.get((from_code, to_code)) or offered[0].kind
    for release in offered:
        if release.kind == wanted:
            return release
    if wanted in IMPORT_ONLY:
        raise UsageError(f"{wanted} has no download for {from_code}→{to_code}: "
                         + IMPORT_ONLY[wanted].format(to=to_code))
    kinds = ", ".join(r.kind for r in offered)
    raise UsageError(f"no {wanted!r} release for {from_code}→{to_code}; choose one of: {kinds}")


def require_accepted(licence: Licence, accepted: frozenset[str] | set[str], what: str) -> None:
    """Refuse a non-commercial model unless the user accepted that licence class."""
    if licence.non_commercial and NON_COMMERCIAL not in accepted:
        raise UsageError(f"{what} is licensed {licence.id} (non-commercial use only): a newsroom that "
                         "publishes for profit may not use it; rerun with `--accept-licence non-commercial` "
                         "only if your use is non-commercial")


_LICENCE_WORDS = (  # (pattern, licence): the first that matches a README/LICENSE text wins
    (r"by-nc|non-?commercial", Licence("CC-BY-NC-4.0", CC_BY_NC_4)),
    (r"cc[- ]by[- ]4\.0|attribution 4\.0", Licence("CC-BY-4.0", CC_BY_4)),
    (r"\bMIT license\b|\blicen[cs]e: MIT\b", Licence("MIT", "https://opensource.org/license/mit")),
    (r"apache license,? version 2\.0|apache-2\.0", Licence("Apache-2.0", "https://www.apache.org/licenses/LICENSE-2.0")),
)


def licence_in_text(text: str, attribution: str = "") -> Licence:
    """The licence a model card or LICENSE file names, or ``UNKNOWN`` (many Argos packages name
    none: argos-translate#507)."""
    import re

    for pattern, licence in _LICENCE_WORDS:
        if re.search(pattern, text, re.IGNORECASE):
            return Licence(licence.id, licence.url, attribution)
    return UNKNOWN


def licence_of_folder(folder, attribution: str = "") -> Licence:
    """``licence_in_text`` over a pack or release folder's LICENSE and README.md."""
    from pathlib import Path

    for name in ("LICENSE", "LICENSE.md", "README.md"):
        path = Path(folder) / name
        if path.is_file():
            found = licence_in_text(path.read_text(encoding="utf-8", errors="replace"), attribution)
            if found is not UNKNOWN:
                return found
    return UNKNOWN
