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
from kg.names.personal import name_at
from kg.names.trie import ending_at, overlapping

__all__ = ["CJK", "protected_map", "scan_left", "trim", "jurisdiction", "suffix_heads", "word_hits", "is_specific",
           "suffix_names", "continues_word", "counted", "place_prefix"]

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
    their end); stops at hard punctuation (unless it joins two parts of the
    name, :func:`_joined_across`), after a credit label's name, at the
    bracket closing a byline, at a boundary word that is a whole token (or a
    clause verb ending a longer one: 积极参与), or after a preposition glued to
    the unknown word after it (为|百校…).
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
            if tokens and i < head_start and text[i - 1] in w.left_chars and i not in token_starts \
                    and i - 1 in token_starts and i + 1 in token_ends and text[i] in juris_chars:
                return i  # a preposition glued to a jurisdiction word: 由区|教育局, 从市|交通局
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
            ch = text[i - 1]
            if ch in w.joiners:
                joined = _joined_across(text, i, head_start, ctx, protected)
                if joined is not None:
                    i = joined
                    continue
            elif ch in w.credit_seps_and_spaces:
                return _after_credited_name(text, i, head_start, ctx)
            break
        if text[i - 1] in w.closers:
            if _closes_byline(text, i, ctx):
                return i  # (记者某某)|道路改造…
            i -= 1
            continue
        if not tokens or i in token_ends:
            # a boundary word counts only as whole tokens: it ends at a token end and
            # starts at a token start (the longest such word decides); a clause verb
            # may end a longer word (积极参与, 贯彻落实)
            for k in lengths:
                if k <= i and text[i - k:i] in left and (not tokens or i - k in token_starts or (
                        text[i - k:i] in w.clause_verb_set and ctx.ending_at(i)[0] < i - k)):
                    if not _inside_name(text, i - k, i, head_start, ctx):
                        return i
                    break
        elif text[i - 1] in w.glued_preps and i - 1 in token_starts and _glued(ctx, i - 1):
            return i  # 为|百校…: the preposition opens the unknown word after it
        i -= 1
    return i


#: the segmenter's guesses are short; a longer untagged word is one the project added (自然资源局)
_GUESSED_WORD_MAX = 4


def _glued(ctx: Context, start: int) -> bool:
    """The word starting at ``start`` (inside which the scan is) is an unknown word
    of at most four characters: a preposition the segmenter glued to a name."""
    word = ctx.starting_at(start)
    return word is not None and word[1] == "" and word[0] - start <= _GUESSED_WORD_MAX


def _closes_byline(text: str, i: int, ctx: Context) -> bool:
    """``text[i - 1]`` closes a parenthesised byline (记者某某 通讯员某某)."""
    m = ctx.words.byline_parens_before.search(text, max(0, i - _BYLINE_MAX), i)
    return m is not None and m.end() == i


_BYLINE_MAX = 40


def _after_credited_name(text: str, i: int, head_start: int, ctx: Context) -> int:
    """Where a name starts after the hard stop ``text[i - 1]``: ``i``, or the end of the
    name a credit label gives there (责编:某某 glued to the next line's 某某日报)."""
    w = ctx.words
    j = i - 1
    while j > 0 and text[j].isspace():
        j -= 1
    if text[j] in w.credit_seps and ending_at(text, j, w.credit_label_sets) is not None:
        k = i
        while k < head_start and text[k].isspace():
            k += 1
        span = name_at(text, k, ctx, strict_end=False)
        if span is not None and span[1] < head_start:
            return span[1]
    return i


def _inside_name(text: str, start: int, end: int, head_start: int, ctx: Context) -> bool:
    """Is the boundary word ``text[start:end]`` part of the name where it stands?

    A build verb right before the head (某某新建项目, 某某投资控股有限公司); a
    conjunction between two parts of one name (某某养殖及加工项目, 保护与修复,
    5万吨甲醇和3万吨液氨); an adverb before a noun (还迁房); a conjunction
    opening a list item (、和美…).
    """
    w = ctx.words
    if text.startswith(w.street_word_tuple, end) and _names_a_street(text, end, ctx):
        return True  # 新建|街, 建设|路: a street named with the word
    word = text[start:end]
    if word not in w.inside_words:
        return False  # (most boundary words)
    tokens = bool(ctx.token_starts)
    if word in w.head_premodifiers or word in w.company_premodifiers:
        if end != head_start:  # (or one word before the head: 投资|控股|有限公司)
            after = ctx.starting_at(end)
            if after is None or after[0] != head_start:
                return False
        return (word in w.head_premodifiers and text.startswith(w.project_heads, head_start)) or \
            (word in w.company_premodifiers and text.startswith(w.org_strong, head_start))
    if word in w.clause_adverbs:
        return tokens and ctx.tag_starting_at(end) not in w.clause_adverb_next_tags
    if word in w.inner_conj or word in w.name_conjunctions:
        if start > 0 and text[start - 1] == "、":
            return True  # 甲、和美…: the item starts with the conjunction
        if word in w.name_conjunctions and not text.startswith(w.org_strong, head_start) and \
                not text.endswith(w.name_heads, 0, start):
            return True  # 某某养殖及加工项目 (not 某某工程及某某项目: two names)
        if w.quantity_conjunct.match(text, end) and _quantity_before(text, start, ctx):
            return True  # 年产5万吨甲醇和3万吨液氨项目
        return word in w.inner_conj and _joins_works(ctx, start, end)
    return False


def _names_a_street(text: str, end: int, ctx: Context) -> bool:
    """A street word (路, 街) is the word starting at ``end``: the word before it names the street."""
    after = ctx.starting_at(end)
    return after is not None and text[end:after[0]] in ctx.words.street_words


def _quantity_before(text: str, end: int, ctx: Context) -> bool:
    """A capacity (5万吨) within the few characters before ``end``, in the same clause."""
    w = ctx.words
    lo = end
    while lo > 0 and end - lo < 12 and text[lo - 1] not in w.hard:
        lo -= 1
    return any(True for _ in w.quantity_conjunct.finditer(text, lo, end))


def _joined_across(text: str, i: int, head_start: int, ctx: Context, protected: _Protected) -> int | None:
    """Where the scan goes on when the hard stop ``text[i - 1]`` is part of the name.

    A dash between two places or streets (古交—娄烦…, 某某路—某某路…); 、 between
    two numbers (国道108、209线) or before a work sharing its object and head with
    the one before it (某某绿化、亮化建设项目).  None: the scan stops.
    """
    w = ctx.words
    ch = text[i - 1]
    if ch in w.dash_chars:
        k = i - 1
        while k > 0 and text[k - 1] in w.dash_chars:
            k -= 1
        if k > 0 and i < len(text) and CJK.match(text[i]) and (k in protected or text[k - 1] in w.place_end_chars):
            return k
        return None
    if ch != "、" or i < 2 or i >= head_start:
        return None
    if text[i].isdigit() and text[i - 2].isdigit():
        return i - 1  # 国道108、209线
    # the item after 、: a shared work, up to the next 、 or the head
    end = text.find("、", i, head_start)
    end = head_start if end < 0 else end
    if text[i:end] in w.shared_works and CJK.match(text[i - 2]) and text.startswith(w.project_heads, head_start):
        return i - 1
    return None


def place_prefix(text: str, start: int, ctx: Context, divisions: Sequence[Candidate], protected: _Protected) -> int:
    """Start of the place written right before ``start`` (某某市禁燃区 before a
    quoted name), or ``start``: the words back to a boundary hold a division and
    end in a division or a place's last character (区, 镇, 路 …)."""
    pre = trim(text, scan_left(text, start, ctx, protected, 16), start, ctx)
    if pre < start and _division_spans_within(divisions, pre, start, ctx) and \
            (text[start - 1] in ctx.words.place_end_chars or start in protected):
        return pre
    return start


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
            if text[start:start + n] in words and end - start > n + 1 and not (
                    text.startswith(w.street_word_tuple, start + n) and _names_a_street(text, start + n, ctx)):
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
            if n > 1 or ctx.is_token(start, start + 1) or not ctx.token_starts or start + 1 in ctx.token_starts \
                    or _juris_body_word(text, start, end, ctx):
                # a word of its own, or glued to the word before it (由区|教育局: the
                # body starts a word) or to its body (县总工会 is one word)
                return (start, start + n)
    return None


def _juris_body_word(text: str, start: int, end: int, ctx: Context) -> bool:
    """The name is one segmenter word: a jurisdiction character + a strong body (县总工会)."""
    word = ctx.starting_at(start)
    return word is not None and word[0] == end and text.endswith(ctx.words.agency_strong, start, end)


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
    if 0 < k <= len(ends) and ends[k - 1] - start >= 2 and ends[k - 1] <= end and tags[k - 1] == "":
        return True  # the rest of an unknown word a glued preposition opened (自|某某河…)
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
        if e - start <= len(suffix) or counted(text, start, ctx, divisions):
            continue
        out.append(Candidate(start, e, type_, text[start:e], rule,
                             juris=jurisdiction(text, start, e, ctx, divisions)))
    return out


def counted(text: str, start: int, ctx: Context, divisions: Sequence[Candidate]) -> bool:
    """Does a count start here (23个…, 三大…)?  A division's name never is one (五台县: 五 + 台)."""
    return ctx.words.quantity.match(text, start) is not None and not _divisions_starting(divisions, start, ctx)


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
