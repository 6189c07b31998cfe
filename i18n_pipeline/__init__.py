"""i18n-pipeline: offline translation and localization for a newsroom (en → ru, hy)."""

__version__ = "0.1.0"
