"""Rules that read the structure of names: where an organization or project is, what an
agency administers, which body is part of which (locatedIn, administers, subOrganizationOf)."""
from __future__ import annotations

from collections.abc import Iterator

from kg.ids import division_entity_id
from kg.knowledge.lexicon import Lexicon, PatternFile
from kg.relations.article import ArticleFacts
from kg.relations.registry import Fact, relation_rule
from kg.resolve import Resolved

__all__ = ["located_context", "name_jurisdiction", "article_home", "nested_name", "subunit_of_parent",
           "sub_trigger"]


def _located_words(table: PatternFile, lexicon: Lexicon) -> tuple[str, ...]:
    return table.words("triggers")


@relation_rule("located-context", prepare=_located_words)
def located_context(art: ArticleFacts, triggers: tuple[str, ...]) -> Iterator[Fact]:
    """位于X的Y / 在X的Y: Y is located in X, the most specific division right before 的."""
    text = art.text
    divisions = [d for d in art.mentions if d.type == "Division"]
    for m in art.mentions:
        if m.type not in ("Organization", "Project"):
            continue
        near = [d for d in divisions if d.end <= m.start and m.start - d.end <= 2]
        if near and text[near[-1].end:m.start] in (art.words.possessive, ""):
            window = text[max(0, near[-1].start - 12):near[-1].start]
            chain = [d for d in divisions if d.end <= m.start and m.start - d.end <= 12]
            if any(t in window for t in triggers) or chain:
                yield Fact(m, "locatedIn", division_entity_id(near[-1].division_id), m.start)


@relation_rule("name-jurisdiction", after=("located-context",))
def name_jurisdiction(art: ArticleFacts, words: None) -> Iterator[Fact]:
    """The jurisdiction written in a name (the most specific one): an agency administers
    it (once per article); an organization or project not placed yet is located in it."""
    gazetteer, home = art.gazetteer, art.res.home_county
    administering: set[str] = set()
    for m in art.mentions:
        if m.type == "Agency":
            target = art.most_specific([m.juris, *art.inner_division_ids(m)])
            if target and m.entity_id not in administering:
                administering.add(m.entity_id)
                yield Fact(m, "administers", division_entity_id(target), m.start)
        elif m.type in ("Organization", "Project") and not art.found(m, "located-context"):
            named = [m.juris, *art.inner_division_ids(m)]
            if m.type == "Project" and home:
                # a project named after a place in its home county is in that county
                named.append(home if any(gazetteer.within(home, d) for d in named if d) else None)
            target = art.most_specific(named)
            if target:
                yield Fact(m, "locatedIn", division_entity_id(target), m.start)


def _local_institutions(table: PatternFile, lexicon: Lexicon) -> tuple[str, ...]:
    return lexicon.words("organization", "local_institutions")


@relation_rule("article-home", prepare=_local_institutions, after=("located-context", "name-jurisdiction"))
def article_home(art: ArticleFacts, local_institutions: tuple[str, ...]) -> Iterator[Fact]:
    """A project, a local institution (中学, 医院 …) or a brand + industry company that no
    earlier rule placed is located in the article's home county."""
    home = art.res.home_county
    if not home:
        return
    for m in art.mentions:
        if m.type in ("Organization", "Project") and not art.found(m, "located-context", "name-jurisdiction") and (
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
