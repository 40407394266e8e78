"""Run the per-document stages on a small hand-written text."""
from __future__ import annotations

import dataclasses

from kg.run.document import process_document
from kg.corpus import split_articles
from kg.records import Document


def process_text(text: str, source: str = "t.txt"):
    doc = Document(source, text, "utf-8")
    doc = dataclasses.replace(doc, articles=split_articles(text, source))
    return process_document(doc)


def names(result, type_=None) -> set[str]:
    return {e.name for e in result.entities if type_ is None or e.type == type_}


def name_of(result, entity_id: str) -> str:
    """Name of an entity of the result, or of a gazetteer division (endpoints need not be mentions)."""
    from kg.knowledge.gazetteer import load_gazetteer

    for e in result.entities:
        if e.entity_id == entity_id:
            return e.name
    if entity_id.startswith("division:"):
        div = load_gazetteer().get(entity_id.split(":", 1)[1])
        if div is not None:
            return div.name
    return entity_id


def triples(result, rel=None) -> set[tuple[str, str, str]]:
    return {(name_of(result, r.head), r.rel, name_of(result, r.tail)) for r in result.relations
            if rel is None or r.rel == rel}
