"""What the relation rules read of one resolved article: its text, sentences and mentions.

One :class:`ArticleFacts` per article, handed to every rule in turn: the
mentions by type, the sentence around a position, and the few things several
rules ask (the article's main project, the divisions a name holds, whether
an earlier rule already found a fact for a mention).
"""
from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence

from kg.corpus.sentences import paragraph_breaks, sentence_spans, within_paragraph
from kg.ids import entity_id
from kg.knowledge.gazetteer import Gazetteer
from kg.knowledge.lexicon import Lexicon
from kg.resolve import ArticleResolution, Resolved
from kg.names.trie import alternation

__all__ = ["ArticleFacts", "ArticleWords", "LEVEL_DEPTH"]

#: Depth of each division level (the most specific division of several is the deepest).
LEVEL_DEPTH = {"province": 0, "prefecture": 1, "county": 2, "zone": 2, "township": 3, "village": 4}


class ArticleWords:
    """Words of ``ontology/patterns`` that several rules read (prepared once per lexicon)."""

    def __init__(self, lexicon: Lexicon) -> None:
        #: 该工程/该项目: a sentence refers back to the project named before it
        self.this_project = alternation(lexicon.words("project", "this_project"))
        #: heads that make a project the article's main one before a facility (工程, 项目)
        self.main_heads = lexicon.words("project", "main_project_heads")
        #: the particle of possession (ORG的PROJECT, 位于X的Y)
        self.possessive = lexicon.string("boundaries", "possessive")
        #: a party committee's full name, and the end of a government's (undertakes)
        self.party_committee = lexicon.regex("relations", "subject-trigger.party_committee")
        self.government = lexicon.string("relations", "head-of-government.government")
        #: what may join a party committee and the government written with it (县委、县政府)
        self.joint = tuple(lexicon.chars("relations", "subject-trigger.joint"))


class ArticleFacts:
    """One resolved article as the rules read it.

    Offsets are into the article's normalised text (``text``); a fact's
    evidence is the sentence holding its position (:meth:`sentence_of`).
    """

    def __init__(self, res: ArticleResolution, gazetteer: Gazetteer, lexicon: Lexicon,
                 newspaper: Resolved | None = None, document_divisions: Iterable[str] | None = None,
                 source: str | None = None) -> None:
        self.res = res
        self.text = res.art.text
        self.gazetteer = gazetteer
        self.words = lexicon.prepared(ArticleWords)
        #: the home paper (本报) when a reporter of it is named, else None
        self.newspaper = newspaper
        #: every mention, in text order, and those of each family
        self.mentions = res.mentions
        self.projects = [m for m in self.mentions if m.type == "Project"]
        self.agencies_orgs = [m for m in self.mentions if m.type in ("Agency", "Organization")]
        self.persons = [m for m in self.mentions if m.type == "Person"]
        #: gazetteer ids of the divisions that are entities of the document (named on
        #: their own or as a jurisdiction; not a place only written inside a name); by
        #: default those of this article
        if document_divisions is None:
            document_divisions = [m.division_id for m in self.mentions if m.type == "Division"] + \
                [m.juris for m in self.mentions if m.type == "Agency"]
        self.document_divisions = frozenset(d for d in document_divisions if d)
        self.sentences = sentence_spans(self.text)
        self._sentence_starts = [s for s, _ in self.sentences]
        # where a paragraph of the source ended inside a (joined) sentence: evidence stops there
        self._breaks = paragraph_breaks(source, res.art.index) if source is not None else []
        self._found: dict[str, set[int]] = {}
        self._held: list[Resolved] | None = None
        self._main: tuple[Resolved | None] | None = None
        self._before: dict[int, list[Resolved]] = {}
        #: what a rule computed that another reads too, by a key of its own (per article)
        self.cache: dict = {}
        #: entities a rule read inside a name that no mention stands for (the parent
        #: company written inside its branch's name), by entity id
        self.named: dict[str, Resolved] = {}

    def evidence(self, s: int, e: int, words: Sequence[int]) -> tuple[int, int]:
        """The evidence ``[s, e)`` cut to the paragraph of the source holding ``words`` (positions)."""
        if not self._breaks:
            return s, e
        return within_paragraph(s, e, words, self._breaks)

    def same_paragraph(self, start: int, end: int) -> bool:
        """Is ``text[start:end]`` within one paragraph of the source (normalisation may have
        joined a line that stops without punctuation, a header, to the next)?"""
        if not self._breaks:
            return True
        k = bisect.bisect_right(self._breaks, start)
        return k >= len(self._breaks) or self._breaks[k] >= end

    def sentence_of(self, pos: int) -> tuple[int, int]:
        """The sentence holding ``pos`` (sentences are sorted and disjoint)."""
        k = bisect.bisect_right(self._sentence_starts, pos) - 1
        if k >= 0 and pos < self.sentences[k][1]:
            return self.sentences[k]
        return pos, pos + 1

    # -- what earlier rules found -----------------------------------------------------
    def note(self, rule: str, head: Resolved | str, tail: Resolved | str) -> None:
        """Remember that ``rule`` found a fact about the entities of these mentions (the
        runner calls it for the rules another rule follows)."""
        seen = self._found.get(rule)
        if seen is None:
            seen = self._found[rule] = set()
        if not isinstance(head, str):
            seen.add(head.entity_id)
        if not isinstance(tail, str):
            seen.add(tail.entity_id)

    def found(self, m: Resolved, *rules: str) -> bool:
        """Did one of ``rules`` (run before, and followed: ``after=``) find a fact about the
        entity of mention ``m`` (in any of its mentions: 位于 places a project once, wherever
        else it is named)?"""
        key = m.entity_id
        for rule in rules:
            seen = self._found.get(rule)
            if seen is not None and key in seen:
                return True
        return False

    # -- shared questions ----------------------------------------------------------------
    def held_divisions(self) -> list[Resolved]:
        """The divisions a name may hold: those inside names, then the others."""
        if self._held is None:
            self._held = self.res.inner_divisions + [x for x in self.mentions if x.type == "Division"]
        return self._held

    def inner_division_ids(self, m: Resolved) -> list[str]:
        """Ids of the divisions written inside ``m``."""
        return [d.division_id for d in self.held_divisions()
                if m.start <= d.start and d.end <= m.end and d.division_id]

    def most_specific(self, ids: Sequence[str | None]) -> str | None:
        """The deepest division among those a name or context gives (长治市…潞州分局 → 潞州区)."""
        best, depth = None, -1
        for did in ids:
            if not did:
                continue
            div = self.gazetteer.get(did)
            level = div.level if div else ("village" if did.count("-") else "township")
            d = LEVEL_DEPTH.get(level, 0)
            if d > depth:
                best, depth = did, d
        return best

    def main_project(self) -> Resolved | None:
        """The project the article is about: the most mentioned, an 工程/项目 before a facility."""
        if self._main is None:
            projects = self.projects
            if not projects:
                self._main = (None,)
            else:
                counts = Counter(p.entity_id for p in projects)
                heads = self.words.main_heads
                self._main = (min(projects, key=lambda p: (-counts[p.entity_id],
                                                           0 if p.name.endswith(heads) else 1, p.start)),)
        return self._main[0]

    def named_entity(self, start: int, end: int, type_: str, name: str) -> Resolved:
        """The entity ``name`` written at ``text[start:end]`` inside a longer name: the
        mention of the article that stands for it, else a new one (remembered in
        :attr:`named`, made an entity of the document with this mention)."""
        eid = entity_id(type_, name)
        for m in self.mentions:
            if m.entity_id == eid:
                return m
        m = self.named.get(eid)
        if m is None:
            m = self.named[eid] = Resolved(eid, self.res.art.article.article_id, start, end, self.text[start:end],
                                           type_, name, "inside-name")
        return m

    def undertaker(self, o: Resolved) -> Resolved | None:
        """Who undertakes what a rule reads as undertaken by ``o``: ``o`` itself, but for a
        party committee the government written right after it (县委、县政府: docs/annotation.md,
        Undertakes), or no one."""
        if o.type != "Agency" or not self.words.party_committee.search(o.name):
            return o
        text = self.text
        for g in self.agencies_orgs:
            if g.start >= o.end and g.start - o.end <= 1 and text[o.end:g.start] in ("", *self.words.joint) and \
                    g.name.endswith(self.words.government) and g.juris == o.juris:
                return g
        return None

    def refers_to_project(self, start: int, end: int) -> bool:
        """Does ``text[start:end]`` refer back to a project named before (该工程)?"""
        return self.words.this_project.search(self.text, start, end) is not None

    def agencies_orgs_before(self, p: Resolved) -> list[Resolved]:
        """The agencies and organizations of ``p``'s sentence that end before it."""
        before = self._before.get(id(p))
        if before is None:
            s, _ = self.sentence_of(p.start)
            before = self._before[id(p)] = [o for o in self.agencies_orgs if s <= o.start and o.end <= p.start]
        return before

