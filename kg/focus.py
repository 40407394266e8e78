"""Focused views: the neighbourhood of one entity, for graphs too large to show whole.

:func:`focus_graph` cuts the part of the graph within ``depth`` relations of
one entity (relations followed in either direction, like
:func:`networkx.ego_graph` with ``undirected=True``), adds the ``partOf``
chain of every division in it so the administrative hierarchy stays visible,
and keeps the article nodes the remaining entities and evidences cite, so a
view of the subgraph can still name its sources.

The entity is named the way a user knows it: its canonical name, one of its
aliases, its IRI or its entity id (:func:`find_entity`).  A name that matches
nothing raises :class:`EntityNotFoundError` with the closest names; a name
shared by several entities (城区 exists in several cities) raises
:class:`AmbiguousEntityError` listing them with their IRIs.

Example
-------
>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> for key, label in [("p", "山西省"), ("c", "晋中市"), ("x", "左权县"), ("o", "某公司")]:
...     g.add_node(key, kind="Division" if key != "o" else "Organization", label=label,
...                aliases=["左权"] if key == "x" else [], mentioned_in=[])
>>> g.add_edge("c", "p", key="partOf", rel="partOf", evidence=[])
'partOf'
>>> g.add_edge("x", "c", key="partOf", rel="partOf", evidence=[])
'partOf'
>>> g.add_edge("o", "x", key="locatedIn", rel="locatedIn", evidence=[])
'locatedIn'
>>> sorted(focus_graph(g, "某公司", depth=1))  # 左权县, then its chain up to 山西省
['c', 'o', 'p', 'x']
>>> sorted(focus_graph(g, "左权", depth=0))
['c', 'p', 'x']
"""
from __future__ import annotations

__all__ = ["EntityNotFoundError", "AmbiguousEntityError", "find_entity", "focus_graph",
           "close_matches"]

import copy
import difflib
from collections.abc import Iterator

import networkx as nx

from kg.errors import KGError
from kg.ids import iri

#: How many candidate names an error message offers.
MAX_SUGGESTIONS = 5

_ARTICLE = "Article"
_PART_OF = "partOf"


class EntityNotFoundError(KGError):
    """No entity has the given name, alias or IRI."""


class AmbiguousEntityError(KGError):
    """Several entities share the given name; the message lists their IRIs."""


def _entities(graph: nx.MultiDiGraph) -> Iterator[tuple[str, dict]]:
    return ((k, d) for k, d in graph.nodes(data=True) if d.get("kind") != _ARTICLE)


def close_matches(graph: nx.MultiDiGraph, name: str, n: int = MAX_SUGGESTIONS) -> list[str]:
    """Names (labels and aliases) of entities that look like ``name``.

    Names that contain ``name`` or are contained in it come first (shortest
    first: for Chinese names, a shared substring is the strongest hint, as in
    左权 → 左权县), then :func:`difflib.get_close_matches` by similarity.

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("x", kind="Division", label="左权县", aliases=[])
    >>> close_matches(g, "左权")
    ['左权县']
    """
    name = name.strip()
    names = sorted({v for _, d in _entities(graph)
                    for v in (d.get("label", ""), *d.get("aliases", ())) if v})
    inside = sorted((v for v in names if name and (name in v or v in name)),
                    key=lambda v: (abs(len(v) - len(name)), v))
    similar = difflib.get_close_matches(name, names, n=n, cutoff=0.5)
    out: list[str] = []
    for v in inside + similar:
        if v not in out:
            out.append(v)
    return out[:n]


def _describe(graph: nx.MultiDiGraph, key: str) -> str:
    """``label (kind, parent) <iri>``: enough to tell same-named entities apart."""
    data = graph.nodes[key]
    parents = [graph.nodes[t].get("label", t) for _, t, rel in graph.out_edges(key, keys=True)
               if rel == _PART_OF]
    where = f", {'/'.join(sorted(parents))}" if parents else ""
    return f"{data.get('label', '')} ({data.get('kind', '?')}{where}) <{key}>"


def find_entity(graph: nx.MultiDiGraph, name: str) -> str:
    """The node key (IRI) of the entity called ``name``.

    Parameters
    ----------
    graph
        A graph from :func:`kg.graph.build_graph`.
    name
        An IRI, an entity id (``division:140722``), a canonical name or an
        alias.  A canonical name wins over an alias, so 左权县 finds the county
        even where another entity lists it as a surface form.

    Returns
    -------
    str
        The node key.

    Raises
    ------
    EntityNotFoundError
        Nothing is called ``name``; the message offers close matches.
    AmbiguousEntityError
        Several entities are called ``name`` and none of them canonically
        (or several canonically); the message lists them with their IRIs.
    """
    query = name.strip()
    for key in (query, iri(query) if ":" in query and "/" not in query else None):
        if key and key in graph and graph.nodes[key].get("kind") != _ARTICLE:
            return key
    by_label = [k for k, d in _entities(graph) if d.get("label") == query]
    by_alias = [k for k, d in _entities(graph) if query in d.get("aliases", ())]
    hits = by_label or by_alias
    if len(hits) == 1:
        return hits[0]
    if hits:
        listing = "; ".join(_describe(graph, k) for k in sorted(hits))
        raise AmbiguousEntityError(f"{query!r} names {len(hits)} entities: {listing}; "
                                   "pass one of the IRIs instead")
    near = close_matches(graph, query)
    hint = f"close matches: {', '.join(near)}" if near else "no close match"
    raise EntityNotFoundError(f"no entity named {query!r} in the graph ({hint})")


def _ancestors(graph: nx.MultiDiGraph, key: str) -> Iterator[str]:
    """The ``partOf`` chain above ``key`` (every parent of every step)."""
    todo, seen = [key], {key}
    while todo:
        node = todo.pop()
        for _, parent, rel in graph.out_edges(node, keys=True):
            if rel == _PART_OF and parent not in seen:
                seen.add(parent)
                todo.append(parent)
                yield parent


def focus_graph(graph: nx.MultiDiGraph, entity: str, depth: int = 1,
                hierarchy: bool = True) -> nx.MultiDiGraph:
    """The neighbourhood of one entity as a new graph.

    Parameters
    ----------
    graph
        A graph from :func:`kg.graph.build_graph`.
    entity
        Name, alias, IRI or entity id of the centre (see :func:`find_entity`).
    depth
        How many relations away from the centre to go (0: the entity alone);
        relations are followed in both directions.
    hierarchy
        Also keep the ``partOf`` ancestors of every division kept, so the
        view shows where each place lies (左权县 → 晋中市 → 山西省).

    Returns
    -------
    networkx.MultiDiGraph
        A copy: the induced subgraph on the kept entities (nodes and edges in
        the order of ``graph``, attributes unchanged) plus the article nodes
        their mentions and evidences cite.  ``graph.graph["focus"]`` holds the
        centre's key and ``graph.graph["depth"]`` the depth.

    Raises
    ------
    KGError
        ``depth`` is negative, or ``entity`` is unknown or ambiguous.
    """
    if depth < 0:
        raise KGError(f"depth must be 0 or more, not {depth}")
    centre = find_entity(graph, entity)
    # Relations are directed (A undertakes P), but "what is near P" is not.
    near = nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), centre,
                                                 cutoff=depth)
    keep = set(near)
    if hierarchy:
        for key in list(keep):
            if graph.nodes[key].get("kind") == "Division":
                keep.update(_ancestors(graph, key))
    cited: set[str] = set()
    for key in keep:
        cited.update(graph.nodes[key].get("mentioned_in", ()))
        cited.update(ev["article"] for ev in graph.nodes[key].get("investment_evidence", ()))
    for head, tail, data in graph.edges(data=True):
        if head in keep and tail in keep:
            cited.update(ev["article"] for ev in data.get("evidence", ()))
    keep.update(a for a in cited if a in graph)
    # Not graph.subgraph(keep).copy(): build in the order of ``graph`` so the
    # output never depends on set iteration, and deep-copy the attributes so
    # editing the view cannot change the graph it came from.
    out = nx.MultiDiGraph(focus=centre, depth=depth)
    out.add_nodes_from((k, copy.deepcopy(d)) for k, d in graph.nodes(data=True) if k in keep)
    out.add_edges_from((h, t, k, copy.deepcopy(d))
                       for h, t, k, d in graph.edges(keys=True, data=True)
                       if h in keep and t in keep)
    return out
