"""Real, tiny CTranslate2 models built offline, for the test suite and the benchmark.

Nothing here downloads: every model is trained or hand-set in milliseconds to a few seconds.

- ``train_sentencepiece``: a byte-fallback SentencePiece model from a few lines.
- ``build_random_argos_package``: an ``.argosmodel`` with random weights, any size.
- ``build_copy_argos_package``: an ``.argosmodel`` that reproduces its input exactly, with a
  diagonal cross-attention (``copy_model`` explains the hand-set weights).
- ``build_copy_opus_mt_pack``: the copy model as an OPUS-MT pack directory with separate
  source/target vocabularies; ``attention=`` and ``tokenizer=`` pick its shape (both builders).
- ``tokenizer.TOKENIZER_SHAPES``: named SentencePiece shapes (char, bpe1k, bpe4k, unigram, nospace, nfkc).
- ``doubles.BehaviourDouble``: a Python engine that copies and drops/misrenders/moves given terms;
  ``doubles.copy_double_shapes()``: every copy-double configuration, each with a factory.
- ``build_tiny_opus_mt_release`` / ``zip_opus_mt_release``: a Marian OPUS-MT release that
  ``ctranslate2.converters.OpusMTConverter`` converts.
"""

from .corpus import SAMPLE_ARTICLE_SENTENCES, default_training_lines
from .models import build_copy_argos_package, build_copy_opus_mt_pack, build_random_argos_package
from .opus_mt import build_tiny_opus_mt_release, zip_opus_mt_release
from .tokenizer import train_sentencepiece

__all__ = [
    "SAMPLE_ARTICLE_SENTENCES",
    "build_copy_argos_package",
    "build_copy_opus_mt_pack",
    "build_random_argos_package",
    "build_tiny_opus_mt_release",
    "default_training_lines",
    "train_sentencepiece",
    "zip_opus_mt_release",
]
