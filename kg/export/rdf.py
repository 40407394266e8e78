"""RDF export: the networkx graph → an rdflib graph → canonical Turtle.

The triples follow the graph contract in ``DESIGN.md``; the vocabulary is
declared in ``ontology/kg.ttl`` and checked by ``ontology/shapes.ttl``.

Why our own Turtle writer
-------------------------
rdflib's ``longturtle`` is sorted, but its literal escaping is not safe for
untrusted text: it puts raw control characters into the file, and a
multi-line string ending in backslash + quote comes out as an escaped
backslash followed by four quotes, which ends the literal one quote early
(rdflib reads it back; raptor's ``rapper`` rightly rejects it).
:func:`serialize_turtle` therefore writes canonical Turtle from sorted
triples: only the one-line string form, escaped per the Turtle grammar
(``ECHAR`` for tab, backspace, LF, CR, form feed, quote and backslash;
``\\uXXXX`` for every other C0 control and DEL), full IRIs for instances,
prefixed names for the vocabularies, one predicate–object pair per line.  The
bytes depend only on the set of triples, never on ``PYTHONHASHSEED``.

Reified statements have deterministic IRIs (:func:`statement_iri`), not blank
nodes, so two builds of the same corpus produce identical files.
"""
from __future__ import annotations

__all__ = [
    "KG",
    "PREFIXES",
    "statement_iri",
    "to_rdf",
    "generate_turtle",
    "serialize_turtle",
    "write_turtle",
]

import datetime
import hashlib
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from kg.errors import ExportError
from kg.export import atomic_write
from kg.ids import ID_NS, KG_NS

#: The project ontology namespace (``kg:``).
KG = Namespace(KG_NS)

#: Prefixes bound in :func:`to_rdf` and written by :func:`serialize_turtle`.
PREFIXES: dict[str, str] = {
    "dcterms": str(DCTERMS),
    "kg": KG_NS,
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "xsd": str(XSD),
}

_ZH = "zh"
_ISO_DATES = (  # (pattern, datatype) for Article.date
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), XSD.date),
    (re.compile(r"^\d{4}-\d{2}$"), XSD.gYearMonth),
    (re.compile(r"^\d{4}$"), XSD.gYear),
)


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
    key = f"{head}|{rel}|{tail}|{article}|{start}|{end}"
    return URIRef(f"{ID_NS}statement/{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}")


def _zh(text: str) -> Literal:
    return Literal(text, lang=_ZH)


def _int(n: int) -> Literal:
    return Literal(str(int(n)), datatype=XSD.integer)


def _add_statement(rdf: Graph, subject: URIRef, rel: str, obj: Node,
                   ev: Mapping[str, Any], tail_key: str) -> None:
    predicate = KG[rel]
    s = statement_iri(str(subject), rel, tail_key, ev["article"], ev["start"], ev["end"])
    article = URIRef(ev["article"])
    rdf.add((s, RDF.type, RDF.Statement))
    rdf.add((s, RDF.subject, subject))
    rdf.add((s, RDF.predicate, predicate))
    rdf.add((s, RDF.object, obj))
    rdf.add((s, PROV.wasDerivedFrom, article))
    rdf.add((s, KG.evidence, _zh(ev["text"])))
    rdf.add((s, KG.start, _int(ev["start"])))
    rdf.add((s, KG.end, _int(ev["end"])))
    if ev.get("role"):
        rdf.add((s, KG.role, _zh(ev["role"])))
    if ev.get("rule"):
        rdf.add((s, KG.rule, Literal(ev["rule"])))


def _add_article(rdf: Graph, node: URIRef, data: Mapping[str, Any]) -> None:
    rdf.add((node, RDF.type, KG.Article))
    rdf.add((node, DCTERMS.title, _zh(data.get("title") or data.get("label") or "")))
    rdf.add((node, DCTERMS.source, Literal(data["source"])))
    rdf.add((node, KG.start, _int(data["start"])))
    rdf.add((node, KG.end, _int(data["end"])))
    date = data.get("date")
    if date:
        rdf.add((node, DCTERMS.date, _date(date)))


def _date(text: str) -> Literal:
    """``xsd:date``/``gYearMonth``/``gYear`` for valid ISO text, else a plain string."""
    for pattern, datatype in _ISO_DATES:
        if pattern.match(text):
            try:
                datetime.date.fromisoformat((text + "-01-01")[:10])
            except ValueError:
                break
            return Literal(text, datatype=datatype)
    return Literal(text)


def _add_entity(rdf: Graph, node: URIRef, data: Mapping[str, Any]) -> None:
    rdf.add((node, RDF.type, KG[data["kind"]]))
    rdf.add((node, RDFS.label, _zh(data["label"])))
    for alias in data.get("aliases", ()):
        rdf.add((node, SKOS.altLabel, _zh(alias)))
    for article in data.get("mentioned_in", ()):
        rdf.add((node, KG.mentionedIn, URIRef(article)))
    if data["kind"] == "Division":
        if data.get("level"):
            rdf.add((node, KG.level, Literal(data["level"])))
        if data.get("adcode"):
            rdf.add((node, KG.adcode, Literal(data["adcode"])))
    if data.get("investment") is not None:
        rdf.add((node, KG.investment, Literal(data["investment"], datatype=XSD.decimal)))
        for ev in data.get("investment_evidence", ()):
            value = Literal(ev["value"], datatype=XSD.decimal)
            _add_statement(rdf, node, "investment", value, ev, ev["value"])


def to_rdf(graph: nx.MultiDiGraph) -> Graph:
    """The RDF graph of a knowledge graph built by :func:`kg.graph.build_graph`.

    Entities get ``rdf:type``, ``rdfs:label``/``skos:altLabel`` (``@zh``),
    ``kg:mentionedIn``, and for divisions ``kg:level``/``kg:adcode``; every
    edge becomes a direct ``<head> kg:<rel> <tail>`` triple, and every
    evidence of it a reified ``rdf:Statement`` (``prov:wasDerivedFrom``,
    ``kg:evidence``, ``kg:start``, ``kg:end``, ``kg:rule``, ``kg:role`` on
    ``worksFor``).  A project's ``kg:investment`` (``xsd:decimal``) is
    reified the same way, with the literal as ``rdf:object``.  Articles get
    ``dcterms:title``/``source``/``date`` and ``kg:start``/``kg:end``.

    Evidences that differ only in rule or role share one statement node
    (same head, relation, tail, article and offsets), which then carries
    several ``kg:rule``/``kg:role`` values.
    """
    rdf = Graph()
    for prefix, ns in PREFIXES.items():
        rdf.bind(prefix, ns, override=True)
    for key, data in graph.nodes(data=True):
        node = URIRef(key)
        if data.get("kind") == "Article":
            _add_article(rdf, node, data)
        else:
            _add_entity(rdf, node, data)
    for head, tail, rel, data in graph.edges(keys=True, data=True):
        rel = data.get("rel", rel)
        h, t = URIRef(head), URIRef(tail)
        rdf.add((h, KG[rel], t))
        for ev in data.get("evidence", ()):
            _add_statement(rdf, h, rel, t, ev, tail)
    return rdf


# -- canonical Turtle -------------------------------------------------------

_ECHAR = {"\t": "\\t", "\b": "\\b", "\n": "\\n", "\r": "\\r", "\f": "\\f",
          '"': '\\"', "\\": "\\\\"}
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_SURROGATE = re.compile("[\ud800-\udfff]")
_LANG = re.compile(r"^[A-Za-z]+(-[A-Za-z0-9]+)*$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")


def _escape_string(text: str) -> str:
    if _SURROGATE.search(text):
        raise ExportError(f"literal {text[:40]!r}… holds a lone surrogate, which no RDF "
                          "syntax can carry; fix the decoding of the source file")
    return _NEEDS_ESCAPE.sub(lambda m: _ECHAR.get(m.group(), f"\\u{ord(m.group()):04X}"), text)


def _iri(value: str, prefixes: Mapping[str, str]) -> str:
    for prefix, ns in prefixes.items():
        if value.startswith(ns) and _LOCAL.match(value[len(ns):]):
            return f"{prefix}:{value[len(ns):]}"
    if _IRI_FORBIDDEN.search(value) or _SURROGATE.search(value):
        raise ExportError(f"IRI <{value}> contains characters Turtle does not allow; "
                          "ids must be built with kg.ids")
    return f"<{value}>"


def _term(term: Node, prefixes: Mapping[str, str]) -> str:
    if isinstance(term, URIRef):
        return _iri(str(term), prefixes)
    if isinstance(term, Literal):
        lex = str(term)
        if term.language:
            if not _LANG.match(term.language):
                raise ExportError(f"bad language tag {term.language!r}")
            return f'"{_escape_string(lex)}"@{term.language}'
        if term.datatype is None or term.datatype == XSD.string:
            return f'"{_escape_string(lex)}"'
        if term.datatype == XSD.integer and _INTEGER.match(lex):
            return lex
        return f'"{_escape_string(lex)}"^^{_iri(str(term.datatype), prefixes)}'
    raise ExportError(f"cannot write {term!r} as Turtle: the export uses no blank nodes")


def _object_key(term: Node) -> tuple:
    if isinstance(term, Literal):
        return (1, str(term), str(term.datatype or ""), term.language or "")
    return (0, str(term), "", "")


def generate_turtle(rdf: Graph, prefixes: Mapping[str, str] | None = None) -> Iterator[str]:
    """Lines (without newline) of the canonical Turtle of ``rdf``.

    Subjects in IRI order, ``rdf:type`` first, then predicates and objects
    in order; one predicate–object pair per line.
    """
    prefixes = dict(sorted((prefixes or PREFIXES).items()))
    for prefix, ns in prefixes.items():
        yield f"@prefix {prefix}: <{ns}> ."
    by_subject: dict[Node, list[tuple[Node, Node]]] = {}
    for s, p, o in rdf:
        by_subject.setdefault(s, []).append((p, o))
    for s in sorted(by_subject, key=str):
        yield ""
        pairs = sorted(by_subject[s], key=lambda po: (po[0] != RDF.type, str(po[0]), _object_key(po[1])))
        lines = [("a" if p == RDF.type else _term(p, prefixes)) + " " + _term(o, prefixes)
                 for p, o in pairs]
        yield _term(s, prefixes)
        for i, line in enumerate(lines):
            yield f"    {line} {'.' if i == len(lines) - 1 else ';'}"


def serialize_turtle(rdf: Graph, prefixes: Mapping[str, str] | None = None) -> str:
    """Canonical Turtle text of ``rdf`` (see :func:`generate_turtle`)."""
    return "\n".join(generate_turtle(rdf, prefixes)) + "\n"


def write_turtle(graph: nx.MultiDiGraph | Graph, path: str | os.PathLike[str]) -> Path:
    """Write the Turtle export of ``graph`` (networkx or rdflib) to ``path`` atomically.

    The bytes depend only on the graph's content: two runs, with any
    ``PYTHONHASHSEED``, write identical files.
    """
    rdf = graph if isinstance(graph, Graph) else to_rdf(graph)
    return atomic_write(path, serialize_turtle(rdf))
