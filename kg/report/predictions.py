"""Reading what a graph predicts, per corpus file, by the graph contract (``ontology/kg.ttl``) (over :mod:`kg.rdfio`)."""
from __future__ import annotations

__all__ = ["load_predictions"]

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from kg import vocab
from kg.ids import KG_NS
from kg.rdfio import GraphError, Lit, Term, iter_triples
from kg.records import ENTITY_TYPES
from kg.report.scores import ATTRIBUTES, SCORED_RELATIONS, Predicted, to_decimal

_RDF_TYPE = vocab.RDF + "type"
_RDF_SUBJECT = vocab.RDF + "subject"
_RDF_PREDICATE = vocab.RDF + "predicate"
_RDF_OBJECT = vocab.RDF + "object"
_RDFS_LABEL = vocab.RDFS + "label"
_SOURCE = vocab.DCTERMS + "source"
_DERIVED = vocab.PROV + "wasDerivedFrom"
_MENTIONED = KG_NS + "mentionedIn"
_INVESTMENT = KG_NS + "investment"


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
    value = to_decimal(lit.lexical) if isinstance(lit, Lit) else None
    if value is None:
        raise GraphError(f"{path}: investment {lit!r} of {node} is not a decimal number "
                         "(the contract wants yuan as xsd:decimal)")
    return value


def load_predictions(graph_path: str | os.PathLike[str], *,
                     backend: str = "oxigraph") -> dict[str, Predicted]:
    """Per corpus file, what the graph predicts (the graph contract, ontology/kg.ttl).

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
