"""Sentences: the one splitter of the project.

A sentence ends after a boundary; pieces lose their surrounding whitespace
and blank ones are left out.  Which characters make a boundary is a
pattern: :data:`SENTENCE_END` for the relation rules (their evidence is the
sentence), the layout's ``[sentences]`` of ``ontology/patterns/corpus.toml``
for :func:`iter_sentences`.  Whatever the pattern:

* a quotation is not cut: a boundary inside a quotation that closes on the
  same line (``他说：“好。我们走。”``) ends no sentence, so no sentence
  starts inside a quotation, and a closing quote stays with its sentence;
* a sentence ends at a line break, so at every paragraph break the
  normalised text keeps.  Normalisation also removes blank lines it takes
  for page layout (a line that stops without punctuation, continued after
  the blank line: ``…总投资16亿元的县`` / ``城老旧小区改造…``), and cannot
  always tell them from a paragraph that ends without punctuation.  The
  rules read the joined sentence (cutting it at every such blank line lost
  facts: measured with ``kg eval``), but the evidence of a fact is cut at
  them: :func:`within_paragraph` keeps the part of the sentence between
  the paragraph breaks of the source (:func:`paragraph_breaks`) that holds
  the fact's words.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence

from kg.corpus.layout import load_layout

__all__ = ["SENTENCE_END", "QUOTES", "sentence_spans", "iter_sentences", "quoted_spans", "paragraph_breaks",
           "within_paragraph"]

#: A sentence end of the relation rules, with the closing quotes that stay with its sentence.
SENTENCE_END = re.compile(r"[。！？；;!?\n][”’」』]*")
#: Opening quotation marks and their closing marks (a quotation inside which no sentence ends).
QUOTES = {"\u201c": "\u201d", "\u2018": "\u2019", "\u300c": "\u300d", "\u300e": "\u300f"}  # “” ‘’ 「」 『』
_QUOTE_MARK = re.compile("[" + "".join(QUOTES) + "".join(QUOTES.values()) + "\n]")
_CLOSING = {close: open_ for open_, close in QUOTES.items()}
# a blank line: a line break, blanks, another line break
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """The outermost quotations of ``text``: ``(start, end)`` from an opening mark to its closing mark.

    A quotation opens and closes on one line; marks that find no partner on
    their line (a quotation cut by the page, a stray mark) quote nothing.

    >>> t = "他说：“好。‘走’。”又说“没完\\n下一行”。"
    >>> [t[s:e] for s, e in quoted_spans(t)]
    ['“好。‘走’。”']
    """
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []  # open marks of the current line not closed yet
    for m in _QUOTE_MARK.finditer(text):
        mark = m.group()
        if mark == "\n":
            stack.clear()
        elif mark in QUOTES:
            stack.append((mark, m.start()))
        else:
            opener = _CLOSING[mark]
            # the innermost open mark of the same kind; marks opened after it never closed
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == opener:
                    start = stack[k][1]
                    del stack[k:]
                    if not stack:  # outermost: keep it (and drop the quotations it holds)
                        while spans and spans[-1][0] > start:
                            spans.pop()
                        spans.append((start, m.end()))
                    break
    return spans


def paragraph_breaks(source: str, index: Sequence[int]) -> list[int]:
    """Positions of normalised text before which normalisation removed a paragraph break of ``source``.

    ``index`` maps normalised offsets to ``source`` offsets (strictly
    increasing, e.g. :class:`kg.corpus.OffsetMap`); where two neighbours
    are not next to each other in the source, normalisation removed what
    lies between them, and if that holds a blank line, a paragraph ended
    there (:func:`kg.corpus.normalize` joins the lines of a paragraph the
    page layout broke, and sometimes two paragraphs).  The gaps are found by
    bisection (``index[i] - i`` only grows), not a loop over every character.

    >>> src = "第一段没有句号\\n\\n第二段。\\n第三行"
    >>> norm, index = "第一段没有句号第二段。第三行", [0, 1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 14, 15, 16]
    >>> paragraph_breaks(src, index)
    [7]
    """
    out: list[int] = []
    n = len(index)
    i = 1
    while i < n:
        shift = index[i - 1] - (i - 1)
        # the first position from i on whose source offset jumps (index[j] - j > shift)
        i = bisect.bisect_right(range(n), shift, lo=i, key=lambda j: index[j] - j)
        if i >= n:
            break
        if _BLANK_LINE.search(source, index[i - 1] + 1, index[i]):
            out.append(i)
        i += 1
    return out


def sentence_spans(text: str, boundary: re.Pattern[str] = SENTENCE_END) -> list[tuple[int, int]]:
    """The sentence spans ``(start, end)`` of (normalised) text, in order.

    Pieces end after each match of ``boundary`` (which keeps a closing quote
    with its sentence) that does not lie inside a quotation
    (:func:`quoted_spans`); they lose their surrounding whitespace (``str.strip``'s, i.e.
    ``str.isspace``); empty ones are left out.  One linear loop with the
    trimming written out: the relation stage asks for the sentences of every
    article, and a call per piece was a tenth of it.

    >>> t = "第一句。第二句!“第三句。”\\n标题\\n他说：“好。我们走。”然后"
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['第一句。', '第二句!', '“第三句。”', '标题', '他说：“好。我们走。”', '然后']
    """
    ends = [m.end() for m in boundary.finditer(text)]
    quotes = quoted_spans(text)
    if quotes:
        # a boundary strictly inside a quotation ends no sentence
        starts = [s for s, _ in quotes]
        kept = []
        for end in ends:
            k = bisect.bisect_left(starts, end) - 1
            if k < 0 or end >= quotes[k][1]:
                kept.append(end)
        ends = kept
    spans = []
    start = 0
    # each piece ends after a boundary; the last one at the end of the text
    for end in [*ends, len(text)]:
        s, e = start, end
        while e > s and text[e - 1].isspace():  # a line end, or blanks before it
            e -= 1
        while s < e and text[s].isspace():
            s += 1
        if e > s:
            spans.append((s, e))
        start = end
    return spans


def iter_sentences(norm_text: str) -> Iterator[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of (normalised) text, split by the page-layout data.

    Splits after a run of 。！？ (with the closing quotes or brackets right
    after it: ``…。”``), after ；, and at line breaks: :func:`sentence_spans`
    with the layout's boundary (``[sentences]`` of ``corpus.toml``; a line
    break is whitespace, so it ends up in no span).

    >>> t = "他说：“好。”然后走了；\\n标题\\n"
    >>> [t[a:b] for a, b in iter_sentences(t)]
    ['他说：“好。”', '然后走了；', '标题']
    """
    return iter(sentence_spans(norm_text, load_layout().sentence_boundary))


def within_paragraph(start: int, end: int, positions: Sequence[int], breaks: Sequence[int]) -> tuple[int, int]:
    """The part of the sentence ``[start, end)`` between the paragraph ``breaks`` around ``positions``.

    ``breaks`` are sorted positions of the text where a paragraph of the
    source ended (:func:`paragraph_breaks`); ``positions`` are where the
    words of a fact lie (those outside the sentence count for nothing).
    The part runs from the last break at or before the first position to
    the first break after the last one: the whole sentence when no break
    lies inside it, several paragraphs only when the fact's own words are in
    several.

    >>> within_paragraph(0, 20, [3], [8])  # the fact is in the first paragraph
    (0, 8)
    >>> within_paragraph(0, 20, [10, 12], [8])
    (8, 20)
    >>> within_paragraph(0, 20, [3, 12], [8])  # its words are in both
    (0, 20)
    """
    inside = [p for p in positions if start <= p < end]
    if not inside or not breaks:
        return start, end
    lo = bisect.bisect_right(breaks, min(inside)) - 1
    hi = bisect.bisect_right(breaks, max(inside))
    new_start = breaks[lo] if lo >= 0 and breaks[lo] > start else start
    new_end = breaks[hi] if hi < len(breaks) and breaks[hi] < end else end
    return new_start, new_end
