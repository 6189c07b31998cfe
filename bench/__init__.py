"""Benchmark harness (issue 7): the pipeline against Argos Translate and raw CTranslate2.

Run it with ``make bench [ARTICLES=N]`` or ``.venv/bin/python -m bench --articles N``;
``bench/README.md`` says what is measured and how to read the numbers.
"""
