"""``end-punctuation``, ``quotes`` and ``brackets``: typography the reader notices first.

Armenian ends a sentence with ։ (U+0589, not ASCII ':' or '.'); its question and exclamation
marks ՞ ՜ sit on the stressed word, so "Ո՞վ է նա։" is a question. Russian quotes are «…»
outside and „…“ inside; Armenian uses «…». Straight quotes are wrong in both.
"""

from __future__ import annotations

from .pair import Pair

_CLOSERS = "»«“”„\"'’›‹)]} \u00a0\t"
_HY_STOP, _HY_QUESTION, _HY_EXCLAIM = "\u0589", "\u055e", "\u055c"


def _final(text: str) -> tuple[str, str]:
    """(class, mark) of the sentence-final punctuation, closing quotes and brackets set aside."""
    core = text.rstrip(_CLOSERS)
    if core.endswith("...") or core.endswith("…"):
        return "ellipsis", "…"
    mark = core[-1:] if core else ""
    classes = {".": "stop", _HY_STOP: "stop", "?": "question", _HY_QUESTION: "question", "!": "exclamation",
               _HY_EXCLAIM: "exclamation", ":": "colon", ";": "semicolon"}
    return classes.get(mark, "none"), mark


def _armenian_final(target: str) -> tuple[str, str]:
    kind, mark = _final(target)
    if mark == _HY_STOP and _HY_QUESTION in target:
        return "question", mark
    if mark == _HY_STOP and _HY_EXCLAIM in target:
        return "exclamation", mark
    return kind, mark


def check_end_punctuation(pair: Pair) -> list[str]:
    want, source_mark = _final(pair.source)
    armenian = pair.target_lang == "hy"
    got, mark = _armenian_final(pair.target) if armenian else _final(pair.target)
    if not pair.target.strip():
        return []
    if armenian:
        if mark == "." and want in ("stop", "none"):
            return ["Armenian sentence ends with '.', use '։' (U+0589)"]
        if mark == ":" and want == "stop":
            return ["sentence ends with ASCII ':', use the Armenian full stop '։' (U+0589)"]
        if mark == "?" and _HY_QUESTION not in pair.target:
            return ["Armenian question marked with '?', put '՞' on the stressed word"]
        if want == "colon" and mark in (".", "\u055d"):
            return []  # the Armenian mijaket '.' does the job of an English colon
    if want == got or (want == "ellipsis" and got == "stop") or (want == "stop" and got == "ellipsis"):
        return []
    if want == "none":
        return [f"target ends with {mark!r}, the source has no final punctuation"]
    if got == "none":
        return [f"final {source_mark!r} of the source is missing in the target"]
    return [f"source ends with {source_mark!r}, target with {mark!r}"]


_PAIRS = {"«": "»", "„": "“"}


def _quotes_balanced(text: str) -> bool:
    return text.count('"') % 2 == 0 and text.count("“") == text.count("”") and text.count("«") == text.count("»")


def check_quotes(pair: Pair) -> list[str]:
    target = pair.target
    problems = []
    if '"' in target:
        problems.append('straight quotes "…"')
    if any(ch == "'" and not (_letter(target, i - 1) and _letter(target, i + 1)) for i, ch in enumerate(target)):
        problems.append("straight single quotes '…'")
    if pair.target_lang == "ru":
        found = _russian_quotes(target)
        if not _quotes_balanced(pair.source):  # a quotation split across segments
            found = [p for p in found if not p.startswith(("unpaired", "closing"))]
        problems += found
    elif pair.target_lang == "hy":
        if any(ch in target for ch in "“”„"):
            problems.append("quotes “…” or „…“ in Armenian: use «…»")
        if target.count("«") != target.count("»") and _quotes_balanced(pair.source):
            problems.append("unpaired « »")
    return problems


def _letter(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isalpha()


def _russian_quotes(target: str) -> list[str]:
    problems, stack = [], []
    for ch in target:
        if ch in _PAIRS:
            if ch == "«" and "«" in stack:
                problems.append("«…» nested inside «…»: use „…“ inside")
            stack.append(ch)
        elif ch == "»" or (ch == "“" and "„" in stack):
            opener = "«" if ch == "»" else "„"
            if opener in stack:
                stack.reverse()
                stack.remove(opener)
                stack.reverse()
            else:
                problems.append(f"closing {ch} without opening {opener}")
        elif ch in "“”":
            problems.append("English quotes “…” in Russian: use «…» (and „…“ inside)")
            break
    if stack:
        problems.append(f"unpaired {' '.join(stack)}")
    return list(dict.fromkeys(problems))


_BRACKETS = {"(": ")", "[": "]", "{": "}"}


def _unpaired(text: str) -> list[str]:
    stack, stray = [], []
    closers = {v: k for k, v in _BRACKETS.items()}
    for ch in text:
        if ch in _BRACKETS:
            stack.append(ch)
        elif ch in closers:
            if stack and stack[-1] == closers[ch]:
                stack.pop()
            else:
                stray.append(ch)
    return stray + stack


def check_brackets(pair: Pair) -> list[str]:
    if _unpaired(pair.source):
        return []  # the segmenter cut a bracketed passage: the target cannot pair it either
    stray = _unpaired(pair.target)
    return [f"unpaired bracket {' '.join(stray)}"] if stray else []
