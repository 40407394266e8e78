"""Records passed between pipeline stages.

Every stage hands the next one small frozen dataclasses holding character
offsets and ids, never spaCy objects, so that results pickle for
``nlp.pipe(n_process=...)`` and for distributed workers.

Offsets in the records of a :class:`DocResult` are always into the *decoded
text of the source file* (``Document.text``), so ``document.text[start:end]``
reproduces any span or evidence exactly.  Inside the per-document stages a
mention is a :class:`kg.resolve.Resolved`: this module's :class:`Mention` plus
what resolution decided about it, with offsets into the article's normalised
text, mapped into the source file as the :class:`DocResult` is made
(``ArticleText.to_mention``).
"""
from __future__ import annotations

import operator
from dataclasses import dataclass, field, fields

__all__ = [
    "ENTITY_TYPES",
    "RELATIONS",
    "LEVELS",
    "Division",
    "Article",
    "Document",
    "Entity",
    "Mention",
    "Relation",
    "Attribute",
    "DocResult",
]

#: The scored entity classes (local names of the ontology classes).
ENTITY_TYPES = ("Division", "Agency", "Organization", "Project", "Person")

#: Relation local names (predicates ``kg:<name>``).
RELATIONS = ("administers", "locatedIn", "subOrganizationOf", "undertakes", "worksFor", "partOf")

#: Division levels (``kg:level`` values).
LEVELS = ("province", "prefecture", "county", "township", "village", "zone")


def pickled_by_value(cls: type) -> type:
    """Make a frozen, slotted dataclass pickle as its class and its field values.

    dataclasses pickles such a class through ``__getstate__`` and
    ``__setstate__`` functions that look its fields up again for every
    object; for the thousands of small records a worker sends back per
    document, that was most of the cost of sending them and of loading them
    in the driver.  Here the values are read by one C getter and loaded by
    the class's own ``__init__``.  The pickle holds the same values.
    """
    get = operator.attrgetter(*(f.name for f in fields(cls)))
    if len(fields(cls)) == 1:
        getter = get
        get = lambda obj: (getter(obj),)  # noqa: E731 - one field: attrgetter gives the bare value

    def __reduce__(self):
        return cls, get(self)

    cls.__reduce__ = __reduce__
    return cls



@pickled_by_value
@dataclass(frozen=True, slots=True)
class Division:
    """One administrative division from the generated gazetteer.

    ``id`` is the stable identifier used in entity ids and IRIs: the official
    code where one is known.  ``code`` is the official GB/T 2260 (county and
    above, 6 digits) or statistical (township/village, 12 digits) code, or
    ``None`` when the data source has none.
    """

    id: str
    code: str | None
    name: str
    level: str
    parent: str | None  # id of the parent division; None for the province
    short_forms: tuple[str, ...] = ()


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Article:
    """One article of a newspaper page: a span of its source file."""

    article_id: str  # "<file stem>-<n>", n counting from 1
    source: str  # corpus file name, e.g. "000_e487a97fcabaa823.txt"
    start: int
    end: int
    title: str
    date: str | None = None  # ISO date where the text gives one


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Document:
    """A decoded corpus file and the articles it was split into."""

    source: str  # file name
    text: str
    encoding: str
    articles: tuple[Article, ...] = ()


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Entity:
    """A resolved real-world entity (one graph node)."""

    entity_id: str  # "division:140722", "agency:<hash>", ...
    type: str  # one of ENTITY_TYPES
    name: str  # canonical name
    aliases: tuple[str, ...] = ()  # other surface forms seen, sorted
    level: str | None = None  # divisions only
    code: str | None = None  # divisions only (official code)
    parent: str | None = None  # divisions only: entity_id of the parent


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of an entity in an article (the resolution stage's :class:`kg.resolve.Resolved`
    is this plus the type, canonical name and rule it resolved it by)."""

    entity_id: str
    article_id: str
    start: int
    end: int
    text: str  # the surface form (normalised: stray line breaks removed)


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Relation:
    """A relation found in text, with its evidence."""

    head: str  # entity_id
    rel: str  # one of RELATIONS
    tail: str  # entity_id
    article_id: str
    start: int  # evidence offsets into the source file
    end: int
    evidence: str  # == Document.text[start:end]
    role: str | None = None  # worksFor: the position title
    rule: str = ""  # which rule produced it (for review and error analysis)


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Attribute:
    """A literal attribute of an entity found in text (e.g. investment)."""

    entity_id: str
    attr: str  # "investment"
    value: str  # decimal as a string, in yuan, e.g. "918760000"
    article_id: str
    start: int
    end: int
    evidence: str


@pickled_by_value
@dataclass(frozen=True, slots=True)
class DocResult:
    """Everything the per-document stages produced for one corpus file.

    Results of different documents merge by union (see ``kg.graph``).
    """

    document: Document
    entities: tuple[Entity, ...] = ()
    mentions: tuple[Mention, ...] = ()
    relations: tuple[Relation, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    city: str | None = None  # entity_id of the inferred home prefecture
    notes: tuple[str, ...] = field(default=())
