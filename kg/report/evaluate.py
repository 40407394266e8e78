"""Score a built graph against gold annotations.

The task and its scoring are defined in ``gold/GUIDELINES.md`` ("Unit"): one
gold record per corpus file; per document, on sets, an entity is
``(type, name)``, a relation ``(head, rel, tail)``, an attribute
``(entity, attr, value)``; a predicted name matches a gold entity if it equals
its name or one of its aliases after removing spaces and the quote marks
“”「」《》".  Matching is one-to-one (a maximum bipartite matching per document
and layer), so two predicted nodes that both match one gold entity give one
TP and one FP.  Scores are micro-averaged over documents.

Pure core, thin I/O shell (as ``networkx.readwrite``):

- :func:`load_gold` reads the gold JSONL, :func:`load_predictions` reads the
  graph (the RDF contract of ``DESIGN.md``) into per-document predictions;
- :func:`score_documents` matches and counts; :func:`evaluate` does all three;
- :func:`format_report`, :func:`to_markdown`, :func:`to_json` render scores,
  :func:`iter_errors` and :func:`format_errors` explain them.

Nothing here prints; the CLI (``kg eval``) does.

>>> normalize_name(' 《河曲 县》 ')
'河曲县'
>>> Score(tp=3, fp=1, fn=1).f1
0.75
"""
from __future__ import annotations

__all__ = [
    "SCORED_RELATIONS",
    "ATTRIBUTES",
    "ERROR_CAUSES",
    "GraphError",
    "GoldEntity",
    "GoldRelation",
    "GoldAttribute",
    "GoldDoc",
    "Predicted",
    "Score",
    "Matching",
    "DocEval",
    "EvalResult",
    "EvalError",
    "normalize_name",
    "load_gold",
    "load_predictions",
    "score_documents",
    "evaluate",
    "iter_errors",
    "format_report",
    "format_errors",
    "to_markdown",
    "to_dict",
    "to_json",
]

import json
import math
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

import networkx as nx

from kg import vocab
from kg.errors import GoldError
from kg.ids import KG_NS
from kg.rdfio import GraphError, Lit, Term, iter_triples
from kg.records import ENTITY_TYPES, LEVELS, RELATIONS

#: Relations scored by GUIDELINES.md; ``partOf`` comes from the gazetteer and is not.
SCORED_RELATIONS = tuple(r for r in RELATIONS if r != "partOf")

#: Attributes scored by GUIDELINES.md.
ATTRIBUTES = ("investment",)

#: Causes :func:`iter_errors` can give, per layer, in the order they are tried.
ERROR_CAUSES = {
    "entity": {
        "FN": ("type", "boundary", "missed"),
        "FP": ("duplicate", "type", "boundary", "spurious"),
        "TP": ("alias",),
    },
    "relation": {
        "FN": ("missing-entity", "wrong-rel", "wrong-tail", "wrong-head", "missed"),
        "FP": ("duplicate", "spurious-entity", "wrong-rel", "wrong-tail", "wrong-head", "spurious"),
    },
    "attribute": {
        "FN": ("missing-entity", "wrong-value", "missed"),
        "FP": ("duplicate", "spurious-entity", "wrong-value", "spurious"),
    },
}

_RDF_TYPE = vocab.RDF + "type"
_RDF_SUBJECT = vocab.RDF + "subject"
_RDF_PREDICATE = vocab.RDF + "predicate"
_RDF_OBJECT = vocab.RDF + "object"
_RDFS_LABEL = vocab.RDFS + "label"
_SOURCE = vocab.DCTERMS + "source"
_DERIVED = vocab.PROV + "wasDerivedFrom"
_MENTIONED = KG_NS + "mentionedIn"
_INVESTMENT = KG_NS + "investment"

# GUIDELINES.md "Unit": names are compared after removing spaces and these
# quote marks.  \s also covers the full-width space U+3000 and NBSP.
_IGNORED_IN_NAMES = re.compile(r'[\s“”「」《》"]+')


def normalize_name(name: str) -> str:
    """The form in which names are compared: no spaces, no quote marks.

    >>> normalize_name('“河曲县” 交通局')
    '河曲县交通局'
    """
    return _IGNORED_IN_NAMES.sub("", name)


# --------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------


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
        return {t: _sum(_layer_scores(d.entities, _entity_key, _gold_entity_key, t)
                        for d in self.docs)
                for t in ENTITY_TYPES}

    @property
    def entities(self) -> Score:
        return _sum(d.entities.score for d in self.docs)

    @property
    def relations_by_rel(self) -> dict[str, Score]:
        return {r: _sum(_layer_scores(d.relations, _rel_key, _gold_rel_key, r) for d in self.docs)
                for r in SCORED_RELATIONS}

    @property
    def relations(self) -> Score:
        return _sum(d.relations.score for d in self.docs)

    @property
    def investment(self) -> Score:
        return _sum(_layer_scores(d.attributes, _attr_key, _gold_attr_key, "investment")
                    for d in self.docs)


def _entity_key(item: tuple[str, str]) -> str:
    return item[0]


def _gold_entity_key(item: GoldEntity) -> str:
    return item.type


def _rel_key(item: tuple[str, str, str]) -> str:
    return item[1]


def _gold_rel_key(item: GoldRelation) -> str:
    return item.rel


def _attr_key(item: tuple[str, str, Decimal]) -> str:
    return item[1]


def _gold_attr_key(item: GoldAttribute) -> str:
    return item.attr


def _layer_scores(m: Matching, pred_key: Callable[[Any], str],
                  gold_key: Callable[[Any], str], key: str) -> Score:
    return Score(
        sum(1 for _, g in m.pairs if gold_key(g) == key),
        sum(1 for p in m.false_positives if pred_key(p) == key),
        sum(1 for g in m.false_negatives if gold_key(g) == key),
    )


# --------------------------------------------------------------------------
# Gold
# --------------------------------------------------------------------------


class _Where(NamedTuple):
    path: str
    line: int

    def error(self, what: str) -> GoldError:
        return GoldError(f"{self.path}:{self.line}: {what}")


def _require(obj: Mapping[str, Any], key: str, ctx: str, where: _Where) -> Any:
    if key not in obj:
        raise where.error(f"{ctx}missing key {key!r}")
    return obj[key]


def _str(value: Any, ctx: str, where: _Where, *, nullable: bool = False,
         nonempty: bool = True) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise where.error(f"{ctx} must be a string, not {type(value).__name__}")
    if nonempty and not normalize_name(value):
        raise where.error(f"{ctx} must not be empty")
    return value


def _list(value: Any, ctx: str, where: _Where) -> list[Any]:
    if not isinstance(value, list):
        raise where.error(f"{ctx} must be a list, not {type(value).__name__}")
    return value


def _obj(value: Any, ctx: str, where: _Where) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise where.error(f"{ctx} must be an object, not {type(value).__name__}")
    return value


def _choice(value: Any, choices: Sequence[str], ctx: str, where: _Where, what: str) -> str:
    if value not in choices:
        hint = " (partOf is not scored: GUIDELINES.md)" if value == "partOf" else ""
        raise where.error(f"{ctx}: unknown {what} {value!r}{hint}; "
                          f"expected one of {', '.join(choices)}")
    return value


def _decimal(value: Any) -> Decimal | None:
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


def _gold_entity(raw: Any, i: int, where: _Where) -> GoldEntity:
    ctx = f"entities[{i}]"
    obj = _obj(raw, ctx, where)
    req = lambda key: _require(obj, key, f"{ctx}: ", where)  # noqa: E731
    type_ = _choice(req("type"), ENTITY_TYPES, f"{ctx}.type", where, "entity type")
    name = _str(req("name"), f"{ctx}.name", where)
    aliases = _list(req("aliases"), f"{ctx}.aliases", where)
    for k, alias in enumerate(aliases):
        _str(alias, f"{ctx}.aliases[{k}]", where)
    level = req("level")
    if level is not None:
        _choice(level, LEVELS, f"{ctx}.level", where, "level")
    return GoldEntity(type_, name, tuple(aliases), level)


def _gold_relation(raw: Any, i: int, where: _Where) -> GoldRelation:
    ctx = f"relations[{i}]"
    obj = _obj(raw, ctx, where)
    req = lambda key: _require(obj, key, f"{ctx}: ", where)  # noqa: E731
    head = _str(req("head"), f"{ctx}.head", where)
    rel = _choice(req("rel"), SCORED_RELATIONS, f"{ctx}.rel", where, "relation")
    tail = _str(req("tail"), f"{ctx}.tail", where)
    evidence = _str(req("evidence"), f"{ctx}.evidence", where, nonempty=False)
    return GoldRelation(head, rel, tail, evidence)


def _gold_attribute(raw: Any, i: int, where: _Where) -> GoldAttribute:
    ctx = f"attributes[{i}]"
    obj = _obj(raw, ctx, where)
    req = lambda key: _require(obj, key, f"{ctx}: ", where)  # noqa: E731
    entity = _str(req("entity"), f"{ctx}.entity", where)
    attr = _choice(req("attr"), ATTRIBUTES, f"{ctx}.attr", where, "attribute")
    raw_value = req("value")
    value = _decimal(raw_value)
    if value is None or value < 0:
        raise where.error(f"{ctx}.value must be a non-negative number (yuan), not {raw_value!r}")
    return GoldAttribute(entity, attr, value)


def _gold_doc(raw: Any, where: _Where) -> GoldDoc:
    obj = _obj(raw, "a gold record", where)
    req = lambda key: _require(obj, key, "", where)  # noqa: E731
    doc = _str(req("doc"), "doc", where)
    city = _str(req("city"), "city", where, nullable=True)
    entities = tuple(_gold_entity(e, i, where)
                     for i, e in enumerate(_list(req("entities"), "entities", where)))
    relations = tuple(_gold_relation(r, i, where)
                      for i, r in enumerate(_list(req("relations"), "relations", where)))
    attributes = tuple(_gold_attribute(a, i, where)
                       for i, a in enumerate(_list(req("attributes"), "attributes", where)))
    doubtful = _list(obj.get("doubtful", []), "doubtful", where)
    for k, note in enumerate(doubtful):
        _str(note, f"doubtful[{k}]", where, nonempty=False)
    # "Each entity is listed once per document" (GUIDELINES.md "Unit").
    seen: dict[tuple[str, str], int] = {}
    for i, e in enumerate(entities):
        key = (e.type, normalize_name(e.name))
        if key in seen:
            raise where.error(f"entities[{i}]: {e.type} {e.name!r} is listed twice "
                              f"(also entities[{seen[key]}])")
        seen[key] = i
    return GoldDoc(doc, city, entities, relations, attributes, tuple(doubtful), where.line)


def _is_json_document(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


def load_gold(path: str | os.PathLike[str]) -> list[GoldDoc]:
    """Read a gold JSONL file (one record per line, blank lines ignored).

    Raises :class:`~kg.errors.GoldError` naming ``path:line`` for a line that is
    not JSON or breaks the format of GUIDELINES.md "Unit"; every key of its
    example is required (``doubtful`` is optional, unknown keys are ignored).
    """
    where = _Where(str(path), 0)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise GoldError(f"{path}: gold file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: cannot read the gold file: {exc}") from exc
    docs: list[GoldDoc] = []
    first_line: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = _Where(str(path), n)
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            hint = "each line must hold one whole record (JSON Lines)"
            if n == 1 and _is_json_document(text):
                hint = "the file is one JSON document; gold must be JSON Lines, one record a line"
            raise where.error(f"not valid JSON ({exc.msg} at column {exc.colno}); {hint}") from None
        gold = _gold_doc(raw, where)
        if gold.doc in first_line:
            raise where.error(f"doc {gold.doc!r} already has a record "
                              f"on line {first_line[gold.doc]}")
        first_line[gold.doc] = n
        docs.append(gold)
    if not docs:
        raise GoldError(f"{path}: empty gold file: expected one JSON record per line")
    return docs


# --------------------------------------------------------------------------
# Predictions
# --------------------------------------------------------------------------


@dataclass
class _Index:
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    labels: dict[str, list[Lit]] = field(default_factory=lambda: defaultdict(list))
    mentioned: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    sources: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    investment: dict[str, list[Lit]] = field(default_factory=lambda: defaultdict(list))
    statements: dict[str, dict[str, list[Term]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list)))

    _STATEMENT_KEYS = (_RDF_SUBJECT, _RDF_PREDICATE, _RDF_OBJECT, _DERIVED)

    def add(self, s: str, p: str, o: Term) -> None:
        if p == _RDF_TYPE and isinstance(o, str):
            self.types[s].add(o)
        elif p == _RDFS_LABEL and isinstance(o, Lit):
            self.labels[s].append(o)
        elif p == _MENTIONED and isinstance(o, str):
            self.mentioned[s].add(o)
        elif p == _SOURCE and isinstance(o, Lit):
            self.sources[s].add(o.lexical)
        elif p == _INVESTMENT and isinstance(o, Lit):
            self.investment[s].append(o)
        if p in self._STATEMENT_KEYS:
            self.statements[s][p].append(o)

    def label(self, node: Term) -> str:
        """The rdfs:label of a node (@zh first); its IRI when it has none."""
        if isinstance(node, Lit):
            return node.lexical
        labels = self.labels.get(node)
        if not labels:
            return node  # never equals a gold name, so it scores as an error
        best = min(labels, key=lambda lit: (not (lit.language or "").lower().startswith("zh"),
                                            lit.lexical))
        return best.lexical


def _investment_value(lit: Term, node: str, path: Path) -> Decimal:
    value = _decimal(lit.lexical) if isinstance(lit, Lit) else None
    if value is None:
        raise GraphError(f"{path}: investment {lit!r} of {node} is not a decimal number "
                         "(the contract wants yuan as xsd:decimal)")
    return value


def load_predictions(graph_path: str | os.PathLike[str], *,
                     backend: str = "oxigraph") -> dict[str, Predicted]:
    """Per corpus file, what the graph predicts (the contract of DESIGN.md).

    - entities: nodes typed ``kg:Division`` … ``kg:Person`` that are
      ``kg:mentionedIn`` an article whose ``dcterms:source`` is the file, as
      ``(type, rdfs:label)``;
    - relations: reified ``rdf:Statement``\\ s with a scored ``rdf:predicate``
      ``prov:wasDerivedFrom`` an article of the file, as
      ``(label(subject), rel, label(object))``;
    - attributes: reified ``kg:investment`` statements derived from an article of
      the file, as ``(label(subject), "investment", value)``; a node whose
      ``kg:investment`` has no reified statement at all contributes its values to
      every file it is mentioned in.

    ``backend`` is ``"oxigraph"`` (fast) or ``"rdflib"``; both give the same
    result.  Raises :class:`GraphError` for a missing or unparsable file.
    """
    path = Path(graph_path)
    index = _Index()
    for s, p, o in iter_triples(path, backend):
        index.add(s, p, o)

    entity_classes = {KG_NS + t: t for t in ENTITY_TYPES}
    entities: dict[str, set[tuple[str, str]]] = defaultdict(set)
    relations: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    attributes: dict[str, set[tuple[str, str, Decimal]]] = defaultdict(set)

    def docs_of(articles: Iterable[Term]) -> set[str]:
        return {doc for a in articles if isinstance(a, str) for doc in index.sources.get(a, ())}

    for node, classes in index.types.items():
        types = [entity_classes[c] for c in classes if c in entity_classes]
        if not types:
            continue
        for doc in docs_of(index.mentioned.get(node, ())):
            for t in types:
                entities[doc].add((t, index.label(node)))

    reified_investment: set[str] = set()
    for props in index.statements.values():
        subjects, preds, objects = (props.get(k, []) for k in
                                    (_RDF_SUBJECT, _RDF_PREDICATE, _RDF_OBJECT))
        if not (subjects and preds and objects):
            continue
        for pred in preds:
            if not (isinstance(pred, str) and pred.startswith(KG_NS)):
                continue
            rel = pred[len(KG_NS):]
            if rel == "investment":
                reified_investment.update(s for s in subjects if isinstance(s, str))
            for doc in docs_of(props.get(_DERIVED, ())):
                for s in subjects:
                    for o in objects:
                        if rel in SCORED_RELATIONS:
                            relations[doc].add((index.label(s), rel, index.label(o)))
                        elif rel in ATTRIBUTES:
                            value = _investment_value(o, str(s), path)
                            attributes[doc].add((index.label(s), rel, value))

    for node, lits in index.investment.items():
        if node in reified_investment:
            continue
        for doc in docs_of(index.mentioned.get(node, ())):
            for lit in lits:
                attributes[doc].add((index.label(node), "investment",
                                     _investment_value(lit, node, path)))

    docs = {doc for sources in index.sources.values() for doc in sources}
    return {
        doc: Predicted(doc, frozenset(entities.get(doc, ())), frozenset(relations.get(doc, ())),
                       frozenset(attributes.get(doc, ())))
        for doc in sorted(docs)
    }


# --------------------------------------------------------------------------
# Matching and scoring
# --------------------------------------------------------------------------


class _Names:
    """Name lookup in one gold document: the names each gold name stands for."""

    def __init__(self, gold: GoldDoc) -> None:
        self.by_name: dict[str, list[GoldEntity]] = defaultdict(list)
        by_alias: dict[str, list[GoldEntity]] = defaultdict(list)
        for e in gold.entities:
            self.by_name[normalize_name(e.name)].append(e)
            for a in e.aliases:
                by_alias[normalize_name(a)].append(e)
        self.by_alias = by_alias
        self.all: set[str] = set(self.by_name) | set(by_alias)
        for r in gold.relations:
            self.all |= {normalize_name(r.head), normalize_name(r.tail)}
        for a in gold.attributes:
            self.all.add(normalize_name(a.entity))

    def names(self, name: str) -> tuple[str, frozenset[str]]:
        """(canonical key, all names) for a name used in a relation or attribute.

        The aliases of the gold entity with that name count too; a name that is
        no entity's name but exactly one entity's alias stands for that entity.
        """
        key = normalize_name(name)
        ents = self.by_name.get(key) or []
        if not ents and len(self.by_alias.get(key, ())) == 1:
            ents = self.by_alias[key]
            key = normalize_name(ents[0].name)
        names = {key}
        for e in ents:
            names.add(normalize_name(e.name))
            names.update(normalize_name(a) for a in e.aliases)
        return key, frozenset(names)


def _entity_names(e: GoldEntity) -> frozenset[str]:
    return frozenset({normalize_name(e.name), *(normalize_name(a) for a in e.aliases)})


def _name_weight(name: str, key: str, names: frozenset[str]) -> int:
    """2 for the canonical name, 1 for an alias, 0 for no match."""
    n = normalize_name(name)
    return 2 if n == key else 1 if n in names else 0


def _match(preds: Sequence[Any], golds: Sequence[Any],
           edges: Iterable[tuple[int, int, int]]) -> Matching:
    """Maximum one-to-one matching over ``(pred index, gold index, weight)`` edges.

    Among the matchings of maximum size, the one of maximum weight is chosen,
    so canonical names win over aliases when both could match.
    """
    graph = nx.Graph()
    graph.add_weighted_edges_from((("p", i), ("g", j), w) for i, j, w in edges)
    pairs: dict[int, int] = {}
    for component in nx.connected_components(graph):
        if len(component) == 2:  # the common case: one prediction, one gold item
            matched = [tuple(sorted(component))]
        else:
            matched = nx.max_weight_matching(graph.subgraph(component), maxcardinality=True)
        for u, v in matched:
            (_, i), (_, j) = (u, v) if u[0] == "p" else (v, u)
            pairs[i] = j
    matched_gold = set(pairs.values())
    return Matching(
        tuple((preds[i], golds[j]) for i, j in sorted(pairs.items())),
        tuple(p for i, p in enumerate(preds) if i not in pairs),
        tuple(g for j, g in enumerate(golds) if j not in matched_gold),
    )


def _dedup(items: Iterable[tuple[Any, ...]], name_slots: Sequence[int]) -> list[tuple[Any, ...]]:
    """Sorted items, one per normalized form (scoring is on sets of names)."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for item in sorted(items, key=lambda t: tuple(str(x) for x in t)):
        key = tuple(normalize_name(x) if k in name_slots else x for k, x in enumerate(item))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _name_index(named: Iterable[tuple[Any, str, frozenset[str]]]
                ) -> dict[tuple[Any, str], list[tuple[int, int]]]:
    """``(key, name) -> [(gold index, weight)]`` for every name of every gold item."""
    index: dict[tuple[Any, str], list[tuple[int, int]]] = defaultdict(list)
    for j, (key, canonical, names) in enumerate(named):
        for n in names:
            index[(key, n)].append((j, 2 if n == canonical else 1))
    return index


def _score_doc(gold: GoldDoc, predicted: Predicted | None) -> DocEval:
    in_graph = predicted is not None
    predicted = predicted or Predicted(gold.doc)
    names = _Names(gold)

    golds_e = list(gold.entities)
    preds_e = _dedup(predicted.entities, (1,))
    index_e = _name_index((e.type, normalize_name(e.name), _entity_names(e)) for e in golds_e)
    edges_e = [(i, j, w) for i, (t, n) in enumerate(preds_e)
               for j, w in index_e.get((t, normalize_name(n)), ())]

    golds_r = _dedup_gold_relations(
        sorted(set(gold.relations), key=lambda r: (r.head, r.rel, r.tail, r.evidence)))
    preds_r = _dedup(predicted.relations, (0, 2))
    tails = [names.names(r.tail) for r in golds_r]
    index_r = _name_index((r.rel, *names.names(r.head)) for r in golds_r)
    edges_r = [(i, j, wh + wt) for i, (h, rel, t) in enumerate(preds_r)
               for j, wh in index_r.get((rel, normalize_name(h)), ())
               for wt in [_name_weight(t, *tails[j])] if wt]

    golds_a = list(dict.fromkeys(gold.attributes))
    preds_a = _dedup(predicted.attributes, (0,))
    index_a = _name_index((a.attr, *names.names(a.entity)) for a in golds_a)
    edges_a = [(i, j, w) for i, (n, attr, value) in enumerate(preds_a)
               for j, w in index_a.get((attr, normalize_name(n)), ())
               if golds_a[j].value == value]

    return DocEval(
        gold.doc, gold, predicted, in_graph,
        _match(preds_e, golds_e, edges_e),
        _match(preds_r, golds_r, edges_r),
        _match(preds_a, golds_a, edges_a),
    )


def _dedup_gold_relations(rels: Sequence[GoldRelation]) -> list[GoldRelation]:
    """One gold relation per (head, rel, tail): relations are scored as sets."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for r in rels:
        key = (normalize_name(r.head), r.rel, normalize_name(r.tail))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def score_documents(gold: Sequence[GoldDoc], predictions: Mapping[str, Predicted], *,
                    gold_path: str = "", graph_path: str = "") -> EvalResult:
    """Match predictions against each gold document (documents not in gold are ignored)."""
    return EvalResult(tuple(_score_doc(g, predictions.get(g.doc)) for g in gold),
                      str(gold_path), str(graph_path))


def evaluate(gold_path: str | os.PathLike[str], graph_path: str | os.PathLike[str], *,
             backend: str = "oxigraph") -> EvalResult:
    """Score the graph at ``graph_path`` against the gold JSONL at ``gold_path``.

    The single entry point of ``kg eval``; raises :class:`~kg.errors.GoldError`
    or :class:`GraphError` (both :class:`~kg.errors.KGError`).
    """
    gold = load_gold(gold_path)
    predictions = load_predictions(graph_path, backend=backend)
    return score_documents(gold, predictions, gold_path=str(gold_path), graph_path=str(graph_path))


# --------------------------------------------------------------------------
# Error analysis
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvalError:
    """One miss (FN) or false hit (FP), with the likely cause.

    ``item`` is ``(type, name)``, ``(head, rel, tail)`` or ``(entity, attr, value)``;
    ``detail`` names the prediction or gold item the cause points at.
    """

    doc: str
    layer: str  # "entity" | "relation" | "attribute"
    kind: str  # "FN" | "FP" ("TP" for the opt-in "alias" notes)
    cause: str
    item: tuple[str, ...]
    detail: str = ""


def _overlaps(a: str, b: str) -> bool:
    """Boundary overlap of two names: containment, or an end of one is the start of the other."""
    if not a or not b or a == b:
        return False
    if a in b or b in a:
        return True
    # A shifted span shares at least two characters at the join (one shared
    # character, such as a trailing 县 or 市, says nothing).
    return any(a[-k:] == b[:k] or b[-k:] == a[:k] for k in range(2, min(len(a), len(b))))


def _fmt_value(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _entity_errors(d: DocEval, aliases: bool) -> Iterator[EvalError]:
    m = d.entities
    fps = [(p, normalize_name(p[1])) for p in m.false_positives]
    matched = {g: p for p, g in m.pairs}
    for g in m.false_negatives:
        names = _entity_names(g)
        item = (g.type, g.name)
        other_type = next((p for p, n in fps if p[0] != g.type and n in names), None)
        boundary = other_type or next(
            (p for p, n in fps if p[0] == g.type and any(_overlaps(n, x) for x in names)), None)
        if other_type:
            yield EvalError(d.doc, "entity", "FN", "type", item,
                            f"predicted as {other_type[0]}: {other_type[1]}")
        elif boundary:
            yield EvalError(d.doc, "entity", "FN", "boundary", item, f"predicted {boundary[1]}")
        else:
            yield EvalError(d.doc, "entity", "FN", "missed", item)
    golds = [(g, _entity_names(g)) for g in d.gold.entities]
    for p, n in fps:
        same = next((g for g, names in golds if g.type == p[0] and n in names), None)
        other = same or next((g for g, names in golds if g.type != p[0] and n in names), None)
        boundary = same or other or next(
            (g for g, names in golds if g.type == p[0] and any(_overlaps(n, x) for x in names)),
            None)
        if same:
            # Unmatched while a match exists: a maximum matching gave ``same``
            # to another prediction.
            yield EvalError(d.doc, "entity", "FP", "duplicate", p,
                            f"{same.name} already matched by {matched[same][1]}")
        elif other:
            yield EvalError(d.doc, "entity", "FP", "type", p, f"gold {other.type}: {other.name}")
        elif boundary:
            yield EvalError(d.doc, "entity", "FP", "boundary", p, f"gold {boundary.name}")
        else:
            yield EvalError(d.doc, "entity", "FP", "spurious", p)
    if aliases:
        for p, g in m.pairs:
            if normalize_name(p[1]) != normalize_name(g.name):
                yield EvalError(d.doc, "entity", "TP", "alias", p, f"canonical name {g.name}")


_NEAR_MISSES = ("wrong-rel", "wrong-tail", "wrong-head")


def _near_miss(h: str, rel: str, t: str, gold_rel: str, hn: frozenset[str],
               tn: frozenset[str]) -> str:
    """How predicted ``(h, rel, t)`` misses a gold relation named ``hn``/``tn``; "" if unrelated."""
    if (rel != gold_rel and h in hn and t in tn) or (h in tn and t in hn):
        return "wrong-rel"  # same pair, other or reversed relation
    if rel == gold_rel and h in hn and t not in tn:
        return "wrong-tail"
    if rel == gold_rel and t in tn and h not in hn:
        return "wrong-head"
    return ""


def _closest(candidates: Iterable[tuple[str, Any]]) -> tuple[str, Any]:
    """The (cause, other) of the first cause in :data:`_NEAR_MISSES` order; ("", None) if none."""
    best: tuple[str, Any] = ("", None)
    for cause, other in candidates:
        if cause and (not best[0] or _NEAR_MISSES.index(cause) < _NEAR_MISSES.index(best[0])):
            best = (cause, other)
    return best


def _relation_errors(d: DocEval, names: _Names, predicted_names: set[str]) -> Iterator[EvalError]:
    m = d.relations
    fps = [(p, p[1], normalize_name(p[0]), normalize_name(p[2])) for p in m.false_positives]
    matched = {g: p for p, g in m.pairs}
    for g in m.false_negatives:
        item = (g.head, g.rel, g.tail)
        (_, hn), (_, tn) = names.names(g.head), names.names(g.tail)
        missing = [f"{end} {name}" for end, name, ns in (("head", g.head, hn), ("tail", g.tail, tn))
                   if not ns & predicted_names]
        if missing:
            yield EvalError(d.doc, "relation", "FN", "missing-entity", item,
                            "not predicted: " + ", ".join(missing))
            continue
        cause, hit = _closest((_near_miss(h, rel, t, g.rel, hn, tn), p) for p, rel, h, t in fps)
        yield EvalError(d.doc, "relation", "FN", cause or "missed", item,
                        f"predicted {' '.join(hit)}" if hit else "")
    golds = [(g, names.names(g.head)[1], names.names(g.tail)[1])
             for g in [*(g for _, g in m.pairs), *m.false_negatives]]
    for p, rel, h, t in fps:
        dup = next((g for g, hn, tn in golds if g.rel == rel and h in hn and t in tn), None)
        if dup:
            yield EvalError(d.doc, "relation", "FP", "duplicate", p,
                            f"{dup.head} {dup.rel} {dup.tail} already matched by "
                            + " ".join(matched[dup]))
            continue
        unknown = [f"{end} {name}" for end, name, n in (("head", p[0], h), ("tail", p[2], t))
                   if n not in names.all]
        if unknown:
            yield EvalError(d.doc, "relation", "FP", "spurious-entity", p,
                            "no gold entity: " + ", ".join(unknown))
            continue
        cause, hit = _closest((_near_miss(h, rel, t, g.rel, hn, tn), g) for g, hn, tn in golds)
        yield EvalError(d.doc, "relation", "FP", cause or "spurious", p,
                        f"gold {hit.head} {hit.rel} {hit.tail}" if hit else "")


def _attribute_errors(d: DocEval, names: _Names, predicted_names: set[str]) -> Iterator[EvalError]:
    m = d.attributes
    fps: list[tuple[str, str, Decimal]] = list(m.false_positives)
    matched = {g: p for p, g in m.pairs}
    for g in m.false_negatives:
        item = (g.entity, g.attr, _fmt_value(g.value))
        _, ns = names.names(g.entity)
        wrong = [p for p in fps if p[1] == g.attr and normalize_name(p[0]) in ns]
        if not ns & predicted_names:
            yield EvalError(d.doc, "attribute", "FN", "missing-entity", item,
                            f"not predicted: {g.entity}")
        elif wrong:
            yield EvalError(d.doc, "attribute", "FN", "wrong-value", item,
                            f"predicted {_fmt_value(wrong[0][2])}")
        else:
            yield EvalError(d.doc, "attribute", "FN", "missed", item)
    golds = [(g, names.names(g.entity)[1]) for g in d.gold.attributes]
    for p in fps:
        item = (p[0], p[1], _fmt_value(p[2]))
        n = normalize_name(p[0])
        dup = [g for g, ns in golds if g.attr == p[1] and g.value == p[2] and n in ns]
        wrong = [g for g, ns in golds if g.attr == p[1] and g.value != p[2] and n in ns]
        if dup:
            g = dup[0]
            yield EvalError(d.doc, "attribute", "FP", "duplicate", item,
                            f"{g.entity} already matched by {matched[g][0]}"
                            if g in matched else "")
        elif n not in names.all:
            yield EvalError(d.doc, "attribute", "FP", "spurious-entity", item,
                            f"no gold entity: {p[0]}")
        elif wrong:
            yield EvalError(d.doc, "attribute", "FP", "wrong-value", item,
                            f"gold {_fmt_value(wrong[0].value)}")
        else:
            yield EvalError(d.doc, "attribute", "FP", "spurious", item)


def iter_errors(result: EvalResult, *, aliases: bool = False) -> Iterator[EvalError]:
    """Every FN and FP of every document, tagged with a likely cause.

    A cause that blames a miss (FN) on some prediction uses only predictions
    that are themselves false hits; a cause that explains a false hit (FP) may
    point at any gold item.  Causes are tried in the order of
    :data:`ERROR_CAUSES`.  Entities: ``type`` (same name, other type),
    ``boundary`` (same type, one name contains the other or they overlap at an
    end by two or more characters), ``duplicate`` (the gold entity it matches was
    matched by another prediction), ``missed`` / ``spurious``.  Relations:
    ``missing-entity`` (no predicted entity carries the head's or tail's names),
    ``spurious-entity`` (the head or tail is no gold name), ``wrong-rel`` (same
    pair, other or reversed relation), ``wrong-tail``/``wrong-head`` (same rel and
    head/tail), ``duplicate``, ``missed``/``spurious``.  Attributes:
    ``missing-entity``, ``spurious-entity``, ``wrong-value``, ``duplicate``,
    ``missed``/``spurious``.

    With ``aliases=True`` also yields ``TP``/``alias`` notes: true positives whose
    label is an alias rather than the canonical name (a resolution to-do, not
    an error of the score).
    """
    for d in result.docs:
        names = _Names(d.gold)
        predicted_names = {normalize_name(n) for _, n in d.predicted.entities}
        yield from _entity_errors(d, aliases)
        yield from _relation_errors(d, names, predicted_names)
        yield from _attribute_errors(d, names, predicted_names)


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def _rows(result: EvalResult) -> list[tuple[str, Score]]:
    rows = list(result.entities_by_type.items())
    rows.append(("entities", result.entities))
    rows.extend(result.relations_by_rel.items())
    rows.append(("relations", result.relations))
    rows.append(("investment", result.investment))
    return rows


def _doc_rows(d: DocEval) -> list[tuple[str, Score]]:
    return [("entities", d.entities.score), ("relations", d.relations.score),
            ("investment", d.attributes.score)]


def _ratio(num: float, denominator: int) -> str:
    return f"{num:.3f}" if denominator else "-"


def _cells(s: Score) -> tuple[str, ...]:
    return (
        _ratio(s.precision, s.tp + s.fp),
        _ratio(s.recall, s.tp + s.fn),
        _ratio(s.f1, s.tp + s.fp + s.fn),
        str(s.tp), str(s.fp), str(s.fn),
    )


def _header(result: EvalResult) -> list[str]:
    lines = [f"gold: {len(result.docs)} document(s)"
             + (f" from {result.gold_path}" if result.gold_path else "")
             + (f"; graph: {result.graph_path}" if result.graph_path else "")]
    if result.missing_docs:
        lines.append(f"note: {len(result.missing_docs)} gold document(s) have no article in "
                     f"the graph (scored as all misses): {', '.join(result.missing_docs)}")
    return lines


def format_report(result: EvalResult) -> str:
    """A fixed-width table: per type, per relation, investment, then per document.

    A ``-`` stands for a ratio whose denominator is zero.
    """
    width = max([len(label) for label, _ in _rows(result)]
                + [len(d.doc) + 2 for d in result.docs] + [len("per document")]) + 2

    def line(label: str, cells: Sequence[str]) -> str:
        return label.ljust(width) + "".join(c.rjust(8) for c in cells)

    heads = ("P", "R", "F1", "TP", "FP", "FN")
    out = _header(result) + ["", line("", heads)]
    for label, s in _rows(result):
        out.append(line(label, _cells(s)))
        if label in ("Person", "entities", "worksFor", "relations", "investment"):
            out.append("")
    out.append(line("per document", heads))
    for d in result.docs:
        out.append(d.doc + ("" if d.in_graph else "  (not in the graph)"))
        out.extend(line("  " + label, _cells(s)) for label, s in _doc_rows(d))
    return "\n".join(out) + "\n"


def to_markdown(result: EvalResult) -> str:
    """The scores as Markdown tables (``| | P | R | F1 | TP | FP | FN |``), for the README."""
    heads = "| | P | R | F1 | TP | FP | FN |\n|---|---:|---:|---:|---:|---:|---:|"

    def row(label: str, s: Score) -> str:
        return f"| {label} | " + " | ".join(_cells(s)) + " |"

    out = [heads]
    for label, s in _rows(result):
        bold = label in ("entities", "relations", "investment")
        out.append(row(f"**{label}**" if bold else label, s))
    out += ["", heads]
    for d in result.docs:
        out.extend(row(f"`{d.doc}` {label}", s) for label, s in _doc_rows(d))
    return "\n".join(out) + "\n"


def _score_dict(s: Score) -> dict[str, Any]:
    return {"precision": round(s.precision, 4), "recall": round(s.recall, 4),
            "f1": round(s.f1, 4), "tp": s.tp, "fp": s.fp, "fn": s.fn}


def to_dict(result: EvalResult, *, errors: bool = False) -> dict[str, Any]:
    """The scores (and with ``errors=True`` the tagged errors) as plain data."""
    out: dict[str, Any] = {
        "gold": result.gold_path,
        "graph": result.graph_path,
        "documents": len(result.docs),
        "missing_documents": list(result.missing_docs),
        "entities": {"by_type": {t: _score_dict(s) for t, s in result.entities_by_type.items()},
                     "all": _score_dict(result.entities)},
        "relations": {"by_rel": {r: _score_dict(s) for r, s in result.relations_by_rel.items()},
                      "all": _score_dict(result.relations)},
        "investment": _score_dict(result.investment),
        "per_document": [
            {"doc": d.doc, "in_graph": d.in_graph,
             **{label: _score_dict(s) for label, s in _doc_rows(d)}}
            for d in result.docs
        ],
    }
    if errors:
        out["errors"] = [
            {"doc": e.doc, "layer": e.layer, "kind": e.kind, "cause": e.cause,
             "item": list(e.item), "detail": e.detail}
            for e in iter_errors(result)
        ]
    return out


def to_json(result: EvalResult, *, errors: bool = False, indent: int | None = 2) -> str:
    """:func:`to_dict` as JSON text (UTF-8 names kept readable)."""
    return json.dumps(to_dict(result, errors=errors), ensure_ascii=False, indent=indent)


def _fmt_item(e: EvalError) -> str:
    if e.layer == "entity":
        return f"{e.item[0]} {e.item[1]}"
    if e.layer == "relation":
        return f"{e.item[0]} -{e.item[1]}-> {e.item[2]}"
    return f"{e.item[0]} {e.item[1]}={e.item[2]}"


def format_errors(errors: EvalResult | Iterable[EvalError]) -> str:
    """Errors grouped by (layer, kind, cause): a count table, then each group's list.

    Accepts an :class:`EvalResult` (its :func:`iter_errors`) or any errors.
    """
    items = list(iter_errors(errors) if isinstance(errors, EvalResult) else errors)
    if not items:
        return "no errors\n"
    order = {(layer, kind, cause): n
             for n, (layer, kind, cause) in enumerate(
                 (layer, kind, cause)
                 for layer, kinds in ERROR_CAUSES.items()
                 for kind, causes in kinds.items() for cause in causes)}
    groups: dict[tuple[str, str, str], list[EvalError]] = defaultdict(list)
    for e in items:
        groups[(e.layer, e.kind, e.cause)].append(e)
    keys = sorted(groups, key=lambda k: (list(ERROR_CAUSES).index(k[0]) if k[0] in ERROR_CAUSES
                                         else len(ERROR_CAUSES),
                                         -len(groups[k]), order.get(k, len(order))))
    per_layer: dict[str, int] = defaultdict(int)
    for e in items:
        if e.kind != "TP":
            per_layer[e.layer] += 1
    notes = sum(1 for e in items if e.kind == "TP")
    out = [f"errors: {sum(per_layer.values())} ("
           + ", ".join(f"{layer} {n}" for layer, n in per_layer.items()) + ")"
           + (f"; notes: {notes}" if notes else ""), "",
           f"{'layer':<10}{'kind':<6}{'cause':<17}{'count':>6}"]
    out += [f"{layer:<10}{kind:<6}{cause:<17}{len(groups[(layer, kind, cause)]):>6}"
            for layer, kind, cause in keys]
    for key in keys:
        layer, kind, cause = key
        out += ["", f"{layer} {kind} {cause} ({len(groups[key])})"]
        for e in sorted(groups[key], key=lambda e: (e.doc, e.item)):
            out.append(f"  {e.doc}  {_fmt_item(e)}" + (f"  [{e.detail}]" if e.detail else ""))
    return "\n".join(out) + "\n"
