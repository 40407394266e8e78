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
import itertools
import operator
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple, Union

import networkx as nx
from rdflib import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef

from kg.errors import ExportError
from kg.export import _gc_paused, atomic_writer
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
_EOL = " .\n"  # the end of a triple
_AT_ZH = f'"@{_ZH}'  # the end of a literal @zh
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
_STATEMENT_NS = ID_NS + "statement/"  # every statement IRI starts so (_statement)


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
    return f"{_STATEMENT_NS}{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}"


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
# Subject blocks per write: about 1 MB of text.
_BATCH = 1500
# Bytes of entity blocks per write, about: entities mentioned in thousands of
# articles are megabytes each, and they sort together (a 100 MB corpus held 75 MB).
_BATCH_BYTES = 1 << 20


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
        self.namespaces = tuple(self.prefixes.values())
        self._iris = _Memo(self.encode_iri)
        self.iri = self._iris.__getitem__
        self._verbs: dict[str, str] = {}
        self._ints = _Memo(self._encode_integer)
        self.integer = self._ints.__getitem__
        # the same as UTF-8, for the writers that build bytes
        self.iri_bytes = _Memo(lambda value: self.iri(value).encode("utf-8")).__getitem__
        self.integer_bytes = _Memo(lambda n: self.integer(n).encode("utf-8")).__getitem__
        self.verb_bytes = _Memo(lambda p: self.verb(p).encode("utf-8")).__getitem__

    def iri(self, value: str) -> str:  # replaced by the memo's __getitem__ in __init__
        return self._iris[value]

    def encode_iri(self, value: str) -> str:
        """The text of an IRI, not memoised (for IRIs seen once, such as statements)."""
        if not value.startswith(self.namespaces):
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
        self.relations: dict[str, list] = {}  # none known: entity() is always None

    def statement(self, s: str) -> None:
        return None

    def article(self, s: str) -> None:
        return None

    def entity(self, s: str) -> None:
        return None

    def bare_iris(self, namespaces: tuple[str, ...]) -> bool:
        return False

    def subject_quads(self, s: str) -> list[tuple]:
        return self._quads[s]

    def pairs(self, s: str, g: Any = _ALL) -> list[Pair]:
        quads = self._quads[s]
        if g is _ALL:
            return _ordered(q[:5] for q in quads)
        return _ordered(q[:5] for q in quads if q[5] == g)

    def graphs(self) -> list[tuple[str | None, list[str], list[str]]]:
        by_graph: dict[str | None, set[str]] = {}
        for s, quads in self._quads.items():
            for q in quads:
                by_graph.setdefault(q[5], set()).add(s)
        return [(g, sorted(by_graph[g]), []) for g in sorted(by_graph, key=lambda g: (g is not None, g or ""))]


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
        # statement IRI -> the recipe of its one evidence, written from a
        # template (:meth:`statement`), or None for statements of several
        # evidences and those whose IRI is a node's too, whose recipes are in
        # _many: IRI -> [recipes].  A recipe is (subject, rel, object, evidence,
        # tail key) and the evidence's text, role, rule, article, start, end:
        # read here, in the order the graph holds them, not when the writers
        # get to the statement in IRI order (a cache miss or two each).
        self._one: dict[str, tuple] = {}
        self._many: dict[str, list[tuple]] = {}
        # head -> [(predicate, tail)] of the direct relation triples
        self.relations: dict[Any, list[tuple[str, Any]]] = {}
        one, sha1 = self._one, hashlib.sha1
        nodes = graph._node
        relations, own_names, predicates = self.relations, _OWN_NAMES, _Memo(lambda rel: KG_NS + rel)
        general = set()  # heads of a relation named like an entity's own predicate
        # the adjacency as MultiDiGraph.edges(keys=True, data=True) walks it;
        # the loop inlines _add (it runs once per evidence)
        for head, tails in graph._adj.items():
            if not tails:
                continue
            head_relations = relations[head] = []
            for tail, edges in tails.items():
                for rel, data in edges.items():
                    rel = data.get("rel", rel)
                    head_relations.append((predicates[rel], tail))
                    if rel in own_names:
                        general.add(head)
                    for ev in data.get("evidence", ()):
                        article, start, end = ev["article"], ev["start"], ev["end"]
                        digest = sha1(f"{head}|{rel}|{tail}|{article}|{start}|{end}".encode("utf-8"))
                        s = f"{_STATEMENT_NS}{digest.hexdigest()[:16]}"  # as _statement
                        recipe = (head, rel, tail, ev, tail, ev["text"], ev.get("role"), ev.get("rule"),
                                  article, start, end)
                        if one.setdefault(s, recipe) is not recipe:
                            self._share(s, recipe)
        # Entities that are nothing else (not a statement; no relation named
        # like one of their own predicates), written by _entity_block from
        # (kind, label, aliases, mentions, investment, relations, data), read
        # here for the same reason as the recipes; articles that are nothing
        # else (no relations, not a statement).
        entities: dict[Any, tuple] = {}
        articles: dict[Any, Mapping[str, Any]] = {}
        for key, data in nodes.items():
            kind = data.get("kind")
            if kind == "Article":
                if key not in relations:
                    articles[key] = data
                continue
            investment = data.get("investment")
            if investment is not None:
                for ev in data.get("investment_evidence", ()):
                    self._add(key, "investment", _decimal(ev["value"]), ev, ev["value"])
            if kind is not None and "label" in data and key not in general:
                entities[key] = (kind, data["label"], data.get("aliases"), data.get("mentioned_in"),
                                 investment, relations.get(key), data)
        subjects = list(nodes)
        subjects += one
        if not nodes.keys().isdisjoint(one):
            for s in nodes.keys() & one.keys():  # a statement IRI that is a node
                self._share(s)
                entities.pop(s, None)
                articles.pop(s, None)
            subjects = list(set(subjects))
        subjects.sort()
        self.subjects = subjects
        self._node_graphs: dict[Any, dict[Any, list[Pair]]] = {}
        self.statement = one.get
        self._articles, self.article = articles, articles.get
        self._entities, self.entity = entities, entities.get
        self._bare: dict[tuple[str, ...], bool] = {}

    def _add(self, subject: str, rel: str, obj: Term, ev: Mapping[str, Any], tail_key: str) -> None:
        article, start, end = ev["article"], ev["start"], ev["end"]
        s = _statement(subject, rel, tail_key, article, start, end)
        recipe = (subject, rel, obj, ev, tail_key, ev["text"], ev.get("role"), ev.get("rule"),
                  article, start, end)
        if self._one.setdefault(s, recipe) is not recipe:
            self._share(s, recipe)

    def _share(self, s: str, recipe: tuple | None = None) -> None:
        """Statement ``s`` takes the general path (from :meth:`recipes`); add ``recipe`` to it."""
        recipes = self._many.setdefault(s, [])
        first = self._one[s]
        if first is not None:
            recipes.append(first)
            self._one[s] = None  # kept as a subject, no longer from a template
        if recipe is not None:
            recipes.append(recipe)

    def recipes(self, s: str) -> list[tuple]:
        """The evidences statement ``s`` comes from (empty if ``s`` is no statement)."""
        recipe = self._one.get(s)
        return [recipe] if recipe is not None else self._many.get(s, [])

    def statement(self, s: str) -> tuple | None:  # replaced by a dict lookup in __init__
        """The one evidence ``s`` is the statement of, or ``None`` (several, or not a statement)."""
        return self._one.get(s)

    def bare_iris(self, namespaces: tuple[str, ...]) -> bool:
        """Whether every node is an IRI written ``<iri>``: allowed in RDF, under none of ``namespaces``."""
        bare = self._bare.get(namespaces)
        if bare is None:
            nodes = self.graph._node
            try:
                text = "".join(nodes)
            except TypeError:  # not all strings
                bare = False
            else:
                bare = not (_IRI_FORBIDDEN.search(text) or _SURROGATE.search(text)
                            or any(map(operator.methodcaller("startswith", namespaces), nodes)))
            self._bare[namespaces] = bare
        return bare

    def article(self, s: str) -> Mapping[str, Any] | None:  # replaced by a dict lookup in __init__
        """The data of article ``s`` if it has no other triples, else ``None``."""
        return self._articles.get(s)

    def entity(self, s: Any) -> tuple | None:  # replaced by a dict lookup in __init__
        """The record of entity ``s`` (see ``__init__``) if the entity fast path can write it, else ``None``."""
        return self._entities.get(s)

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
        for subject, rel, obj, ev, tail_key, *_ in self.recipes(s):
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

    def graphs(self) -> list[tuple[str | None, list[str], list[str]]]:
        """``(graph name, subjects, mentions)`` of the TriG export: the default graph first, then by IRI.

        ``mentions`` are entities whose one triple in the graph is their
        ``kg:mentionedIn`` (written in bulk), the ``subjects`` all others.
        When ``mentions`` is not empty, the subjects are statements, whose
        IRIs all start with ``_STATEMENT_NS`` and no mention's does.
        """
        nodes = self.graph._node
        split = (nodes.keys().isdisjoint(self._many)  # no statement IRI is a node's
                 and not any(map(operator.methodcaller("startswith", _STATEMENT_NS), nodes)))
        mentions: dict[str, list[Any]] = {}
        statements: dict[str, list[str]] = {}
        for key, data in nodes.items():
            if data.get("kind") != "Article":
                for article in data.get("mentioned_in", ()):
                    group = mentions.get(article)
                    if group is None:
                        mentions[article] = [key]
                    else:
                        group.append(key)
        for s, recipe in self._one.items():
            if recipe is not None:
                statements.setdefault(recipe[8], []).append(s)
        for s, recipes in self._many.items():  # no statement is in both
            for article in {recipe[8] for recipe in recipes}:
                statements.setdefault(article, []).append(s)
        out: list[tuple[str | None, list[str], list[str]]] = []
        if nodes:
            # the nodes in order: self.subjects without the statements
            out.append((None, list(filter(nodes.__contains__, self.subjects)), []))
        for name in sorted(mentions.keys() | statements.keys()):
            if split:
                # each statement once per graph already; an entity may list an article twice
                out.append((name, sorted(statements.get(name, ())), sorted(set(mentions.get(name, ())))))
            else:
                out.append((name, sorted({*statements.get(name, ()), *mentions.get(name, ())}), []))
        return out


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


# -- blocks without sorting ---------------------------------------------------------
#
# Nearly every subject is an entity, a reified statement of one evidence or an
# article without relations, and the writers write those without building
# and sorting their triples.  A statement's predicates are fixed and
# written in the order the general path sorts them into
# (_TURTLE_STATEMENT_ORDER, _NTRIPLES_STATEMENT_ORDER); an article's are
# put in order by an itemgetter sorted once per writer; an entity's
# (_entity_block) are fixed but for its relations, and only its few
# objects per predicate are sorted.  The fast paths join UTF-8
# from encoded pieces (the subject of an N-Triples line repeats on every
# line; encoding the whole text took a sixth of the time), each line built
# with what ends it (" .\n" in N-Triples), so that a block is one join: in
# N-Triples with the subject as the separator, b"<s> ".join((b"", line, …)).
# Tests check that both paths write the same bytes.

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


class _Templates(dict):
    """``%``-templates of a block, keyed by the fields present (``tuple(values)``)."""

    def __init__(self, build: Callable[[list[tuple[str, str]]], str]) -> None:
        super().__init__()
        self.build = build

    def __missing__(self, fields: tuple[str, ...]) -> str:
        text = self[fields] = self.build([(f, _FIELDS[f]) for f in fields if f != "S"])
        return text


def _braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _statement_lines(enc: _Encoder, verb: Callable[[str], bytes], ntriples: bool, bare: bool,
                     sep: bytes, last: bytes) -> Callable[[tuple, bytes], tuple[bytes, ...]]:
    """The ``predicate object`` texts (UTF-8) of a statement of one evidence (the
    triples of :func:`_statement_quads`) from its recipe, in the order of
    :data:`_NTRIPLES_STATEMENT_ORDER` or :data:`_TURTLE_STATEMENT_ORDER`, after
    ``lead``: ``lines(recipe, lead)`` is ``(lead, line, …, line)``.

    Every line ends with what follows it in the block: ``sep`` (`` ;`` and the
    indent of the next line in Turtle, `` .`` and a newline in N-Triples), and
    the last one (``kg:start`` in both orders) with ``last``; so one join makes
    the block, ``b"".join`` in Turtle (``lead`` is the subject), or in
    N-Triples a join with the subject between the lines (``lead`` is ``b""``).
    A line whose object repeats (a relation, tail, article, offset, rule) is
    memoised whole; ``bare``: write the subject (a node) ``<iri>`` without a
    lookup, see :meth:`_GraphIndex.bare_iris`.
    """
    iri, literal, integer, search, esc = enc.iri_bytes, enc.literal, enc.integer_bytes, _SPECIAL.search, _escape_string
    verbs = {f: verb(p) + b" " for f, p in _STATEMENT_FIELDS.items()}
    quote, at_zh = b'"', _AT_ZH.encode() + sep
    type_line = verbs["type"] + iri(_STATEMENT) + sep
    objects = _Memo(lambda tail: verbs["object"] + iri(tail) + sep)
    predicates = _Memo(lambda rel: verbs["predicate"] + iri(KG_NS + rel) + sep)
    derived = _Memo(lambda article: verbs["derived"] + iri(article) + sep)
    ends = _Memo(lambda n: verbs["end"] + integer(n) + sep)
    starts = _Memo(lambda n: verbs["start"] + integer(n) + last)
    rules = _Memo(lambda rule: verbs["rule"] + quote + esc(rule).encode("utf-8") + quote + sep)
    evidence_verb, role_verb = verbs["evidence"] + quote, verbs["role"] + quote
    subject_verb, subject_open, subject_close = verbs["subject"], verbs["subject"] + b"<", b">" + sep

    def lines(recipe: tuple, lead: bytes) -> tuple[bytes, ...]:
        subject, rel, obj, _, _, text, role, rule, article, start, end = recipe
        if search(text):
            text = esc(text)
        obj = objects[obj] if obj.__class__ is str else verbs["object"] + literal(*obj).encode("utf-8") + sep
        subject = subject_open + subject.encode() + subject_close if bare else subject_verb + iri(subject) + sep
        head = ((lead, obj, predicates[rel], subject, type_line) if ntriples
                else (lead, type_line, obj, predicates[rel], subject))
        if role:
            role = role_verb + esc(role).encode("utf-8") + at_zh
            tail = (role, rules[rule], starts[start]) if rule else (role, starts[start])
        else:
            tail = (rules[rule], starts[start]) if rule else (starts[start],)
        return head + (derived[article], ends[end], evidence_verb + text.encode("utf-8") + at_zh) + tail

    return lines


def _turtle_statement(index: _GraphIndex | _QuadIndex, enc: _Encoder,
                      indent: str) -> Callable[[str, tuple], bytes]:
    """The Turtle block of a statement of one evidence as UTF-8 (see :func:`_statement_lines`)."""
    lines = _statement_lines(enc, enc.verb_bytes, False, index.bare_iris(enc.namespaces),
                             f" ;\n{indent}    ".encode(), _EOL.encode())
    opening, first = f"\n{indent}<", f">\n{indent}    "
    # Statement IRIs are _STATEMENT_NS + hex digits (_statement): "<s>", unless a prefix covers them.
    enc.encode_iri(_STATEMENT_NS)  # checked once
    plain = not any(ns.startswith(_STATEMENT_NS) or _STATEMENT_NS.startswith(ns) for ns in enc.namespaces)

    def block(s: str, recipe: tuple) -> bytes:
        lead = (opening + s + first if plain else f"\n{indent}{enc.encode_iri(s)}\n{indent}    ").encode()
        return b"".join(lines(recipe, lead))

    return block


def _ntriples_statement(index: _GraphIndex | _QuadIndex, enc: _Encoder) -> Callable[[str, tuple], bytes]:
    """The N-Triples lines of a statement of one evidence as UTF-8 (see :func:`_statement_lines`)."""
    # every node is an IRI in N-Triples; statement IRIs are "<s>"
    eol = _EOL.encode()
    lines = _statement_lines(enc, enc.iri_bytes, True, index.bare_iris(()), eol, eol)

    def block(s: str, recipe: tuple) -> bytes:
        return ("<" + s + "> ").encode().join(lines(recipe, b""))

    return block


# The order of the lines of a statement (what the general path sorts them
# into, tests check): Turtle puts rdf:type first, then sorts by predicate IRI;
# N-Triples sorts the lines, i.e. by "<predicate>".
_TURTLE_STATEMENT_ORDER = ("type", "object", "predicate", "subject", "derived", "end", "evidence",
                           "role", "rule", "start")
_NTRIPLES_STATEMENT_ORDER = ("object", "predicate", "subject", "type", "derived", "end", "evidence",
                             "role", "rule", "start")


#: The fields of an article's lines, in the order :func:`_article_block` builds them.
_ARTICLE_LINES = ("type", "title", "source", "start", "end", "date")


def _article_block(index: _GraphIndex | _QuadIndex, enc: _Encoder, ntriples: bool,
                   indent: str = "") -> Callable[[Any, Mapping[str, Any]], bytes]:
    """The text (UTF-8) of an article with no other triples (the triples of :func:`_article_quads`).

    The lines are built in the order of :data:`_ARTICLE_LINES` and put into
    the writer's order by an ``itemgetter`` sorted once (Turtle: ``rdf:type``
    first, then by predicate IRI; N-Triples: by "<predicate>"); N-Triples
    lines end with `` .`` and a newline and are joined with the subject
    between them, as in :func:`_entity_block`.
    """
    verb = enc.iri_bytes if ntriples else enc.verb_bytes
    iri, integer, esc = enc.iri_bytes, enc.integer_bytes, _escape_string
    end = _EOL.encode() if ntriples else b""
    verbs = {f: verb(p) + b" " for f, p in _ARTICLE_FIELDS.items()}
    type_line = verbs["type"] + iri(_ARTICLE_TYPE) + end
    title, source = verbs["title"] + b'"', verbs["source"] + b'"'
    at_zh, closing = _AT_ZH.encode() + end, b'"' + end
    starts = _Memo(lambda n: verbs["start"] + integer(n) + end)
    ends = _Memo(lambda n: verbs["end"] + integer(n) + end)
    dates = _Memo(lambda date: verbs["date"] + enc.literal(*_date(date)).encode("utf-8") + end)
    # N-Triples lines sort by "<predicate>" (the predicates differ); Turtle has rdf:type first (_ordered)
    keys = [enc.iri(p) if ntriples else (p != _TYPE, p) for p in map(_ARTICLE_FIELDS.get, _ARTICLE_LINES)]
    plain, dated = (operator.itemgetter(*sorted(range(n), key=keys.__getitem__)) for n in (5, 6))
    opening, first, sep, eol = (text.encode() for text in (f"\n{indent}", f"\n{indent}    ",
                                                           f" ;\n{indent}    ", _EOL))
    bare = index.bare_iris(() if ntriples else enc.namespaces)  # see _turtle_statement

    def block(s: Any, data: Mapping[str, Any]) -> bytes:
        date = data.get("date")
        lines = (type_line, title + esc(data.get("title") or data.get("label") or "").encode("utf-8") + at_zh,
                 source + esc(data["source"]).encode("utf-8") + closing, starts[data["start"]],
                 ends[data["end"]], dates[date] if date else b"")
        lines = (dated if date else plain)(lines)
        subject = b"<" + s.encode() + b">" if bare else iri(s)
        if ntriples:
            return (subject + b" ").join((b"", *lines))
        return b"".join((opening, subject, first, sep.join(lines), eol))

    return block


# -- entity nodes ------------------------------------------------------------------
#
# An entity's predicates are fixed except its relations: rdf:type, rdfs:label,
# skos:altLabel, then kg: predicates (every vocabulary IRI sorts before the
# kg: namespace, "http:" < "https:"), among which the relations fall by name.
# Each predicate's objects are all IRIs or all literals, so sorting them alone
# gives the order of _ordered (Turtle: raw values) or of sorted lines
# (N-Triples: the text of the objects).  A relation named like one of the
# entity's own kg: predicates would mix IRIs and literals under one predicate:
# such heads take the general path (_OWN_NAMES).

_LABEL, _ALT = _P["label"], _P["altLabel"]
_MENTIONED, _LEVEL, _ADCODE, _INVESTMENT = (KG_NS + name for name in (
    "mentionedIn", "level", "adcode", "investment"))
_OWN_NAMES = frozenset({"mentionedIn", "level", "adcode", "investment"})


#: Mentions from which an entity's ``kg:mentionedIn`` lines are joined as text in one go.
_MANY_MENTIONS = 16


def _entity_block(index: _GraphIndex, enc: _Encoder, ntriples: bool, indent: str = "",
                  mentions: bool = True) -> Callable[[Any, tuple], bytes]:
    """The block of an entity as UTF-8, as the general path writes it: the Turtle
    block of :func:`_subject_blocks` (predicates by IRI, each one's objects by
    value), without ``kg:mentionedIn`` when ``mentions`` is false (the default
    graph of the TriG export); or, with ``ntriples``, the N-Triples lines of
    :func:`_ntriples_blocks` (lines sorted, i.e. predicates by "<p>", each one's
    objects as text; UTF-8 sorts as code points do).

    N-Triples lines are built with their `` .`` and newline, and the block is
    one join with the subject between them (no line is a prefix of another,
    so the ends do not change their order).  The ``kg:mentionedIn`` lines of
    an entity of at least :data:`_MANY_MENTIONS` articles (the main city of
    a large corpus has a hundred thousand) are joined as text in one piece,
    with no lookup per article, when every article is written ``<iri>``."""
    verb = enc.iri_bytes if ntriples else enc.verb_bytes
    iri, literal, esc, search = enc.iri_bytes, enc.literal, _escape_string, _SPECIAL.search
    # what ends a line: the block joins Turtle lines with " ;", N-Triples lines with the subject
    end = _EOL.encode() if ntriples else b""
    types = _Memo(lambda kind: verb(_TYPE) + b" " + iri(KG_NS + kind) + end)
    label, alt = verb(_LABEL) + b' "', verb(_ALT) + b' "'
    mentioned, level, adcode, invested = (verb(p) + b" " for p in (_MENTIONED, _LEVEL, _ADCODE,
                                                                       _INVESTMENT))
    rel_verbs = _Memo(lambda p: verb(p) + b" ")
    rel_lines = _Memo(lambda rel: rel_verbs[rel[0]] + iri(rel[1]) + end)  # (predicate, tail) -> line
    mention_lines = _Memo(lambda article: mentioned + iri(article) + end)
    # the keys groups sort by: the predicate's IRI (Turtle) or its text (N-Triples)
    if ntriples:
        keys = (mentioned, level, adcode, invested)
        before_mentions = _Memo(lambda p: iri(p) < iri(_MENTIONED))  # a relation's line
    else:
        keys = (_MENTIONED, _LEVEL, _ADCODE, _INVESTMENT)
        before_mentions = _Memo(lambda p: p < _MENTIONED)
    by_mentioned, by_level, by_adcode, by_investment = keys
    start, first, sep = (text.encode() for text in (f"\n{indent}", f"\n{indent}    ", f" ;\n{indent}    "))
    quote, closing, at_zh, eol = b'"', b'"' + end, _AT_ZH.encode() + end, _EOL.encode()
    bare = index.bare_iris(() if ntriples else enc.namespaces)  # see _turtle_statement
    space = " " if ntriples else ""  # after the subject
    # many mention lines as text: "<open><article><close>", each but the last one followed
    # by the subject (N-Triples) or " ;" (Turtle)
    mention_open, mention_close = (mentioned + b"<").decode("utf-8"), ">" + end.decode()
    namespaces = () if ntriples else enc.namespaces
    plain: set[str] = set()  # articles checked to be written "<iri>"

    def mention_text(articles: list[str], between: str) -> bytes | None:
        """The lines of ``articles`` in one piece, or ``None`` if one is not written ``<iri>``."""
        if not plain.issuperset(articles):
            fresh = set(articles).difference(plain)
            try:
                text = "".join(fresh)
            except TypeError:  # not all strings
                return None
            if (_IRI_FORBIDDEN.search(text) or _SURROGATE.search(text)
                    or any(map(str.startswith, fresh, itertools.repeat(namespaces)))):
                return None  # the lookups write prefixed names and raise the errors
            plain.update(fresh)
        # mentioned_in is sorted as a rule: sorting it is one pass (a set's order is not)
        ordered = sorted(articles)
        if any(map(str.startswith, itertools.islice(ordered, 1, None), ordered)):
            # a duplicate, or an article that is a prefix of the next one
            ordered = list(dict.fromkeys(ordered))
            if ntriples:
                ordered = _ntriples_order(ordered)  # lines sort as "<article>"
        between = mention_close + between + mention_open
        return (mention_open + between.join(ordered) + mention_close).encode("utf-8")

    def block(s: Any, record: tuple) -> bytes:
        kind, text, aliases, articles, investment, rels, data = record
        if search(text):
            text = esc(text)
        subject = f"<{s}>{space}".encode() if bare else iri(s) + space.encode()
        label_line = label + text.encode("utf-8") + at_zh
        # N-Triples: b"" first, for the subject before the first line too
        out = [b"", types[kind], label_line] if ntriples else [types[kind], label_line]
        if aliases:
            if len(aliases) > 1 and not ntriples:
                aliases = sorted(set(aliases))
            if search("".join(aliases)):
                aliases = [esc(a) for a in aliases]
            if ntriples:
                out += sorted({alt + a.encode("utf-8") + at_zh for a in aliases})
            else:
                out += [alt + a.encode("utf-8") + at_zh for a in aliases]
        if articles and mentions:
            if len(articles) == 1:
                articles = [mention_lines[a] for a in articles]
            else:
                many = None
                if len(articles) >= _MANY_MENTIONS:
                    many = mention_text(articles, subject.decode("utf-8") if ntriples else sep.decode())
                if many is not None:
                    articles = [many]
                elif ntriples:
                    articles = sorted({mention_lines[a] for a in articles})
                else:
                    articles = [mention_lines[a] for a in sorted(set(articles))]
        else:
            articles = None
        if kind != "Division" and investment is None and (not rels or len(rels) == 1):
            # the usual entity: mentions and at most one relation, no groups to sort
            if rels:
                line = rel_lines[rels[0]]
                if not articles:
                    out.append(line)
                elif before_mentions[rels[0][0]]:
                    out.append(line)
                    out += articles
                else:
                    out += articles
                    out.append(line)
            elif articles:
                out += articles
        else:
            groups: list[tuple[Any, list[bytes]]] = []
            if articles:
                groups.append((by_mentioned, articles))
            if kind == "Division":
                if data.get("level"):
                    groups.append((by_level, [level + quote + esc(data["level"]).encode("utf-8") + closing]))
                if data.get("adcode"):
                    groups.append((by_adcode, [adcode + quote + esc(data["adcode"]).encode("utf-8") + closing]))
            if investment is not None:
                groups.append((by_investment, [invested + literal(*_decimal(investment)).encode() + end]))
            if rels:
                if len(rels) == 1:
                    p, tail = rels[0]
                    v = rel_verbs[p]
                    groups.append((v if ntriples else p, [v + iri(tail) + end]))
                else:
                    tails: dict[str, set] = {}
                    for p, tail in rels:
                        tails.setdefault(p, set()).add(tail)
                    for p, objects in tails.items():
                        v = rel_verbs[p]
                        if ntriples:
                            groups.append((v, sorted({v + iri(t) + end for t in objects})))
                        else:
                            groups.append((p, [v + iri(t) for t in sorted(objects)]))
            if len(groups) > 1:
                groups.sort()  # predicates differ: the lines are never compared
            for _, lines in groups:
                out += lines
        if ntriples:
            return subject.join(out)
        return b"".join((start, subject, first, sep.join(out), eol))

    return block


def _ntriples_order(subjects: list[str]) -> list[str]:
    """Sorted ``subjects`` in the order of their texts ``<s>`` (N-Triples lines sort by code point).

    The orders differ only where a subject is a prefix of another (``…-1``
    before ``…-10`` as strings, after it as ``<…-1>``, since "0" < ">").  In
    sorted order the subjects that start with a subject follow it at once,
    so each such run is sorted again on its own; the others stay in place
    and no key per subject is built.
    """
    # i where subjects[i + 1] starts with subjects[i] (found in C)
    marks = itertools.compress(range(len(subjects) - 1),
                               map(str.startswith, itertools.islice(subjects, 1, None), subjects))
    first = next(marks, None)
    if first is None:
        return subjects
    return _ntriples_runs(subjects, itertools.chain((first,), marks))


def _ntriples_runs(subjects: list[str], marks: Iterable[int]) -> list[str]:
    out: list[str] = []
    done = 0
    for i in marks:
        if i < done:  # inside the run just written
            continue
        head = subjects[i]
        j = i + 1
        while j < len(subjects) and subjects[j].startswith(head):
            j += 1
        out += subjects[done:i]  # copied in C, not yielded one by one
        out += sorted(subjects[i:j], key=lambda s: s + ">")
        done = j
    out += subjects[done:]
    return out


# -- writers ------------------------------------------------------------------------

def _write_chunks(path: str | os.PathLike[str], chunks: Iterable[list[bytes] | bytes]) -> Path:
    # A list of blocks goes to the file's buffer as it is: joined, the large
    # pieces of a big export fragment the heap (a 150 MB N-Triples export
    # grew the process by 150 MB).
    with _gc_paused(), atomic_writer(path, "binary") as fh:
        for chunk in chunks:
            if isinstance(chunk, list):
                fh.writelines(chunk)
            else:
                fh.write(chunk)
    return Path(path)


def _text(chunks: Iterable[list[bytes] | bytes]) -> Iterator[str]:
    """The chunks of a writer as text."""
    for chunk in chunks:
        yield (b"".join(chunk) if isinstance(chunk, list) else chunk).decode("utf-8")


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


class _TurtleBlocks:
    """The fast-path block writers (UTF-8) of one Turtle or TriG export (built
    once: a TriG export writes thousands of graphs)."""

    def __init__(self, index: _GraphIndex | _QuadIndex, enc: _Encoder, indent: str = "") -> None:
        self.statement = _turtle_statement(index, enc, indent)
        self.article = _article_block(index, enc, False, indent)
        self.entity = _entity_block(index, enc, False, indent, mentions=True)
        self.entity_without_mentions = _entity_block(index, enc, False, indent, mentions=False)


def _blocks(subjects: Iterable[Any], statement: Callable[[Any], tuple | None],
            statement_block: Callable[[Any, tuple], bytes], entity: Callable[[Any], tuple | None],
            entity_block: Callable[[Any, tuple], bytes], article: Callable[[Any], Mapping[str, Any] | None],
            article_block: Callable[[Any, Mapping[str, Any]], bytes],
            general_block: Callable[[Any], bytes]) -> Iterator[list[bytes]]:
    """The block (UTF-8) of each of ``subjects``: a statement's, an entity's or an
    article's on the fast paths (``statement``, ``entity``, ``article`` give their
    records), else the general path's; yielded in lists of :data:`_BATCH`
    subjects, or fewer of about :data:`_BATCH_BYTES` (see :func:`_write_chunks`)."""
    out: list[bytes] = []
    append = out.append
    size = 0  # bytes of the entity and general blocks in out
    for s in subjects:
        # one lookup for most subjects (a cache miss on a big graph): every
        # statement's IRI starts with _STATEMENT_NS
        recipe = statement(s) if s.startswith(_STATEMENT_NS) else None
        data = entity(s) if recipe is None else None
        if recipe is not None:
            append(statement_block(s, recipe))
        elif data is not None:
            append(entity_block(s, data))
            size += len(out[-1])
        else:
            data = article(s)
            if data is not None:
                append(article_block(s, data))
            else:
                append(general_block(s))
                size += len(out[-1])
        if len(out) >= _BATCH or size >= _BATCH_BYTES:
            yield out
            out = []
            append = out.append
            size = 0
    if out:
        yield out


def _subject_blocks(index: _GraphIndex | _QuadIndex, enc: _Encoder, subjects: Iterable[Any],
                    g: Any = _ALL, indent: str = "", blocks: _TurtleBlocks | None = None) -> Iterator[list[bytes]]:
    """Turtle text (UTF-8) of each subject: a blank line, the subject, then one
    predicate–object pair per line (``rdf:type`` first, then in order);
    yielded in lists of :data:`_BATCH` subjects (see :func:`_write_chunks`)."""
    if blocks is None:
        blocks = _TurtleBlocks(index, enc, indent)
    statement_block = blocks.statement
    sep = f" ;\n{indent}    "
    verb, iri, literal = enc.verb, enc.iri, enc.literal
    entity, statement = index.entity, index.statement
    if g is _ALL or g is None:
        article, article_block = index.article, blocks.article
        entity_block = blocks.entity if g is _ALL else blocks.entity_without_mentions
    else:
        # no article is in a named graph, and an entity has one triple there: its mention
        article, article_block = {}.get, None
        mention = f"\n{indent}    {verb(_MENTIONED)} {iri(g)} .\n".encode()
        start = f"\n{indent}".encode()
        entity_block = lambda s, data: start + enc.iri_bytes(s) + mention  # noqa: E731

    def general_block(s: Any) -> bytes:
        lines = [f"{verb(p)} {iri(x) if k == 0 else literal(x, dt, lang)}"
                 for p, k, x, dt, lang in index.pairs(s, g)]
        return (f"\n{indent}{iri(s)}\n{indent}    " + sep.join(lines) + " .\n").encode("utf-8")

    return _blocks(subjects, statement, statement_block, entity, entity_block, article, article_block,
                   general_block)


def _turtle_bytes(graph: nx.MultiDiGraph | Graph | _GraphIndex | _QuadIndex,
                  prefixes: Mapping[str, str] | None = None) -> Iterator[list[bytes] | bytes]:
    prefixes = dict(sorted((prefixes or PREFIXES).items()))
    index = _index(graph)
    enc = _Encoder(prefixes)
    yield _prefix_text(prefixes).encode("utf-8")
    yield from _subject_blocks(index, enc, index.subjects)


def _turtle_chunks(graph: nx.MultiDiGraph | Graph | _GraphIndex | _QuadIndex,
                   prefixes: Mapping[str, str] | None = None) -> Iterator[str]:
    return _text(_turtle_bytes(graph, prefixes))


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
    return _write_chunks(path, _turtle_bytes(graph))


def _ntriples_blocks(index: _GraphIndex | _QuadIndex) -> Iterator[list[bytes]]:
    """The lines of each subject as UTF-8, in lists of :data:`_BATCH` subjects.

    Entities and statements are joined from encoded pieces: N-Triples repeats
    the subject on every line, and encoding the text as a whole took a
    sixth of the time of the export.
    """
    enc = _Encoder(None)
    iri, literal = enc.iri, enc.literal
    entity, statement, article = index.entity, index.statement, index.article
    entity_block = _entity_block(index, enc, True)
    statement_block = _ntriples_statement(index, enc)
    article_block = _article_block(index, enc, True)

    def general_block(s: Any) -> bytes:
        lines = sorted({f"{iri(p)} {iri(x) if k == 0 else literal(x, dt, lang)}"
                        for p, k, x, dt, lang, _ in index.subject_quads(s)})
        head = iri(s) + " "
        return (head + (" .\n" + head).join(lines) + " .\n").encode("utf-8")

    # Lines sorted by code point: "<s>" texts never are prefixes of one
    # another, so that is subjects by "<s>", then each subject's lines.
    yield from _blocks(_ntriples_order(index.subjects), statement, statement_block, entity, entity_block,
                       article, article_block, general_block)


def _ntriples_chunks(graph: nx.MultiDiGraph | Graph | _GraphIndex | _QuadIndex) -> Iterator[str]:
    return _text(_ntriples_blocks(_index(graph)))


def generate_ntriples(graph: nx.MultiDiGraph | Graph) -> Iterator[str]:
    """Lines (without newline) of the canonical N-Triples of ``graph``.

    Each triple once, lines sorted by code point (which is UTF-8 byte order,
    so ``LC_ALL=C sort`` agrees); full IRIs, UTF-8 text, and the escapes of
    the RDF canonical N-Triples form.
    """
    yield from _lines(_ntriples_chunks(graph))


def write_ntriples(graph: nx.MultiDiGraph | Graph, path: str | os.PathLike[str]) -> Path:
    """Write the N-Triples export of ``graph`` to ``path`` atomically, streamed."""
    # the index is built inside _write_chunks (with the garbage collector paused)
    return _write_chunks(path, _ntriples_bytes(graph))


def _ntriples_bytes(graph: nx.MultiDiGraph | Graph | _GraphIndex | _QuadIndex) -> Iterator[list[bytes]]:
    yield from _ntriples_blocks(_index(graph))


def _coalesced(chunks: Iterable[list[bytes] | bytes], size: int = _BATCH) -> Iterator[list[bytes]]:
    """``chunks`` gathered into lists of ``size`` pieces or more (fewer, larger writes);
    a list that long already goes on as it is (so no list grows past twice ``size``)."""
    batch: list[bytes] = []
    for chunk in chunks:
        if isinstance(chunk, list):
            if len(chunk) >= size:  # a batch already
                if batch:
                    yield batch
                    batch = []
                yield chunk
                continue
            batch += chunk
        else:
            batch.append(chunk)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _trig_bytes(graph: nx.MultiDiGraph | _GraphIndex,
                prefixes: Mapping[str, str] | None = None) -> Iterator[list[bytes]]:
    # an article's graph is small: its pieces are joined with the next ones'
    return _coalesced(_trig_pieces(graph, prefixes))


def _trig_chunks(graph: nx.MultiDiGraph | _GraphIndex,
                 prefixes: Mapping[str, str] | None = None) -> Iterator[str]:
    return _text(_trig_bytes(graph, prefixes))


def _trig_pieces(graph: nx.MultiDiGraph | _GraphIndex,
                 prefixes: Mapping[str, str] | None = None) -> Iterator[list[bytes] | bytes]:
    """The pieces of the TriG export: the default graph, then one graph per article.

    The default graph is written like the Turtle export (:func:`_subject_blocks`,
    entities without their mentions).  An article's graph is small (a few
    statements and mentions, tens of thousands of graphs in a large corpus):
    the blocks of its statements are made by one ``map`` over the subjects,
    its mentions are one joined text (:func:`_mention_text`), and the pieces
    of many graphs go out in one list; a graph of more than :data:`_BATCH`
    subjects, or of other subjects than statements of one evidence, is
    written by :func:`_subject_blocks` as the default graph is.
    """
    prefixes = dict(sorted((prefixes or PREFIXES).items()))
    index = _index(graph)
    enc = _Encoder(prefixes)
    yield _prefix_text(prefixes).encode("utf-8")
    # The default graph in braces, not bare: raptor's TriG parser (rapper
    # 2.0.15) accepts only triples inside a graph block.
    bare = index.bare_iris(enc.namespaces)
    mention = f"\n        {enc.verb(_MENTIONED)} "
    blocks = _TurtleBlocks(index, enc, "    ")
    statement, statement_block = index.statement, blocks.statement
    out: list[bytes] = []
    for name, subjects, mentions in index.graphs():
        if name is None:  # the default graph (first)
            if out:
                yield out
                out = []
            yield b"\n{\n"
            yield from _subject_blocks(index, enc, subjects, name, "    ", blocks)
            yield b"}\n"
            continue
        name_text = enc.iri(name)
        out.append(f"\n{name_text} {{\n".encode("utf-8"))
        # mentions before the statements, the statements, the mentions after them
        tail = f"{mention}{name_text} .\n"
        i = bisect.bisect_left(mentions, _STATEMENT_NS) if mentions else 0
        for j in range(0, i, _BATCH):
            out.append(_mention_text(mentions[j:min(i, j + _BATCH)], tail, bare, enc))
        recipes = list(map(statement, subjects)) if len(subjects) <= _BATCH else [None]
        if None not in recipes:
            if len(out) + len(subjects) > _BATCH:
                yield out
                out = []
            out += map(statement_block, subjects, recipes)
        else:
            if out:
                yield out
                out = []
            yield from _subject_blocks(index, enc, subjects, name, "    ", blocks)
        for j in range(i, len(mentions), _BATCH):
            out.append(_mention_text(mentions[j:j + _BATCH], tail, bare, enc))
        out.append(b"}\n")
        if len(out) >= _BATCH:
            yield out
            out = []
    if out:
        yield out


def _mention_text(entities: list[str], tail: str, bare: bool, enc: _Encoder) -> bytes:
    """The blocks of ``entities`` (at least one) in an article's graph: their
    ``kg:mentionedIn`` (``tail``), joined in C (no loop here)."""
    if bare:
        return ("\n    <" + (">" + tail + "\n    <").join(entities) + ">" + tail).encode("utf-8")
    return "".join(map(("\n    {}" + _braces(tail)).format, map(enc.iri, entities))).encode("utf-8")


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
    return _write_chunks(path, _trig_bytes(graph))
