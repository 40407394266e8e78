"""Where a name starts and ends: the left-boundary scan, and the checks shared by the finders.

A name's right end is its head word; its left end is found by scanning left
until a boundary: punctuation, or a boundary word (preposition, conjunction,
introducing verb) that the segmenter also sees as a word of its own.
Division names and domain compounds are never cut (protected spans).
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence

from kg.names.context import Candidate, Context
from kg.names.trie import ending_at, overlapping

__all__ = ["CJK", "protected_map", "scan_left", "trim", "jurisdiction", "suffix_heads", "word_hits", "is_specific",
           "suffix_names", "continues_word"]

CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9０-９Ａ-Ｚａ-ｚ×+]")


def _protected(text: str, ctx: Context, divisions: Sequence[Candidate]) -> list[tuple[int, int]]:
    """Spans the left scan never cuts inside: division names and domain compounds."""
    spans = [(c.start, c.end) for c in divisions]
    spans.extend(m.span() for m in ctx.words.compound_re.finditer(text))
    return spans


class _Protected(dict):
    """Protected spans of a text keyed by their end (``end -> start``), and the set of their starts.

    ``special`` holds every offset where the left scan has more to do than look
    at the character before it: a protected span's end or start, or a
    one-character jurisdiction word (``juris``, offsets of those characters).
    """

    __slots__ = ("starts", "special")

    def __init__(self, spans: Iterable[tuple[int, int]], juris: Iterable[int] = ()) -> None:
        super().__init__((e, s) for s, e in spans)
        self.starts = set(self.values())
        self.special = self.starts.union(self, juris)


def protected_map(text: str, ctx: Context, divisions: Sequence[Candidate]) -> _Protected:
    """Protected spans keyed by their end, computed once per text and division list."""
    key = ("protected", id(divisions), len(text))
    protected = ctx.cache.get(key)
    if protected is None:
        juris = [m.start() for m in ctx.words.juris_char_re.finditer(text)]
        protected = ctx.cache[key] = _Protected(_protected(text, ctx, divisions), juris)
    return protected


def scan_left(text: str, head_start: int, ctx: Context, protected: _Protected, max_len: int) -> int:
    """Start of the name whose head begins at ``head_start``.

    Moves left one character at a time; jumps over protected spans (keyed by
    their end); stops at hard punctuation or at a boundary word that is a
    whole token.
    """
    w = ctx.words
    starts, special = protected.starts, protected.special
    token_starts, token_ends = ctx.token_starts, ctx.token_ends
    tokens = bool(token_starts)
    left, scan_table, juris_chars = w.left, w.scan_table, w.juris_chars
    i = head_start
    lowest = head_start - max_len
    while i > 0 and i > lowest:
        if i in special:  # (a few offsets; the tests below are exact)
            if i < head_start and (i in starts or (text[i] in juris_chars and i in token_starts
                                                   and i + 1 in token_ends)):
                before = ctx.ending_at(i)
                if before is not None and (before[1] in w.stop_tags):
                    break
            if i in protected:
                i = protected[i]
                continue
        lengths = scan_table.get(text[i - 1])
        if lengths is None:  # (most characters)
            i -= 1
            continue
        if not lengths:  # hard punctuation or whitespace
            break
        if not tokens or i in token_ends:
            # a boundary word counts only as whole tokens: it ends at a token end and
            # starts at a token start (the longest such word decides)
            for k in lengths:
                if k <= i and (not tokens or i - k in token_starts) and text[i - k:i] in left:
                    if not (text[i - k:i] in w.inner_conj and _joins_works(ctx, i - k, i)):
                        return i
                    break
        i -= 1
    return i


def _reference_start(text: str, start: int, ctx: Context) -> int:
    """Move a name's start back over 该/本/我/全 when it begins with 区/县/市 (该区人大 → 该区…)."""
    w = ctx.words
    if start > 0 and text.startswith(w.reference_words, start - 1):
        return start - 1
    return start


_VERBAL = ("v", "vn")


def _joins_works(ctx: Context, start: int, end: int) -> bool:
    """A conjunction between two verbs joins two works of one name (保护与修复)."""
    before = ctx.ending_at(start)
    after = ctx.tag_starting_at(end)
    return before is not None and before[1] in _VERBAL and after in _VERBAL


def trim(text: str, start: int, end: int, ctx: Context) -> int:
    """Drop leading introducing words (一是, 实施, 新建 …) left inside a name."""
    w = ctx.words
    changed = True
    while changed and start < end:
        changed = False
        for n, words in w.trim_sets:
            if text[start:start + n] in words and end - start > n + 1:
                start += n
                changed = True
                break
    return start


def jurisdiction(text: str, start: int, end: int, ctx: Context,
                  divisions: Sequence[Candidate]) -> tuple[int, int] | None:
    """The jurisdiction prefix of a name: a division name or 省/市/县/区 as a word."""
    for c in _divisions_starting(divisions, start, ctx):
        if c.end < end:
            return (c.start, c.end)
    w = ctx.words
    for n, words in w.reference_sets:
        if start + n < end and text[start:start + n] in words:
            return (start, start + n)
    for n, words in w.juris_sets:
        if start + n < end and text[start:start + n] in words:
            if n > 1 or ctx.is_token(start, start + 1) or not ctx.token_starts:
                return (start, start + n)
    return None


def _division_spans_within(divisions: Sequence[Candidate], start: int, end: int,
                           ctx: Context) -> list[tuple[int, int]]:
    """Spans of the division candidates lying within ``[start, end]`` (binary search)."""
    cached = ctx.cache.get("division-spans")
    if cached is None or cached[0] is not divisions:
        spans = sorted((c.start, c.end) for c in divisions)
        cached = ctx.cache["division-spans"] = (divisions, spans, [a for a, _ in spans])
    _, spans, starts = cached
    lo, hi = bisect.bisect_left(starts, start), bisect.bisect_right(starts, end)
    return [(a, b) for a, b in spans[lo:hi] if b <= end]


def _divisions_starting(divisions: Sequence[Candidate], start: int, ctx: Context) -> list[Candidate]:
    """The division candidates starting at ``start``, in list order."""
    cached = ctx.cache.get("division-starts")
    if cached is None or cached[0] is not divisions:
        starts: dict[int, list[Candidate]] = {}
        for c in divisions:
            starts.setdefault(c.start, []).append(c)
        cached = ctx.cache["division-starts"] = (divisions, starts)
    return cached[1].get(start, [])


def suffix_heads(text: str, suffixes: tuple[str, ...], ctx: Context) -> list[tuple[int, int, str]]:
    """``(start, end, suffix)`` of the longest suffix ending at each place where one ends.

    Overlapping hits count (局 inside 分局).  :func:`overlapping` hits come
    by increasing start, so the first hit ending somewhere is the longest
    suffix ending there.
    """
    best: dict[int, tuple[int, int, str]] = {}
    for hit in word_hits(text, suffixes, ctx):
        if hit[1] not in best:
            best[hit[1]] = hit
    return [best[e] for e in sorted(best)]


def word_hits(text: str, words: tuple[str, ...], ctx: Context) -> list[tuple[int, int, str]]:
    """``list(overlapping(alternation(words), text))``, computed once per text and word list."""
    key = ("hits", words)
    hits = ctx.cache.get(key)
    if hits is None:
        hits = ctx.cache[key] = list(overlapping(ctx.words.alternation(words), text))
    return hits


def is_specific(text: str, start: int, end: int, ctx: Context, divisions: Sequence[Candidate],
                 count_divisions: bool = True) -> bool:
    """Does the name carry a proper name (place, facility, brand, number)?

    True when it contains a division name, Latin letters or digits, or a token
    the segmenter tags as a place/proper noun (ns, nz) or does not know at all
    (an out-of-vocabulary word of two or more characters is usually a name),
    unless that token is a generic word (老旧, 城镇 …).  A name that opens
    with a time word (春季补植补种) is an activity, not a project.
    """
    w = ctx.words
    # the tokens lying within [start, end), walked by index (as Context.tokens_in
    # does, but a token's tag is looked up only when a rule needs it)
    starts, ends, tags = ctx._starts, ctx._ends, ctx._tags
    k = bisect.bisect_left(starts, start)
    if k < len(starts) and starts[k] == start and tags[k] == "t":
        return False
    spans = _division_spans_within(divisions, start, end, ctx)
    if count_divisions and spans:
        return True
    if _LATIN_OR_DIGIT.search(text, start, end):
        return True
    n = len(starts)
    while k < n and starts[k] < end:
        s, e = starts[k], ends[k]
        k += 1
        if e > end:
            continue
        word = text[s:e]
        if start < s and word in w.street_words:
            before = ctx.ending_at(s)
            if before is not None and before[0] >= start and text[before[0]:s] not in w.generic_words:
                return True  # 千峰路, 东北街: a street name
        if e - s >= 2:
            if word in w.generic_words or (spans and any(a <= s and e <= b for a, b in spans)):
                continue
            tag = tags[k - 1]
            if tag in ("ns", "nz", "nt") or tag == "":
                return True
            if tag == "nr" and text[e - 1] in w.place_chars:
                return True
    return False


def suffix_names(text: str, ctx: Context, divisions: Sequence[Candidate], suffixes: Sequence[str],
                  type_: str, rule: str, max_len: int) -> list[Candidate]:
    prot = protected_map(text, ctx, divisions)
    out = []
    for s, e, suffix in suffix_heads(text, tuple(suffixes), ctx):
        # the head must not be the start of a longer word (局面, 公司化, 二中队 …)
        # (a division or a position title may follow a head inside one segmenter word: 局局长)
        if (continues_word(text, e, ctx) and not _divisions_starting(divisions, e, ctx)
                and not text.startswith(ctx.words.titles, e)) or \
                _continued_head(text, e, suffix, ctx):
            continue
        if _false_head(text, e, ctx):
            continue
        start = scan_left(text, s, ctx, prot, max_len)
        start = _reference_start(text, trim(text, start, e, ctx), ctx)
        if e - start <= len(suffix) or ctx.words.quantity.match(text, start):
            continue
        out.append(Candidate(start, e, type_, text[start:e], rule,
                             juris=jurisdiction(text, start, e, ctx, divisions)))
    return out


def _continued_head(text: str, end: int, suffix: str, ctx: Context) -> bool:
    """The head is the start of a longer word the segmenter may not know (二中 + 队 = 二中队)."""
    for tail, nxt in ctx.words.head_continuations:
        if suffix.endswith(tail) and text.startswith(nxt, end):
            return True
    return False


def _false_head(text: str, end: int, ctx: Context) -> bool:
    """An ordinary word ends here (格局, 举办, 车站): not the head of a name."""
    return ending_at(text, end, ctx.words.false_head_sets) is not None


def continues_word(text: str, end: int, ctx: Context) -> bool:
    """True when the segmenter put ``end`` inside a token (the head is a word's prefix)."""
    if not ctx.token_ends:
        return False
    return end not in ctx.token_ends and end not in ctx.token_starts
