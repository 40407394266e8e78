"""Rules that say who undertakes a project: its owner's name in its own, ORG的PROJECT,
ORG + trigger + PROJECT, the article's topic body, 由ORG实施, role words, partners."""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence

from kg.knowledge.lexicon import Lexicon, PatternFile
from kg.knowledge.money import money_of
from kg.names.trie import alternation
from kg.relations.article import ArticleFacts
from kg.relations.registry import Fact, relation_rule
from kg.resolve import Resolved

__all__ = ["owner_in_name", "possessive", "subject_trigger", "article_topic", "passive_agent", "role_word",
           "partner", "signing_party", "copula_owner"]


def _undertakes(art: ArticleFacts, o: Resolved, p: Resolved, pos: int) -> Iterator[Fact]:
    """``o`` undertakes ``p`` as a rule read it: a party committee's undertaking goes to the
    government written with it, or to no one (:meth:`ArticleFacts.undertaker`)."""
    who = art.undertaker(o)
    if who is not None:
        yield Fact(who, "undertakes", p, pos)


def _triggers(lexicon: Lexicon) -> tuple[str, ...]:
    """The subject-trigger words (实施, 建成 …), which three rules read."""
    return lexicon.words("relations", "subject-trigger.triggers")


@relation_rule("owner-in-name")
def owner_in_name(art: ArticleFacts, words: None) -> Iterator[Fact]:
    """A project named after its owner: the organization its name starts with (某厂某某综合利用)."""
    for p in art.projects:
        for o in art.agencies_orgs:
            if o.start == p.start and o.end < p.end:
                yield from _undertakes(art, o, p, p.start)


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
            yield from _undertakes(art, o, p, p.start)


class _Subject:
    def __init__(self, table: PatternFile, lexicon: Lexicon) -> None:
        self.triggers = alternation(table.words("triggers"))
        money = money_of(lexicon)
        #: a trigger + amount + 的 before a project describes it (总投资2亿元的某工程): no verb
        self.attributive = re.compile(f"{money.qualifier}(?:{money.pattern}){re.escape(table.string('attributive'))}")
        #: prepositions whose object is no subject (与某公司签约…): a body after one of them,
        #: with no body right before it (某局与某公司 are two subjects)
        self.objects = tuple(table.words("object_markers"))


def _inside_other_project(art: ArticleFacts, o: Resolved, p: Resolved) -> bool:
    """Is ``o`` written inside the name of a project other than ``p`` (its owner there)?"""
    return any(q is not p and q.start <= o.start and o.end <= q.end for q in art.projects)


def _trigger_between(art: ArticleFacts, triggers, start: int, end: int, attributive=None) -> bool:
    """A trigger word in ``text[start:end]`` that is no part of a name (推进 of 某某整县推进项目
    is not the subject's verb) nor of an amount describing a project (总投资2亿元的某工程), on
    the same line and paragraph of the source."""
    text = art.text
    if "\n" in text[start:end] or not art.same_paragraph(start, end):
        return False
    names = [(m.start, m.end) for m in art.mentions if m.start < end and m.end > start]
    for hit in triggers.finditer(text, start, end):
        if any(s <= hit.start() < e for s, e in names):
            continue
        if attributive is not None and attributive.match(text, hit.end(), end):
            continue
        return True
    return False


def _object_of_preposition(art: ArticleFacts, o: Resolved, markers: tuple[str, ...]) -> bool:
    """Is ``o`` (or the list it ends) the object of a preposition (现场与某公司签约, 经某县委、
    县政府研究决定), with no body right before it (某局与某公司: two subjects)?"""
    text = art.text
    # the first body of a list (经某县委、县政府研究: 经 governs the whole list)
    first = o
    while first.start > 0 and text[first.start - 1] == "、":
        prev = next((b for b in art.agencies_orgs if b.end == first.start - 1), None)
        if prev is None:
            break
        first = prev
    o = first
    marker = next((m for m in markers if text.endswith(m, 0, o.start)), None)
    if marker is None:
        return False
    at = o.start - len(marker)
    return not any(b.end == at for b in art.agencies_orgs)


@relation_rule("subject-trigger", prepare=_Subject, after=("possessive",))
def subject_trigger(art: ArticleFacts, words: _Subject) -> Iterator[Fact]:
    """ORG … trigger … PROJECT in one sentence and line, no agency or organization between
    them; the trigger is no part of a name, and an organization written inside another
    project's name (its owner) is the subject of no other project."""
    for p in art.projects:
        if art.found(p, "possessive"):
            continue
        before = art.agencies_orgs_before(p)
        if not before:
            continue
        # the nearest (the longest of those ending there: a body, not the parent inside its name);
        # another body between would be the subject
        o = max(before, key=lambda o: (o.end, o.end - o.start))
        if not _inside_other_project(art, o, p) and not _object_of_preposition(art, o, words.objects) and \
                _trigger_between(art, words.triggers, o.end, p.start, words.attributive):
            yield from _undertakes(art, o, p, p.start)


class _Topic:
    def __init__(self, table: PatternFile, lexicon: Lexicon) -> None:
        self.openers = table.words("openers")
        self.dateline = table.regex("dateline")
        self.triggers = _triggers(lexicon)
        #: a body followed by a title names a person's post (某县委书记某某宣布…), not a topic
        self.titles = alternation(lexicon.words("person", "employee_titles"))


@relation_rule("article-topic", prepare=_Topic, after=("possessive", "subject-trigger", "passive-agent"))
def article_topic(art: ArticleFacts, words: _Topic) -> Iterator[Fact]:
    """The article's topic body undertakes the projects its subjectless sentences introduce
    with a trigger (or as a list)."""
    topic = None
    for p in art.projects:
        if art.found(p, "possessive", "subject-trigger", "passive-agent"):
            continue
        if topic is None:
            topic = _topic(art, words)
            if topic is None:
                return
        s, e = art.sentence_of(p.start)
        lead = art.text[s:p.start]
        if not any(s <= o.start < e for o in art.agencies_orgs) and \
                (any(t in lead for t in words.triggers) or p.rule.startswith("project-list")):
            yield from _undertakes(art, topic, p, p.start)


def _topic(art: ArticleFacts, words: _Topic) -> Resolved | None:
    """The body an article is about: an agency/organization that opens a sentence,
    alone or after a time adverbial (近年来,某县某局…), before any other such sentence
    (not a body naming a person's post: 某县委书记某某…)."""
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
        if words.titles.match(text, m.end):
            continue  # 某县委书记某某…: the sentence is about the person
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
            anaphor = art.words.this_project.search(art.text, s, o.start)
            if anaphor is not None and (not subject or anaphor.start() < subject[0].start):
                # 该项目为某某签约项目,由ORG建设: the project named before the sentence (the
                # one named after 该项目 is what it is, not another project)
                target = max((p for p in art.projects if p.start < s), key=lambda p: p.start, default=None)
            else:
                target = subject[-1] if subject else None
            if target is not None:
                yield from _undertakes(art, o, target, o.start)


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
                yield from _undertakes(art, o, p, o.start)


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
                    yield from _undertakes(art, o, p, o.start)
                    break


class _Signing:
    def __init__(self, table: PatternFile, lexicon: Lexicon) -> None:
        self.verbs = tuple(table.words("verbs"))
        self.markers = tuple(table.words("markers"))
        self.parties = alternation(table.words("parties"))
        self.triggers = alternation(_triggers(lexicon))


def _partner_before(art: ArticleFacts, pos: int, start: int, markers: tuple[str, ...]) -> Resolved | None:
    """The body written right after a marker (与某公司) last before ``pos``, from ``start``."""
    text = art.text
    for o in sorted(art.agencies_orgs, key=lambda o: -o.end):
        if start <= o.start and o.end <= pos and text.endswith(markers, 0, o.start):
            return o
    return None


@relation_rule("signing-party", prepare=_Signing)
def signing_party(art: ArticleFacts, words: _Signing) -> Iterator[Fact]:
    """与ORG签订的PROJECT: ORG undertakes the project it signed for; A与B签订协议 … 双方 + trigger
    + PROJECT: both parties undertake the projects of that sentence."""
    text = art.text
    if not any(v in text for v in words.verbs):
        return
    possessive = art.words.possessive
    for p in art.projects:
        lead = text[max(0, p.start - 4):p.start].rstrip("“\"")
        if not lead.endswith(possessive) or not lead[:-len(possessive)].endswith(words.verbs):
            continue
        s, _ = art.sentence_of(p.start)
        # the partner in the clause before the verb (其中,与某公司签订的某项目)
        clause = max(s, *(text.rfind(ch, s, p.start) + 1 for ch in "，,；;"))
        o = _partner_before(art, p.start, clause, words.markers)
        if o is not None:
            yield from _undertakes(art, o, p, p.start)
    # 双方 + trigger: the two bodies of the last signing sentence before (某局与某集团签订协议)
    for hit in words.parties.finditer(text):
        s, e = art.sentence_of(hit.start())
        trig = words.triggers.search(text, hit.end(), e)
        if trig is None:
            continue
        parties = None
        for ps, pe in reversed([sp for sp in art.sentences if sp[1] <= s][-2:] + [(s, hit.start())]):
            verb = max((text.rfind(v, ps, pe) for v in words.verbs), default=-1)
            if verb < 0:
                continue
            second = _partner_before(art, verb, ps, words.markers)
            if second is None:
                continue
            first = next((o for o in art.agencies_orgs if o.end == second.start - 1 and o.start >= ps), None)
            if first is not None:
                parties = (first, second)
                break
        if parties is None:
            continue
        for p in art.projects:
            if trig.start() < p.start < e:
                for o in parties:
                    yield from _undertakes(art, o, p, p.start)


class _Copula:
    def __init__(self, table: PatternFile, lexicon: Lexicon) -> None:
        self.copulas = tuple(sorted(table.words("copulas"), key=len, reverse=True))
        self.clause_marks = frozenset(table.chars("clause_marks"))
        self.dateline = lexicon.regex("relations", "article-topic.dateline")


@relation_rule("copula-owner", prepare=_Copula)
def copula_owner(art: ArticleFacts, words: _Copula) -> Iterator[Fact]:
    """PROJECT是ORG…的… (某项目是某集团十四五规划的重点项目; …,更是某公司扩大生产的重大举措):
    the organization the project is said to belong to undertakes it (its owner, beside a
    builder another rule may name)."""
    text = art.text
    possessive = art.words.possessive
    orgs = [o for o in art.agencies_orgs if o.type == "Organization"]
    if not orgs:
        return
    for p in art.projects:
        s, e = art.sentence_of(p.start)
        lead = words.dateline.sub("", text[s:p.start]).strip(" \u3000“”\"")
        if lead and lead[-1] not in words.clause_marks:
            continue  # the project is not the subject of its clause
        pos = p.end
        while pos < e:
            # the next clause of the sentence: 是…, 也是…, 更是…
            end = next((i for i in range(pos, e) if text[i] in words.clause_marks), e)
            cop = next((c for c in words.copulas if text.startswith(c, pos)), None)
            if cop is not None:
                o = next((o for o in orgs if pos + len(cop) <= o.start and o.end < end), None)
                if o is not None and text.find(possessive, o.end, end) >= 0 and \
                        not any(q.start < o.start < q.end for q in art.projects):
                    yield from _undertakes(art, o, p, p.start)
                    break
            pos = end + 1
