"""Review pages: articles with highlighted entities and their relations."""
from __future__ import annotations

import re

from helpers import process_text
from kg.report.review import render_article, write_review


def test_review_page_highlights_entities_and_lists_relations(tmp_path):
    result = process_text("本报讯 灵石县住房和城乡建设局实施翠峰路改造工程。\n\n(王芳)\n")
    page = render_article(result, result.document.articles[0].article_id)
    assert "<mark" in page and "灵石县住房和城乡建设局" in page
    assert "undertakes" in page and "翠峰路改造工程" in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?https?://""", page)


def test_review_escapes_corpus_text(tmp_path):
    hostile = "本报讯 <script>alert(1)</script>灵石县<img src=x onerror=alert(2)>召开会议。\n"
    result = process_text(hostile)
    page = render_article(result, result.document.articles[0].article_id)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_write_review_writes_an_index_and_one_page_per_article(tmp_path):
    result = process_text("标题一\n\n本报讯 平遥县召开会议。\n\n标题二\n\n本报讯 寿阳县召开会议。\n")
    written = write_review([result], tmp_path)
    assert (tmp_path / "index.html").exists()
    assert len(written) == len(result.document.articles) + 1


def test_review_page_draws_each_entity_inline(tmp_path):
    """Issue 17: no line break or indentation inside an entity's markup, and no pre-wrap around it
    (displaCy's own template under ``white-space: pre-wrap`` drew each entity over three lines)."""
    result = process_text("本报讯 灵石县住房和城乡建设局实施翠峰路改造工程。\n第二行，平遥县召开会议。\n")
    page = render_article(result, result.document.articles[0].article_id)
    marks = re.findall(r"<mark\b.*?</mark>", page, re.S)
    assert len(marks) >= 3
    assert all("\n" not in m and "  " not in m for m in marks), marks
    assert "pre-wrap" not in page and "pre-line" not in page
    assert "<br>" in page  # the text's own line break is still there
