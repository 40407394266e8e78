"""Reading an RDF export back into the networkx graph of :mod:`kg.graph`.

The inverse of :func:`kg.export.rdf.iter_quads`: typed entities with their
labels, aliases, mentions, levels, codes and investments; articles with their
titles, sources, offsets and dates; one edge per direct ``kg:<relation>``
triple; and one evidence per reified ``rdf:Statement`` (its article, sentence,
offsets, rule and role).  Views such as ``kg html --focus`` can so work from
``exports/graph.ttl`` without rebuilding the corpus.

What the RDF does not keep cannot come back: decimals come back in canonical
form (``918760000.0`` → ``918760000``), and evidences that differed only in
rule or role shared one statement node, so they come back as every
combination of that statement's rules and roles.

Example
-------
>>> import networkx as nx
>>> from kg.export.rdf import serialize_turtle
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
import warnings
from collections import defaultdict
from pathlib import Path

import networkx as nx
from rdflib import DCTERMS, PROV, RDF, RDFS, SKOS, Dataset, Graph, Literal, URIRef
from rdflib.util import guess_format

from kg.errors import KGError
from kg.graph import merge_graphs
from kg.ids import KG_NS
from kg.records import ENTITY_TYPES, RELATIONS

_KINDS = {KG_NS + k: k for k in (*ENTITY_TYPES, "Article")}
_RELS = {KG_NS + r: r for r in RELATIONS}
_INVESTMENT = KG_NS + "investment"


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
    # Formats with named graphs (the TriG export: one graph per article) go
    # into a Dataset read as the union of its graphs; the others into a Graph.
    quads = format in ("trig", "nquads", "trix")
    store = Dataset(default_union=True) if quads else Graph()
    with warnings.catch_warnings():
        # rdflib's own Dataset code calls its deprecated Dataset.default_context.
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            store.parse(data=data, format=format)
        except Exception as exc:  # rdflib raises many unrelated types for bad input
            detail = str(exc)
            detail = detail if len(detail) <= 300 else detail[:300] + "…"
            raise KGError(f"cannot parse the graph as {format}: {detail}") from exc
        return _to_graph(store)


def read_rdf_graph(path: str | os.PathLike[str]) -> nx.MultiDiGraph:
    """:func:`from_rdf` of a file; the syntax comes from the file name (``.ttl``, ``.nt``, ``.trig``, ``.jsonld``)."""
    file = Path(path)
    fmt = guess_format(file.name) or ("json-ld" if file.suffix == ".jsonld" else None)
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


def _to_graph(ds: Graph) -> nx.MultiDiGraph:
    props: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in ds.triples((None, None, None)):
        if isinstance(s, URIRef):
            props[str(s)][str(p)].append(o)
    g = nx.MultiDiGraph()
    kinds = {}
    for s, pv in props.items():
        types = [_KINDS[str(t)] for t in pv.get(str(RDF.type), ()) if str(t) in _KINDS]
        if types:
            kinds[s] = min(types)
    for s, kind in kinds.items():
        pv = props[s]
        text = {p: sorted(str(v) for v in vs if isinstance(v, Literal)) for p, vs in pv.items()}
        if kind == "Article":
            title = _one(text.get(str(DCTERMS.title)), "")
            g.add_node(s, kind=kind, label=title, title=title,
                       source=_one(text.get(str(DCTERMS.source))),
                       start=_int(_one(text.get(KG_NS + "start"))),
                       end=_int(_one(text.get(KG_NS + "end"))),
                       date=_one(text.get(str(DCTERMS.date))))
            continue
        label = _one(text.get(str(RDFS.label)), "")
        data = {"kind": kind, "label": label,
                "aliases": sorted(set(text.get(str(SKOS.altLabel), ())) - {label}),
                "mentioned_in": sorted({str(a) for a in pv.get(KG_NS + "mentionedIn", ())})}
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
                    if str(o) in kinds:
                        g.add_edge(s, str(o), key=rel, rel=rel, evidence=[])
    for s, pv in props.items():
        if RDF.Statement in pv.get(str(RDF.type), ()):
            _add_statement(g, pv)
    # merge_graphs sorts nodes, edges and evidences and fills in
    # investment/investment_evidence exactly as build_graph does.
    return merge_graphs(g)


def _int(value: str | None) -> int | None:
    return int(value) if value is not None else None


def _add_statement(g: nx.MultiDiGraph, pv: dict[str, list]) -> None:
    def first(p) -> str | None:
        values = sorted(str(v) for v in pv.get(str(p), ()))
        return values[0] if values else None

    head, pred, article = first(RDF.subject), first(RDF.predicate), first(PROV.wasDerivedFrom)
    obj = first(RDF.object)
    if head not in g or article is None:
        return
    base = {"article": article, "start": _int(first(KG_NS + "start")),
            "end": _int(first(KG_NS + "end")), "text": first(KG_NS + "evidence") or ""}
    roles = sorted(str(v) for v in pv.get(KG_NS + "role", ())) or [None]
    rules = sorted(str(v) for v in pv.get(KG_NS + "rule", ())) or [""]
    evidences = [dict(base, role=role, rule=rule) for role in roles for rule in rules]
    if pred == _INVESTMENT:
        node = g.nodes[head]
        node.setdefault("investment_evidence", []).extend(
            dict(ev, role=None, value=obj) for ev in evidences)
        return
    rel = _RELS.get(pred or "")
    if rel and g.has_edge(head, obj, key=rel):
        g.edges[head, obj, rel]["evidence"].extend(evidences)
