"""The lexicon's word lists prepared once for the finders (sets by length, compiled patterns)."""
from __future__ import annotations

import re

from kg.knowledge.lexicon import Lexicon
from kg.knowledge.money import MONEY
from kg.names.trie import alternation, by_length, by_length_sets

__all__ = ["Words"]


class Words:
    """Word lists of the lexicon prepared for fast lookup (built once per lexicon)."""

    _cache: dict[int, tuple[Lexicon, "Words"]] = {}

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
        self.trim = by_length(set(lex.words("boundaries", "trim_prefix")) | set(lex.words("project", "build_triggers")))
        self.compounds = tuple(lex.words("agency", "domain_compounds"))
        self.juris_words = frozenset(lex.words("agency", "jurisdiction_words"))
        self.agency_strong = by_length(lex.words("agency", "suffixes.strong"))
        self.agency_weak = by_length(lex.words("agency", "suffixes.weak"))
        self.center_words = tuple(lex.words("agency", "center_words"))
        self.facility_center = tuple(lex.words("agency", "facility_center_words"))
        self.party_gov = tuple(lex.words("agency", "party_government"))
        self.national = tuple(lex.words("agency", "national"))
        self.org_strong = by_length(lex.words("organization", "suffixes.strong"))
        self.org_weak = by_length(lex.words("organization", "suffixes.weak"))
        self.project_heads = by_length(lex.words("project", "suffixes"))
        self.generic = tuple(lex.words("project", "generic_heads"))
        self.facility = by_length(lex.words("project", "facility_words"))
        self.build_triggers = by_length(lex.words("project", "build_triggers"))
        self.build_tails = tuple(lex.words("project", "build_tails"))
        self.generic_words = frozenset(lex.data["project"].get("generic_words", ()))
        self.money_triggers = by_length(lex.words("project", "money_triggers"))
        self.money_objects = by_length(lex.words("project", "money_objects"))
        self.bare_works = by_length(lex.data["project"].get("bare_works", ()))
        self.completion_tails = tuple(lex.data["project"].get("completion_tails", ()))
        self.titles = by_length(lex.words("person", "titles"))
        self.byline = by_length(lex.words("person", "byline_markers"))
        self.speech = by_length(lex.words("person", "speech_verbs"))
        self.honorifics = by_length(lex.words("person", "honorifics_after"))
        surnames = lex.words("person", "surnames")
        self.surnames1 = frozenset(s for s in surnames if len(s) == 1)
        self.surnames2 = frozenset(s for s in surnames if len(s) == 2)
        self.not_names = frozenset(lex.words("person", "not_given_names"))
        self.separators = tuple(lex.words("boundaries", "list_separators"))
        bounds = lex.data["boundaries"]
        self.false_heads = by_length(bounds.get("false_heads", ()))
        self.false_head_sets = by_length_sets(self.false_heads)
        self.trim_sets = by_length_sets(self.trim)
        self.facility_sets = by_length_sets(self.facility)
        # ties in length never both match at one position, so their order is free
        self.juris_sets = by_length_sets(self.juris_words)
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
        self.reference_words = by_length(tuple(refs.get("home_markers", ())) + tuple(refs.get("anaphors", ())))
        self.reference_sets = by_length_sets(self.reference_words)
        # patterns compiled once per lexicon (the finders run per article)
        self.compound_re = alternation(self.compounds)
        self.title_re = alternation(self.titles)
        self.speech_re = alternation(self.speech)
        self.build_tail_re = alternation(self.build_tails)
        self.built_trigger_res = tuple(re.compile(re.escape(t))
                                       for t in lex.data["project"].get("built_triggers", ()))
        list_heads = "|".join(map(re.escape, lex.data["project"].get("list_close_heads", ())))
        self.list_close_re = re.compile(rf"等([^，。；;,]{{0,12}}?)(?:{list_heads})")  # A、B、C等(N个…)项目
        # 省/市/县/区 not after a CJK character; the look-behind comes after the first
        # character ((?<![CJK].) there) so that re can skip ahead to one of 省市县区
        self.party_gov_re = re.compile("([省市县区])(?<![\u3400-\u9fff].)(" + "|".join(map(re.escape, self.party_gov)) + ")")
        self.national_re = alternation(self.national)
        # (先生/女士 after a name are left to the other rules)
        self.honorific_res = tuple((h, re.compile(re.escape(h))) for h in self.honorifics
                                   if h not in ("先生", "女士"))
        # "does the name contain one of these words": one search instead of a loop of ``in``
        self.facility_center_re = alternation(self.facility_center)
        self.center_words_re = alternation(self.center_words)
        self.invested_heads = tuple(self.project_heads) + tuple(self.facility)
        self.invested_re = re.compile(rf"({'|'.join(map(re.escape, self.money_triggers))})({MONEY})"
                                      rf"(?:[,，]?({'|'.join(map(re.escape, self.money_objects))})|(的))")
        self._alternations: dict[tuple[str, ...], re.Pattern[str]] = {}

    def alternation(self, words: tuple[str, ...]) -> re.Pattern[str]:
        """:func:`alternation` of a word list (compiled once)."""
        pattern = self._alternations.get(words)
        if pattern is None:
            pattern = self._alternations[words] = alternation(words)
        return pattern

    @classmethod
    def of(cls, lex: Lexicon) -> "Words":
        cached = cls._cache.get(id(lex))
        if cached is None or cached[0] is not lex:  # (an id is reused once its lexicon is gone)
            cached = cls._cache[id(lex)] = (lex, cls(lex))
        return cached[1]
