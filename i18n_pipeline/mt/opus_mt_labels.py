"""Target-language labels of multi-target OPUS-MT releases, read at import.

A multi-target Tatoeba-Challenge release (``eng-hye`` opus-2020-09-10, ``eng-zle``…) was trained
with a ``>>id<<`` token at the start of every source sentence naming the target language; without
it the model picks a language on its own. A release says so in its README (``a sentence initial
language token is required in the form of `>>id<<```, often with ``valid language labels: >>hye<<
>>rus<<``) or in its ``.yml`` (``use-target-labels:``). Tatoeba writes that ``.yml`` with
``- >>hye<<`` unquoted, which no YAML parser accepts, so a file that does not parse is read line
by line. The label itself is only usable when the model's source vocabulary holds it as a token.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import langcodes
import yaml

from ..errors import CorruptModelError, ModelError

log = logging.getLogger(__name__)
LABEL = re.compile(r">>[^\s<>]+<<")
_README_NEEDS_LABEL = re.compile(r"language token is required|use-target-labels", re.IGNORECASE)
_README_LABELS = re.compile(r"valid language labels:(.*)", re.IGNORECASE)


def source_prefix(release_root: Path, to_code: str) -> list[str]:
    """The source pieces every sentence must start with for ``to_code``: ``[">>hye<<"]``, or ``[]``
    for a release with one target. Refuses a multi-target release with no label for ``to_code``."""
    listed, needs_label = _declared_labels(release_root)
    if not needs_label:
        return []
    vocabulary = set(_source_vocabulary(release_root))
    offered = sorted({*listed, *(token for token in vocabulary if LABEL.fullmatch(token))})
    for label in candidate_labels(to_code):
        if label in vocabulary:
            log.info("%s: multi-target release; every source sentence starts with %s", release_root, label)
            return [label]
    wanted = " or ".join(candidate_labels(to_code))
    has = f"it has {', '.join(offered)}" if offered else "its vocabulary has no label at all"
    raise ModelError(
        f"{release_root}: this multi-target OPUS-MT release needs a target label and has no {wanted} "
        f"({has}); import the release made for {to_code}, or give --to a language it lists"
    )


def candidate_labels(to_code: str) -> list[str]:
    """Labels that name ``to_code``: Tatoeba's ISO 639-3 id first (``>>hye<<``), then the code as
    given (older OPUS-MT multi-target models use ``>>fr<<``)."""
    codes = [to_code]
    try:
        codes.insert(0, langcodes.Language.get(to_code).to_alpha3())
    except (LookupError, ValueError):
        pass
    return [f">>{code}<<" for code in dict.fromkeys(codes)]


def _declared_labels(release_root: Path) -> tuple[list[str], bool]:
    """(labels the README or .yml lists, whether either says a label is required)."""
    labels: list[str] = []
    needs = False
    readme = release_root / "README.md"
    if readme.is_file():
        text = readme.read_text(encoding="utf-8", errors="replace")
        needs = bool(_README_NEEDS_LABEL.search(text))
        for line in _README_LABELS.findall(text):
            labels += LABEL.findall(line)
    for path in sorted(release_root.glob("*.yml")):
        found = _yml_labels(path)
        if found is not None:
            needs = True
            labels += found
    return list(dict.fromkeys(labels)), needs


def _yml_labels(path: Path) -> list[str] | None:
    """The ``use-target-labels`` of a release .yml, or None when it has none."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if "use-target-labels" not in text:
        return None
    try:
        data = yaml.safe_load(text)
        if isinstance(data, dict) and isinstance(data.get("use-target-labels"), list):
            return [str(label).strip() for label in data["use-target-labels"]]
    except yaml.YAMLError:
        pass  # Tatoeba's `- >>hye<<` is a folded-scalar indicator to YAML: read the lines
    labels, inside = [], False
    for line in text.splitlines():
        if line.startswith("use-target-labels:"):
            inside = True
            labels += LABEL.findall(line)
        elif inside and line[:1] in (" ", "\t", "-"):
            labels += LABEL.findall(line)
        elif inside:
            break
    return labels


def _source_vocabulary(release_root: Path) -> list[str]:
    """The source vocabulary as CTranslate2's converter reads it (``decoder.yml``'s first vocab)."""
    from ctranslate2.converters.marian import load_vocab

    decoder = release_root / "decoder.yml"
    try:
        vocabs = yaml.safe_load(decoder.read_text(encoding="utf-8"))["vocabs"]
        return load_vocab(str(release_root / vocabs[0]))
    except (OSError, yaml.YAMLError, KeyError, TypeError, IndexError, ValueError) as exc:
        raise CorruptModelError(f"{decoder}: cannot read the source vocabulary it names ({exc}); "
                                "download the release again") from exc
