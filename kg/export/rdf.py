"""RDF exports: the networkx graph → triples → canonical Turtle, N-Triples, TriG.

The triples follow the graph contract in ``DESIGN.md``; the vocabulary is
declared in ``ontology/kg.ttl`` and checked by ``ontology/shapes.ttl``.

One source of triples
---------------------
:func:`iter_quads` turns the networkx graph into quads of plain Python values
(IRIs as ``str``, literals as :class:`Lit`), each with the named graph it
belongs to in the TriG export (``None`` for the default graph, else the IRI
of the article a statement or mention was derived from).  Every RDF export is
written from these quads: :func:`to_rdf` (the rdflib API, for code that wants
an in-memory graph), and the canonical writers :func:`generate_turtle`,
:func:`generate_ntriples` and :func:`generate_trig`.

Why our own writers
-------------------
rdflib's ``longturtle`` is sorted, but its literal escaping is not safe for
untrusted text: it puts raw control characters into the file, and a
multi-line string ending in backslash + quote comes out as an escaped
backslash followed by four quotes, which ends the literal one quote early
(rdflib reads it back; raptor's ``rapper`` rightly rejects it).  It is also
slow: about 40 k triples/s, a minute for a million triples.  The writers here
escape every literal per the Turtle/N-Triples grammar (``ECHAR`` for tab,
backspace, LF, CR, form feed, quote and backslash; ``\\uXXXX`` for every other
C0 control and DEL; the one-line string form only), write full IRIs for
instances and prefixed names for the vocabularies, and sort everything, so the
bytes depend only on the set of triples, never on ``PYTHONHASHSEED``.  They
work on plain tuples and never build rdflib terms, which makes them the fast
path (see ``benchmarks/export_speed.py``); given an rdflib graph instead of a
networkx one, they write the very same bytes for the same triples.

Reified statements have deterministic IRIs (:func:`statement_iri`), not blank
nodes, so two builds of the same corpus produce identical files.
"""
from __future__ import annotations

__all__ = [
    "KG",
    "PREFIXES",
    "Lit",
    "statement_iri",
    "iter_quads",
    "to_rdf",
    "generate_turtle",
    "serialize_turtle",
    "write_turtle",
    "generate_ntriples",
    "write_ntriples",
    "generate_trig",
    "write_trig",
]

import datetime
import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple, Union

import networkx as nx
from rdflib import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef

from kg.errors import ExportError
from kg.export import atomic_write
from kg.ids import ID_NS, KG_NS

#: The project ontology namespace (``kg:``).
KG = Namespace(KG_NS)

#: Prefixes bound in :func:`to_rdf` and written by the Turtle and TriG writers.
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

_ZH = "zh"
_TYPE = str(RDF.type)
_XSD_INTEGER, _XSD_DECIMAL, _XSD_STRING = str(XSD.integer), str(XSD.decimal), str(XSD.string)
_ISO_DATES = (  # (pattern, datatype) for Article.date
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), str(XSD.date)),
    (re.compile(r"^\d{4}-\d{2}$"), str(XSD.gYearMonth)),
    (re.compile(r"^\d{4}$"), str(XSD.gYear)),
)
# Predicate IRIs, computed once: iter_quads runs per triple on big graphs.
_P = {name: str(term) for name, term in {
    "type": RDF.type, "subject": RDF.subject, "predicate": RDF.predicate, "object": RDF.object,
    "label": RDFS.label, "altLabel": SKOS.altLabel, "derived": PROV.wasDerivedFrom,
    "title": DCTERMS.title, "source": DCTERMS.source, "date": DCTERMS.date,
}.items()}
_STATEMENT = str(RDF.Statement)


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
    return URIRef(_statement(head, rel, tail, article, start, end))


def _statement(head: str, rel: str, tail: str, article: str, start: int, end: int) -> str:
    key = f"{head}|{rel}|{tail}|{article}|{start}|{end}"
    return f"{ID_NS}statement/{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}"


# -- the quads of the graph contract ------------------------------------------

def _int(n: int) -> Lit:
    return Lit(str(int(n)), _XSD_INTEGER)


def _decimal(text: str) -> Lit:
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


def _date(text: str) -> Lit:
    """``xsd:date``/``gYearMonth``/``gYear`` for valid ISO text, else a plain string."""
    for pattern, datatype in _ISO_DATES:
        if pattern.match(text):
            try:
                datetime.date.fromisoformat((text + "-01-01")[:10])
            except ValueError:
                break
            return Lit(text, datatype)
    return Lit(text)


def _statement_quads(subject: str, rel: str, obj: Term, ev: Mapping[str, Any],
                     tail_key: str) -> Iterator[Quad]:
    article = ev["article"]
    s = _statement(subject, rel, tail_key, article, ev["start"], ev["end"])
    yield s, _TYPE, _STATEMENT, article
    yield s, _P["subject"], subject, article
    yield s, _P["predicate"], KG_NS + rel, article
    yield s, _P["object"], obj, article
    yield s, _P["derived"], article, article
    yield s, KG_NS + "evidence", Lit(ev["text"], None, _ZH), article
    yield s, KG_NS + "start", _int(ev["start"]), article
    yield s, KG_NS + "end", _int(ev["end"]), article
    if ev.get("role"):
        yield s, KG_NS + "role", Lit(ev["role"], None, _ZH), article
    if ev.get("rule"):
        yield s, KG_NS + "rule", Lit(ev["rule"]), article


def _article_quads(node: str, data: Mapping[str, Any]) -> Iterator[Quad]:
    yield node, _TYPE, KG_NS + "Article", None
    yield node, _P["title"], Lit(data.get("title") or data.get("label") or "", None, _ZH), None
    yield node, _P["source"], Lit(data["source"]), None
    yield node, KG_NS + "start", _int(data["start"]), None
    yield node, KG_NS + "end", _int(data["end"]), None
    if data.get("date"):
        yield node, _P["date"], _date(data["date"]), None


def _entity_quads(node: str, data: Mapping[str, Any]) -> Iterator[Quad]:
    yield node, _TYPE, KG_NS + data["kind"], None
    yield node, _P["label"], Lit(data["label"], None, _ZH), None
    for alias in data.get("aliases", ()):
        yield node, _P["altLabel"], Lit(alias, None, _ZH), None
    for article in data.get("mentioned_in", ()):
        # The mention is provenance: it lives in the article's named graph.
        yield node, KG_NS + "mentionedIn", article, article
    if data["kind"] == "Division":
        if data.get("level"):
            yield node, KG_NS + "level", Lit(data["level"]), None
        if data.get("adcode"):
            yield node, KG_NS + "adcode", Lit(data["adcode"]), None
    if data.get("investment") is not None:
        yield node, KG_NS + "investment", _decimal(data["investment"]), None
        for ev in data.get("investment_evidence", ()):
            # tail_key stays the text as found, so statement IRIs do not move.
            yield from _statement_quads(node, "investment", _decimal(ev["value"]), ev, ev["value"])


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
            yield from _article_quads(key, data)
        else:
            yield from _entity_quads(key, data)
    for head, tail, rel, data in graph.edges(keys=True, data=True):
        rel = data.get("rel", rel)
        yield head, KG_NS + rel, tail, None
        for ev in data.get("evidence", ()):
            yield from _statement_quads(head, rel, tail, ev, tail)


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


# -- canonical text -------------------------------------------------------------

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
    if not _NEEDS_ESCAPE.search(text):
        return text
    return _NEEDS_ESCAPE.sub(lambda m: _ECHAR.get(m.group(), f"\\u{ord(m.group()):04X}"), text)


def _full_iri(value: str) -> str:
    if _IRI_FORBIDDEN.search(value) or _SURROGATE.search(value):
        raise ExportError(f"IRI <{value}> contains characters Turtle does not allow; "
                          "ids must be built with kg.ids")
    return f"<{value}>"


class _Encoder:
    """Terms → their text in N-Triples (``prefixes`` empty) or Turtle/TriG.

    IRIs repeat a lot (every subject and predicate several times), so their
    text is memoised; literals are rarely repeated and are encoded each time.
    """

    def __init__(self, prefixes: Mapping[str, str] | None) -> None:
        self.prefixes = dict(prefixes or {})
        self.turtle = prefixes is not None
        self._iris: dict[str, str] = {}

    def iri(self, value: str) -> str:
        text = self._iris.get(value)
        if text is None:
            text = self._iris[value] = self._encode_iri(value)
        return text

    def _encode_iri(self, value: str) -> str:
        for prefix, ns in self.prefixes.items():
            if value.startswith(ns) and _LOCAL.match(value[len(ns):]):
                return f"{prefix}:{value[len(ns):]}"
        return _full_iri(value)

    def term(self, term: Term) -> str:
        if not isinstance(term, Lit):
            return self.iri(term)
        lex, datatype, lang = term
        if lang:
            if not _LANG.match(lang):
                raise ExportError(f"bad language tag {lang!r}")
            return f'"{_escape_string(lex)}"@{lang}'
        if datatype is None or datatype == _XSD_STRING:
            return f'"{_escape_string(lex)}"'
        if self.turtle and datatype == _XSD_INTEGER and _INTEGER.match(lex):
            return lex
        return f'"{_escape_string(lex)}"^^{self.iri(datatype)}'


def _object_key(term: Term) -> tuple:
    if isinstance(term, Lit):
        return (1, term.lex, term.datatype or "", term.lang or "")
    return (0, term, "", "")


def _from_rdflib(rdf: Graph) -> Iterator[Quad]:
    """Quads (all in the default graph) of an rdflib graph; blank nodes are refused."""
    for triple in rdf:
        out = []
        for term in triple:
            if isinstance(term, Literal):
                out.append(Lit(str(term), str(term.datatype) if term.datatype else None,
                               term.language or None))
            elif isinstance(term, URIRef):
                out.append(str(term))
            else:
                raise ExportError(f"cannot write {term!r}: the export uses no blank nodes")
        yield out[0], out[1], out[2], None


def _quads(graph: nx.MultiDiGraph | Graph) -> Iterable[Quad]:
    return _from_rdflib(graph) if isinstance(graph, Graph) else iter_quads(graph)


def _subject_blocks(triples: Iterable[tuple[str, str, Term]], enc: _Encoder,
                    indent: str = "") -> Iterator[str]:
    """Turtle lines of a set of triples: subjects in IRI order, ``rdf:type``
    first, then predicates and objects in order; one pair per line."""
    by_subject: dict[str, set[tuple[str, Term]]] = {}
    for s, p, o in triples:
        by_subject.setdefault(s, set()).add((p, o))
    for s in sorted(by_subject):
        yield ""
        pairs = sorted(by_subject[s], key=lambda po: (po[0] != _TYPE, po[0], _object_key(po[1])))
        yield indent + enc.iri(s)
        last = len(pairs) - 1
        for i, (p, o) in enumerate(pairs):
            verb = "a" if p == _TYPE else enc.iri(p)
            yield f"{indent}    {verb} {enc.term(o)} {'.' if i == last else ';'}"


def _prefix_lines(prefixes: Mapping[str, str]) -> Iterator[str]:
    for prefix, ns in prefixes.items():
        yield f"@prefix {prefix}: <{ns}> ."


def generate_turtle(graph: nx.MultiDiGraph | Graph,
                    prefixes: Mapping[str, str] | None = None) -> Iterator[str]:
    """Lines (without newline) of the canonical Turtle of ``graph``.

    ``graph`` is a networkx knowledge graph (the fast path, no rdflib terms
    are built) or an rdflib graph; the same triples give the same lines.
    Subjects in IRI order, ``rdf:type`` first, then predicates and objects in
    order; one predicate–object pair per line.
    """
    prefixes = dict(sorted((prefixes or PREFIXES).items()))
    enc = _Encoder(prefixes)
    yield from _prefix_lines(prefixes)
    yield from _subject_blocks(((s, p, o) for s, p, o, _ in _quads(graph)), enc)


def serialize_turtle(graph: nx.MultiDiGraph | Graph, prefixes: Mapping[str, str] | None = None) -> str:
    """Canonical Turtle text of ``graph`` (see :func:`generate_turtle`)."""
    return "\n".join(generate_turtle(graph, prefixes)) + "\n"


def write_turtle(graph: nx.MultiDiGraph | Graph, path: str | os.PathLike[str]) -> Path:
    """Write the Turtle export of ``graph`` (networkx or rdflib) to ``path`` atomically.

    The bytes depend only on the graph's content: two runs, with any
    ``PYTHONHASHSEED``, write identical files.
    """
    return atomic_write(path, serialize_turtle(graph))


def generate_ntriples(graph: nx.MultiDiGraph | Graph) -> Iterator[str]:
    """Lines (without newline) of the canonical N-Triples of ``graph``.

    Each triple once, lines sorted by code point (which is UTF-8 byte order,
    so ``LC_ALL=C sort`` agrees); full IRIs, UTF-8 text, and the escapes of
    the RDF canonical N-Triples form.
    """
    enc = _Encoder(None)
    lines = {f"{enc.iri(s)} {enc.iri(p)} {enc.term(o)} ." for s, p, o, _ in _quads(graph)}
    yield from sorted(lines)


def write_ntriples(graph: nx.MultiDiGraph | Graph, path: str | os.PathLike[str]) -> Path:
    """Write the N-Triples export of ``graph`` to ``path`` atomically."""
    lines = list(generate_ntriples(graph))
    return atomic_write(path, "\n".join(lines) + "\n" if lines else "")


def generate_trig(graph: nx.MultiDiGraph, prefixes: Mapping[str, str] | None = None) -> Iterator[str]:
    """Lines (without newline) of the canonical TriG of ``graph``.

    The default graph (the first ``{ … }`` block) holds entities, articles
    and direct relations; each article has a named graph, named by the
    article's IRI, with the ``kg:mentionedIn`` triples pointing to it and
    the reified statements derived from it.  Graphs in IRI order, each laid
    out like :func:`generate_turtle`; the union of all graphs is the graph
    of the Turtle export.
    """
    prefixes = dict(sorted((prefixes or PREFIXES).items()))
    enc = _Encoder(prefixes)
    graphs: dict[str | None, list[tuple[str, str, Term]]] = {}
    for s, p, o, g in iter_quads(graph):
        graphs.setdefault(g, []).append((s, p, o))
    yield from _prefix_lines(prefixes)
    # The default graph in braces, not bare: raptor's TriG parser (rapper
    # 2.0.15) accepts only triples inside a graph block.
    for name in sorted(graphs, key=lambda g: (g is not None, g or "")):
        yield ""
        yield "{" if name is None else enc.iri(name) + " {"
        yield from _subject_blocks(graphs[name], enc, indent="    ")
        yield "}"


def write_trig(graph: nx.MultiDiGraph, path: str | os.PathLike[str]) -> Path:
    """Write the TriG export (one named graph per article) of ``graph`` to ``path`` atomically."""
    return atomic_write(path, "\n".join(generate_trig(graph)) + "\n")
