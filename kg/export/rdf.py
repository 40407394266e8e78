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

import bisect
import datetime
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple, Union

import networkx as nx
from rdflib import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef

from kg.errors import ExportError
from kg.export import atomic_writer
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
    yield from _entity_own_quads(node, data)
    if data.get("investment") is not None:
        for ev in data.get("investment_evidence", ()):
            # tail_key stays the text as found, so statement IRIs do not move.
            yield from _statement_quads(node, "investment", _decimal(ev["value"]), ev, ev["value"])


def _entity_own_quads(node: str, data: Mapping[str, Any]) -> Iterator[Quad]:
    """The quads of an entity whose subject is the entity (not its investment statements)."""
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
# anything _escape_string has to look at (one search for the common, clean case)
_SPECIAL = re.compile('[\x00-\x1f\x7f"\\\\\ud800-\udfff]')
# Subject blocks joined into one string per write: about 1 MB of text.
_BATCH = 1500


def _escape_string(text: str) -> str:
    if not _SPECIAL.search(text):
        return text
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


class _Memo(dict):
    """A dict that computes a missing value with ``fn`` (lookups stay in C)."""

    def __init__(self, fn) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.fn(key)
        return value


class _Encoder:
    """Terms → their text in N-Triples (``prefixes`` ``None``) or Turtle/TriG.

    IRIs and integers repeat a lot (every predicate, article and offset many
    times), so their text is memoised; other literals are encoded each time.
    """

    def __init__(self, prefixes: Mapping[str, str] | None) -> None:
        self.prefixes = dict(prefixes or {})
        self.turtle = prefixes is not None
        self._namespaces = tuple(self.prefixes.values())
        self._iris = _Memo(self.encode_iri)
        self.iri = self._iris.__getitem__
        self._verbs: dict[str, str] = {}
        self._ints = _Memo(self._encode_integer)
        self.integer = self._ints.__getitem__

    def iri(self, value: str) -> str:  # replaced by the memo's __getitem__ in __init__
        return self._iris[value]

    def encode_iri(self, value: str) -> str:
        """The text of an IRI, not memoised (for IRIs seen once, such as statements)."""
        if not value.startswith(self._namespaces):
            return _full_iri(value)
        for prefix, ns in self.prefixes.items():
            if value.startswith(ns) and _LOCAL.match(value[len(ns):]):
                return f"{prefix}:{value[len(ns):]}"
        return _full_iri(value)

    def verb(self, predicate: str) -> str:
        """A predicate's text: ``a`` for ``rdf:type`` in Turtle."""
        text = self._verbs.get(predicate)
        if text is None:
            text = self._verbs[predicate] = ("a" if self.turtle and predicate == _TYPE
                                             else self.iri(predicate))
        return text

    def literal(self, lex: str, datatype: str | None, lang: str | None) -> str:
        """A literal's text; ``datatype`` and ``lang`` are ``None`` or ``""`` when absent."""
        if lang:
            if not _LANG.match(lang):
                raise ExportError(f"bad language tag {lang!r}")
            return f'"{_escape_string(lex)}"@{lang}'
        if not datatype or datatype == _XSD_STRING:
            return f'"{_escape_string(lex)}"'
        if self.turtle and datatype == _XSD_INTEGER and _INTEGER.match(lex):
            return lex
        return f'"{_escape_string(lex)}"^^{self.iri(datatype)}'

    def integer(self, n: Any) -> str:  # replaced by the memo's __getitem__ in __init__
        """The text of :func:`_int` of ``n`` (an offset), memoised."""
        return self._ints[n]

    def _encode_integer(self, n: Any) -> str:
        lit = _int(n)
        return self.literal(lit.lex, lit.datatype, None)

    def term(self, term: Term) -> str:
        if isinstance(term, Lit):
            return self.literal(*term)
        return self.iri(term)


# -- subjects and their triples -------------------------------------------------
#
# The writers work subject by subject.  A triple of a subject is a tuple
# ``(predicate, 0, IRI, "", "")`` or ``(predicate, 1, lexical form, datatype or
# "", language or "")``: sorted, these tuples are in the order of the
# writers (by predicate, then IRIs before literals, literals by text), except
# that rdf:type goes first (:func:`_ordered`).  With the named graph as a sixth
# element such a tuple is a quad of the subject.

Pair = tuple[str, int, Any, str, str]
_ALL = object()  # every graph: the triples of the Turtle export


def _quad(p: str, o: Term, g: str | None) -> tuple:
    if isinstance(o, Lit):
        return (p, 1, o.lex, o.datatype or "", o.lang or "", g)
    return (p, 0, o, "", "", g)


def _ordered(pairs: Iterable[Pair]) -> list[Pair]:
    """The distinct pairs in the writers' order: rdf:type first, then as sorted."""
    out = sorted(set(pairs))
    i = bisect.bisect_left(out, (_TYPE,))
    if i and i < len(out) and out[i][0] == _TYPE:
        j = bisect.bisect_left(out, (_TYPE, 2))
        out = out[i:j] + out[:i] + out[j:]
    return out


class _QuadIndex:
    """Subjects and their quads, from any quads (rdflib graphs take this path)."""

    def __init__(self, quads: Iterable[Quad]) -> None:
        self._quads: dict[str, list[tuple]] = {}
        for s, p, o, g in quads:
            self._quads.setdefault(s, []).append(_quad(p, o, g))
        self.subjects = sorted(self._quads)

    def statement(self, s: str) -> None:
        return None

    def article(self, s: str) -> None:
        return None

    def subject_quads(self, s: str) -> list[tuple]:
        return self._quads[s]

    def pairs(self, s: str, g: Any = _ALL) -> list[Pair]:
        quads = self._quads[s]
        if g is _ALL:
            return _ordered(q[:5] for q in quads)
        return _ordered(q[:5] for q in quads if q[5] == g)

    def graphs(self) -> list[tuple[str | None, list[str]]]:
        by_graph: dict[str | None, set[str]] = {}
        for s, quads in self._quads.items():
            for q in quads:
                by_graph.setdefault(q[5], set()).add(s)
        return [(g, sorted(by_graph[g])) for g in sorted(by_graph, key=lambda g: (g is not None, g or ""))]


class _GraphIndex:
    """Subjects of the triples of a networkx knowledge graph, and where their triples come from.

    Building it costs one pass over the edges and evidences (the IRI of every
    reified statement is a SHA-1); it holds the sorted subjects and, per
    statement, the evidences it comes from, never the triples themselves:
    the writers generate each subject's triples when they write it, so memory
    stays at a few references per subject.  Most statements come from one
    evidence; the writers fill those in from a template instead of sorting
    their triples (:meth:`statement`).
    """

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        # statement IRI -> [(subject, rel, object, evidence, tail key)]
        self.statements: dict[str, list[tuple]] = {}
        # head -> [(predicate, tail)] of the direct relation triples
        self.relations: dict[Any, list[tuple[str, Any]]] = {}
        for key, data in graph.nodes(data=True):
            if data.get("kind") != "Article" and data.get("investment") is not None:
                for ev in data.get("investment_evidence", ()):
                    self._add(key, "investment", _decimal(ev["value"]), ev, ev["value"])
        for head, tail, rel, data in graph.edges(keys=True, data=True):
            rel = data.get("rel", rel)
            self.relations.setdefault(head, []).append((KG_NS + rel, tail))
            for ev in data.get("evidence", ()):
                self._add(head, rel, tail, ev, tail)
        subjects = set(graph.nodes)
        subjects.update(self.statements)
        self.subjects = sorted(subjects)
        self._node_graphs: dict[Any, dict[Any, list[Pair]]] = {}
        # statements of one evidence whose IRI is no node's: written from a template
        nodes = graph._node
        self._simple = {s: recipes[0] for s, recipes in self.statements.items()
                        if len(recipes) == 1 and s not in nodes}
        self.statement = self._simple.get
        # articles that are nothing else: no relations from them, not a statement
        self._articles = {key: data for key, data in nodes.items()
                          if data.get("kind") == "Article" and key not in self.relations
                          and key not in self.statements}
        self.article = self._articles.get

    def _add(self, subject: str, rel: str, obj: Term, ev: Mapping[str, Any], tail_key: str) -> None:
        s = _statement(subject, rel, tail_key, ev["article"], ev["start"], ev["end"])
        recipes = self.statements.get(s)
        if recipes is None:
            self.statements[s] = [(subject, rel, obj, ev, tail_key)]
        else:
            recipes.append((subject, rel, obj, ev, tail_key))

    def statement(self, s: str) -> tuple | None:  # replaced by a dict lookup in __init__
        """The one evidence ``s`` is the statement of, or ``None`` (several, or not a statement)."""
        return self._simple.get(s)

    def article(self, s: str) -> Mapping[str, Any] | None:  # replaced by a dict lookup in __init__
        """The data of article ``s`` if it has no other triples, else ``None``."""
        return self._articles.get(s)

    def subject_quads(self, s: Any) -> list[tuple]:
        """Every quad of subject ``s`` (the quads of :func:`iter_quads` with this subject)."""
        out = []
        if s in self.graph:
            data = self.graph.nodes[s]
            quads = (_article_quads(s, data) if data.get("kind") == "Article"
                     else _entity_own_quads(s, data))
            out = [_quad(p, o, g) for _, p, o, g in quads]
            for p, tail in self.relations.get(s, ()):
                out.append((p, 0, tail, "", "", None))
        for subject, rel, obj, ev, tail_key in self.statements.get(s, ()):
            out.extend(_quad(p, o, g) for _, p, o, g in _statement_quads(subject, rel, obj, ev, tail_key))
        return out

    def pairs(self, s: Any, g: Any = _ALL) -> list[Pair]:
        """The triples of ``s`` (in graph ``g``) in the writers' order."""
        if g is _ALL:
            return _ordered(q[:5] for q in self.subject_quads(s))
        if s not in self.graph:
            return _ordered(q[:5] for q in self.subject_quads(s) if q[5] == g)
        # A node has triples in the default graph and in the graph of every
        # article that mentions it: group them once.
        groups = self._node_graphs.get(s)
        if groups is None:
            grouped: dict[Any, list[Pair]] = {}
            for q in self.subject_quads(s):
                grouped.setdefault(q[5], []).append(q[:5])
            groups = self._node_graphs[s] = {name: _ordered(p) for name, p in grouped.items()}
        return groups.pop(g, [])

    def graphs(self) -> list[tuple[str | None, list[str]]]:
        """``(graph name, subjects)`` of the TriG export: the default graph first, then by IRI."""
        by_graph: dict[str | None, set[Any]] = {None: set(self.graph.nodes)}
        for key, data in self.graph.nodes(data=True):
            if data.get("kind") != "Article":
                for article in data.get("mentioned_in", ()):
                    by_graph.setdefault(article, set()).add(key)
        for s, recipes in self.statements.items():
            for recipe in recipes:
                by_graph.setdefault(recipe[3]["article"], set()).add(s)
        if not self.graph.number_of_nodes():
            del by_graph[None]
        return [(g, sorted(by_graph[g])) for g in sorted(by_graph, key=lambda g: (g is not None, g or ""))]


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


def _index(graph: nx.MultiDiGraph | Graph | _GraphIndex | _QuadIndex) -> _GraphIndex | _QuadIndex:
    """The subject index of a networkx or rdflib graph (an index is returned as it is)."""
    if isinstance(graph, (_GraphIndex, _QuadIndex)):
        return graph
    if isinstance(graph, Graph):
        return _QuadIndex(_from_rdflib(graph))
    return _GraphIndex(graph)


# -- blocks from a template ------------------------------------------------------
#
# Most subjects are reified statements of one evidence or articles without
# relations: their predicates are fixed and differ from one another, so the
# writers fill in a template per subject instead of sorting its triples.  A
# template is built once per writer and set of fields present; its lines are
# in the order the general path sorts them into, computed from the predicate
# IRIs (tests check both paths write the same bytes).

# field -> predicate, for a statement and for an article
_STATEMENT_FIELDS = {
    "type": _TYPE, "subject": _P["subject"], "predicate": _P["predicate"], "object": _P["object"],
    "derived": _P["derived"], "evidence": KG_NS + "evidence", "start": KG_NS + "start",
    "end": KG_NS + "end", "role": KG_NS + "role", "rule": KG_NS + "rule",
}
_ARTICLE_FIELDS = {
    "type": _TYPE, "title": _P["title"], "source": _P["source"], "start": KG_NS + "start",
    "end": KG_NS + "end", "date": _P["date"],
}
_FIELDS = {**_STATEMENT_FIELDS, **_ARTICLE_FIELDS}
_ARTICLE_TYPE = KG_NS + "Article"


def _statement_values(enc: _Encoder, s_text: str, recipe: tuple) -> dict[str, str]:
    """The texts of the objects of a statement of one evidence (the triples of :func:`_statement_quads`)."""
    subject, rel, obj, ev, _ = recipe
    iri = enc.iri
    values = {
        "S": s_text, "type": iri(_STATEMENT), "subject": iri(subject),
        "predicate": iri(KG_NS + rel),
        "object": enc.literal(*obj) if isinstance(obj, Lit) else iri(obj),
        "derived": iri(ev["article"]),
        "evidence": f'"{_escape_string(ev["text"])}"@{_ZH}',
        "start": enc.integer(ev["start"]), "end": enc.integer(ev["end"]),
    }
    role, rule = ev.get("role"), ev.get("rule")
    if role:
        values["role"] = f'"{_escape_string(role)}"@{_ZH}'
    if rule:
        values["rule"] = f'"{_escape_string(rule)}"'
    return values


def _article_values(enc: _Encoder, s_text: str, data: Mapping[str, Any]) -> dict[str, str]:
    """The texts of the objects of an article (the triples of :func:`_article_quads`)."""
    values = {
        "S": s_text, "type": enc.iri(_ARTICLE_TYPE),
        "title": f'"{_escape_string(data.get("title") or data.get("label") or "")}"@{_ZH}',
        "source": f'"{_escape_string(data["source"])}"',
        "start": enc.integer(data["start"]), "end": enc.integer(data["end"]),
    }
    if data.get("date"):
        values["date"] = enc.literal(*_date(data["date"]))
    return values


class _Templates(dict):
    """``%``-templates of a block, keyed by the fields present (``tuple(values)``)."""

    def __init__(self, build: Callable[[list[tuple[str, str]]], str]) -> None:
        super().__init__()
        self.build = build

    def __missing__(self, fields: tuple[str, ...]) -> str:
        text = self[fields] = self.build([(f, _FIELDS[f]) for f in fields if f != "S"])
        return text


def _turtle_templates(enc: _Encoder, indent: str) -> _Templates:
    def build(fields: list[tuple[str, str]]) -> str:
        # the order of _ordered: rdf:type first, then by predicate IRI
        fields.sort(key=lambda fp: (fp[1] != _TYPE, fp[1]))
        lines = [f"{enc.verb(p).replace('%', '%%')} %({f})s" for f, p in fields]
        return f"\n{indent}%(S)s\n{indent}    " + f" ;\n{indent}    ".join(lines) + " .\n"
    return _Templates(build)


def _ntriples_templates(enc: _Encoder) -> _Templates:
    def build(fields: list[tuple[str, str]]) -> str:
        # lines sorted as text; the predicates differ, so by "<predicate>"
        fields.sort(key=lambda fp: enc.iri(fp[1]))
        return "".join(f"%(S)s {enc.iri(p).replace('%', '%%')} %({f})s .\n" for f, p in fields)
    return _Templates(build)


def _statement_template_values(index: _GraphIndex | _QuadIndex, enc: _Encoder,
                               s: Any) -> dict[str, str] | None:
    """:func:`_template_values` in a named graph of the TriG export: no article is in one."""
    recipe = index.statement(s)
    return None if recipe is None else _statement_values(enc, enc.encode_iri(s), recipe)


def _template_values(index: _GraphIndex | _QuadIndex, enc: _Encoder, s: Any) -> dict[str, str] | None:
    """Values for the template of subject ``s``, or ``None`` when it takes the general path."""
    recipe = index.statement(s)
    if recipe is not None:
        return _statement_values(enc, enc.encode_iri(s), recipe)
    data = index.article(s)
    if data is not None:
        return _article_values(enc, enc.encode_iri(s), data)
    return None


# -- writers ------------------------------------------------------------------------

def _batched(texts: Iterable[str], size: int = _BATCH) -> Iterator[str]:
    """``texts`` joined into strings of ``size`` items each (fewer, larger writes)."""
    batch: list[str] = []
    for text in texts:
        batch.append(text)
        if len(batch) >= size:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def _write_chunks(path: str | os.PathLike[str], chunks: Iterable[str]) -> Path:
    with atomic_writer(path) as fh:
        for chunk in chunks:
            fh.write(chunk)
    return Path(path)


def _lines(chunks: Iterable[str]) -> Iterator[str]:
    """Lines (without newline) of text chunks that each end with a newline.

    No writer puts a raw line feed inside a line (literals use the one-line
    form), so splitting at ``\\n`` and nothing else gives the lines back.
    """
    for chunk in chunks:
        if chunk:
            yield from chunk[:-1].split("\n")


def _prefix_text(prefixes: Mapping[str, str]) -> str:
    return "".join(f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in prefixes.items())


def _subject_blocks(index: _GraphIndex | _QuadIndex, enc: _Encoder, subjects: Iterable[Any],
                    g: Any = _ALL, indent: str = "") -> Iterator[str]:
    """Turtle text of each subject: a blank line, the subject, then one
    predicate–object pair per line (``rdf:type`` first, then in order)."""
    templates = _turtle_templates(enc, indent)
    sep = f" ;\n{indent}    "
    verb, iri, literal = enc.verb, enc.iri, enc.literal
    template_values = _template_values if g is _ALL or g is None else _statement_template_values
    for s in subjects:
        values = template_values(index, enc, s)
        if values is not None:
            yield templates[tuple(values)] % values
            continue
        lines = [f"{verb(p)} {iri(x) if k == 0 else literal(x, dt, lang)}"
                 for p, k, x, dt, lang in index.pairs(s, g)]
        yield f"\n{indent}{iri(s)}\n{indent}    " + sep.join(lines) + " .\n"


def _turtle_chunks(graph: nx.MultiDiGraph | Graph | _GraphIndex | _QuadIndex,
                   prefixes: Mapping[str, str] | None = None) -> Iterator[str]:
    prefixes = dict(sorted((prefixes or PREFIXES).items()))
    index = _index(graph)
    enc = _Encoder(prefixes)
    yield _prefix_text(prefixes)
    yield from _batched(_subject_blocks(index, enc, index.subjects))


def generate_turtle(graph: nx.MultiDiGraph | Graph,
                    prefixes: Mapping[str, str] | None = None) -> Iterator[str]:
    """Lines (without newline) of the canonical Turtle of ``graph``.

    ``graph`` is a networkx knowledge graph (the fast path, no rdflib terms
    are built) or an rdflib graph; the same triples give the same lines.
    Subjects in IRI order, ``rdf:type`` first, then predicates and objects in
    order; one predicate–object pair per line.
    """
    yield from _lines(_turtle_chunks(graph, prefixes))


def serialize_turtle(graph: nx.MultiDiGraph | Graph, prefixes: Mapping[str, str] | None = None) -> str:
    """Canonical Turtle text of ``graph`` (see :func:`generate_turtle`)."""
    return "".join(_turtle_chunks(graph, prefixes))


def write_turtle(graph: nx.MultiDiGraph | Graph, path: str | os.PathLike[str]) -> Path:
    """Write the Turtle export of ``graph`` (networkx or rdflib) to ``path`` atomically, streamed.

    The bytes depend only on the graph's content: two runs, with any
    ``PYTHONHASHSEED``, write identical files.
    """
    return _write_chunks(path, _turtle_chunks(graph))


def _ntriples_blocks(index: _GraphIndex | _QuadIndex) -> Iterator[str]:
    enc = _Encoder(None)
    templates = _ntriples_templates(enc)
    iri, literal = enc.iri, enc.literal
    template_values = _template_values
    # Lines sorted by code point: "<s>" texts never are prefixes of one
    # another, so that is subjects by "<s>", then each subject's lines.
    for s in sorted(index.subjects, key=lambda s: s + ">"):
        values = template_values(index, enc, s)
        if values is not None:
            yield templates[tuple(values)] % values
            continue
        lines = sorted({f"{iri(p)} {iri(x) if k == 0 else literal(x, dt, lang)}"
                        for p, k, x, dt, lang, _ in index.subject_quads(s)})
        head = iri(s) + " "
        yield head + (" .\n" + head).join(lines) + " .\n"


def _ntriples_chunks(graph: nx.MultiDiGraph | Graph | _GraphIndex | _QuadIndex) -> Iterator[str]:
    return _batched(_ntriples_blocks(_index(graph)))


def generate_ntriples(graph: nx.MultiDiGraph | Graph) -> Iterator[str]:
    """Lines (without newline) of the canonical N-Triples of ``graph``.

    Each triple once, lines sorted by code point (which is UTF-8 byte order,
    so ``LC_ALL=C sort`` agrees); full IRIs, UTF-8 text, and the escapes of
    the RDF canonical N-Triples form.
    """
    yield from _lines(_ntriples_chunks(graph))


def write_ntriples(graph: nx.MultiDiGraph | Graph, path: str | os.PathLike[str]) -> Path:
    """Write the N-Triples export of ``graph`` to ``path`` atomically, streamed."""
    return _write_chunks(path, _ntriples_chunks(graph))


def _trig_chunks(graph: nx.MultiDiGraph | _GraphIndex,
                 prefixes: Mapping[str, str] | None = None) -> Iterator[str]:
    prefixes = dict(sorted((prefixes or PREFIXES).items()))
    index = _index(graph)
    enc = _Encoder(prefixes)
    yield _prefix_text(prefixes)
    # The default graph in braces, not bare: raptor's TriG parser (rapper
    # 2.0.15) accepts only triples inside a graph block.
    for name, subjects in index.graphs():
        yield "\n{\n" if name is None else f"\n{enc.iri(name)} {{\n"
        yield from _batched(_subject_blocks(index, enc, subjects, name, indent="    "))
        yield "}\n"


def generate_trig(graph: nx.MultiDiGraph, prefixes: Mapping[str, str] | None = None) -> Iterator[str]:
    """Lines (without newline) of the canonical TriG of ``graph``.

    The default graph (the first ``{ … }`` block) holds entities, articles
    and direct relations; each article has a named graph, named by the
    article's IRI, with the ``kg:mentionedIn`` triples pointing to it and
    the reified statements derived from it.  Graphs in IRI order, each laid
    out like :func:`generate_turtle`; the union of all graphs is the graph
    of the Turtle export.
    """
    yield from _lines(_trig_chunks(graph, prefixes))


def write_trig(graph: nx.MultiDiGraph, path: str | os.PathLike[str]) -> Path:
    """Write the TriG export (one named graph per article) of ``graph`` to ``path`` atomically, streamed."""
    return _write_chunks(path, _trig_chunks(graph))
