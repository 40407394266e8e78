"""Sentences: the one splitter of the project.

A sentence ends after a boundary; pieces lose their surrounding whitespace
and blank ones are left out.  Which characters make a boundary is a
pattern: :data:`SENTENCE_END` for the relation rules (their evidence is the
sentence), the layout's ``[sentences]`` of ``ontology/patterns/corpus.toml``
for :func:`iter_sentences`.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from kg.corpus.layout import load_layout

__all__ = ["SENTENCE_END", "sentence_spans", "iter_sentences"]

#: A sentence end of the relation rules, with the closing quotes that stay with its sentence.
SENTENCE_END = re.compile(r"[。！？；;!?\n][”’」』]*")


def sentence_spans(text: str, boundary: re.Pattern[str] = SENTENCE_END) -> list[tuple[int, int]]:
    """The sentence spans ``(start, end)`` of (normalised) text, in order.

    Pieces end after each match of ``boundary`` (which keeps a closing quote
    with its sentence) and lose their surrounding whitespace (``str.strip``'s,
    i.e. ``str.isspace``); empty ones are left out.  One linear loop with the
    trimming written out: the relation stage asks for the sentences of every
    article, and a call per piece was a tenth of it.

    >>> t = "第一句。第二句!“第三句。”\\n标题\\n"
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['第一句。', '第二句!', '“第三句。”', '标题']
    """
    spans = []
    start = 0
    # each piece ends after a boundary; the last one at the end of the text
    for end in [*(m.end() for m in boundary.finditer(text)), len(text)]:
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
