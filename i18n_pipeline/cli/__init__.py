"""The ``i18n-pipeline`` command: each command parses, calls one library function, prints.

Exit codes: 0 success; 1 some inputs failed (the rest completed); 2 usage; 3 a required model
is missing or unusable. Heavy modules are imported inside commands so ``--help`` stays fast.
"""

from __future__ import annotations

from . import backfill, glossary, models, review, serve, tm, translate  # noqa: F401  (registers the commands)
from .common import app

__all__ = ["app", "main"]


def main() -> None:  # pragma: no cover - console entry point
    app(prog_name="i18n-pipeline")
