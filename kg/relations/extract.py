"""Relations and attributes of one resolved article, each with its evidence sentence.

The rules (:mod:`kg.relations.rules`, one registered function each) run in
the order of ``ontology/patterns/relations.toml``; this module runs them and
makes their facts into records.  Evidence offsets are mapped back to the
source file, so that ``document.text[start:end] == evidence``.
"""
from __future__ import annotations

from collections.abc import Iterable

from kg.knowledge.gazetteer import Gazetteer
from kg.knowledge.lexicon import Lexicon
from kg.records import Attribute, Relation
from kg.relations import rules as _rules  # noqa: F401  (importing the rule modules registers them)
from kg.relations.article import ArticleFacts
from kg.relations.registry import Fact, rules_of
from kg.resolve import ArticleResolution, Resolved

__all__ = ["extract_relations"]


def extract_relations(res: ArticleResolution, lexicon: Lexicon, gazetteer: Gazetteer, *,
                      newspaper: Resolved | None = None, source: str | None = None,
                      document_divisions: Iterable[str] | None = None,
                      named: dict[str, Resolved] | None = None) -> tuple[list[Relation], list[Attribute]]:
    """All relations and attributes of one resolved article.

    With ``source``, the text of the article's file, each record's evidence is cut
    from it (``source[start:end]``); without it, the evidence is left empty.  A fact
    two rules find in one sentence is credited to the rule that runs first.
    ``document_divisions`` are the gazetteer ids of the document's division entities
    (default: the article's own).  Entities the rules read inside names that no mention
    stands for (a parent company inside its branch's name) are added to ``named``, by id,
    with the span they are written at.
    """
    art = ArticleFacts(res, gazetteer, lexicon, newspaper, document_divisions, source)
    to_source = res.art.to_source
    article_id = res.art.article.article_id
    relations: dict[tuple, Relation] = {}
    attributes: dict[tuple, Attribute] = {}
    for rule in rules_of(lexicon):
        for found in rule.fn(art, rule.words):
            if type(found) is Fact:
                head, rel, tail, pos, role, span = found
                if rule.followed:  # (found, even when it is no relation: the rules after skip it)
                    art.note(rule.name, head, tail)
                h = head if isinstance(head, str) else head.entity_id
                t = tail if isinstance(tail, str) else tail.entity_id
                if h == t:
                    continue
                s, e = span or art.sentence_of(pos)
                s, e = art.evidence(s, e, [pos, *(p for x in (head, tail) if not isinstance(x, str)
                                                  for p in (x.start, x.end - 1))])
                ss, se = to_source(s, e)
                key = (h, rel, t, ss, se)
                if key not in relations:
                    relations[key] = Relation(h, rel, t, article_id, ss, se,
                                              "" if source is None else source[ss:se], role, rule.name)
            else:
                entity, attr, value, (s, e) = found
                ss, se = to_source(s, e)
                key = (entity.entity_id, attr, ss)
                if key not in attributes:
                    attributes[key] = Attribute(entity.entity_id, attr, value, article_id, ss, se,
                                                "" if source is None else source[ss:se])
    if named is not None:
        for eid, m in art.named.items():
            named.setdefault(eid, m)
    return list(relations.values()), list(attributes.values())
