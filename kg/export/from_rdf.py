"""Reading an RDF export back into the networkx graph of :mod:`kg.graph`.

The inverse of :func:`kg.export.quads.iter_quads`: typed entities with their
labels, aliases, mentions, levels, codes and investments; articles with their
titles, sources, offsets and dates; one edge per direct ``kg:<relation>``
triple; and one evidence per reified ``rdf:Statement`` (its article, sentence,
offsets, rule and role).  Views such as ``kg html --focus`` can so work from
``exports/graph.ttl`` without rebuilding the corpus.  The RDF is read by
:mod:`kg.rdfio` (rdflib).

What the RDF does not keep cannot come back: decimals come back in canonical
form (``918760000.0`` → ``918760000``), and evidences that differed only in
rule or role shared one statement node, so they come back as every
combination of that statement's rules and roles.

Example
-------
>>> import networkx as nx
>>> from kg.export.turtle import serialize_turtle
>>> g = nx.MultiDiGraph()
>>> g.add_node("https://w3id.org/shanxi-kg/id/person/1", kind="Person", label="张三",
...            aliases=[], mentioned_in=[])
>>> back = from_rdf(serialize_turtle(g))
>>> dict(back.nodes(data=True)) == dict(g.nodes(data=True))
True
"""
from __future__ import annotations

__all__ = ["read_rdf_graph", "from_rdf"]

import os
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import networkx as nx

from kg import vocab
from kg.errors import KGError
from kg.graph import merge_graphs
from kg.ids import KG_NS
from kg.rdfio import Lit, Term, parse_rdflib, rdflib_syntax, rdflib_triples
from kg.records import ENTITY_TYPES, RELATIONS

_KINDS = {KG_NS + k: k for k in (*ENTITY_TYPES, "Article")}
_RELS = {KG_NS + r: r for r in RELATIONS}
_INVESTMENT = KG_NS + "investment"
_TYPE, _STATEMENT = vocab.RDF + "type", vocab.RDF + "Statement"
_TITLE, _SOURCE, _DATE = (vocab.DCTERMS + name for name in ("title", "source", "date"))
_LABEL, _ALT_LABEL = vocab.RDFS + "label", vocab.SKOS + "altLabel"
_SUBJECT, _PREDICATE, _OBJECT = (vocab.RDF + name for name in ("subject", "predicate", "object"))
_DERIVED = vocab.PROV + "wasDerivedFrom"


def _one(values: list[str] | None, default: str | None = None) -> str | None:
    """The smallest of the values of a functional property (deterministic if several)."""
    return min(values) if values else default


def from_rdf(data: str, format: str = "turtle") -> nx.MultiDiGraph:
    """The knowledge graph described by RDF text ``data``.

    Parameters
    ----------
    data
        RDF in any syntax rdflib parses (Turtle, N-Triples, TriG, JSON-LD …).
    format
        The rdflib format name.

    Returns
    -------
    networkx.MultiDiGraph
        A graph with the node and edge attributes of :mod:`kg.graph`, in the
        sorted order :func:`kg.graph.build_graph` produces.
    """
    # (a file with named graphs, the TriG export, is read as the union of its graphs)
    return _to_graph(rdflib_triples(parse_rdflib(data, format=format)))


def read_rdf_graph(path: str | os.PathLike[str]) -> nx.MultiDiGraph:
    """:func:`from_rdf` of a file; the syntax comes from the file name (``.ttl``, ``.nt``, ``.trig``, ``.jsonld``)."""
    file = Path(path)
    fmt = rdflib_syntax(file)
    if fmt is None:
        raise KGError(f"{file}: unknown RDF syntax; use a .ttl, .nt, .trig or .jsonld file")
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KGError(f"{file}: no such file; run 'kg build' first, or pass --corpus") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KGError(f"{file}: cannot read the graph ({exc})") from exc
    try:
        return from_rdf(text, fmt)
    except KGError as exc:
        raise KGError(f"{file}: {exc}") from exc


def _text(term: Term) -> str:
    """A term as rdflib's ``str`` gives it: a literal's lexical form, an IRI as it is."""
    return term.lexical if isinstance(term, Lit) else term


def _to_graph(triples: Iterable[tuple[Term, str, Term]]) -> nx.MultiDiGraph:
    props: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in triples:
        if isinstance(s, str) and not s.startswith("_:"):  # IRIs (blank nodes are no entities)
            props[s][p].append(o)
    g = nx.MultiDiGraph()
    kinds = {}
    for s, pv in props.items():
        types = [_KINDS[_text(t)] for t in pv.get(_TYPE, ()) if _text(t) in _KINDS]
        if types:
            kinds[s] = min(types)
    for s, kind in kinds.items():
        pv = props[s]
        text = {p: sorted(v.lexical for v in vs if isinstance(v, Lit)) for p, vs in pv.items()}
        if kind == "Article":
            title = _one(text.get(_TITLE), "")
            g.add_node(s, kind=kind, label=title, title=title,
                       source=_one(text.get(_SOURCE)),
                       start=_int(_one(text.get(KG_NS + "start"))),
                       end=_int(_one(text.get(KG_NS + "end"))),
                       date=_one(text.get(_DATE)))
            continue
        label = _one(text.get(_LABEL), "")
        data = {"kind": kind, "label": label,
                "aliases": sorted(set(text.get(_ALT_LABEL, ())) - {label}),
                "mentioned_in": sorted({_text(a) for a in pv.get(KG_NS + "mentionedIn", ())})}
        if kind == "Division":
            data["level"] = _one(text.get(KG_NS + "level"))
            data["adcode"] = _one(text.get(KG_NS + "adcode"))
        # kg:investment itself is not read: merge_graphs below takes it from
        # the earliest reified investment statement, as build_graph does.
        g.add_node(s, **data)
    for s, pv in props.items():
        for p, objects in pv.items():
            rel = _RELS.get(p)
            if rel and s in kinds:
                for o in objects:
                    if _text(o) in kinds:
                        g.add_edge(s, _text(o), key=rel, rel=rel, evidence=[])
    for s, pv in props.items():
        if _STATEMENT in pv.get(_TYPE, ()):
            _add_statement(g, pv)
    # merge_graphs sorts nodes, edges and evidences and fills in
    # investment/investment_evidence exactly as build_graph does.
    return merge_graphs(g)


def _int(value: str | None) -> int | None:
    return int(value) if value is not None else None


def _add_statement(g: nx.MultiDiGraph, pv: dict[str, list]) -> None:
    def first(p: str) -> str | None:
        values = sorted(_text(v) for v in pv.get(p, ()))
        return values[0] if values else None

    head, pred, article = first(_SUBJECT), first(_PREDICATE), first(_DERIVED)
    obj = first(_OBJECT)
    if head not in g or article is None:
        return
    base = {"article": article, "start": _int(first(KG_NS + "start")),
            "end": _int(first(KG_NS + "end")), "text": first(KG_NS + "evidence") or ""}
    roles = sorted(_text(v) for v in pv.get(KG_NS + "role", ())) or [None]
    rules = sorted(_text(v) for v in pv.get(KG_NS + "rule", ())) or [""]
    evidences = [dict(base, role=role, rule=rule) for role in roles for rule in rules]
    if pred == _INVESTMENT:
        node = g.nodes[head]
        node.setdefault("investment_evidence", []).extend(
            dict(ev, role=None, value=obj) for ev in evidences)
        return
    rel = _RELS.get(pred or "")
    if rel and g.has_edge(head, obj, key=rel):
        g.edges[head, obj, rel]["evidence"].extend(evidences)
