"""The relation stage of one document: every article's relations and attributes, the
document's mentions and entities (with 本报, the paper, when a reporter of it is named and the text names it)."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from kg.ids import entity_id
from kg.records import Attribute, DocResult, Entity, Mention, Relation
from kg.relations.extract import extract_relations
from kg.resolve import Resolved

__all__ = ["relate_document"]


def relate_document(doc, resolutions, entities, city, gazetteer, lexicon) -> DocResult:
    """Relations, attributes, mentions and entities of a resolved document."""
    newspaper = _newspaper(resolutions, lexicon)
    if newspaper is not None:
        entities.setdefault(newspaper.entity_id, Entity(newspaper.entity_id, "Organization", newspaper.name))
    mentions: list[Mention] = []
    relations: list[Relation] = []
    attributes: list[Attribute] = []
    extra_aliases: dict[str, set[str]] = {}
    divisions = frozenset(e.entity_id.split(":", 1)[1] for e in entities.values() if e.type == "Division")
    for res in resolutions:
        art = res.art
        for m in res.mentions:
            if m.in_name:
                continue
            mentions.append(art.to_mention(m))
        if newspaper is not None:
            self_reference = newspaper.text  # 本报
            for pos in _find_all(art.text, self_reference):
                s, e = art.to_source(pos, pos + len(self_reference))
                mentions.append(Mention(newspaper.entity_id, art.article.article_id, s, e, self_reference))
                extra_aliases.setdefault(newspaper.entity_id, set()).add(self_reference)
        # evidence cut from the source as the records are made (not copied into new ones after)
        named: dict[str, Resolved] = {}
        rels, attrs = extract_relations(res, lexicon, gazetteer, newspaper=newspaper, source=doc.text,
                                        document_divisions=divisions, named=named)
        # entities read inside a name (a parent company inside its branch's name)
        for eid, m in named.items():
            entities.setdefault(eid, Entity(eid, m.type, m.name))
            mentions.append(art.to_mention(m))
        relations.extend(rels)
        attributes.extend(attrs)
    # make sure every relation endpoint is an entity (fixed employers such as 中共中央)
    for r in relations:
        for eid in (r.head, r.tail):
            if eid not in entities and not eid.startswith("division:"):
                name = _national_name(lexicon, eid)
                if name:
                    entities[eid] = Entity(eid, "Agency", name)
    ents = []
    for eid in sorted(entities):
        ent = entities[eid]
        if eid in extra_aliases:
            ent = dataclasses.replace(ent, aliases=tuple(sorted(set(ent.aliases) | extra_aliases[eid])))
        ents.append(ent)
    return DocResult(doc, tuple(ents), tuple(sorted(set(mentions), key=_mention_key)),
                     tuple(sorted(set(relations), key=_rel_key)), tuple(sorted(set(attributes), key=_attr_key)),
                     city=f"division:{city}" if city else None)


def _find_all(text: str, word: str) -> Iterator[int]:
    i = text.find(word)
    while i >= 0:
        yield i
        i = text.find(word, i + 1)


def _newspaper(resolutions, lexicon):
    """The paper 本报 stands for, when a reporter of it is named and the text names the paper.

    Guideline (*Only the text counts*): 本报 is a paper only when the text names it
    as its outlet, in a source line or a dateline (来源:某某日报, 某某日报讯;
    ``org-source`` candidates); otherwise 本报 stays unresolved.
    """
    self_reference = lexicon.string("organization", "self_reference")
    reporters = frozenset(lexicon.words("relations", "reporter.titles"))
    has_reporter = any(m.type == "Person" and m.title in reporters for res in resolutions for m in res.mentions)
    mentions_self = any(self_reference in res.art.text for res in resolutions)
    if not (has_reporter and mentions_self):
        return None
    paper_heads = tuple(lexicon.words("organization", "paper_heads"))
    for res in resolutions:
        for m in res.mentions:
            if m.type == "Organization" and m.rule == "org-source" and m.name.endswith(paper_heads):
                # (a mention of no one place: the document's 本报 are found in each article)
                return Resolved(m.entity_id, "", 0, 0, self_reference, "Organization", m.name, "newspaper")
    return None


def _national_name(lexicon, eid: str) -> str | None:
    for name in set(lexicon.table("abbreviations", "national").values()) | set(
            lexicon.table("relations", "fixed-employer.employers").values()):
        if entity_id("Agency", name) == eid:
            return name
    return None


def _mention_key(m: Mention):
    return (m.article_id, m.start, m.end, m.entity_id)


def _rel_key(r: Relation):
    return (r.article_id, r.start, r.head, r.rel, r.tail, r.end, r.rule)


def _attr_key(a: Attribute):
    return (a.article_id, a.start, a.entity_id, a.attr, a.value)
