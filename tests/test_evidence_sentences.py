"""Evidence sentences never start inside a quotation nor run across a paragraph; untitled articles get a title.

The splitter (:mod:`kg.corpus.sentences`) on small texts, then the whole
pipeline on invented pages (names and sentences made up for these tests).
"""
from __future__ import annotations

import pytest

from kg.corpus import normalize, split_articles
from kg.corpus.articles import UNTITLED_MAX_CHARS, first_words
from kg.corpus.sentences import paragraph_breaks, quoted_spans, sentence_spans, within_paragraph
from helpers import process_text


# -- quotations -----------------------------------------------------------------------

@pytest.mark.parametrize("text, sentences", [
    ("他说：“我们建好了。明年还建。”随后离开。", ["他说：“我们建好了。明年还建。”", "随后离开。"]),
    ("“好。”然后", ["“好。”", "然后"]),  # the closing mark stays with its sentence
    ("他说：「一。『二。』三。」完。", ["他说：「一。『二。』三。」", "完。"]),
    # a quotation cut by the page (never closed on its line) quotes nothing
    ("他说：“没有结尾。第二句。\n下一行。", ["他说：“没有结尾。", "第二句。", "下一行。"]),
    # a closing mark without an opening one quotes nothing either
    ("园”、停车场等项目。还有一句。", ["园”、停车场等项目。", "还有一句。"]),
])
def test_no_sentence_starts_inside_a_quotation(text, sentences):
    assert [text[s:e] for s, e in sentence_spans(text)] == sentences


def test_quoted_spans_pair_marks_on_one_line():
    text = "甲“乙‘丙’丁”戊“己\n庚”辛「壬」"
    assert [text[s:e] for s, e in quoted_spans(text)] == ["“乙‘丙’丁”", "「壬」"]


# -- paragraph breaks ------------------------------------------------------------------

# A paragraph that ends without punctuation, then another: normalisation joins
# them (it cannot tell them from one paragraph broken by the page layout).
PAGE = ("本报讯 某县今年将办好民生实事。一是完成东湖路改造工程；二是完成西河大桥建设工程\n\n"
        "强力治气守护蓝天白云，某县清河建设有限公司承建了北山公园工程。\n")


def test_paragraph_breaks_are_the_blank_lines_normalisation_removed():
    norm, index = normalize(PAGE)
    assert "\n\n" not in norm  # joined
    breaks = paragraph_breaks(PAGE, index)
    assert len(breaks) == 1
    assert norm[breaks[0]:].startswith("强力治气")
    assert paragraph_breaks("一段。\n\n二段。", [0, 1, 2, 5, 6, 7]) == [3]
    assert paragraph_breaks("一二三", [0, 1, 2]) == []
    assert paragraph_breaks("一 二", [0, 2]) == []  # a removed blank, not a blank line


def test_within_paragraph_keeps_the_part_with_the_facts_words():
    assert within_paragraph(10, 40, [12, 15], [20, 30]) == (10, 20)
    assert within_paragraph(10, 40, [25], [20, 30]) == (20, 30)
    assert within_paragraph(10, 40, [35], [20, 30]) == (30, 40)
    assert within_paragraph(10, 40, [12, 35], [20, 30]) == (10, 40)
    assert within_paragraph(10, 40, [50], [20]) == (10, 40)  # no word inside: the sentence
    assert within_paragraph(10, 40, [12], []) == (10, 40)
    assert within_paragraph(10, 40, [12], [10, 40]) == (10, 40)  # breaks at its ends cut nothing


def test_evidence_of_the_pipeline_runs_across_a_paragraph_only_for_a_fact_read_across_it():
    result = process_text(PAGE, "p.txt")
    names = {e.entity_id: e.name for e in result.entities}
    brk = PAGE.index("\n\n")
    assert result.relations, "the invented page yields no fact"
    crossing = 0
    for r in result.relations:
        assert PAGE[r.start:r.end] == r.evidence
        if "\n\n" in r.evidence:
            # the rules read the joined sentence: a fact whose two names lie on
            # both sides of the break keeps both paragraphs, no other does
            crossing += 1
            sides = {PAGE.index(names[x]) < brk for x in (r.head, r.tail)}
            assert sides == {True, False}, r
    # the fact of the second paragraph is quoted from it alone
    park = [r for r in result.relations if names.get(r.tail) == "北山公园工程"]
    assert park and all(r.evidence == "强力治气守护蓝天白云，某县清河建设有限公司承建了北山公园工程。" for r in park)
    assert crossing <= 1


def test_evidence_quotes_a_whole_quotation():
    page = "本报讯 某县水利局局长王明远说：“今年完成清河治理工程。明年继续推进。”会议结束。\n"
    result = process_text(page, "q.txt")
    quoted = [r.evidence for r in result.relations if "清河治理工程" in r.evidence]
    assert quoted, [r.evidence for r in result.relations]
    for text in quoted:
        assert text.count("“") == text.count("”"), text


# -- titles of untitled articles ---------------------------------------------------------

def test_an_untitled_article_is_titled_by_its_first_words():
    text = "本报讯 2月9日某区消息，该区今年要办好十件民生实事，件件落地。\n\n第二段。"
    (article,) = split_articles(text, "u.txt")
    assert article.title == first_words(text, article.start, article.end)
    assert article.title.startswith("2月9日某区消息")  # the lead marker is no word of the article
    assert len(article.title) == UNTITLED_MAX_CHARS and article.title.endswith("…")
    short = "短讯一则。后文很长很长很长很长很长很长很长。"
    assert split_articles(short, "s.txt")[0].title == "短讯一则。"
    titled = "某县召开会议\n\n本报讯 正文。"
    assert split_articles(titled, "t.txt")[0].title == "某县召开会议"
