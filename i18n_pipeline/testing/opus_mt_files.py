"""The text files of a Tatoeba-Challenge OPUS-MT release, as the real ones are written.

- ``vocabulary_yaml``: Marian's vocabulary ``.yml`` as yaml-cpp's emitter writes it (plain keys,
  double quotes only where a plain scalar cannot hold the piece);
- ``readme`` / ``release_yml``: the release's README and ``.yml``, with the target-label lines
  of a multi-target release (the ``.yml`` writes ``- >>hye<<`` unquoted, which is not valid YAML);
- ``PREPROCESS_SH`` / ``POSTPROCESS_SH``: what OPUS-MT-train's ``scripts/preprocess-spm.sh`` and
  ``postprocess-spm.sh`` do, shipped in every release as ``preprocess.sh`` / ``postprocess.sh``.
"""

from __future__ import annotations

from collections.abc import Sequence

import langcodes

# yaml-cpp (emitterutils.cpp, exp.h) writes a string plain unless it is a null word, starts with an
# indicator, ends with a space, or holds ": ", " #", a tab, a line break or an unprintable character;
# then it writes it double-quoted with C-style escapes. No Python YAML library emits that style
# (PyYAML single-quotes instead), so the rule is written out here.
_NULL_WORDS = {"", "~", "null", "Null", "NULL"}
_START_INDICATORS = set(",[]{}#&*!|>'\"%@`")
_BLANK_OR_BREAK = set(" \t\r\n")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f"}


def vocabulary_yaml(vocab: Sequence[str]) -> str:
    """One ``token: id`` line each, in id order."""
    return "".join(f"{yaml_cpp_scalar(token)}: {index}\n" for index, token in enumerate(vocab))


def yaml_cpp_scalar(text: str) -> str:
    """``text`` as yaml-cpp's emitter writes a string in block context (default settings)."""
    return text if _is_plain(text) else _double_quoted(text)


def _is_plain(text: str) -> bool:
    if text in _NULL_WORDS or text[0] in _START_INDICATORS or text[0] in _BLANK_OR_BREAK or text.endswith(" "):
        return False
    if text[0] in "-?:" and (len(text) == 1 or text[1] in _BLANK_OR_BREAK):
        return False
    for here, after in zip(text, [*text[1:], ""]):
        if here == ":" and (after == "" or after in _BLANK_OR_BREAK):
            return False
        if here in _BLANK_OR_BREAK and after == "#":
            return False
        if here in "\t\r\n\ufeff" or _unprintable(here):
            return False
    return True


def _unprintable(char: str) -> bool:
    point = ord(char)
    return point < 0x20 or point == 0x7F or (0x80 <= point <= 0x9F and point != 0x85)


def _double_quoted(text: str) -> str:
    out = []
    for char in text:
        point = ord(char)
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif point < 0x20 or 0x80 <= point <= 0xA0:
            out.append(f"\\x{point:02x}")
        elif point == 0xFEFF:
            out.append("\\ufeff")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def tatoeba_code(code: str) -> str:
    """Tatoeba-Challenge names languages by ISO 639-3 (``hy`` → ``hye``)."""
    return langcodes.Language.get(code).to_alpha3()


def readme(src: str, tgt: str, labels: Sequence[str], *, name: str = "opus-2000-01-01", dataset: str = "opus",
           model_type: str = "transformer-align", list_labels: bool = True) -> str:
    """A release README.md; ``src``/``tgt`` are Tatoeba codes, ``labels`` full ``>>id<<`` tokens.
    ``list_labels=False``: the README says a label is required but lists none (eng-zle's)."""
    targets = " ".join(label.strip("<>") for label in labels) or tgt
    lines = [
        f"# {name}.zip",
        "",
        f"* dataset: {dataset}",
        f"* model: {model_type}",
        f"* source language(s): {src}",
        f"* target language(s): {targets}",
        "* pre-processing: normalization + SentencePiece (spm32k,spm32k)",
    ]
    if labels:
        lines += [
            "* a sentence initial language token is required in the form of `>>id<<` (id = valid target language ID)",
        ]
        lines += [f"* valid language labels: {' '.join(labels)}"] if list_labels else []
    lines += ["* test release: random weights, built by i18n_pipeline.testing; it translates nothing", ""]
    return "\n".join(lines)


def release_yml(src: str, tgt: str, labels: Sequence[str], *, name: str = "opus-2000-01-01", dataset: str = "opus",
                model_type: str = "transformer-align", label_style: str = "unquoted") -> str:
    """The release's ``.yml`` as Tatoeba writes it: ``label_style`` "unquoted" (``- >>hye<<``, the
    2020 releases), "quoted" (``- ">>hye<<"``, hyx-hyx 2021-09-30) or "empty" (a bare
    ``use-target-labels:``, eng-zle 2022-03-13)."""
    targets = [label.strip("<>") for label in labels] or [tgt]
    text = (
        f"release: test/{name}.zip\n"
        "release-date: 2000-01-01\n"
        f"dataset-name: {dataset}\n"
        f"modeltype: {model_type}\n"
        "pre-processing: normalization + SentencePiece (spm32k,spm32k)\n"
        f"source-languages:\n   - {src}\n"
        "target-languages:\n" + "".join(f"   - {target}\n" for target in targets)
    )
    if labels:
        quote = '"' if label_style == "quoted" else ""
        items = [] if label_style == "empty" else [f"   - {quote}{label}{quote}\n" for label in labels]
        text += "use-target-labels:\n" + "".join(items)
    return text


LICENSE_TEXT = """\
This tiny model was generated with random weights by i18n_pipeline.testing for the test suite.
Real OPUS-MT releases are distributed under the Creative Commons Attribution 4.0 International
license (CC-BY 4.0); this file stands where their LICENSE file does.
"""

# The normalization of OPUS-MT-train's scripts/preprocess-spm.sh, written as one Perl program.
# Quirks kept as the release has them: full-width "１" becomes a double quote, and "\p{C}" (which
# includes U+200B, U+2060 and U+FEFF) turns every control or format character into a space before
# the zero-width removal runs. SPMENCODE may name another encoder (it is called with --model FILE).
PREPROCESS_SH = r"""#!/bin/bash
#
# USAGE preprocess.sh langid spmodel < input > output
#
SPMENCODE=${SPMENCODE:-$(command -v spm_encode || echo "${PWD}/tools/marian-dev/build/spm_encode")}

perl -CSD -Mutf8 -pe '
  BEGIN {
    %ascii = ("，" => ",", "、" => ",", "”" => "\"", "“" => "\"", "∶" => ":", "：" => ":",
              "？" => "?", "《" => "\"", "》" => "\"", "）" => ")", "！" => "!", "（" => "(",
              "；" => ";", "１" => "\"", "」" => "\"", "「" => "\"", "～" => "~", "’" => "\x27",
              "…" => "...", "━" => "-", "〈" => "<", "〉" => ">", "【" => "[", "】" => "]",
              "％" => "%", "０" => "0", "２" => "2", "３" => "3", "４" => "4", "５" => "5",
              "６" => "6", "７" => "7", "８" => "8", "９" => "9");
    $chars = join "", keys %ascii;
  }
  s/([$chars])/$ascii{$1}/g;
  s/[。．] */. /g;
  s/(?!\n)\p{C}/ /g;
  s/[\x{2060}\x{200B}\x{feff}]//g;
  s/  +/ /g;
  s/^ +//;
  s/ +$//;
' | ${SPMENCODE} --model "$2"
"""

# OPUS-MT-train's scripts/postprocess-spm.sh: join the pieces, turn "▁" back into spaces.
POSTPROCESS_SH = r"""#!/bin/bash
#
# USAGE postprocess.sh < input > output
#
perl -CSD -Mutf8 -pe 's/ //g; s/\x{2581}/ /g; s/^ +//;'
"""
