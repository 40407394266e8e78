"""What every finder works with: the :class:`Candidate` record it yields and
the :class:`Context` of a text (data, division matcher, the segmenter's tokens)."""
from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from kg.knowledge.lexicon import Lexicon
from kg.names.matcher import DivisionMatcher
from kg.names.words import Words

__all__ = ["Candidate", "Context", "TokenTags"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A candidate name: ``text == article_text[start:end]``; ``surface`` is its name."""

    start: int
    end: int
    type: str  # Division / Agency / Organization / Project / Person
    text: str
    rule: str
    division_ids: tuple[str, ...] = ()  # Division: every division the surface may denote
    short: bool = False  # Division: matched by a short form
    juris: tuple[int, int] | None = None  # span of a jurisdiction prefix inside the name
    title: str | None = None  # Person: position title written before the name
    name: str | None = None  # a name assembled from the text (shared head of a list, investor + work)

    @property
    def surface(self) -> str:
        """The name this candidate stands for (``name`` if assembled, else ``text``)."""
        return self.name or self.text


class Context:
    """What the finders need besides the text: data and word boundaries.

    The segmenter's non-space tokens are given as parallel lists in text
    order (``starts``, ``ends``, jieba ``tags``, ``""`` for an unknown word);
    a boundary word only counts where it is a whole token, so 和 in 和顺县 or
    有 in 国有 never cut a name.  Tokens tile the text without overlapping, so
    both lists are sorted: ``token_starts`` and ``token_ends`` are plain sets
    for the ``in`` tests of a boundary, and a token's index is found by binary
    search when its tag is asked for (sets cost half as much to build as
    offset -> index dicts, and most offsets are only ever tested with ``in``).
    """

    __slots__ = ("lexicon", "divisions", "words", "token_starts", "token_ends", "_starts", "_ends", "_tags", "cache")

    def __init__(self, lexicon: Lexicon, divisions: "DivisionMatcher", starts: Sequence[int] = (),
                 ends: Sequence[int] = (), tags: Sequence[str] = ()) -> None:
        self.lexicon = lexicon
        self.divisions = divisions
        self.words = Words.of(lexicon)  # the lexicon's word lists prepared for lookup
        # (kg.nlp.pipeline passes fresh lists, kept as they are; other sequences are copied)
        self._starts = starts if type(starts) is list else list(starts)
        self._ends = ends if type(ends) is list else list(ends)
        # any sequence: kg.nlp.pipeline passes one that looks a tag up only when asked
        self._tags = tags if isinstance(tags, (list, TokenTags)) else list(tags)
        #: the offsets where a token starts / ends (``in`` tests a boundary)
        self.token_starts: set[int] = set(self._starts)
        self.token_ends: set[int] = set(self._ends)
        self.cache: dict = {}  # per-text results shared by the finders

    def starting_at(self, start: int) -> tuple[int, str] | None:
        """``(end, tag)`` of the token starting at ``start``, or None."""
        if start not in self.token_starts:
            return None
        k = bisect.bisect_left(self._starts, start)
        return self._ends[k], self._tags[k]

    def ending_at(self, end: int) -> tuple[int, str] | None:
        """``(start, tag)`` of the token ending at ``end``, or None."""
        if end not in self.token_ends:
            return None
        k = bisect.bisect_left(self._ends, end)
        return self._starts[k], self._tags[k]

    def tag_starting_at(self, start: int) -> str | None:
        """The tag of the token starting at ``start``, or None."""
        if start not in self.token_starts:
            return None
        return self._tags[bisect.bisect_left(self._starts, start)]

    def tokens_in(self, start: int, end: int) -> Iterator[tuple[int, int, str]]:
        """Tokens ``(start, end, tag)`` lying within ``[start, end)`` (binary search, not a scan)."""
        starts, ends, tags = self._starts, self._ends, self._tags
        i = bisect.bisect_left(starts, start)
        while i < len(starts) and starts[i] < end:
            if ends[i] <= end:
                yield starts[i], ends[i], tags[i]
            i += 1

    def is_token(self, start: int, end: int) -> bool:
        return start in self.token_starts and end in self.token_ends

    def tag(self, start: int, end: int) -> str | None:
        """The tag of the token ``[start, end)``, or None when that is not a token."""
        if start not in self.token_starts:
            return None
        k = bisect.bisect_left(self._starts, start)
        return self._tags[k] if self._ends[k] == end else None


class TokenTags:
    """The tags of a text's tokens, looked up in a table by each token's key when asked.

    (Most tokens' tags are never asked for; a list of them all would cost a
    lookup per token.)
    """

    __slots__ = ("_keys", "_table")

    def __init__(self, keys: Sequence, table: dict) -> None:
        self._keys = keys
        self._table = table

    def __len__(self) -> int:
        return len(self._keys)

    def __getitem__(self, k: int) -> str:
        return self._table[self._keys[k]]
