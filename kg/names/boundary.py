"""Candidate names in one article, found by the gazetteer and by naming rules.

Pure functions over an article's normalised text (no spaCy here; the spaCy
components in :mod:`kg.tagging` call them and store the results in
``doc.spans``).  Each finder yields :class:`Candidate` records with offsets
into the text it was given.

The open classes follow the naming grammar of Chinese administration, whose
words live in ``ontology/patterns`` (see :mod:`kg.lexicon`):

* government bodies: jurisdiction + domain + body (+ sub-unit), e.g.
  县 + 住房和城乡建设 + 管理局;
* organizations: region + brand + industry + legal form;
* projects: place/facility + work + head (工程, 项目, 改造, 一期 …);
* persons: a title, byline or speech verb next to a surname + given name.

A name's right end is its head word; its left end is found by scanning left
until a boundary: punctuation, or a boundary word (preposition, conjunction,
introducing verb) that the segmenter also sees as a word of its own.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import ahocorasick

from kg.lexicon import Lexicon

__all__ = [
    "Candidate",
    "Context",
    "DivisionMatcher",
    "find_divisions",
    "find_agencies",
    "find_organizations",
    "find_projects",
    "find_persons",
    "find_all",
]

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9０-９Ａ-Ｚａ-ｚ×+]")


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
        self.words = _Words.of(lexicon)  # the lexicon's word lists prepared for lookup
        # (kg.tagging passes fresh lists, kept as they are; other sequences are copied)
        self._starts = starts if type(starts) is list else list(starts)
        self._ends = ends if type(ends) is list else list(ends)
        # any sequence: kg.tagging passes one that looks a tag up only when asked
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


class DivisionMatcher:
    """Aho-Corasick matcher over every division name and short form.

    An alias may map to several divisions (城区 exists in several cities); the
    candidate keeps them all and resolution picks one from context.
    """

    def __init__(self, gazetteer) -> None:
        self.gazetteer = gazetteer
        surfaces: dict[str, tuple[list[str], bool]] = {}
        for div in sorted(gazetteer.divisions.values(), key=lambda d: d.id):
            if not gazetteer.is_stoplisted(div.name):
                surfaces.setdefault(div.name, ([], False))[0].append(div.id)
            for form in div.short_forms:
                if len(form) >= 2 and not gazetteer.is_stoplisted(form) and form not in surfaces:
                    surfaces.setdefault(form, ([], True))
                if form in surfaces and surfaces[form][1]:
                    surfaces[form][0].append(div.id)
        # keys as UTF-32 code units (four Latin-1 characters per character): pyahocorasick
        # looks a character up among a node's children one by one, and the root has
        # ~1,500 first characters of names but only 1 first byte (about 4x faster)
        self.automaton = ahocorasick.Automaton()
        for surface in sorted(surfaces):  # (sorted: a key's trie nodes lie near its prefix's in memory)
            ids, short = surfaces[surface]
            self.automaton.add_word(_utf32(surface), (surface, tuple(dict.fromkeys(ids)), short))
        self.automaton.make_automaton()
        self.surfaces = surfaces
        # stop-listed short forms, matched only where the text itself says they are
        # places (right before a branch of a body: 某区二大队)
        self.guarded: dict[str, list[str]] = {}
        for div in gazetteer.divisions.values():
            for form in div.short_forms:
                if len(form) >= 2 and gazetteer.is_stoplisted(form) and div.level in ("county", "zone"):
                    self.guarded.setdefault(form, []).append(div.id)
        self.guarded_re = _alternation(self.guarded)

    def __contains__(self, surface: str) -> bool:
        return surface in self.surfaces

    def iter_matches(self, text: str) -> Iterator[tuple[int, int, str, tuple[str, ...], bool]]:
        """Leftmost-longest non-overlapping matches ``(start, end, surface, ids, short)``."""
        best: dict[int, tuple[int, str, tuple[str, ...], bool]] = {}
        for end_byte, (surface, ids, short) in self.automaton.iter(_utf32(text)):
            if end_byte & 3 != 3:
                continue  # not aligned on characters
            end = (end_byte + 1) >> 2
            start = end - len(surface)
            if start not in best or len(surface) > best[start][0] - start:
                best[start] = (end, surface, ids, short)
        last_end = 0
        for start in sorted(best):
            end, surface, ids, short = best[start]
            if start < last_end:
                continue
            # prefer a longer match that starts inside this one and ends later only
            # when this one is a short form (潞城 vs 城区…): keep it simple and greedy.
            yield start, end, surface, ids, short
            last_end = end


def _utf32(text: str) -> str:
    """``text`` as big-endian UTF-32 bytes, one Latin-1 character per byte."""
    return text.encode("utf-32-be", "surrogatepass").decode("latin-1")


def find_divisions(text: str, ctx: Context) -> list[Candidate]:
    """Division names and short forms (leftmost-longest)."""
    out = []
    for start, end, surface, ids, short in ctx.divisions.iter_matches(text):
        out.append(Candidate(start, end, "Division", surface, "gazetteer-short" if short else "gazetteer",
                             division_ids=ids, short=short))
    w = ctx.words
    taken = [(c.start, c.end) for c in out]
    for m in ctx.divisions.guarded_re.finditer(text):
        form = m.group(0)
        if w.guarded_branch.match(text, m.end()) and not any(a < m.end() and m.start() < b for a, b in taken):
            out.append(Candidate(m.start(), m.end(), "Division", form, "gazetteer-short",
                                 division_ids=tuple(sorted(ctx.divisions.guarded[form])), short=True))
    return sorted(out, key=lambda c: c.start)


# ---------------------------------------------------------------------------
# Scanning a name's left boundary

class _Words:
    """Word lists of the lexicon prepared for fast lookup (built once per lexicon)."""

    _cache: dict[int, tuple[Lexicon, "_Words"]] = {}

    def __init__(self, lex: Lexicon) -> None:
        self.left = frozenset(lex.words("boundaries", "left"))
        self.left_max = max(map(len, self.left))
        by_last: dict[str, set[int]] = {}
        for word in self.left:
            by_last.setdefault(word[-1], set()).add(len(word))
        #: last character of a boundary word -> the lengths of those words, longest first
        left_by_last = {ch: tuple(sorted(ns, reverse=True)) for ch, ns in by_last.items()}
        self.hard = frozenset(lex.data["boundaries"].get("hard_stops", ""))
        #: what the left scan does at a character, in one look-up: ``()`` stops it (hard
        #: punctuation or whitespace), else the lengths of the boundary words ending in
        #: that character, longest first; a character not in the table does nothing
        self.scan_table: dict[str, tuple[int, ...]] = dict(left_by_last)
        self.scan_table.update((ch, ()) for ch in self.hard)
        # every whitespace character stops the scan too, so a character missing from the
        # table needs no further test (no whitespace character lies outside the BMP)
        self.scan_table.update((ch, ()) for ch in map(chr, range(0x10000)) if ch.isspace())
        self.trim = _by_length(set(lex.words("boundaries", "trim_prefix")) | set(lex.words("project", "build_triggers")))
        self.compounds = tuple(lex.words("agency", "domain_compounds"))
        self.juris_words = frozenset(lex.words("agency", "jurisdiction_words"))
        self.agency_strong = _by_length(lex.words("agency", "suffixes.strong"))
        self.agency_weak = _by_length(lex.words("agency", "suffixes.weak"))
        self.center_words = tuple(lex.words("agency", "center_words"))
        self.facility_center = tuple(lex.words("agency", "facility_center_words"))
        self.party_gov = tuple(lex.words("agency", "party_government"))
        self.national = tuple(lex.words("agency", "national"))
        self.org_strong = _by_length(lex.words("organization", "suffixes.strong"))
        self.org_weak = _by_length(lex.words("organization", "suffixes.weak"))
        self.project_heads = _by_length(lex.words("project", "suffixes"))
        self.generic = tuple(lex.words("project", "generic_heads"))
        self.facility = _by_length(lex.words("project", "facility_words"))
        self.build_triggers = _by_length(lex.words("project", "build_triggers"))
        self.build_tails = tuple(lex.words("project", "build_tails"))
        self.generic_words = frozenset(lex.data["project"].get("generic_words", ()))
        self.money_triggers = _by_length(lex.words("project", "money_triggers"))
        self.money_objects = _by_length(lex.words("project", "money_objects"))
        self.bare_works = _by_length(lex.data["project"].get("bare_works", ()))
        self.completion_tails = tuple(lex.data["project"].get("completion_tails", ()))
        self.titles = _by_length(lex.words("person", "titles"))
        self.byline = _by_length(lex.words("person", "byline_markers"))
        self.speech = _by_length(lex.words("person", "speech_verbs"))
        self.honorifics = _by_length(lex.words("person", "honorifics_after"))
        surnames = lex.words("person", "surnames")
        self.surnames1 = frozenset(s for s in surnames if len(s) == 1)
        self.surnames2 = frozenset(s for s in surnames if len(s) == 2)
        self.not_names = frozenset(lex.words("person", "not_given_names"))
        self.separators = tuple(lex.words("boundaries", "list_separators"))
        bounds = lex.data["boundaries"]
        self.false_heads = _by_length(bounds.get("false_heads", ()))
        self.false_head_sets = _by_length_sets(self.false_heads)
        self.trim_sets = _by_length_sets(self.trim)
        self.facility_sets = _by_length_sets(self.facility)
        # ties in length never both match at one position, so their order is free
        self.juris_sets = _by_length_sets(self.juris_words)
        self.stop_tags = frozenset(bounds.get("stop_tags_before_jurisdiction", ()))
        self.quantity = re.compile(bounds.get("quantity_pattern", "(?!)"))
        self.phase = re.compile(bounds.get("phase_pattern", "(?!)"))
        self.juris_chars = frozenset(w for w in self.juris_words if len(w) == 1)
        #: jurisdiction words of one character (省, 市 …) found in a text in one pass
        #: (the left scan tests its stop rule only at those positions and protected ones)
        self.juris_char_re = re.compile("[" + "".join(map(re.escape, sorted(self.juris_chars))) + "]"
                                        if self.juris_chars else "(?!)")
        self.slogan = re.compile(bounds.get("slogan_pattern", "(?!)"))
        self.inner_count = re.compile(bounds.get("inner_count_pattern", "(?!)"))
        self.guarded_branch = re.compile(bounds.get("guarded_branch_pattern", "(?!)"))
        self.weak_heads = tuple(lex.data["project"].get("weak_heads", ()))
        self.verb_followers = tuple(lex.data["project"].get("verb_followers", ()))
        self.street_words = frozenset(lex.data["project"].get("street_words", ()))
        self.place_chars = frozenset(lex.data["project"].get("place_chars", ""))
        self.unit_end_chars = frozenset(lex.data["person"].get("unit_end_chars", ""))
        self.inner_conj = frozenset(lex.data["project"].get("inner_conjunctions", ()))
        self.head_modified_by = tuple(lex.data["project"].get("head_modified_by", ()))
        refs = lex.data["references"]
        self.reference_words = _by_length(tuple(refs.get("home_markers", ())) + tuple(refs.get("anaphors", ())))
        self.reference_sets = _by_length_sets(self.reference_words)
        # patterns compiled once per lexicon (the finders run per article)
        self.compound_re = _alternation(self.compounds)
        self.title_re = _alternation(self.titles)
        self.speech_re = _alternation(self.speech)
        self.build_tail_re = _alternation(self.build_tails)
        self.built_trigger_res = tuple(re.compile(re.escape(t))
                                       for t in lex.data["project"].get("built_triggers", ()))
        list_heads = "|".join(map(re.escape, lex.data["project"].get("list_close_heads", ())))
        self.list_close_re = re.compile(rf"等([^，。；;,]{{0,12}}?)(?:{list_heads})")  # A、B、C等(N个…)项目
        # 省/市/县/区 not after a CJK character; the look-behind comes after the first
        # character ((?<![CJK].) there) so that re can skip ahead to one of 省市县区
        self.party_gov_re = re.compile("([省市县区])(?<![\u3400-\u9fff].)(" + "|".join(map(re.escape, self.party_gov)) + ")")
        self.national_re = _alternation(self.national)
        # (先生/女士 after a name are left to the other rules)
        self.honorific_res = tuple((h, re.compile(re.escape(h))) for h in self.honorifics
                                   if h not in ("先生", "女士"))
        # "does the name contain one of these words": one search instead of a loop of ``in``
        self.facility_center_re = _alternation(self.facility_center)
        self.center_words_re = _alternation(self.center_words)
        self.invested_heads = tuple(self.project_heads) + tuple(self.facility)
        self.invested_re = re.compile(rf"({'|'.join(map(re.escape, self.money_triggers))})({_MONEY})"
                                      rf"(?:[,，]?({'|'.join(map(re.escape, self.money_objects))})|(的))")
        self._alternations: dict[tuple[str, ...], re.Pattern[str]] = {}

    def alternation(self, words: tuple[str, ...]) -> re.Pattern[str]:
        """:func:`_alternation` of a word list (compiled once)."""
        pattern = self._alternations.get(words)
        if pattern is None:
            pattern = self._alternations[words] = _alternation(words)
        return pattern

    @classmethod
    def of(cls, lex: Lexicon) -> "_Words":
        cached = cls._cache.get(id(lex))
        if cached is None or cached[0] is not lex:  # (an id is reused once its lexicon is gone)
            cached = cls._cache[id(lex)] = (lex, cls(lex))
        return cached[1]


def _by_length(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(words), key=lambda w: (-len(w), w)))


def _by_length_sets(words: Iterable[str]) -> tuple[tuple[int, frozenset[str]], ...]:
    """Words grouped by length, longest first: ``((n, words of length n), …)``.

    Which word of a list starts (or ends) at a position is one slice and one
    set lookup per length, not one ``startswith`` per word; two words of one
    length cannot both start there, so the first hit is the longest word, as
    in a scan of :func:`_by_length` order.
    """
    groups: dict[int, set[str]] = {}
    for word in words:
        groups.setdefault(len(word), set()).add(word)
    return tuple((n, frozenset(groups[n])) for n in sorted(groups, reverse=True))


def _ending_at(text: str, end: int, groups: tuple[tuple[int, frozenset[str]], ...]) -> str | None:
    """The longest word of ``groups`` (:func:`_by_length_sets`) ending at ``end``."""
    for n, words in groups:
        if n <= end and text[end - n:end] in words:
            return text[end - n:end]
    return None


def _alternation(words: Iterable[str]) -> re.Pattern[str]:
    """One pattern matching any of the words, longest first.

    Written as a trie (局(?:长)?|主(?:任|席)…): at each position it matches
    what ``"|".join(words longest first)`` matches -- the longest word there --
    but ``re`` tries one branch per first character instead of one per word.
    """
    words = _by_length(words)
    return re.compile(_trie_pattern(words) if words else "(?!)")


def _trie_pattern(words: Iterable[str]) -> str:
    """A regular expression of a word trie whose match is the longest word at a position.

    Children are tried before a word ends (greedy ``?``), and the children of
    a node begin with different characters, so the first match found going
    down the text's own path is its deepest word.
    """
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" not in node:
            return body
        return (body if len(branches) > 1 else "(?:" + body + ")") + "?"

    return pattern(trie) if "" not in trie else "(?:" + pattern({k: v for k, v in trie.items() if k}) + ")?"


def _overlapping(pattern: re.Pattern[str], text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, word)`` at every start where an :func:`_alternation` matches
    (overlapping: 局 inside 分局 too), its longest word there.

    The same as ``finditer`` of the lookahead ``(?=(words))``, but ``search``
    lets ``re`` skip to the next possible first character in C instead of
    trying every word at every position.
    """
    m = pattern.search(text)
    while m is not None:
        s = m.start()
        yield s, m.end(), m.group()
        m = pattern.search(text, s + 1)


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


def _protected_map(text: str, ctx: Context, divisions: Sequence[Candidate]) -> _Protected:
    """Protected spans keyed by their end, computed once per text and division list."""
    key = ("protected", id(divisions), len(text))
    protected = ctx.cache.get(key)
    if protected is None:
        juris = [m.start() for m in ctx.words.juris_char_re.finditer(text)]
        protected = ctx.cache[key] = _Protected(_protected(text, ctx, divisions), juris)
    return protected


def _scan_left(text: str, head_start: int, ctx: Context, protected: _Protected, max_len: int) -> int:
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


def _trim(text: str, start: int, end: int, ctx: Context) -> int:
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


def _jurisdiction(text: str, start: int, end: int, ctx: Context,
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


def _suffix_heads(text: str, suffixes: tuple[str, ...], ctx: Context) -> list[tuple[int, int, str]]:
    """``(start, end, suffix)`` of the longest suffix ending at each place where one ends.

    Overlapping hits count (局 inside 分局).  :func:`_overlapping` hits come
    by increasing start, so the first hit ending somewhere is the longest
    suffix ending there.
    """
    best: dict[int, tuple[int, int, str]] = {}
    for hit in _word_hits(text, suffixes, ctx):
        if hit[1] not in best:
            best[hit[1]] = hit
    return [best[e] for e in sorted(best)]


def _word_hits(text: str, words: tuple[str, ...], ctx: Context) -> list[tuple[int, int, str]]:
    """``list(_overlapping(alternation(words), text))``, computed once per text and word list."""
    key = ("hits", words)
    hits = ctx.cache.get(key)
    if hits is None:
        hits = ctx.cache[key] = list(_overlapping(ctx.words.alternation(words), text))
    return hits


def _is_specific(text: str, start: int, end: int, ctx: Context, divisions: Sequence[Candidate],
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


# ---------------------------------------------------------------------------
# Government bodies and organizations

def _suffix_names(text: str, ctx: Context, divisions: Sequence[Candidate], suffixes: Sequence[str],
                  type_: str, rule: str, max_len: int) -> list[Candidate]:
    prot = _protected_map(text, ctx, divisions)
    out = []
    for s, e, suffix in _suffix_heads(text, tuple(suffixes), ctx):
        # the head must not be the start of a longer word (局面, 公司化, 二中队 …)
        # (a division or a position title may follow a head inside one segmenter word: 局局长)
        if (_continues_word(text, e, ctx) and not _divisions_starting(divisions, e, ctx)
                and not text.startswith(ctx.words.titles, e)) or \
                (suffix.endswith("中") and text[e:e + 1] == "队"):
            continue
        if _false_head(text, e, ctx):
            continue
        start = _scan_left(text, s, ctx, prot, max_len)
        start = _reference_start(text, _trim(text, start, e, ctx), ctx)
        if e - start <= len(suffix) or ctx.words.quantity.match(text, start):
            continue
        out.append(Candidate(start, e, type_, text[start:e], rule,
                             juris=_jurisdiction(text, start, e, ctx, divisions)))
    return out


def _false_head(text: str, end: int, ctx: Context) -> bool:
    """An ordinary word ends here (格局, 举办, 车站): not the head of a name."""
    return _ending_at(text, end, ctx.words.false_head_sets) is not None


def _continues_word(text: str, end: int, ctx: Context) -> bool:
    """True when the segmenter put ``end`` inside a token (the head is a word's prefix)."""
    if not ctx.token_ends:
        return False
    return end not in ctx.token_ends and end not in ctx.token_starts


def find_agencies(text: str, ctx: Context, divisions: Sequence[Candidate]) -> list[Candidate]:
    """Government bodies: jurisdiction + domain + body, and party/government short forms."""
    w = ctx.words
    out = _suffix_names(text, ctx, divisions, w.agency_strong, "Agency", "agency-suffix", 30)
    # weak heads (中心, 站 …) count with a jurisdiction prefix or an agency domain word
    for c in _suffix_names(text, ctx, divisions, w.agency_weak, "Agency", "agency-weak", 20):
        body = c.text
        if w.facility_center_re.search(body):
            continue
        if c.juris is not None and len(body) - (c.juris[1] - c.juris[0]) >= 3 or w.center_words_re.search(body):
            out.append(c)
    # 市委/县政府/省委: jurisdiction + party/government word, as whole words
    for c in divisions:
        if not text.startswith(w.party_gov, c.end):
            continue  # (most divisions)
        for word in w.party_gov:
            end = c.end + len(word)
            if text.startswith(word, c.end) and (not _continues_word(text, end, ctx)
                                                 or text.startswith(w.titles, end)):
                out.append(Candidate(c.start, c.end + len(word), "Agency", text[c.start:c.end + len(word)],
                                     "party-government", juris=(c.start, c.end)))
    for m in w.party_gov_re.finditer(text):
        s, e = m.span()
        titled = text.startswith(w.titles, e)  # 市委书记 is one word to the segmenter
        if ctx.token_starts and not ctx.is_token(s, s + 1) and not ctx.is_token(s, e) and not titled:
            continue
        if _continues_word(text, e, ctx) and not titled:
            continue
        out.append(Candidate(s, e, "Agency", m.group(0), "party-government", juris=(s, s + 1)))
    for m in w.national_re.finditer(text):
        out.append(Candidate(m.start(), m.end(), "Agency", m.group(0), "national-body"))
    return out


def find_organizations(text: str, ctx: Context, divisions: Sequence[Candidate]) -> list[Candidate]:
    """Companies, schools, hospitals, foundations, newspapers: name + legal/institution head."""
    w = ctx.words
    out = _suffix_names(text, ctx, divisions, w.org_strong, "Organization", "org-suffix", 30)
    # a bare head (基金会理事长…, 该公司) refers back to an organization named before
    # the longest head word at each start, when it has two characters or more (the
    # same as overlapping matches of the two-character heads alone)
    for s0, e0, _suffix in (hit for hit in _word_hits(text, w.org_strong, ctx) if hit[1] - hit[0] >= 2):
        before = text[s0 - 1] if s0 > 0 else ""
        if before not in ("", "该") and before not in w.hard and not before.isspace():
            continue
        if not _continues_word(text, e0, ctx):
            start = s0 - 1 if before == "该" else s0
            out.append(Candidate(start, e0, "Organization", text[start:e0], "org-anaphor"))
    # brand + industry (某某化工): only when the brand is a name the segmenter does not know
    for s, e, suffix in _suffix_heads(text, w.org_weak, ctx):
        if _continues_word(text, e, ctx):
            continue
        for k in (2, 3):
            b = s - k
            if b < 0 or not all(_CJK.match(ch) for ch in text[b:s]):
                continue
            after = text[e:e + 2]
            ends = after[:1] in w.hard or after[:1] in ("", "等", "的") or after.startswith(("生产", "集团", "公司"))
            if ends and ctx.tag(b, s) in ("", "nz") and (b == 0 or text[b - 1] in "、，,：:（(“ " or b in ctx.token_starts):
                out.append(Candidate(b, e, "Organization", text[b:e], "org-brand-industry"))
                break
    return out


# ---------------------------------------------------------------------------
# Projects

def find_projects(text: str, ctx: Context, divisions: Sequence[Candidate]) -> list[Candidate]:
    """Specific projects: a name ending in a project head, list items, built facilities."""
    w = ctx.words
    prot = _protected_map(text, ctx, divisions)
    out: list[Candidate] = []
    for s, e, suffix in _suffix_heads(text, w.project_heads, ctx):
        # 工程建设 is one word to the segmenter; the head still ends the name there
        if _continues_word(text, e, ctx) and not text.startswith(w.build_tails + w.completion_tails, e):
            continue
        if text.startswith(w.head_modified_by, e):
            continue  # 平台优势, 工程质量: the head is a modifier here
        start = _scan_left(text, s, ctx, prot, 30)
        quoted = _quoted_before(text, start)
        if quoted is not None:
            # “废水近零排放”工程, 一期“某某苑”项目: the quoted words are the name
            q_start, q_end = quoted
            name = _QUOTES.sub("", text[q_start:e])
            if len(name) > len(suffix) + 1:
                out.append(Candidate(q_start, e, "Project", text[q_start:e], "project-quoted", name=name))
            continue
        start = _trim(text, start, e, ctx)
        if e - start <= len(suffix) + 1 or w.quantity.match(text, start):
            continue
        placed = _division_ending(divisions, start - 1, ctx) if start > 0 and text[start - 1] == "的" else None
        if placed is not None and not text.endswith(w.generic, start, e):
            # 某区的某某工程: the text places it; its name with the place
            out.append(Candidate(placed.start, e, "Project", text[placed.start:e], "project-placed",
                                 juris=(placed.start, placed.end), name=placed.text + text[start:e]))
            continue
        phase = w.phase.match(text, e)
        if phase:
            e = phase.end()
        name = text[start:e]
        if name.endswith(w.generic) and not _is_specific(
                text, start, e - len(suffix), ctx, divisions, count_divisions=False):
            continue  # 某县民生项目: a place before a generic head does not make a name
        weak = name.endswith(w.weak_heads)
        if weak and text.startswith(w.verb_followers, e):
            continue  # 改造为…: a verb here
        completed = text.startswith(w.completion_tails, e)
        if not completed and not _is_specific(text, start, e, ctx, divisions, count_divisions=not weak):
            continue
        out.append(Candidate(start, e, "Project", name, "project-head",
                             juris=_jurisdiction(text, start, e, ctx, divisions)))
    # facilities that are the object of construction: 推进某某公园建设, 开工建设某某学校
    for m in w.build_tail_re.finditer(text):
        s = end = m.start()
        ph = _PHASE_BEFORE.search(text[max(0, s - 6):s])
        if ph:
            s -= len(ph.group(0))
        fac = _ending_at(text, s, w.facility_sets)  # the longest facility word ending there
        if fac is not None:
            start = _scan_left(text, s - len(fac), ctx, prot, 25)
            start = _trim(text, start, s, ctx)
            if s - start > len(fac) and _is_specific(text, start, s, ctx, divisions) and \
                    not w.quantity.match(text, start):
                out.append(Candidate(start, end, "Project", text[start:end], "facility-built",
                                     juris=_jurisdiction(text, start, end, ctx, divisions)))
    for trig in w.built_trigger_res:
        for m in trig.finditer(text):
            e0 = m.end()
            for fac in w.facility:
                idx = text.find(fac, e0, e0 + 20)
                if idx < 0:
                    continue
                end = idx + len(fac)
                segment = text[e0:end]
                if any(ch in w.hard for ch in segment):
                    continue
                if end - e0 > len(fac) and _is_specific(text, e0, end, ctx, divisions) and \
                        not _continues_word(text, end, ctx):
                    out.append(Candidate(e0, end, "Project", segment, "facility-built"))
                break
    superseded: set[tuple[int, int]] = set()
    out.extend(_list_projects(text, ctx, divisions, out, superseded))
    out.extend(_invested_projects(text, ctx, divisions))
    return [c for c in out if (c.start, c.end) not in superseded or c.rule != "project-head"]


_QUOTES = re.compile("[“”\"「」『』]")
# patterns of the project and person rules, compiled once
_PHASE_BEFORE = re.compile(r"[（(][一二三四五六七八九十0-9]+期[）)]$")
_LIST_COUNT = re.compile(r"[0-9一二两三四五六七八九十几]+[个座所处条项批]")
_LIST_CATEGORY = re.compile(r"([0-9一二两三四五六七八九十]+([大个座所处条项]))")
_CREDIT_PARENS = re.compile(r"[（(]([^（()）\n]{2,30})[）)]")
_CREDIT_BODY = re.compile(r"[\u3400-\u9fff、 \u3000/]+")
_CREDIT_LINE = re.compile(r"(?:^|\n|。|\s)([\u3400-\u9fff][\u3400-\u9fff \u3000]{1,20}?)\s*(摄影|摄)\s*(?=\n|$)")
_CREDIT_LINE_MARK = "摄"  # in every match of _CREDIT_LINE
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


def _division_ending(divisions: Sequence[Candidate], end: int, ctx: Context) -> Candidate | None:
    """The first division candidate (in list order) that ends at ``end``."""
    cached = ctx.cache.get("division-ends")
    if cached is None or cached[0] is not divisions:
        ends: dict[int, Candidate] = {}
        for c in divisions:
            ends.setdefault(c.end, c)
        cached = ctx.cache["division-ends"] = (divisions, ends)
    return cached[1].get(end)


def _quoted_before(text: str, start: int) -> tuple[int, int] | None:
    """The span of “…” ending right at ``start`` (a quoted name before a head)."""
    if start == 0 or text[start - 1] != "”":
        return None
    open_ = text.rfind("“", max(0, start - 32), start - 1)
    if open_ < 0 or any(ch in "。！？；，,\n" for ch in text[open_:start]):
        return None
    return open_, start


_MONEY = r"\d+(?:\.\d+)?(?:余|多)?(?:千万|百万|万|亿)?元"


def _invested_projects(text: str, ctx: Context, divisions: Sequence[Candidate]) -> list[Candidate]:
    """What an investment built: 投资1亿元完成某楼改造 / 投入100万元实施升级改造.

    The object after the amount and a verb (money_objects) is a project even
    without a proper name: the sentence itself singles it out.  A bare work
    (升级改造) is named after the investor written before the amount.
    """
    w = ctx.words
    prot = _protected_map(text, ctx, divisions)
    heads = w.invested_heads
    out = []
    for m in w.invested_re.finditer(text):
        obj_start = m.end()
        # the object ends at the first project head / facility word before punctuation
        stop = obj_start
        while stop < len(text) and stop - obj_start < 25 and text[stop] not in w.hard:
            stop += 1
        best = None
        for h in heads:
            idx = text.rfind(h, obj_start, stop)
            if idx >= 0 and (best is None or idx + len(h) > best):
                if not _continues_word(text, idx + len(h), ctx):
                    best = idx + len(h)
        if best is None:
            continue
        start = _scan_left(text, best - 1, ctx, prot, best - obj_start) if best - 1 > obj_start else obj_start
        start = max(start, obj_start)
        name = text[start:best]
        if m.group(4) and (text[best:best + 1] == "、" or name.endswith(w.generic)):
            continue  # 总投资X元的A、B…: a total over a list; the items are found as a list
        if name in w.bare_works:
            # the investor: the name right before the money trigger
            inv_end = m.start()
            inv_start = _scan_left(text, inv_end, ctx, prot, 12)
            if inv_end - inv_start < 2:
                continue
            out.append(Candidate(inv_start, best, "Project", text[inv_start:best], "invested-bare",
                                 juris=_jurisdiction(text, inv_start, inv_end, ctx, divisions),
                                 name=text[inv_start:inv_end] + name))
            continue
        if len(name) < 3 or w.quantity.match(name):
            continue
        out.append(Candidate(start, best, "Project", name, "invested-object",
                             juris=_jurisdiction(text, start, best, ctx, divisions)))
    return out


def _list_projects(text: str, ctx: Context, divisions: Sequence[Candidate],
                   found: Sequence[Candidate], superseded: set[tuple[int, int]]) -> list[Candidate]:
    """Items of a coordinated list closed by a project head: A、B、C等N个…项目 / A、B道路工程.

    Spans of candidates that turn out to be a list's last item plus a shared
    head are added to ``superseded``.
    """
    w = ctx.words
    out = []
    # A、B、C等(N个…)项目|工程|建设
    for m in w.list_close_re.finditer(text):
        list_end = m.start()
        items = _list_items(text, list_end, ctx, divisions)
        counted = bool(_LIST_COUNT.match(m.group(1)))
        if len(items) >= 2 or (items and counted):
            for s, e in items:
                named_facility = e - s <= 14 and text.endswith(w.facility, s, e)
                first = ctx.tag_starting_at(s)
                if first == "t":
                    continue
                if (named_facility or _is_specific(text, s, e, ctx, divisions)) and \
                        not text[s:e].endswith(w.generic):
                    out.append(Candidate(s, e, "Project", text[s:e], "project-list"))
    # A、B、C三大片区某某项目: every item takes the shared head
    for c in found:
        if c.rule != "project-head":
            continue
        q = _LIST_CATEGORY.search(c.text)
        if not q or q.start() == 0 or c.text[q.start() - 1] in "等":
            continue
        cut = c.start + q.start()
        head = text[cut + len(q.group(1)):c.end]
        items = _list_items(text, cut, ctx, divisions)
        if len(items) >= 2 and items[-1][1] == cut:
            for a, b in items:
                if q.group(2) == "大":  # 三大片区棚户区改造项目: each item takes the head
                    out.append(Candidate(a, b, "Project", text[a:b], "project-list-distributed",
                                         name=text[a:b] + head))
                else:  # 三个百亿级项目: a category; the items are the names
                    out.append(Candidate(a, b, "Project", text[a:b], "project-list"))
            superseded.add((c.start, c.end))
    # A、B道路工程: the first items share the last item's head
    for c in found:
        if c.rule != "project-head":
            continue
        s = c.start
        if s > 0 and text[s - 1] == "、":
            for a, b in _list_items(text, s - 1, ctx, divisions):
                if _is_specific(text, a, b, ctx, divisions):
                    out.append(Candidate(a, b, "Project", text[a:b], "project-list-shared-head"))
    return out


def _list_items(text: str, list_end: int, ctx: Context, divisions: Sequence[Candidate]) -> list[tuple[int, int]]:
    """The items of a 、-separated list that ends at ``list_end`` (right to left)."""
    w = ctx.words
    prot = _protected_map(text, ctx, divisions)
    items = []
    end = list_end
    while end > 0:
        start = _scan_left(text, end, ctx, prot, 20)
        start = _trim(text, start, end, ctx)
        if end - start >= 2:
            items.append((start, end))
        if start > 0 and text[start - 1] == "、":
            end = start - 1
            continue
        # 及/和 join the last two items
        if start > 0 and text[start - 1] in "及和与" and items:
            end = start - 1
            continue
        break
    return list(reversed(items))


# ---------------------------------------------------------------------------
# Persons

_NAME_END = set("，。、；：！？,;:!? （(）)“”\"\n")


def _name_at(text: str, i: int, ctx: Context, *, strict_end: bool = True) -> tuple[int, int] | None:
    """A surname + given name starting at ``i``; returns its span or None."""
    w = ctx.words
    if text[i:i + 2] in w.surnames2:
        sur = 2
    elif i < len(text) and text[i] in w.surnames1:
        sur = 1
    else:
        return None
    best = None
    for given in (2, 1):
        e = i + sur + given
        if e > len(text):
            continue
        piece = text[i:e]
        if not all(_CJK.match(ch) for ch in piece):
            continue
        if given == 2 and text.startswith(w.speech, e - 1):
            continue  # 赵强说: the last character is the verb
        if piece in w.not_names or text[i + sur:e] in w.not_names:
            continue
        after = text[e:e + 4]
        ends_here = (e == len(text) or text[e] in _NAME_END or text[e].isspace()
                     or after.startswith(w.speech) or after.startswith(w.byline)
                     or after.startswith(w.honorifics) or after[:1] in ("等", "在", "于", "和", "与"))
        if ends_here:
            best = (i, e)
            break
        if not strict_end and given == 2 and (e in ctx.token_starts or not ctx.token_starts):
            best = (i, e)
            break
    return best


def find_persons(text: str, ctx: Context) -> list[Candidate]:
    """Persons: title + name, bylines and credits, speakers, honorifics."""
    w = ctx.words
    out: list[Candidate] = []
    # title + name (董事长张三, 记者 李四)
    titles = list(w.title_re.finditer(text))
    for m in titles:
        i = m.end()
        while i < len(text) and text[i] in " \u3000":
            i += 1
        span = _name_at(text, i, ctx, strict_end=False)
        if span:
            # 通讯员 A B: several names separated by spaces
            out.append(Candidate(span[0], span[1], "Person", text[span[0]:span[1]], "title-name", title=m.group(0)))
            j = span[1]
            while j < len(text) and text[j] in " \u3000、":
                k = j
                while k < len(text) and text[k] in " \u3000、":
                    k += 1
                nxt = _name_at(text, k, ctx)
                if not nxt:
                    break
                out.append(Candidate(nxt[0], nxt[1], "Person", text[nxt[0]:nxt[1]], "title-name", title=m.group(0)))
                j = nxt[1]
    # credits: (A、B) / (A B 文/图) / A 摄 / A B 摄影 at a line's end
    for m in _CREDIT_PARENS.finditer(text):
        body = m.group(1)
        if not _CREDIT_BODY.fullmatch(body):
            continue
        out.extend(_credit_names(text, m.start(1), m.end(1), ctx))
    if _CREDIT_LINE_MARK in text:  # (the line pattern scans every position)
        for m in _CREDIT_LINE.finditer(text):
            out.extend(_credit_names(text, m.start(1), m.end(1), ctx))
    # speakers: 。张三说 / ，李四表示 (not starting inside a title: 局长孙某)
    in_title: set[int] | None = None
    for m in w.speech_re.finditer(text):
        if in_title is None:
            in_title = {i for t in titles for i in range(t.start() + 1, t.end())}
        s = m.start()
        for n in (3, 2, 4):
            i = s - n
            if i < 0 or i in in_title:
                continue
            span = _name_at(text, i, ctx)
            if span and span[1] == s and (i == 0 or text[i - 1] in _NAME_END or text[i - 1] in w.unit_end_chars):
                out.append(Candidate(i, s, "Person", text[i:s], "speaker"))
                break
    # honorifics after the name: 某某某总书记, 某某某同志
    for h, pattern in w.honorific_res:
        for m in pattern.finditer(text):
            s = m.start()
            for n in (3, 2):
                i = s - n
                if i < 0:
                    continue
                span = _name_at(text, i, ctx)
                if span and span[1] == s:
                    out.append(Candidate(i, s, "Person", text[i:s], "honorific", title=h))
                    break
    return out


def _credit_names(text: str, start: int, end: int, ctx: Context) -> list[Candidate]:
    """Names in a credit like ``张三、李四 文/图`` between start and end."""
    w = ctx.words
    body = text[start:end]
    out = []
    # strip trailing markers (文/图, 摄) glued to the last name
    cut = len(body)
    stripped = body.rstrip()
    for marker in w.byline:
        if stripped.endswith(marker):
            cut = len(stripped) - len(marker)
            break
    # 毛 峰: a two-character name typeset with a space between its characters
    pieces = [(m.start(), m.group(0)) for m in _CJK_RUN.finditer(body[:cut])]
    merged: list[tuple[int, str]] = []
    for off, piece in pieces:
        if merged and len(piece) == 1 and len(merged[-1][1]) == 1 and body[merged[-1][0] + 1:off].strip() == "":
            merged[-1] = (merged[-1][0], merged[-1][1] + piece)
        else:
            merged.append((off, piece))
    for off, piece in merged:
        s = start + off
        if len(piece) == 2 and text[s + 1] != piece[1]:  # spaced name: check the two characters
            if (piece[0] in w.surnames1) and piece not in w.not_names:
                e = text.index(piece[1], s + 1) + 1
                out.append(Candidate(s, e, "Person", text[s:e], "credit", name=piece))
            continue
        if 2 <= len(piece) <= 4 and _name_at(text, s, ctx, strict_end=False) is not None:
            span = (s, s + len(piece))
            if piece[:2] in w.surnames2 or piece[0] in w.surnames1:
                if piece not in w.not_names:
                    out.append(Candidate(span[0], span[1], "Person", piece, "credit"))
    return out


def find_all(text: str, ctx: Context) -> list[Candidate]:
    """Every candidate of every type in ``text`` (overlaps allowed)."""
    divisions = find_divisions(text, ctx)
    out: list[Candidate] = list(divisions)
    # the open classes drop names that are a quantity or a slogan (divisions and
    # persons never are); the candidates stay in the order they were found
    w = ctx.words
    quantity, slogan, inner_count = w.quantity.match, w.slogan.match, w.inner_count.search
    for found in (find_agencies(text, ctx, divisions), find_organizations(text, ctx, divisions),
                  find_projects(text, ctx, divisions)):
        for c in found:
            surface = c.name or c.text
            if not (quantity(surface) or slogan(c.text) or (c.type == "Project" and inner_count(surface))):
                out.append(c)
    out.extend(find_persons(text, ctx))
    # a total order (set order varies with PYTHONHASHSEED)
    return sorted(set(out), key=_order)


def _order(c: Candidate) -> tuple:
    """find_all's sort key (``c.surface`` spelt out: this runs once per candidate)."""
    return (c.start, -c.end, c.type, c.rule, c.name or c.text, c.title or "")
