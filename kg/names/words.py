"""The lexicon's word lists prepared once for the finders (sets by length, compiled patterns)."""
from __future__ import annotations

import re

from kg.knowledge.lexicon import Lexicon
from kg.knowledge.money import money_of
from kg.names.trie import alternation, by_length, by_length_sets

__all__ = ["Words"]


class Words:
    """Word lists of the lexicon prepared for fast lookup (built once per lexicon)."""

    def __init__(self, lex: Lexicon) -> None:
        # clause openers (更是, 此次 …), datelines (某报讯) and clause verbs (介绍) end the scan as
        # the other boundary words do (a clause verb also where it ends a longer word: 积极参与)
        self.clause_verb_set = frozenset(lex.words("boundaries", "clause_verbs"))
        self.left = frozenset(lex.words("boundaries", "left") + lex.words("boundaries", "clause_openers")
                              + lex.words("boundaries", "dateline_words")) | self.clause_verb_set
        self.left_max = max(map(len, self.left))
        by_last: dict[str, set[int]] = {}
        for word in self.left:
            by_last.setdefault(word[-1], set()).add(len(word))
        #: last character of a boundary word -> the lengths of those words, longest first
        left_by_last = {ch: tuple(sorted(ns, reverse=True)) for ch, ns in by_last.items()}
        self.hard = frozenset(lex.chars("boundaries", "hard_stops"))
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
        self.member_words = tuple(lex.words("agency", "member_words"))
        self.place_after_body = tuple(lex.words("agency", "place_after_body"))
        self.national = tuple(lex.words("agency", "national"))
        self.org_strong = by_length(lex.words("organization", "suffixes.strong"))
        self.org_weak = by_length(lex.words("organization", "suffixes.weak"))
        self.project_heads = by_length(lex.words("project", "suffixes"))
        self.generic = tuple(lex.words("project", "generic_heads"))
        self.redundant_tails = tuple(lex.words("project", "redundant_tails"))
        self.campaign_words = tuple(lex.words("project", "campaign_words"))
        self.item_phase = lex.regex("project", "item_phase_pattern")
        self.description = lex.regex("project", "description_pattern")
        self.facility = by_length(lex.words("project", "facility_words"))
        self.build_triggers = by_length(lex.words("project", "build_triggers"))
        self.build_tails = tuple(lex.words("project", "build_tails"))
        self.generic_words = frozenset(lex.words("project", "generic_words"))
        self.money_triggers = by_length(lex.words("project", "money_triggers"))
        self.money_objects = by_length(lex.words("project", "money_objects"))
        self.bare_works = by_length(lex.words("project", "bare_works"))
        self.completion_tails = lex.words("project", "completion_tails")
        self.titles = by_length(lex.words("person", "titles"))
        self.byline = by_length(lex.words("person", "byline_markers"))
        self.speech = by_length(lex.words("person", "speech_verbs"))
        self.honorifics = by_length(lex.words("person", "honorifics_after"))
        surnames = lex.words("person", "surnames")
        self.surnames1 = frozenset(s for s in surnames if len(s) == 1)
        self.surnames2 = frozenset(s for s in surnames if len(s) == 2)
        self.not_names = frozenset(lex.words("person", "not_given_names"))
        self.title_set = frozenset(self.titles)
        self.given_name_stops = frozenset(lex.chars("person", "given_name_stops"))
        self.function_surname_tags = frozenset(lex.words("person", "function_surname_tags"))
        self.name_word_tags = frozenset(lex.words("person", "name_word_tags"))
        self.verb_tags_after_name = frozenset(lex.words("person", "verb_tags_after_name"))
        self.common_word_tags = frozenset(lex.words("person", "common_word_tags"))
        self.clause_verbs = by_length(lex.words("boundaries", "clause_verbs"))
        # 编辑:某某 (a label, a colon, spaces): the names start at the match's end
        seps = re.escape(lex.chars("person", "credit_label_separators"))
        self.doctrine_re = alternation(lex.words("person", "doctrine_heads"))
        #: the last two characters of every doctrine (a text without any has none)
        self.doctrine_tails = tuple(sorted({h[-2:] for h in lex.words("person", "doctrine_heads")}))
        self.credit_label_separators = tuple(lex.chars("person", "credit_label_separators"))
        self.doctrine_name_tags = frozenset(lex.words("person", "doctrine_name_tags"))
        #: a parenthesised byline ((记者某某 通讯员某某)) ending where the search ends: a name's
        #: left scan never crosses its ")"
        self.byline_parens_before = re.compile(r"[（(][^（()）\n]{0,30}?(?:" + alternation(self.byline).pattern
                                               + r")[^（()）\n]{0,30}?[)）]$")
        self.credit_label_re = re.compile(f"({alternation(lex.words('person', 'credit_labels')).pattern})"
                                          f"[{seps}][ \u3000]*")
        self.false_heads = by_length(lex.words("boundaries", "false_heads"))
        self.false_head_sets = by_length_sets(self.false_heads)
        self.trim_sets = by_length_sets(self.trim)
        self.facility_sets = by_length_sets(self.facility)
        # ties in length never both match at one position, so their order is free
        self.juris_sets = by_length_sets(self.juris_words)
        self.stop_tags = frozenset(lex.words("boundaries", "stop_tags_before_jurisdiction"))
        self.quantity = lex.regex("boundaries", "quantity_pattern")
        self.phase = lex.regex("boundaries", "phase_pattern")
        # a phase right before a position (某某院区(二期)建设)
        self.phase_before = re.compile(f"(?:{self.phase.pattern})$")
        self.juris_chars = frozenset(w for w in self.juris_words if len(w) == 1)
        #: one-character boundary words a segmenter may glue to a jurisdiction word (由区, 从市)
        self.left_chars = frozenset(w for w in self.left if len(w) == 1)
        self.glued_preps = frozenset(lex.words("boundaries", "glued_prepositions"))
        # punctuation that is part of a name where it stands (boundary._joined_across)
        self.dash_chars = frozenset(lex.chars("boundaries", "dash_chars"))
        self.place_end_chars = frozenset(lex.chars("boundaries", "place_end_chars"))
        self.shared_works = frozenset(lex.words("boundaries", "shared_works"))
        # boundary words that are part of a name where they stand (boundary.inside_name)
        self.head_premodifiers = frozenset(lex.words("boundaries", "head_premodifiers"))
        self.company_premodifiers = frozenset(lex.words("boundaries", "company_premodifiers"))
        self.name_conjunctions = frozenset(lex.words("boundaries", "name_conjunctions"))
        self.quantity_conjunct = lex.regex("boundaries", "quantity_conjunct_pattern")
        self.clause_adverbs = frozenset(lex.words("boundaries", "clause_adverbs"))
        self.clause_adverb_next_tags = frozenset(lex.words("boundaries", "clause_adverb_next_tags"))
        #: the heads that end a complete name (a conjunction after one joins two names)
        self.name_heads = by_length(set(lex.words("project", "suffixes")) | set(lex.words("organization", "suffixes.strong"))
                                    | set(lex.words("agency", "suffixes.strong")))
        #: jurisdiction words of one character (省, 市 …) found in a text in one pass
        #: (the left scan tests its stop rule only at those positions and protected ones)
        self.juris_char_re = re.compile("[" + "".join(map(re.escape, sorted(self.juris_chars))) + "]"
                                        if self.juris_chars else "(?!)")
        self.slogan = lex.regex("boundaries", "slogan_pattern")
        self.inner_count = lex.regex("boundaries", "inner_count_pattern")
        self.guarded_branch = lex.regex("boundaries", "guarded_branch_pattern")
        self.possessive = lex.string("boundaries", "possessive")
        #: (head ending, next word) pairs that make a head part of a longer word (二中 + 队)
        self.head_continuations = tuple(lex.table("boundaries", "head_continuations").items())
        self.weak_heads = lex.words("project", "weak_heads")
        self.verb_followers = lex.words("project", "verb_followers")
        self.street_words = frozenset(lex.words("project", "street_words"))
        self.place_chars = frozenset(lex.chars("project", "place_chars"))
        self.unit_end_chars = frozenset(lex.chars("person", "unit_end_chars"))
        self.inner_conj = frozenset(lex.words("project", "inner_conjunctions"))
        self.head_modified_by = lex.words("project", "head_modified_by")
        self.list_closers = lex.chars("project", "list_closers")
        self.list_count = lex.regex("project", "list_count_pattern")
        self.genitive_class = lex.regex("project", "genitive_classifier_pattern")
        self.enumeration_re = lex.regex("project", "enumeration_pattern")
        self.built_after_list = by_length(lex.words("project", "built_after_list"))
        self.programme_marker = lex.regex("project", "programme_marker_pattern")
        self.object_ends = frozenset(lex.chars("project", "object_ends"))
        self.programme_adverbs = by_length(lex.words("project", "programme_adverbs"))
        self.programme_verbs = by_length(lex.words("project", "programme_verbs"))
        self.built_institutions = tuple(self.facility) + tuple(lex.words("project", "built_institution_heads"))
        self.enumeration_ends = frozenset(lex.chars("project", "enumeration_ends"))
        self.item_separator = lex.string("project", "item_separator")
        self.numerals_re = lex.regex("project", "numeral_pattern")
        self.numeral_values = lex.numbers("project", "numeral_values")
        self.list_close_heads = lex.words("project", "list_close_heads")
        self.opening_brackets = lex.chars("project", "opening_brackets")
        self.closing_brackets = lex.chars("project", "closing_brackets")
        self.list_category = lex.regex("project", "list_category_pattern")
        self.distributing = lex.chars("project", "distributing_classifiers")
        self.list_joiners = lex.chars("project", "list_joiners")
        self.anaphor_marker = lex.string("references", "anaphor_marker")
        self.brand_followers = lex.words("organization", "brand_followers")
        self.media_heads = lex.words("organization", "media_heads")
        self.capacity = lex.regex("organization", "capacity_pattern")
        self.democratic_parties = lex.table("organization", "democratic_parties")
        self.democratic_party_re = alternation(tuple(self.democratic_parties))
        self.party_committee_words = by_length(lex.words("organization", "party_committee_words"))
        self.party_committee_full = lex.words("organization", "party_committee_words")[0]
        self.not_outlets = lex.words("organization", "not_outlets")
        # 来源:某某新闻网 / 信息来源: 某某在线 / 来源:某某晚报时间:…: the value of a source line
        # ends at a space, punctuation, a label written right after it or a date
        stops = "|".join(map(re.escape, lex.words("organization", "source_value_stops")))
        labels = "|".join(map(re.escape, by_length(lex.words("organization", "source_labels"))))
        value_end = r"\s|｜,，。;；:：()（）\[\]【】<>《》"
        # (a date right after the name, when a line break was joined away: 某某在线12月10日)
        self.source_re = re.compile(rf"(?:{labels})\s*[:：]\s*([^{value_end}]{{2,20}}?)"
                                    rf"(?=[{value_end}]|{stops}|(?<=[\u3400-\u9fff])[0-9０-９]|$)")
        self.source_labels = tuple(lex.words("organization", "source_labels"))
        self.dateline = lex.regex("organization", "dateline_pattern")  # matched right after an outlet's name
        self.name_followers = lex.chars("person", "name_followers")
        credit_marks = lex.words("person", "credit_marks")
        # a photo credit on a line of its own: 某某 摄 / 某某 某某 摄影
        self.credit_line_re = re.compile(r"(?:^|\n|。|\s)([\u3400-\u9fff][\u3400-\u9fff \u3000]{1,20}?)\s*("
                                         + "|".join(map(re.escape, credit_marks)) + r")\s*(?=\n|$)")
        #: marks holding no other mark: one of them is in every match of credit_line_re
        #: (a text without any is not scanned: the line pattern tries every position)
        self.credit_line_marks = tuple(m for m in credit_marks if not any(o != m and o in m for o in credit_marks))
        self.reference_words = by_length(lex.words("references", "home_markers") + lex.words("references", "anaphors"))
        self.reference_sets = by_length_sets(self.reference_words)
        # patterns compiled once per lexicon (the finders run per article)
        self.compound_re = alternation(self.compounds)
        self.title_re = alternation(self.titles)
        self.speech_re = alternation(self.speech)
        self.build_tail_re = alternation(self.build_tails)
        self.built_trigger_res = tuple(re.compile(re.escape(t)) for t in lex.words("project", "built_triggers"))
        list_heads = "|".join(map(re.escape, lex.words("project", "list_close_heads")))
        closers = re.escape(self.list_closers)
        self.list_close_re = re.compile(rf"[{closers}]([^，。；;,]{{0,12}}?)(?:{list_heads})")  # A、B、C等(N个…)项目
        # 省/市/县/区 not after a CJK character; the look-behind comes after the first
        # character ((?<![CJK].) there) so that re can skip ahead to one of 省市县区
        party_juris = re.escape(lex.chars("agency", "party_government_jurisdictions"))
        self.party_gov_re = re.compile(f"([{party_juris}])(?<![\u3400-\u9fff].)("
                                       + "|".join(map(re.escape, self.party_gov)) + ")")
        self.national_re = alternation(self.national)
        self.party_juris = frozenset(lex.chars("agency", "party_government_jurisdictions"))
        # the same short forms after any character (kept only as whole words)
        self.party_gov_any_re = re.compile(f"[{party_juris}](?:" + "|".join(map(re.escape, by_length(self.party_gov))) + ")")
        # (courtesy titles after a name are left to the other rules)
        courtesy = lex.words("person", "courtesy_titles")
        self.honorific_res = tuple((h, re.compile(re.escape(h))) for h in self.honorifics if h not in courtesy)
        # "does the name contain one of these words": one search instead of a loop of ``in``
        self.facility_center_re = alternation(self.facility_center)
        self.center_words_re = alternation(self.center_words)
        self.invested_heads = tuple(self.project_heads) + tuple(self.facility)
        # an amount of its own right before a name singles it out (总投资3亿元、年销售额5000万元的某某加工项目):
        # a money trigger, at most two words such as 约 before the amount, no clause break, 的
        self.own_amount_re = re.compile(rf"(?:{'|'.join(map(re.escape, self.money_triggers))})[^，。；;,\d]{{0,2}}"
                                        rf"{money_of(lex).pattern}[^，。；;,]{{0,16}}{re.escape(self.possessive)}$")
        self.invested_re = re.compile(rf"({'|'.join(map(re.escape, self.money_triggers))})({money_of(lex).pattern})"
                                      rf"(?:[,，]?({'|'.join(map(re.escape, self.money_objects))})"
                                      rf"|({re.escape(self.possessive)}))")
        #: the boundary words _inside_name looks at (any other is a boundary wherever it stands)
        self.inside_words = (self.head_premodifiers | self.company_premodifiers | self.clause_adverbs
                             | self.inner_conj | self.name_conjunctions)
        self.street_word_tuple = tuple(self.street_words)
        #: hard stops that may join two parts of a name (dashes, 、)
        self.joiners = self.dash_chars | {"、"}
        #: closing brackets: the scan checks whether one closes a byline
        self.closers = frozenset(")）")
        #: a credit label's colon (and the spaces after it): the scan checks for the name after it
        self.credit_seps = frozenset(self.credit_label_separators)
        self.credit_seps_and_spaces = self.credit_seps | {ch for ch, v in self.scan_table.items() if ch.isspace()}
        self.credit_label_sets = by_length_sets(by_length(lex.words("person", "credit_labels")))
        # (closing brackets are no boundary word: a length list of their own sends the scan to its check)
        for ch in self.closers:
            self.scan_table.setdefault(ch, (0,))
        self._alternations: dict[tuple[str, ...], re.Pattern[str]] = {}

    def alternation(self, words: tuple[str, ...]) -> re.Pattern[str]:
        """:func:`alternation` of a word list (compiled once)."""
        pattern = self._alternations.get(words)
        if pattern is None:
            pattern = self._alternations[words] = alternation(words)
        return pattern

    @classmethod
    def of(cls, lex: Lexicon) -> "Words":
        """The words of a lexicon (prepared once per lexicon)."""
        return lex.prepared(cls)
