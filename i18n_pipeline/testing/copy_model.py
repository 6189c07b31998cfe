"""A CTranslate2 Transformer whose weights are set by hand so that it copies its input.

Every decoder step t attends to source position t (a one-head cross-attention that matches
positions, so ``return_attention`` shows a perfect diagonal alignment) and emits that token; once
the source is exhausted no position matches and ``</s>`` wins. While the source lasts a ReLU unit
that fires only on an exact position match pushes ``</s>`` below every other token, so beam search
cannot end early (CTranslate2 stops once ``beam_size`` hypotheses have finished). A ``</s>`` at
the end of the source (when the engine adds one) is simply copied.

How the residual stream is laid out (one encoder layer, one decoder layer, pre-norm, one head):

    TOK_A|TOK_B   token id v as two one-hots, v // B and v % B (2·√V dims instead of V)
    EOS           two dims only ``</s>`` uses, so no other token shares a code with it
    POS_A|POS_B   own position p as two one-hots, p // B and p % B
    APOS_A|APOS_B the position the cross-attention attended to (decoder only)
    MATCH         three copies of "attended position == own position" (2 on a match, ≤ 1 otherwise)
    COMP          two dims that hold minus the sum of everything else, so every layer norm sees mean 0
    STAB          +C and -C: they dominate the variance, so every layer norm divides by the same
                  constant and, with gamma set to that constant, is the identity on the features

Two-head variants (``attention=`` "shift+k", "shift-k", "blur", "uniform"; see ``CopyAttention``):
head 1 does the copying exactly as above, head 0 (the one CTranslate2 reports: ``alignment_heads=1``
averages the first head of the last layer) looks elsewhere and adds nothing to the stream (zero
value projection). Its query reads extra decoder features set in the position table:

    QPOS_A|QPOS_B one-hots of position t+k (shift): head 0's keys are the source position codes,
                  so it attends to source piece t+k (no row peaks when t+k is outside the source)
    TILES         W shifted tilings of the positions, one-hot per tiling (blur): t and s share
                  W−|t−s| tiles, so head 0 scores a triangle window, softened by a low sharpness
    XCOMP         minus each extra one-hot, so the layer norms still see mean 0

Head space: CTranslate2 splits the projected width d into heads [0, d/2) and [d/2, d). Head 1's
values sit at even offsets (the output projection is an int8 product over them); head 0's query
and key codes are dense (q·k is computed in float). A separate target vocabulary
(``target_codes``) maps each target id to the source id whose code it emits, or to none.

All weight rows are 0/±1 multiples of one value, so int8 quantization (per-row scale) is exact,
and activations entering each matrix product are 0/1-ish rows, so int8 compute keeps the copy
exact too. The saved model puts logical dimension i at 2·i (see ``spread``) to keep the int8
kernels of CPUs without VNNI from saturating. Token logits: the copied token 2α, tokens sharing half its code α, others 0;
``</s>``: γ − M·match.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
from ctranslate2.specs import transformer_spec

# Logit scale of a copied token (2α) and of a token sharing half its code (α).
ALPHA = 20.0
# How far ``</s>`` stays below every token while the source lasts, and above every token after.
EOS_MARGIN = 10.0
MATCH_DIMS = 3
EOS_VETO = MATCH_DIMS * ALPHA  # M: per unit of the match signal; weight α on each MATCH dim
# γ: on a match (signal 2) </s> scores −margin, below every token (≥ 0); with no match (signal
# ≤ 1) it scores ≥ 2α + margin, above any copied token. Both hold because EOS_VETO = 2α + 2·margin.
EOS_BIAS = 2 * EOS_VETO - EOS_MARGIN
# Effective attention-score gap between the matching source position and a half-matching one.
ATTENTION_SHARPNESS = 25.0
STABILIZER = 1000.0
POSITION_TABLE_ROWS = 1024
# Blur: tilings (window half-width + 1) and the score per shared tile (softmax temperature⁻¹).
BLUR_WINDOW = 6
BLUR_SHARPNESS = 1.0


@dataclass(frozen=True)
class CopyAttention:
    """What the reported head (head 0 of the last decoder layer) does.

    ``exact``: one head, the copying one (a diagonal); ``shift`` ± k: a second head whose row t
    peaks at source piece t+k; ``blur``: a triangle window of half-width ``window`` around t,
    softmax sharpness ``sharpness`` per shared tile; ``uniform``: every row uniform over the source.
    """

    kind: str = "exact"
    shift: int = 0
    window: int = BLUR_WINDOW
    sharpness: float = BLUR_SHARPNESS

    @classmethod
    def parse(cls, spec: "str | CopyAttention") -> "CopyAttention":
        if isinstance(spec, CopyAttention):
            return spec
        if spec in ("exact", "uniform", "blur"):
            return cls(spec)
        match = re.fullmatch(r"shift([+-]\d+)", spec)
        if match:
            return cls("shift", int(match.group(1)))
        raise ValueError(f"unknown attention {spec!r}: exact, shift+k, shift-k, blur or uniform")

    @property
    def heads(self) -> int:
        return 1 if self.kind == "exact" else 2

    @property
    def name(self) -> str:
        return f"shift{self.shift:+d}" if self.kind == "shift" else self.kind


def _split(n: int) -> tuple[int, int]:
    """(rows, base) with rows·base ≥ n: an id i is coded as one-hots of i // base and i % base."""
    base = max(2, math.ceil(math.sqrt(n)))
    return math.ceil(n / base), base


@dataclass(frozen=True)
class CopyLayout:
    """Where each feature lives in the residual stream (see the module docstring)."""

    vocab_size: int
    eos_id: int
    max_positions: int
    attention: CopyAttention = field(default_factory=CopyAttention)

    @property
    def _tok(self) -> tuple[int, int]:
        return _split(self.vocab_size)

    @property
    def _pos(self) -> tuple[int, int]:
        return _split(self.max_positions)

    @property
    def tok_a(self) -> int:
        return 0

    @property
    def tok_b(self) -> int:
        return self.tok_a + self._tok[0]

    @property
    def eos(self) -> int:
        return self.tok_b + self._tok[1]

    @property
    def pos_a(self) -> int:
        return self.eos + 2

    @property
    def pos_b(self) -> int:
        return self.pos_a + self._pos[0]

    @property
    def apos_a(self) -> int:
        return self.pos_b + self._pos[1]

    @property
    def apos_b(self) -> int:
        return self.apos_a + self._pos[0]

    @property
    def match(self) -> int:
        return self.apos_b + self._pos[1]

    @property
    def comp(self) -> int:
        return self.match + MATCH_DIMS

    @property
    def stab(self) -> int:
        return self.comp + 2

    @property
    def qpos_dims(self) -> int:
        return sum(self._pos) if self.attention.kind == "shift" else 0

    @property
    def tilings(self) -> int:
        return self.attention.window if self.attention.kind == "blur" else 0

    @property
    def tiles_per_tiling(self) -> int:
        return -(-self.max_positions // max(1, self.tilings)) + 1

    @property
    def qpos_a(self) -> int:
        return self.stab + 2

    @property
    def tiles(self) -> int:
        return self.qpos_a + self.qpos_dims

    @property
    def xcomp(self) -> int:
        return self.tiles + self.tilings * self.tiles_per_tiling

    @property
    def xcomp_dims(self) -> int:
        return 2 if self.qpos_dims else self.tilings

    @property
    def d_model(self) -> int:
        """Logical width; the saved model is twice as wide (see ``spread``)."""
        return self.xcomp + self.xcomp_dims

    @property
    def head_features(self) -> int:
        """Values head 1 carries (token and position codes)."""
        return (self.eos + 2 - self.tok_a) + self.position_dims

    @property
    def physical_d_model(self) -> int:
        width = 2 * self.d_model
        if self.attention.heads == 2:
            # Each head gets d/2: room for head 1's spread values and head 0's dense codes.
            width = max(width, 2 * 2 * self.head_features, 2 * (self.xcomp - self.tiles), 2 * self.qpos_dims)
        return -(-width // 16) * 16  # a multiple of 16 suits the GEMM kernels

    @property
    def head_dim(self) -> int:
        return self.physical_d_model // self.attention.heads

    def qpos_dims_of(self, position: int) -> tuple[int, int] | None:
        """Where head 0 of a shift variant looks from decoder step ``position``."""
        target = position + self.attention.shift
        if not self.qpos_dims or not 0 <= target < self.max_positions or position >= self.max_positions:
            return None
        base = self._pos[1]
        return self.qpos_a + target // base, self.qpos_a + self._pos[0] + target % base

    def tile_dims_of(self, position: int) -> list[int]:
        if not self.tilings or position >= self.max_positions:
            return []
        n = self.tiles_per_tiling
        return [self.tiles + o * n + (position + o) // self.tilings for o in range(self.tilings)]

    @property
    def tile_slice(self) -> slice:
        return slice(self.tiles, self.xcomp)

    @property
    def qpos_slice(self) -> slice:
        return slice(self.qpos_a, self.tiles)

    @property
    def position_dims(self) -> int:
        return sum(self._pos)

    def token_dims(self, token_id: int) -> tuple[int, int]:
        if token_id == self.eos_id:
            return self.eos, self.eos + 1
        base = self._tok[1]
        return self.tok_a + token_id // base, self.tok_b + token_id % base

    def position_dims_of(self, position: int) -> tuple[int, int] | None:
        if position >= self.max_positions:
            return None  # beyond the copy capacity: no position, so nothing matches and </s> wins
        base = self._pos[1]
        return self.pos_a + position // base, self.pos_b + position % base

    @property
    def token_slice(self) -> slice:
        return slice(self.tok_a, self.eos + 2)

    @property
    def position_slice(self) -> slice:
        return slice(self.pos_a, self.apos_a)

    @property
    def attended_slice(self) -> slice:
        return slice(self.apos_a, self.match)

    @property
    def match_slice(self) -> slice:
        return slice(self.match, self.comp)

    @property
    def layer_norm_gain(self) -> float:
        # The layer-norm standard deviation: STAB's ±C dominate it (features add < 0.01 %).
        return STABILIZER * math.sqrt(2.0 / self.physical_d_model)


def spread(matrix: np.ndarray, physical: int, axes: tuple[int, ...]) -> np.ndarray:
    """Move logical index i of each axis in ``axes`` to physical index 2·i (odd indices stay 0).

    CPUs without VNNI compute int8 products with ``vpmaddubsw``, which adds two adjacent
    u8·s8 products into an int16 and saturates: a weight row with two large neighbours (e.g. all
    ones) overflows. With every other input dimension empty, no such pair exists.
    """
    shape = [physical if axis in axes else size for axis, size in enumerate(matrix.shape)]
    out = np.zeros(shape, np.float32)
    index = tuple(
        slice(0, 2 * size, 2) if axis in axes else slice(None) for axis, size in enumerate(matrix.shape)
    )
    out[index] = matrix
    return out


def build_copy_spec(
    vocab_size: int,
    eos_id: int,
    max_positions: int,
    *,
    attention: "str | CopyAttention" = "exact",
    target_codes: list[int | None] | None = None,
) -> transformer_spec.TransformerSpec:
    """A TransformerSpec (vocabulary not registered yet) whose weights copy the source.

    ``vocab_size``/``eos_id`` are the source vocabulary's. ``target_codes[j]`` is the source id
    target piece j stands for (same string) or None (never emitted); default: the same vocabulary.
    """
    layout = CopyLayout(vocab_size, eos_id, max_positions, CopyAttention.parse(attention))
    spec = transformer_spec.TransformerSpec.from_config((1, 1), layout.attention.heads, pre_norm=True)
    _set_encoder(spec.encoder, layout)
    _set_decoder(spec.decoder, layout, target_codes or list(range(vocab_size)))
    return spec


class _Writer:
    """Assigns logical weights to spec variables, spread to the physical width."""

    def __init__(self, layout: CopyLayout):
        self.d = layout.physical_d_model
        self.hidden = 2 * layout.position_dims

    def stream(self, vector: np.ndarray) -> np.ndarray:
        return spread(vector, self.d, (0,))

    def linear(self, linear, weight: np.ndarray, bias: np.ndarray | None = None, hidden_in=False, hidden_out=False) -> None:
        out = spread(weight, self.hidden if hidden_out else self.d, (0,))
        linear.weight = spread(out, self.hidden if hidden_in else self.d, (1,))
        if bias is not None:
            linear.bias = spread(bias, self.hidden if hidden_out else self.d, (0,))

    def layer_norm(self, norm, gamma: np.ndarray) -> None:
        norm.gamma = self.stream(gamma)
        norm.beta = np.zeros(self.d, np.float32)

    def silence_self_attention(self, attention) -> None:
        # A sublayer that adds nothing: zero projections (the residual carries the stream).
        norm_gamma = np.ones(self.d, np.float32)
        attention.layer_norm.gamma = norm_gamma
        attention.layer_norm.beta = np.zeros(self.d, np.float32)
        attention.linear[0].weight = np.zeros((3 * self.d, self.d), np.float32)
        attention.linear[1].weight = np.zeros((self.d, self.d), np.float32)


def _position_table(layout: CopyLayout, decoder: bool = False) -> np.ndarray:
    table = np.zeros((max(POSITION_TABLE_ROWS, layout.max_positions + 1), layout.d_model), np.float32)
    table[:, layout.stab] = STABILIZER
    table[:, layout.stab + 1] = -STABILIZER
    for position in range(layout.max_positions):
        table[position, list(layout.position_dims_of(position))] = 1.0
        table[position, [layout.comp, layout.comp + 1]] = -1.0
        extra = list(layout.tile_dims_of(position))  # blur: the key side and the query side
        if decoder and layout.qpos_dims_of(position):
            extra += list(layout.qpos_dims_of(position))
        table[position, extra] = 1.0
        table[position, layout.xcomp : layout.xcomp + len(extra)] = -1.0
    return spread(table, layout.physical_d_model, (1,))


def _gain(layout: CopyLayout, *keep: slice) -> np.ndarray:
    """Layer-norm gamma that passes the ``keep`` features through unchanged and drops the rest."""
    gamma = np.zeros(layout.d_model, np.float32)
    for part in keep:
        gamma[part] = layout.layer_norm_gain
    return gamma


def _identity(layout: CopyLayout, *parts: slice, scale: float = 1.0) -> np.ndarray:
    rows = np.zeros((layout.d_model, layout.d_model), np.float32)
    for part in parts:
        index = np.arange(part.start, part.stop)
        rows[index, index] = scale
    return rows


def _set_encoder(encoder, layout: CopyLayout) -> None:
    write = _Writer(layout)
    embeddings = np.zeros((layout.vocab_size, layout.d_model), np.float32)
    for token_id in range(layout.vocab_size):
        embeddings[token_id, list(layout.token_dims(token_id))] = 1.0
        embeddings[token_id, [layout.comp, layout.comp + 1]] = -1.0
    # CTranslate2 multiplies embeddings by sqrt(d_model); divide here so the stream holds 0/±1.
    scale = np.float32(math.sqrt(write.d))
    encoder.embeddings[0].weight = spread(embeddings, write.d, (1,)) / scale
    encoder.position_encodings.encodings = _position_table(layout)

    layer = encoder.layer[0]
    write.silence_self_attention(layer.self_attention)
    write.layer_norm(layer.ffn.layer_norm, np.ones(layout.d_model, np.float32))
    layer.ffn.linear_0.weight = np.zeros((16, write.d), np.float32)
    layer.ffn.linear_1.weight = np.zeros((write.d, 16), np.float32)
    # The memory the decoder reads: token code and position code (and tiles), nothing else.
    write.layer_norm(encoder.layer_norm, _gain(layout, layout.token_slice, layout.position_slice, layout.tile_slice))


def _set_decoder(decoder, layout: CopyLayout, target_codes: list[int | None]) -> None:
    write = _Writer(layout)
    # The decoder ignores what it emitted so far: step t only needs its position t.
    decoder.embeddings.weight = np.zeros((len(target_codes), write.d), np.float32)
    decoder.position_encodings.encodings = _position_table(layout, decoder=True)
    layer = decoder.layer[0]
    write.silence_self_attention(layer.self_attention)
    if layout.attention.heads == 1:
        _set_cross_attention(layer.attention, layout, write)
    else:
        _set_two_head_cross_attention(layer.attention, layout, write)
    _set_match_detector(layer.ffn, layout, write)
    write.layer_norm(decoder.layer_norm, _gain(layout, layout.token_slice, layout.match_slice))
    _set_projection(decoder.projection, layout, write, target_codes)


def _set_cross_attention(attention, layout: CopyLayout, write: _Writer) -> None:
    write.layer_norm(attention.layer_norm, _gain(layout, layout.position_slice))
    # Query and key are the position codes: score 2β on the same position, β on a half match.
    # CTranslate2 scales queries by 1/sqrt(head dim); β undoes that so the gap is ATTENTION_SHARPNESS.
    beta = ATTENTION_SHARPNESS * math.sqrt(write.d)
    write.linear(attention.linear[0], _identity(layout, layout.position_slice, scale=beta))
    keys = _identity(layout, layout.position_slice)
    values = _identity(layout, layout.token_slice, layout.position_slice)
    # The fused key/value matrix: keys in rows [0, d), values in rows [d, 2d).
    attention.linear[1].weight = np.concatenate(
        [spread(keys, write.d, (0, 1)), spread(values, write.d, (0, 1))]
    )

    output = np.zeros((layout.d_model, layout.d_model), np.float32)
    tokens = np.arange(layout.token_slice.start, layout.token_slice.stop)
    output[tokens, tokens] = 1.0  # the attended token code lands in TOK (the decoder's TOK is empty)
    attended = np.arange(layout.position_slice.start, layout.position_slice.stop)
    output[attended + (layout.apos_a - layout.pos_a), attended] = 1.0  # attended position → APOS
    output[layout.comp, tokens] = -1.0
    output[layout.comp + 1, attended] = -1.0
    write.linear(attention.linear[2], output)


def _set_two_head_cross_attention(attention, layout: CopyLayout, write: _Writer) -> None:
    """Head 1 [d/2, d) copies as the one-head model does; head 0 [0, d/2) only looks (values 0)."""
    d, half = write.d, layout.head_dim
    kind = layout.attention.kind
    write.layer_norm(attention.layer_norm, _gain(layout, layout.position_slice, layout.qpos_slice, layout.tile_slice))
    query = np.zeros((d, d), np.float32)
    key = np.zeros((d, d), np.float32)
    value = np.zeros((d, d), np.float32)
    output = np.zeros((d, d), np.float32)
    scale = math.sqrt(half)  # CTranslate2 scales queries by 1/sqrt(head dim)
    positions = np.arange(layout.position_slice.start, layout.position_slice.stop)
    # Head 1: own position code against source position codes, gap ATTENTION_SHARPNESS.
    rows = half + 2 * np.arange(len(positions))
    query[rows, 2 * positions] = ATTENTION_SHARPNESS * scale
    key[rows, 2 * positions] = 1.0
    carried = np.concatenate([np.arange(layout.token_slice.start, layout.token_slice.stop), positions])
    slots = half + 2 * np.arange(len(carried))
    value[slots, 2 * carried] = 1.0
    n_tokens = layout.token_slice.stop - layout.token_slice.start
    token_slots, position_slots = slots[:n_tokens], slots[n_tokens:]
    output[2 * carried[:n_tokens], token_slots] = 1.0
    output[2 * (positions + (layout.apos_a - layout.pos_a)), position_slots] = 1.0
    output[2 * layout.comp, token_slots] = -1.0
    output[2 * (layout.comp + 1), position_slots] = -1.0
    # Head 0: queries only; its values (and so its output columns) stay zero.
    if kind == "shift":
        qpos = np.arange(layout.qpos_slice.start, layout.qpos_slice.stop)
        query[np.arange(len(qpos)), 2 * qpos] = ATTENTION_SHARPNESS * scale
        key[np.arange(len(positions)), 2 * positions] = 1.0
    elif kind == "blur":
        tiles = np.arange(layout.tile_slice.start, layout.tile_slice.stop)
        query[np.arange(len(tiles)), 2 * tiles] = layout.attention.sharpness * scale
        key[np.arange(len(tiles)), 2 * tiles] = 1.0
    # "uniform": query 0, so every score is 0.
    attention.linear[0].weight = query
    attention.linear[1].weight = np.concatenate([key, value])
    attention.linear[2].weight = output


def _set_match_detector(ffn, layout: CopyLayout, write: _Writer) -> None:
    """Hidden unit k fires (value 1) only when own and attended position codes share one-hot k.

    An exact match fires one unit in each half (signal 2); a half-matching or spread-out attention
    gives at most 1 in total, because its weights on positions sharing each half sum to ≤ 1.
    """
    hidden = layout.position_dims
    write.layer_norm(ffn.layer_norm, _gain(layout, layout.position_slice, layout.attended_slice))
    first = np.zeros((hidden, layout.d_model), np.float32)
    for unit in range(hidden):
        first[unit, layout.pos_a + unit] = 1.0
        first[unit, layout.apos_a + unit] = 1.0
    write.linear(ffn.linear_0, first, np.full(hidden, -1.0, np.float32), hidden_out=True)
    second = np.zeros((layout.d_model, hidden), np.float32)
    second[layout.match_slice, :] = 1.0
    second[layout.comp, :] = -float(MATCH_DIMS)
    write.linear(ffn.linear_1, second, hidden_in=True)


def _set_projection(projection, layout: CopyLayout, write: _Writer, target_codes: list[int | None]) -> None:
    weight = np.zeros((len(target_codes), layout.d_model), np.float32)
    bias = np.zeros(len(target_codes), np.float32)
    for token_id, code in enumerate(target_codes):
        if code is None:
            continue  # a target-only piece: logit 0, below every copied token
        weight[token_id, list(layout.token_dims(code))] = ALPHA
        if code == layout.eos_id:
            weight[token_id, layout.match_slice] = -ALPHA  # MATCH_DIMS · α = EOS_VETO per unit of match
            bias[token_id] = EOS_BIAS
    projection.weight = spread(weight, write.d, (1,))
    projection.bias = bias
