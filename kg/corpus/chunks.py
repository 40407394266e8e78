"""Chunks for the NLP stages: an over-long article cut into pieces of bounded size."""
from __future__ import annotations

from collections.abc import Iterator

from kg.corpus.layout import Layout, load_layout
from kg.corpus.paragraphs import strip_span

__all__ = ["MAX_CHUNK_CHARS", "iter_chunks"]

#: Longest piece of an article handed to the NLP stages at once.  Several
#: rules compare every candidate with every other one in a text, and spaCy
#: refuses texts over ``nlp.max_length`` (10^6) characters, so an article
#: without layout (one 20 MB line) is cut into pieces; 10,000 characters is
#: over five times the longest article of the seed corpus (1,695).
MAX_CHUNK_CHARS = 10_000

_LINE_BREAKS = "\n\r\u2028\u2029"
_CLAUSE_MARKS = "，,、；;：:"
_SPACES = " \t\u3000\f\v"


def iter_chunks(text: str, start: int = 0, end: int | None = None,
                max_chars: int = MAX_CHUNK_CHARS) -> Iterator[tuple[int, int]]:
    """Cut ``text[start:end]`` into spans of at most ``max_chars`` characters.

    A span that fits is yielded whole (stripped of surrounding whitespace);
    this is the case for every ordinary article.  A longer one is cut at the
    last line break in the second half of each window, else after the last
    sentence end (。！？), else after the last clause mark (，、；：), else at
    the last space, else hard at ``max_chars``.  Spans are stripped, non-empty,
    in order and do not overlap; only whitespace lies between them.  Linear
    in the length of the span.

    >>> list(iter_chunks("一二。三四。五六", max_chars=4))
    [(0, 3), (3, 6), (6, 8)]
    """
    if end is None:
        end = len(text)
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}:{end} out of range 0:{len(text)}")
    if max_chars < 2:
        raise ValueError(f"max_chars must be at least 2, not {max_chars}")
    layout = load_layout()
    pos = start
    while pos < end:
        span = strip_span(text, pos, end)
        if span is None:
            return
        pos = span[0]
        if end - pos <= max_chars:
            yield pos, span[1]
            return
        cut = _cut(text, pos + max_chars // 2, pos + max_chars, layout)
        piece = strip_span(text, pos, cut)
        if piece is not None:
            yield piece
        pos = cut


def _cut(text: str, lo: int, hi: int, layout: Layout) -> int:
    """Best position in ``(lo, hi]`` to end a chunk (see :func:`iter_chunks`)."""
    for chars, after in ((_LINE_BREAKS, False), (layout.sentence_terminators, True),
                         (_CLAUSE_MARKS, True), (_SPACES, False)):
        i = max(text.rfind(c, lo, hi) for c in chars)
        if i >= lo:
            # A "\r\n" pair is never cut in two: cut before the "\r".
            return i + 1 if after else (i - 1 if text[i] == "\n" and i > lo and text[i - 1] == "\r" else i)
    return hi
