"""Every reader hands the headline to MT as a block, wherever the title came from."""

from __future__ import annotations

import json

import pytest

from i18n_pipeline.document import Role
from i18n_pipeline.ingest import read_article

CASES = {
    "a.md": "---\ntitle: CIA budget rises\n---\n\nThe CIA said analysts joined this year in numbers.\n",
    "b.md": "# CIA budget rises\n\nThe CIA said analysts joined this year in numbers.\n",
    "c.json": json.dumps({"title": "CIA budget rises", "body": "<p>The CIA said analysts joined this year.</p>"}),
    "d.html": "<html><head><title>CIA budget rises</title></head><body><article><h1>CIA budget rises</h1>"
              "<p>The CIA said analysts joined this year in numbers, officials told reporters.</p>"
              "<p>Officials in Moscow declined to comment on the flights over the weekend.</p></article></body></html>",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_headline_is_one_translatable_block(tmp_path, name):
    path = tmp_path / name
    path.write_text(CASES[name], encoding="utf-8")
    article = read_article(path)
    headlines = [b for b in article.blocks if b.role is Role.HEADLINE]
    assert [b.text for b in headlines] == ["CIA budget rises"]
    assert headlines[0].translatable
