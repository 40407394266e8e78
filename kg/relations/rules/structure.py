"""Rules that read the structure of names: where an organization or project is, what an
agency administers, which body is part of which (locatedIn, administers, subOrganizationOf)."""
from __future__ import annotations

from collections.abc import Iterator

from kg.ids import division_entity_id
from kg.knowledge.lexicon import Lexicon, PatternFile
from kg.relations.article import ArticleFacts
from kg.relations.registry import Fact, relation_rule
from kg.names.trie import alternation
from kg.resolve import Resolved

__all__ = ["located_after", "located_context", "name_jurisdiction", "article_home", "nested_name",
           "subunit_of_parent", "sub_trigger", "branch_of_named", "subsidiary_list"]


class _LocatedAfter:
    def __init__(self, table: PatternFile, lexicon: Lexicon) -> None:
        self.trigger = alternation(table.words("triggers"))
        self.subject_words = alternation(table.words("subject_words"))
        self.at = table.string("at")
        self.events = alternation(table.words("events"))
        self.joiners = table.chars("joiners")
        self.anaphora = alternation(table.words("anaphora"))


def _chains(art: ArticleFacts, starts: dict[int, Resolved], pos: int, joiners: str) -> tuple[list[Resolved], int]:
    """The divisions written as chains from ``pos`` (某县某镇、某县和某市某县): the last,
    most specific, division of each chain, and where the chains end."""
    last: list[Resolved] = []
    text = art.text
    while True:
        d = starts.get(pos)
        if d is None:
            break
        while d is not None:
            pos = d.end
            nxt = starts.get(pos)
            if nxt is None:
                last.append(d)
            d = nxt
        if pos < len(text) and text[pos] in joiners and pos + 1 in starts:
            pos += 1
            continue
        break
    return last, pos


@relation_rule("located-after", prepare=_LocatedAfter)
def located_after(art: ArticleFacts, words: _LocatedAfter) -> Iterator[Fact]:
    """Y位于X / Y落户X / Y在X落地: an organization or project Y (or 项目, 该项目: the project
    named last) is located in X, the last division of a chain of divisions (某县某镇:
    the 镇), each chain of a list (某市、某县和某县境内)."""
    text = art.text
    # the longest division written at each place (某县经济技术开发区, not the 某县 it starts with)
    starts: dict[int, Resolved] = {}
    for d in art.mentions:
        if d.type == "Division" and (d.start not in starts or d.end > starts[d.start].end):
            starts[d.start] = d
    if not starts:
        return
    subjects = [m for m in art.mentions if m.type in ("Organization", "Project")]
    for m in subjects:
        pos = m.end
        hit = words.subject_words.match(text, pos)  # 某项目建设地点位于…
        if hit:
            pos = hit.end()
        yield from _placed(art, words, starts, m, pos)
    # 项目位于… / 该项目建设地点位于…: the project named last before the sentence
    for hit in words.anaphora.finditer(text):
        s, _ = art.sentence_of(hit.start())
        if text[s:hit.start()].strip(" ,，") or any(m.end == hit.start() for m in subjects):
            continue  # not the subject of its sentence
        target = max((p for p in art.projects if p.end <= hit.start()), key=lambda p: p.start, default=None)
        if target is None:
            continue
        pos = hit.end()
        sub = words.subject_words.match(text, pos)
        yield from _placed(art, words, starts, target, sub.end() if sub else pos, hit.start())


def _placed(art: ArticleFacts, words: _LocatedAfter, starts: dict[int, Resolved], m: Resolved, pos: int,
            at: int | None = None) -> Iterator[Fact]:
    text = art.text
    trig = words.trigger.match(text, pos)
    if trig:
        places, _ = _chains(art, starts, trig.end(), words.joiners)
    elif text.startswith(words.at, pos):
        places, end = _chains(art, starts, pos + len(words.at), words.joiners)
        if not words.events.match(text, end):
            places = []  # 在某县召开…: where something else happened
    else:
        return
    for d in places:
        yield Fact(m, "locatedIn", division_entity_id(d.division_id), m.start if at is None else at)


def _located_words(table: PatternFile, lexicon: Lexicon) -> tuple[str, ...]:
    return table.words("triggers")


@relation_rule("located-context", prepare=_located_words, after=("located-after",))
def located_context(art: ArticleFacts, triggers: tuple[str, ...]) -> Iterator[Fact]:
    """位于X的Y / 在X的Y: Y is located in X, the most specific division right before 的."""
    text = art.text
    divisions = [d for d in art.mentions if d.type == "Division"]
    for m in art.mentions:
        if m.type not in ("Organization", "Project") or art.found(m, "located-after"):
            continue
        near = [d for d in divisions if d.end <= m.start and m.start - d.end <= 2]
        if near and text[near[-1].end:m.start] in (art.words.possessive, ""):
            window = text[max(0, near[-1].start - 12):near[-1].start]
            chain = [d for d in divisions if d.end <= m.start and m.start - d.end <= 12]
            if any(t in window for t in triggers) or chain:
                yield Fact(m, "locatedIn", division_entity_id(near[-1].division_id), m.start)


def _brand_levels(table: PatternFile, lexicon: Lexicon) -> frozenset[str]:
    return frozenset(table.words("brand_levels"))


@relation_rule("name-jurisdiction", prepare=_brand_levels, after=("located-after", "located-context"))
def name_jurisdiction(art: ArticleFacts, brand_levels: frozenset[str]) -> Iterator[Fact]:
    """The jurisdiction written in a name (the most specific one): an agency administers
    it (once per article); an organization or project not placed yet is located in it
    (an organization by a province or city in its name only when that division is an
    entity of the document)."""
    gazetteer, home = art.gazetteer, art.res.home_county
    administering: set[str] = set()
    for m in art.mentions:
        if m.type == "Agency":
            target = art.most_specific([m.juris, *art.inner_division_ids(m)])
            if target and m.entity_id not in administering:
                administering.add(m.entity_id)
                yield Fact(m, "administers", division_entity_id(target), m.start)
        elif m.type in ("Organization", "Project") and not art.found(m, "located-after", "located-context"):
            named = [m.juris, *art.inner_division_ids(m)]
            if m.type == "Organization":
                # 山西 in 山西某集团: a province or city in an organization's name is part of
                # its brand; it places the organization only when that division is an entity
                # of the document (named on its own, or a jurisdiction)
                named = [d for d in named if d and (d in art.document_divisions or _level(art, d) not in brand_levels)]
            if m.type == "Project" and home:
                # a project named after a place in its home county is in that county
                named.append(home if any(gazetteer.within(home, d) for d in named if d) else None)
            target = art.most_specific(named)
            if target:
                yield Fact(m, "locatedIn", division_entity_id(target), m.start)


def _level(art: ArticleFacts, did: str) -> str | None:
    div = art.gazetteer.get(did)
    return div.level if div else None


def _local_institutions(table: PatternFile, lexicon: Lexicon) -> tuple[str, ...]:
    return lexicon.words("organization", "local_institutions")


@relation_rule("article-home", prepare=_local_institutions,
               after=("located-after", "located-context", "name-jurisdiction"))
def article_home(art: ArticleFacts, local_institutions: tuple[str, ...]) -> Iterator[Fact]:
    """A project, a local institution (中学, 医院 …) or a brand + industry company that no
    earlier rule placed is located in the article's home county."""
    home = art.res.home_county
    if not home:
        return
    for m in art.mentions:
        if m.type in ("Organization", "Project") and not art.found(
                m, "located-after", "located-context", "name-jurisdiction") and (
                m.type == "Project" or m.name.endswith(local_institutions) or m.rule == "org-brand-industry"):
            yield Fact(m, "locatedIn", division_entity_id(home), m.start)


@relation_rule("nested-name")
def nested_name(art: ArticleFacts, words: None) -> Iterator[Fact]:
    """A body written inside a longer body's name from its first character is its parent
    (晋中市生态环境局 in 晋中市生态环境局榆次分局)."""
    for m in art.mentions:
        if m.type != "Agency":
            continue
        for o in art.agencies_orgs:
            if o is not m and o.type == "Agency" and o.start == m.start and o.end < m.end:
                yield Fact(m, "subOrganizationOf", o, m.start)


@relation_rule("subunit-of-parent")
def subunit_of_parent(art: ArticleFacts, words: None) -> Iterator[Fact]:
    """A sub-unit resolved to a parent (its name = the parent's name + its own) is part of it."""
    agencies = [m for m in art.mentions if m.type == "Agency"]
    names: dict[str, Resolved] = {m.name: m for m in agencies}  # (the last mention of a name)
    for m in agencies:
        for pname, p in names.items():
            if p is not m and m.name.startswith(pname) and len(m.name) > len(pname) and m.rule != "party-government":
                yield Fact(m, "subOrganizationOf", p, m.start)
                break


class _SubTrigger:
    def __init__(self, table: PatternFile, lexicon: Lexicon) -> None:
        self.triggers = frozenset(table.words("triggers"))
        self.longest = max(map(len, self.triggers), default=0)
        self.subunit_heads = lexicon.words("organization", "subunit_heads")


@relation_rule("sub-trigger", prepare=_SubTrigger)
def sub_trigger(art: ArticleFacts, words: _SubTrigger) -> Iterator[Fact]:
    """X + trigger + Y (某供电公司组织某某服务队), Y ending in a sub-unit head: Y is part of X."""
    text = art.text
    for a in art.agencies_orgs:
        for b in art.agencies_orgs:
            if 0 < b.start - a.end <= words.longest and text[a.end:b.start] in words.triggers and \
                    b.name.endswith(words.subunit_heads):
                yield Fact(b, "subOrganizationOf", a, b.start)


class _Branch:
    def __init__(self, table: PatternFile, lexicon: Lexicon) -> None:
        self.heads = tuple(sorted(table.words("heads"), key=len, reverse=True))
        self.branch_heads = tuple(sorted(table.words("branch_heads"), key=len, reverse=True))
        self.parent_heads = tuple(table.words("parent_heads"))
        # what a name may end in without naming anything more (某某集团 / 某某集团有限公司)
        self.legal = tuple(sorted({*lexicon.words("organization", "legal_forms"), *self.heads}, key=len,
                                  reverse=True))


def _own_part(rest: str, legal: tuple[str, ...]) -> str:
    """What a name adds after its parent's, without a company or legal head (澄泓公司 → 澄泓)."""
    for form in legal:
        if rest.endswith(form):
            return rest[:-len(form)]
    return rest


@relation_rule("branch-of-named", prepare=_Branch)
def branch_of_named(art: ArticleFacts, words: _Branch) -> Iterator[Fact]:
    """An organization named as another one of the article + a name of its own + a company or
    branch head (某某集团某某公司, 某某股份有限公司某地分公司) is its subsidiary or branch; a
    branch whose parent is written only inside its name (某某集团 + place + 分公司) names it."""
    orgs = [m for m in art.mentions if m.type == "Organization"]
    text = art.text
    for b in orgs:
        if not b.name.endswith(words.heads) and not b.text.endswith(words.heads):
            continue
        parent = None
        for a in orgs:
            if a.entity_id == b.entity_id or (parent is not None and len(a.text) <= len(parent.text)):
                continue
            for own, whole in ((a.text, b.text), (a.name, b.name)):
                if len(whole) > len(own) and whole.startswith(own) and len(_own_part(whole[len(own):], words.legal)) >= 2:
                    parent = a
                    break
        if parent is not None:
            yield Fact(b, "subOrganizationOf", parent, b.start)
            continue
        head = next((h for h in words.branch_heads if b.text.endswith(h)), None)
        if head is None:
            continue
        # 某某集团 + 某地 + 分公司: the place written right before the branch head
        head_start = b.end - len(head)
        place = next((d for d in art.held_divisions() if b.start < d.start and d.end == head_start), None)
        if place is None:
            continue
        name = text[b.start:place.start]
        if name.endswith(words.parent_heads) and len(name) > 2:
            yield Fact(b, "subOrganizationOf", art.named_entity(b.start, place.start, "Organization", name), b.start)


class _Subsidiaries:
    def __init__(self, table: PatternFile, lexicon: Lexicon) -> None:
        self.triggers = alternation(table.words("triggers"))


@relation_rule("subsidiary-list", prepare=_Subsidiaries)
def subsidiary_list(art: ArticleFacts, words: _Subsidiaries) -> Iterator[Fact]:
    """X…旗下有A、B、C等N家子公司: every organization after the trigger in its sentence is
    part of X, the last organization before the trigger (in its sentence or the one before)."""
    text = art.text
    orgs = [m for m in art.mentions if m.type == "Organization"]
    if not orgs:
        return
    for hit in words.triggers.finditer(text):
        s, e = art.sentence_of(hit.start())
        prev_s, _ = art.sentence_of(s - 1) if s > 0 else (s, s)
        parent = max((o for o in orgs if prev_s <= o.start and o.end <= hit.start()), key=lambda o: o.end, default=None)
        if parent is None:
            continue
        for o in orgs:
            if hit.end() <= o.start < e and o.entity_id != parent.entity_id:
                yield Fact(o, "subOrganizationOf", parent, o.start)
