"""Rules that say who undertakes a project: its owner's name in its own, ORG的PROJECT,
ORG + trigger + PROJECT, the article's topic body, 由ORG实施, role words, partners."""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence

from kg.knowledge.lexicon import Lexicon, PatternFile
from kg.relations.article import ArticleFacts
from kg.relations.registry import Fact, relation_rule
from kg.resolve import Resolved

__all__ = ["owner_in_name", "possessive", "subject_trigger", "article_topic", "passive_agent", "role_word",
           "partner"]


def _triggers(lexicon: Lexicon) -> tuple[str, ...]:
    """The subject-trigger words (实施, 建成 …), which three rules read."""
    return lexicon.words("relations", "subject-trigger.triggers")


@relation_rule("owner-in-name")
def owner_in_name(art: ArticleFacts, words: None) -> Iterator[Fact]:
    """A project named after its owner: the organization its name starts with (某厂某某综合利用)."""
    for p in art.projects:
        for o in art.agencies_orgs:
            if o.start == p.start and o.end < p.end:
                yield Fact(o, "undertakes", p, p.start)


def _possessor(art: ArticleFacts, p: Resolved) -> Resolved | None:
    """ORG in ORG的PROJECT (quotes around the project allowed)."""
    before = art.agencies_orgs_before(p)
    if before and art.text[before[-1].end:p.start].strip("“”\"") == art.words.possessive:
        return before[-1]
    return None


@relation_rule("possessive")
def possessive(art: ArticleFacts, words: None) -> Iterator[Fact]:
    """ORG的PROJECT: ORG undertakes the project."""
    for p in art.projects:
        o = _possessor(art, p)
        if o is not None:
            yield Fact(o, "undertakes", p, p.start)


def _subject_words(table: PatternFile, lexicon: Lexicon) -> tuple[str, ...]:
    return table.words("triggers")


@relation_rule("subject-trigger", prepare=_subject_words, after=("possessive",))
def subject_trigger(art: ArticleFacts, triggers: tuple[str, ...]) -> Iterator[Fact]:
    """ORG … trigger … PROJECT in one sentence, no agency or organization between them."""
    text = art.text
    for p in art.projects:
        if art.found(p, "possessive"):
            continue
        before = art.agencies_orgs_before(p)
        for o in reversed(before):
            between = text[o.end:p.start]
            if any(t in between for t in triggers) and not any(
                    x.start > o.end and x.end <= p.start and x.type in ("Agency", "Organization") for x in before):
                yield Fact(o, "undertakes", p, p.start)
                break


class _Topic:
    def __init__(self, table: PatternFile, lexicon: Lexicon) -> None:
        self.openers = table.words("openers")
        self.dateline = table.regex("dateline")
        self.triggers = _triggers(lexicon)


@relation_rule("article-topic", prepare=_Topic, after=("possessive", "subject-trigger"))
def article_topic(art: ArticleFacts, words: _Topic) -> Iterator[Fact]:
    """The article's topic body undertakes the projects its subjectless sentences introduce
    with a trigger (or as a list)."""
    topic = None
    for p in art.projects:
        if art.found(p, "possessive", "subject-trigger"):
            continue
        if topic is None:
            topic = _topic(art, words)
            if topic is None:
                return
        s, e = art.sentence_of(p.start)
        lead = art.text[s:p.start]
        if not any(s <= o.start < e for o in art.agencies_orgs) and \
                (any(t in lead for t in words.triggers) or p.rule.startswith("project-list")):
            yield Fact(topic, "undertakes", p, p.start)


def _topic(art: ArticleFacts, words: _Topic) -> Resolved | None:
    """The body an article is about: an agency/organization that opens a sentence,
    alone or after a time adverbial (近年来,某县某局…), before any other such sentence."""
    text, sentences = art.text, art.sentences
    # each sentence's first agency/organization (in mention order), found by bisecting
    # the sorted, disjoint sentences rather than scanning every mention for every sentence
    starts = [s for s, _ in sentences]
    first: dict[int, Resolved] = {}
    for m in art.agencies_orgs:
        k = bisect.bisect_right(starts, m.start) - 1
        if k >= 0 and m.start < sentences[k][1] and k not in first:
            first[k] = m
    for k in sorted(first):
        s, m = starts[k], first[k]
        prefix = words.dateline.sub("", text[s:m.start]).strip(" ,，、\u3000")
        if prefix == "" or prefix in words.openers:
            return m
    return None


class _Passive:
    def __init__(self, table: PatternFile, lexicon: Lexicon) -> None:
        self.marker = table.string("marker")
        self.triggers = _triggers(lexicon)


@relation_rule("passive-agent", prepare=_Passive)
def passive_agent(art: ArticleFacts, words: _Passive) -> Iterator[Fact]:
    """(该工程/某工程)由ORG + trigger: ORG undertakes the project the sentence is about."""
    text = art.text
    for o in art.agencies_orgs:
        if o.start > 0 and text[o.start - 1] == words.marker and any(text.startswith(t, o.end)
                                                                     for t in words.triggers):
            s, e = art.sentence_of(o.start)
            subject = [p for p in art.projects if s <= p.start < o.start]
            target = subject[-1] if subject else (
                max((p for p in art.projects if p.start < s), key=lambda p: p.start, default=None)
                if art.refers_to_project(s, o.start) else None)
            if target is not None:
                yield Fact(o, "undertakes", target, o.start)


class _Roles:
    def __init__(self, table: PatternFile, lexicon: Lexicon) -> None:
        # (one startswith/endswith over them all)
        self.words = tuple(sorted(table.words("words"), key=len, reverse=True))
        self.lead = re.compile("^(?:" + "|".join(map(re.escape, table.words("leads"))) + ")")


@relation_rule("role-word", prepare=_Roles)
def role_word(art: ArticleFacts, words: _Roles) -> Iterator[Fact]:
    """某集团施工现场负责人 / 施工单位某集团: the organization undertakes the projects of the
    sentence, else the article's main project."""
    text = art.text
    for o in art.agencies_orgs:
        after = words.lead.sub("", text[o.end:o.end + 10])  # 某集团作为施工单位
        before = text[max(0, o.start - 5):o.start]
        if after.startswith(words.words) or before.endswith(words.words):
            s, e = art.sentence_of(o.start)
            in_sentence = [p for p in art.projects if s <= p.start < e]
            main = art.main_project()
            for p in in_sentence or ([main] if main else []):
                yield Fact(o, "undertakes", p, o.start)


def _partner_words(table: PatternFile, lexicon: Lexicon) -> tuple[str, ...]:
    return table.words("words")


@relation_rule("partner", prepare=_partner_words)
def partner(art: ArticleFacts, words: Sequence[str]) -> Iterator[Fact]:
    """联合X … PROJECT: X undertakes the first project after it in the sentence."""
    text = art.text
    for o in art.agencies_orgs:
        if text[max(0, o.start - 5):o.start].endswith(words):
            _, e = art.sentence_of(o.start)
            for p in art.projects:
                if o.end <= p.start < e:
                    yield Fact(o, "undertakes", p, o.start)
                    break
