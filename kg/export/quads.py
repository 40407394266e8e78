"""The quad model of the RDF exports: the networkx graph → quads of plain values, by the graph contract.

The triples follow the graph contract (``ontology/kg.ttl``, README "Linked data"); the vocabulary is
declared in ``ontology/kg.ttl`` and checked by ``ontology/shapes.ttl``.
:func:`iter_quads` turns the networkx graph into quads of plain Python values
(IRIs as ``str``, literals as :class:`Lit`), each with the named graph it
belongs to in the TriG export (``None`` for the default graph, else the IRI
of the article a statement or mention was derived from).  Every RDF export is
written from these quads: :func:`to_rdf` (the rdflib API, for code that wants
an in-memory graph) and the canonical writers (:mod:`kg.export.turtle`,
:mod:`kg.export.ntriples`, :mod:`kg.export.trig`, :mod:`kg.export.jsonld`).

Reified statements have deterministic IRIs (:func:`statement_iri`), not blank
nodes, so two builds of the same corpus produce identical files.
"""
from __future__ import annotations

__all__ = [
    "KG",
    "PREFIXES",
    "Lit",
    "Term",
    "Quad",
    "statement_iri",
    "statement_node",
    "iter_quads",
    "to_rdf",
]

import datetime
import hashlib
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple, Union

import networkx as nx
from rdflib import Graph, Literal, Namespace, URIRef

from kg import vocab
from kg.errors import ExportError
from kg.ids import ID_NS, KG_NS
from kg.vocab import PREFIXES

#: The project ontology namespace (``kg:``) as an rdflib namespace.
KG = Namespace(KG_NS)


class Lit(NamedTuple):
    """A literal as plain values: lexical form, datatype IRI, language tag.

    ``datatype`` is ``None`` for a plain (``xsd:string``) or a language-tagged
    literal; ``lang`` is ``None`` unless the literal is language-tagged.
    """

    lex: str
    datatype: str | None = None
    lang: str | None = None


#: An RDF term of :func:`iter_quads`: an IRI (``str``) or a :class:`Lit`.
Term = Union[str, Lit]
#: ``(subject, predicate, object, graph)``; graph ``None`` is the default graph.
Quad = tuple[str, str, Term, Union[str, None]]

ZH = "zh"  # the language of every name and evidence
TYPE = vocab.RDF + "type"
XSD_INTEGER, _XSD_DECIMAL, XSD_STRING = vocab.XSD + "integer", vocab.XSD + "decimal", vocab.XSD + "string"
_ISO_DATES = (  # (pattern, datatype) for Article.date
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), vocab.XSD + "date"),
    (re.compile(r"^\d{4}-\d{2}$"), vocab.XSD + "gYearMonth"),
    (re.compile(r"^\d{4}$"), vocab.XSD + "gYear"),
)
#: Predicate IRIs by short name, computed once (:func:`iter_quads` runs per triple on big graphs).
P = {
    "type": TYPE, "subject": vocab.RDF + "subject", "predicate": vocab.RDF + "predicate",
    "object": vocab.RDF + "object", "label": vocab.RDFS + "label", "altLabel": vocab.SKOS + "altLabel",
    "derived": vocab.PROV + "wasDerivedFrom", "title": vocab.DCTERMS + "title",
    "source": vocab.DCTERMS + "source", "date": vocab.DCTERMS + "date",
}
MENTIONED = KG_NS + "mentionedIn"
STATEMENT = vocab.RDF + "Statement"
STATEMENT_NS = ID_NS + "statement/"  # every statement IRI starts so (statement_node)


def statement_iri(head: str, rel: str, tail: str, article: str, start: int, end: int) -> URIRef:
    """IRI of the reified statement of one evidence of ``head rel tail``.

    ``…/id/statement/<first 16 hex of sha1("head|rel|tail|article|start|end")>``
    with IRIs for head, tail and article and the ``kg:`` local name for
    ``rel``; for an investment, ``rel`` is ``investment`` and ``tail`` the
    decimal value.

    >>> str(statement_iri("h", "worksFor", "t", "a", 1, 2)).startswith(
    ...     "https://w3id.org/shanxi-kg/id/statement/")
    True
    """
    return URIRef(statement_node(head, rel, tail, article, start, end))


def statement_node(head: str, rel: str, tail: str, article: str, start: int, end: int) -> str:
    key = f"{head}|{rel}|{tail}|{article}|{start}|{end}"
    return f"{STATEMENT_NS}{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}"


# -- the quads of the graph contract ------------------------------------------

def int_literal(n: int) -> Lit:
    return Lit(str(int(n)), XSD_INTEGER)


def decimal_literal(text: str) -> Lit:
    """``xsd:decimal`` in canonical form (``+007.50`` → ``7.5``).

    rdflib canonicalises some decimal forms itself (``007`` → ``7``) and not
    others (``1.50``); writing the canonical form keeps :func:`to_rdf` and the
    direct writers byte-identical.
    """
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ExportError(f"investment {text!r} is not a decimal number") from exc
    if not value.is_finite():
        raise ExportError(f"investment {text!r} is not a finite decimal number")
    lex = format(value, "f")
    if "." in lex:
        lex = lex.rstrip("0").rstrip(".")
    if lex in ("-0", ""):
        lex = "0"
    return Lit(lex, _XSD_DECIMAL)


def date_literal(text: str) -> Lit:
    """``xsd:date``/``gYearMonth``/``gYear`` for valid ISO text, else a plain string."""
    for pattern, datatype in _ISO_DATES:
        if pattern.match(text):
            try:
                datetime.date.fromisoformat((text + "-01-01")[:10])
            except ValueError:
                break
            return Lit(text, datatype)
    return Lit(text)


def statement_quads(subject: str, rel: str, obj: Term, ev: Mapping[str, Any],
                     tail_key: str) -> Iterator[Quad]:
    article = ev["article"]
    s = statement_node(subject, rel, tail_key, article, ev["start"], ev["end"])
    yield s, TYPE, STATEMENT, article
    yield s, P["subject"], subject, article
    yield s, P["predicate"], KG_NS + rel, article
    yield s, P["object"], obj, article
    yield s, P["derived"], article, article
    yield s, KG_NS + "evidence", Lit(ev["text"], None, ZH), article
    yield s, KG_NS + "start", int_literal(ev["start"]), article
    yield s, KG_NS + "end", int_literal(ev["end"]), article
    if ev.get("role"):
        yield s, KG_NS + "role", Lit(ev["role"], None, ZH), article
    if ev.get("rule"):
        yield s, KG_NS + "rule", Lit(ev["rule"]), article


def article_quads(node: str, data: Mapping[str, Any]) -> Iterator[Quad]:
    yield node, TYPE, KG_NS + "Article", None
    yield node, P["title"], Lit(data.get("title") or data.get("label") or "", None, ZH), None
    yield node, P["source"], Lit(data["source"]), None
    yield node, KG_NS + "start", int_literal(data["start"]), None
    yield node, KG_NS + "end", int_literal(data["end"]), None
    if data.get("date"):
        yield node, P["date"], date_literal(data["date"]), None


def _entity_quads(node: str, data: Mapping[str, Any]) -> Iterator[Quad]:
    yield from entity_own_quads(node, data)
    if data.get("investment") is not None:
        for ev in data.get("investment_evidence", ()):
            # tail_key stays the text as found, so statement IRIs do not move.
            yield from statement_quads(node, "investment", decimal_literal(ev["value"]), ev, ev["value"])


def entity_own_quads(node: str, data: Mapping[str, Any]) -> Iterator[Quad]:
    """The quads of an entity whose subject is the entity (not its investment statements)."""
    yield node, TYPE, KG_NS + data["kind"], None
    yield node, P["label"], Lit(data["label"], None, ZH), None
    for alias in data.get("aliases", ()):
        yield node, P["altLabel"], Lit(alias, None, ZH), None
    for article in data.get("mentioned_in", ()):
        # The mention is provenance: it lives in the article's named graph.
        yield node, KG_NS + "mentionedIn", article, article
    if data["kind"] == "Division":
        if data.get("level"):
            yield node, KG_NS + "level", Lit(data["level"]), None
        if data.get("adcode"):
            yield node, KG_NS + "adcode", Lit(data["adcode"]), None
    if data.get("investment") is not None:
        yield node, KG_NS + "investment", decimal_literal(data["investment"]), None


def iter_quads(graph: nx.MultiDiGraph) -> Iterator[Quad]:
    """The quads of a knowledge graph built by :func:`kg.graph.build_graph`.

    Entities get ``rdf:type``, ``rdfs:label``/``skos:altLabel`` (``@zh``),
    ``kg:mentionedIn``, and for divisions ``kg:level``/``kg:adcode``; every
    edge becomes a direct ``<head> kg:<rel> <tail>`` triple, and every
    evidence of it a reified ``rdf:Statement`` (``prov:wasDerivedFrom``,
    ``kg:evidence``, ``kg:start``, ``kg:end``, ``kg:rule``, ``kg:role`` on
    ``worksFor``).  A project's ``kg:investment`` (``xsd:decimal``) is
    reified the same way, with the literal as ``rdf:object``.  Articles get
    ``dcterms:title``/``source``/``date`` and ``kg:start``/``kg:end``.

    The fourth element is the named graph of the TriG export: the article
    IRI for reified statements and ``kg:mentionedIn`` triples (provenance),
    ``None`` (the default graph) for everything else.  A quad may come more
    than once (evidences that differ only in rule or role share a statement
    node); consumers treat the quads as a set.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("https://w3id.org/shanxi-kg/id/person/1", kind="Person", label="张三")
    >>> [q[1].rsplit("#", 1)[1] for q in iter_quads(g)]
    ['type', 'label']
    """
    for key, data in graph.nodes(data=True):
        if data.get("kind") == "Article":
            yield from article_quads(key, data)
        else:
            yield from _entity_quads(key, data)
    for head, tail, rel, data in graph.edges(keys=True, data=True):
        rel = data.get("rel", rel)
        yield head, KG_NS + rel, tail, None
        for ev in data.get("evidence", ()):
            yield from statement_quads(head, rel, tail, ev, tail)


def _to_node(term: Term) -> URIRef | Literal:
    if isinstance(term, Lit):
        return Literal(term.lex, lang=term.lang, datatype=URIRef(term.datatype) if term.datatype else None)
    return URIRef(term)


def to_rdf(graph: nx.MultiDiGraph) -> Graph:
    """The rdflib graph of a knowledge graph (the triples of :func:`iter_quads`).

    Evidences that differ only in rule or role share one statement node
    (same head, relation, tail, article and offsets), which then carries
    several ``kg:rule``/``kg:role`` values.  The named graphs of the TriG
    export are merged: this is the graph of ``graph.ttl``.
    """
    rdf = Graph()
    for prefix, ns in PREFIXES.items():
        rdf.bind(prefix, ns, override=True)
    nodes: dict[Term, URIRef | Literal] = {}
    for s, p, o, _ in iter_quads(graph):
        triple = tuple(nodes[t] if t in nodes else nodes.setdefault(t, _to_node(t)) for t in (s, p, o))
        rdf.add(triple)
    return rdf
