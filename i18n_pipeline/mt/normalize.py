"""OPUS-MT's input normalization, as the release's ``preprocess.sh`` applies it before SentencePiece.

The table is OPUS-MT-train's ``scripts/preprocess-spm.sh`` (a sed table adapted from Moses, then
``\\p{C}`` → space, U+2060/U+200B/U+FEFF removed, spaces squeezed and trimmed), entry for entry,
including its oddities (full-width ``１`` becomes ``"``): the model was trained on text that went
through exactly this, so ``Armenia’s`` must reach it as ``Armenia's``. Hand-written because it is
a shell pipeline, not a library; it also returns where each output character came from, so the
tokenizer's piece offsets can be mapped back onto the text the newsroom wrote.
"""

from __future__ import annotations

import unicodedata

# sed -e 's/X/Y/g' of preprocess-spm.sh, in its order (each X is one character).
_TABLE: dict[str, str] = {
    "，": ",", "、": ",", "”": '"', "“": '"', "∶": ":", "：": ":", "？": "?", "《": '"', "》": '"',
    "）": ")", "！": "!", "（": "(", "；": ";", "１": '"', "」": '"', "「": '"', "０": "0", "３": "3",
    "２": "2", "５": "5", "６": "6", "９": "9", "７": "7", "８": "8", "４": "4", "～": "~", "’": "'",
    "…": "...", "━": "-", "〈": "<", "〉": ">", "【": "[", "】": "]", "％": "%",
}
# 's/。 */. /g' and 's/． */. /g': the full stop swallows the spaces after it and leaves one.
_FULL_STOPS = frozenset("。．")


def opus_mt_normalize(text: str) -> tuple[str, list[int]]:
    """``(normalized, origin)``: ``origin[i]`` is the index in ``text`` of the character that
    produced ``normalized[i]``; ``origin`` has one more entry, ``len(text)``, for the end."""
    chars: list[str] = []
    origin: list[int] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in _FULL_STOPS:
            chars += [".", " "]
            origin += [i, i]
            i += 1
            while i < len(text) and text[i] == " ":
                i += 1
            continue
        out = _TABLE.get(ch, ch)
        for piece in out:
            # perl 's/(?!\n)\p{C}/ /g'; its next step (drop U+2060, U+200B, U+FEFF) then finds
            # none: they are \p{C} too, so they are spaces by then, as in the release.
            if piece != "\n" and unicodedata.category(piece).startswith("C"):
                piece = " "
            chars.append(piece)
            origin.append(i)
        i += 1
    # sed 's/  */ /g;s/^ *//g;s/ *$//g'
    squeezed: list[str] = []
    squeezed_origin: list[int] = []
    for ch, where in zip(chars, origin):
        if ch == " " and (not squeezed or squeezed[-1] == " "):
            continue
        squeezed.append(ch)
        squeezed_origin.append(where)
    while squeezed and squeezed[-1] == " ":
        squeezed.pop()
        squeezed_origin.pop()
    squeezed_origin.append(len(text))
    return "".join(squeezed), squeezed_origin


__all__ = ["opus_mt_normalize"]
