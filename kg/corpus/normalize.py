"""Normalisation: page-layout line breaks removed, with a map back to source offsets."""
from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator, Sequence
from typing import overload

from kg.corpus.layout import load_layout
from kg.corpus.paragraphs import line_kind, open_tail, paragraphs

__all__ = ["OffsetMap", "normalize", "to_source"]


class OffsetMap(Sequence[int]):
    """Index map of :func:`normalize`: ``m[i]`` is the source offset of char i.

    Behaves as a read-only ``list[int]`` (``len``, indexing, slicing,
    iteration, ``==`` with lists) but stores one entry per kept run of
    characters, so a 20 MB article does not need 20 M Python ints.
    """

    __slots__ = ("_norm", "_src", "_len")

    def __init__(self, runs: Sequence[tuple[int, int]]):
        """``runs``: the kept ``(start, end)`` source spans, in order."""
        self._norm: list[int] = []
        self._src: list[int] = []
        n = 0
        for a, b in runs:
            if b > a:
                self._norm.append(n)
                self._src.append(a)
                n += b - a
        self._len = n

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, i: int) -> int: ...
    @overload
    def __getitem__(self, i: slice) -> list[int]: ...
    def __getitem__(self, i: int | slice) -> int | list[int]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._len))]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("OffsetMap index out of range")
        k = bisect.bisect_right(self._norm, i) - 1
        return self._src[k] + (i - self._norm[k])

    def __iter__(self) -> Iterator[int]:
        # one range per run, chained in C (``tuple(m)`` of a long article is common)
        ends = self._norm[1:] + [self._len]
        return itertools.chain.from_iterable([range(s, s + n1 - n0) for n0, n1, s in zip(self._norm, ends, self._src)])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, OffsetMap):
            return (self._norm, self._src, self._len) == (other._norm, other._src, other._len)
        if isinstance(other, (list, tuple)):
            return len(other) == self._len and all(x == y for x, y in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        runs = [(s, s + e - n) for n, e, s in zip(self._norm, self._norm[1:] + [self._len], self._src)]
        return f"OffsetMap(runs={runs})"


def normalize(text: str, start: int = 0, end: int | None = None) -> tuple[str, OffsetMap]:
    """``text[start:end]`` with stray page-layout line breaks removed, for NLP.

    A break between two non-blank lines -- the line break(s), blank lines and
    the spaces around them -- is stray, and removed, when the line before is
    body text (a body or 本报讯 paragraph, see :func:`split_articles`) that
    does not end with closing or terminal punctuation (。！？；：”」』）…) and is
    long (>= 30 characters) or contains clause punctuation (，；), and the
    line after is body text too (not a headline, byline, caption or 本报讯).
    Other line breaks stay: they separate headlines and paragraphs.  No other
    character is changed, so ``text[m[i]] == normalized[i]``.

    Returns ``(normalized, m)`` with ``len(m) == len(normalized)`` and ``m[i]``
    the offset in ``text`` of normalised character i (an :class:`OffsetMap`,
    strictly increasing).

    >>> text = "在提升城市品质方面，努力实施总投资16亿元的县\\n\\n城老旧小区改造。"
    >>> norm, m = normalize(text)
    >>> norm
    '在提升城市品质方面，努力实施总投资16亿元的县城老旧小区改造。'
    >>> text[m[23]], m[23]
    ('城', 25)
    """
    if end is None:
        end = len(text)
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}:{end} out of range 0:{len(text)}")
    layout = load_layout()
    blocks = paragraphs(text, start, end)
    runs: list[tuple[int, int]] = []
    pos = start
    prev: tuple[int, int] | None = None  # last line, if it belongs to body text
    for block in blocks:
        body = block.kind in ("body", "lead")
        for j, line in enumerate(block.lines):
            if prev is not None:
                # the kind of the line after the break: the paragraph's kind
                # at a paragraph start, else the kind of the line alone
                kind = block.kind if j == 0 else line_kind(text, line, layout)
                if kind == "body" and open_tail(text, prev, layout):
                    runs.append((pos, prev[1]))
                    pos = line[0]
            prev = line if body else None
    runs.append((pos, end))
    m = OffsetMap(runs)
    return "".join(text[a:b] for a, b in runs), m


def to_source(m: Sequence[int], s: int, e: int) -> tuple[int, int]:
    """Map a span ``[s, e)`` of normalised text back to source offsets.

    ``(m[s], m[e-1] + 1)``: the source span covers the removed breaks inside
    it.  An empty span maps to an empty span at the source position.

    >>> to_source([0, 1, 5, 6], 1, 3)
    (1, 6)
    """
    if not 0 <= s <= e <= len(m):
        raise ValueError(f"span {s}:{e} out of range 0:{len(m)}")
    if s == e:
        if s < len(m):
            return m[s], m[s]
        if not m:
            raise ValueError("empty span of an empty map has no source position")
        return m[-1] + 1, m[-1] + 1
    return m[s], m[e - 1] + 1
