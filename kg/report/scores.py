"""The records of an evaluation: gold annotations, predictions, and their scores.

Per document, on sets, an entity is ``(type, name)``, a relation ``(head,
rel, tail)``, an attribute ``(entity, attr, value)``; names are compared in
:func:`normalize_name` form (``docs/annotation.md``, "The record format").

>>> normalize_name(' 《河曲 县》 ')
'河曲县'
>>> Score(tp=3, fp=1, fn=1).f1
0.75
"""
from __future__ import annotations

__all__ = ["SCORED_RELATIONS", "ATTRIBUTES", "GoldEntity", "GoldRelation", "GoldAttribute", "GoldDoc", "Predicted",
           "Score", "Matching", "DocEval", "EvalResult", "normalize_name", "to_decimal", "layer_scores", "entity_key",
           "gold_entity_key", "rel_key", "gold_rel_key", "attr_key", "gold_attr_key"]

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from kg.records import ENTITY_TYPES, RELATIONS

#: Relations scored by docs/annotation.md; ``partOf`` comes from the gazetteer and is not.
SCORED_RELATIONS = tuple(r for r in RELATIONS if r != "partOf")

#: Attributes scored by docs/annotation.md.
ATTRIBUTES = ("investment",)

# docs/annotation.md ("How kg eval scores a graph"): names are compared after removing spaces and these
# quote marks.  \s also covers the full-width space U+3000 and NBSP.
_IGNORED_IN_NAMES = re.compile(r'[\s“”「」《》"]+')


def normalize_name(name: str) -> str:
    """The form in which names are compared: no spaces, no quote marks.

    >>> normalize_name('“河曲县” 交通局')
    '河曲县交通局'
    """
    return _IGNORED_IN_NAMES.sub("", name)


def to_decimal(value: Any) -> Decimal | None:
    """A finite Decimal from a JSON number or numeric string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            d = Decimal(value.strip())
        except InvalidOperation:
            return None
        return d if d.is_finite() else None
    return None


@dataclass(frozen=True, slots=True)
class GoldEntity:
    type: str  # one of ENTITY_TYPES
    name: str
    aliases: tuple[str, ...] = ()
    level: str | None = None  # one of LEVELS, divisions only


@dataclass(frozen=True, slots=True)
class GoldRelation:
    head: str
    rel: str  # one of SCORED_RELATIONS
    tail: str
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class GoldAttribute:
    entity: str
    attr: str  # one of ATTRIBUTES
    value: Decimal


@dataclass(frozen=True, slots=True)
class GoldDoc:
    """One gold record: everything annotated for one corpus file."""

    doc: str  # corpus file name
    city: str | None
    entities: tuple[GoldEntity, ...] = ()
    relations: tuple[GoldRelation, ...] = ()
    attributes: tuple[GoldAttribute, ...] = ()
    doubtful: tuple[str, ...] = ()  # annotator's notes on cases left out
    line: int = 0  # line in the gold file, for messages


@dataclass(frozen=True, slots=True)
class Predicted:
    """What the graph says about one corpus file, as raw labels."""

    doc: str
    entities: frozenset[tuple[str, str]] = frozenset()  # (type, label)
    relations: frozenset[tuple[str, str, str]] = frozenset()  # (head label, rel, tail label)
    attributes: frozenset[tuple[str, str, Decimal]] = frozenset()  # (label, attr, value)


@dataclass(frozen=True, slots=True)
class Score:
    """Counts of one cell; precision, recall and F1 are 0.0 when undefined."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


@dataclass(frozen=True, slots=True)
class Matching:
    """A one-to-one matching of predicted items to gold items in one layer.

    Predicted items are the tuples of :class:`Predicted`; gold items are
    :class:`GoldEntity`, :class:`GoldRelation` or :class:`GoldAttribute`.
    """

    pairs: tuple[tuple[Any, Any], ...] = ()  # (predicted, gold)
    false_positives: tuple[Any, ...] = ()
    false_negatives: tuple[Any, ...] = ()

    @property
    def score(self) -> Score:
        return Score(len(self.pairs), len(self.false_positives), len(self.false_negatives))


@dataclass(frozen=True, slots=True)
class DocEval:
    """The matchings of one gold document."""

    doc: str
    gold: GoldDoc
    predicted: Predicted
    in_graph: bool  # False: no article of the graph comes from this file
    entities: Matching
    relations: Matching
    attributes: Matching


def _sum(scores: Iterable[Score]) -> Score:
    total = Score()
    for s in scores:
        total = total + s
    return total


@dataclass(frozen=True, slots=True)
class EvalResult:
    """Scores micro-averaged over the gold documents (see :func:`evaluate`)."""

    docs: tuple[DocEval, ...]
    gold_path: str = ""
    graph_path: str = ""

    @property
    def missing_docs(self) -> tuple[str, ...]:
        """Gold documents of which the graph holds no article."""
        return tuple(d.doc for d in self.docs if not d.in_graph)

    @property
    def entities_by_type(self) -> dict[str, Score]:
        return {t: _sum(layer_scores(d.entities, entity_key, gold_entity_key, t)
                        for d in self.docs)
                for t in ENTITY_TYPES}

    @property
    def entities(self) -> Score:
        return _sum(d.entities.score for d in self.docs)

    @property
    def relations_by_rel(self) -> dict[str, Score]:
        return {r: _sum(layer_scores(d.relations, rel_key, gold_rel_key, r) for d in self.docs)
                for r in SCORED_RELATIONS}

    @property
    def relations(self) -> Score:
        return _sum(d.relations.score for d in self.docs)

    @property
    def investment(self) -> Score:
        return _sum(layer_scores(d.attributes, attr_key, gold_attr_key, "investment")
                    for d in self.docs)


def entity_key(item: tuple[str, str]) -> str:
    return item[0]


def gold_entity_key(item: GoldEntity) -> str:
    return item.type


def rel_key(item: tuple[str, str, str]) -> str:
    return item[1]


def gold_rel_key(item: GoldRelation) -> str:
    return item.rel


def attr_key(item: tuple[str, str, Decimal]) -> str:
    return item[1]


def gold_attr_key(item: GoldAttribute) -> str:
    return item.attr


def layer_scores(m: Matching, pred_key: Callable[[Any], str],
                  gold_key: Callable[[Any], str], key: str) -> Score:
    return Score(
        sum(1 for _, g in m.pairs if gold_key(g) == key),
        sum(1 for p in m.false_positives if pred_key(p) == key),
        sum(1 for g in m.false_negatives if gold_key(g) == key),
    )
