"""The graph stage: per-document results → one networkx ``MultiDiGraph``.

Nodes are keyed by IRI (:func:`kg.ids.iri`), edges by ``(head, tail, rel)``
with ``key=rel``.  Building is a *union*: a corpus can be processed in parts
and joined with :func:`merge_graphs`, and
``build_graph(a + b)`` equals ``merge_graphs(build_graph(a), build_graph(b))``.
Everything is sorted, so the result never depends on set or hash order.

Node attributes
---------------
every entity node
    ``kind`` (``Division``/``Agency``/``Organization``/``Project``/``Person``),
    ``label`` (canonical name), ``aliases`` (sorted other surface forms),
    ``mentioned_in`` (sorted article IRIs, from the ``Mention`` records).
divisions, also
    ``level`` and ``adcode`` (official code or ``None``).
projects with an investment, also
    ``investment`` (decimal string, yuan) and ``investment_evidence``.
article nodes
    ``kind`` (``Article``), ``label`` (= ``title``), ``title``, ``source``,
    ``start``, ``end``, ``date`` (ISO string or ``None``).

Edge attributes
---------------
``rel`` (same as the key) and ``evidence``: a sorted list of dicts
``{article, start, end, text, role, rule}`` (``article`` is an IRI).  The same
fact found twice keeps both evidences; identical evidences collapse, so
merging a graph with itself changes nothing.  ``partOf`` edges between
divisions come from the gazetteer, with empty evidence.

Example
-------
>>> from kg.records import Article, Division, Document, DocResult, Entity, Mention
>>> divs = {"140000": Division("140000", "140000", "山西省", "province", None),
...         "140400": Division("140400", "140400", "长治市", "prefecture", "140000")}
>>> doc = Document("a.txt", "长治市召开会议。", "utf-8", (Article("a-1", "a.txt", 0, 8, "会议"),))
>>> res = DocResult(doc, entities=(Entity("division:140400", "Division", "长治市"),),
...                 mentions=(Mention("division:140400", "a-1", 0, 3, "长治市"),))
>>> g = build_graph([res], divs)
>>> sorted(g.nodes[iri("division:140400")]["mentioned_in"])
['https://w3id.org/shanxi-kg/id/article/a-1']
>>> list(g.successors(iri("division:140400")))
['https://w3id.org/shanxi-kg/id/division/140000']
"""
from __future__ import annotations

__all__ = ["ENTITY_ATTRIBUTES", "build_graph", "merge_graphs", "evidence_sort_key"]

import re
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from kg.errors import KGError
from kg.ids import division_entity_id, iri, iri_to_id
from kg.records import ENTITY_TYPES, RELATIONS, Division, DocResult, Entity

#: Attribute names accepted from ``Attribute`` records.
ENTITY_ATTRIBUTES = ("investment",)

_DECIMAL = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?$")
_DIVISION_PREFIX = "division:"
# Scalar node attributes merged by "first non-None, else the smallest value".
_SCALARS = ("level", "adcode", "title", "source", "start", "end", "date")


def evidence_sort_key(ev: Mapping[str, Any]) -> tuple:
    """Sort key of an evidence dict: ``(article, start, end, text, role, rule, value)``."""
    return (ev["article"], ev["start"], ev["end"], ev["text"], ev.get("role") or "",
            ev.get("rule") or "", ev.get("value") or "")


# Evidence fields, in the order of evidence_sort_key; "value" only for attributes.
_EV_FIELDS = ("article", "start", "end", "text", "role", "rule", "value")
_NO_VALUE = object()  # the "value" slot of an evidence without one


def _ev_tuple(ev: Mapping[str, Any]) -> tuple:
    """Hashable form of an evidence dict: its values in :data:`_EV_FIELDS` order.

    ``role``, ``rule`` and ``value`` may be missing (``role`` None and missing
    stay apart, as in the dict); a flat tuple is a third of the size of the
    dict, which matters when a corpus gives millions of evidences.
    """
    return (ev["article"], ev["start"], ev["end"], ev["text"], ev.get("role", _NO_VALUE),
            ev.get("rule", _NO_VALUE), ev.get("value", _NO_VALUE))


# (key, position in the tuple) in the alphabetical key order of the published dicts
_EV_DICT_ORDER = tuple(sorted((k, i) for i, k in enumerate(_EV_FIELDS)))


def _ev_dict(t: tuple) -> dict[str, Any]:
    """The evidence dict of :func:`_ev_tuple`'s tuple (keys in alphabetical order)."""
    return {k: t[i] for k, i in _EV_DICT_ORDER if t[i] is not _NO_VALUE}


def _ev_tuple_key(t: tuple) -> tuple:
    """:func:`evidence_sort_key` of the dict of an evidence tuple."""
    article, start, end, text, role, rule, value = t
    return (article, start, end, text, role if isinstance(role, str) else "",
            rule if isinstance(rule, str) else "", value if isinstance(value, str) else "")


class _Builder:
    """Accumulates nodes and edges as sets; :meth:`graph` sorts them out."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: dict[tuple[str, str, str], set[tuple]] = {}
        self._iris: dict[str, str] = {}

    def iri(self, entity_or_article_id: str) -> str:
        """:func:`kg.ids.iri`, one string object per IRI (a big graph repeats article IRIs)."""
        out = self._iris.get(entity_or_article_id)
        if out is None:
            out = self._iris[entity_or_article_id] = iri(entity_or_article_id)
        return out

    # -- nodes -------------------------------------------------------------
    def node(self, key: str, kind: str, label: str | None, aliases: Iterable[str] = (),
             **scalars: Any) -> dict[str, Any]:
        n = self.nodes.get(key)
        if n is None:
            n = self.nodes[key] = {"kind": kind, "labels": set(), "aliases": set(),
                                   "mentioned_in": set(), "investment_evidence": set()}
        elif n["kind"] != kind:
            raise KGError(f"node {key} is both a {n['kind']} and a {kind}: "
                          "entity ids must encode their type (see kg.ids.entity_id)")
        if label is not None:
            n["labels"].add(label)
        n["aliases"].update(a for a in aliases if a)
        for name, value in scalars.items():
            if value is None:
                n.setdefault(name, None)
                continue
            old = n.get(name)
            n[name] = value if old is None else min(old, value)
        return n

    def division(self, div: Division, extra_aliases: Iterable[str] = ()) -> str:
        key = self.iri(division_entity_id(div.id))
        self.node(key, "Division", div.name, extra_aliases, level=div.level, adcode=div.code)
        return key

    def edge(self, head: str, tail: str, rel: str, evidence: tuple | None) -> None:
        evs = self.edges.setdefault((head, tail, rel), set())
        if evidence is not None:
            evs.add(evidence)

    # -- output ------------------------------------------------------------
    def graph(self) -> nx.MultiDiGraph:
        """The sorted graph; empties the builder as it goes (so memory holds one copy)."""
        g = nx.MultiDiGraph()
        for key in sorted(self.nodes):
            g.add_node(key, **_finish_node(self.nodes.pop(key)))
        for head, tail, rel in sorted(self.edges):
            evidence = [_ev_dict(t) for t in sorted(self.edges.pop((head, tail, rel)), key=_ev_tuple_key)]
            g.add_edge(head, tail, key=rel, rel=rel, evidence=evidence)
        self._iris.clear()
        return g


def _finish_node(n: dict[str, Any]) -> dict[str, Any]:
    """Turn accumulated sets into the published, sorted attributes."""
    kind = n["kind"]
    labels = sorted(n["labels"])
    # Two canonical names for one IRI cannot come from kg.ids (the id hashes
    # the name), but keep a deterministic choice: the smallest wins.
    label = labels[0] if labels else ""
    if kind == "Article":
        out = {"kind": kind, "label": label}
        out.update((k, n.get(k)) for k in ("title", "source", "start", "end", "date"))
        return out
    out = {"kind": kind, "label": label,
           "aliases": sorted((n["aliases"] | set(labels)) - {label}),
           "mentioned_in": sorted(n["mentioned_in"])}
    if kind == "Division":
        out["level"] = n.get("level")
        out["adcode"] = n.get("adcode")
    if n["investment_evidence"]:
        evidence = [_ev_dict(t) for t in sorted(n["investment_evidence"], key=_ev_tuple_key)]
        # Several values for one project: the earliest evidence by
        # (article, start) wins, so the choice is stable under merging.
        out["investment"] = evidence[0]["value"]
        out["investment_evidence"] = evidence
    return out


def _gazetteer_id(entity_id: str) -> str | None:
    return entity_id[len(_DIVISION_PREFIX):] if entity_id.startswith(_DIVISION_PREFIX) else None


def _add_result(b: _Builder, res: DocResult, divisions: Mapping[str, Division]) -> None:
    source = res.document.source
    articles = {a.article_id: a for a in res.document.articles}
    for art in res.document.articles:
        b.node(b.iri(art.article_id), "Article", art.title, title=art.title, source=art.source,
               start=art.start, end=art.end, date=art.date)

    known: set[str] = set()
    for ent in res.entities:
        _add_entity(b, ent, divisions)
        known.add(ent.entity_id)

    def endpoint(entity_id: str, what: str) -> str:
        if entity_id not in known:
            gid = _gazetteer_id(entity_id)
            if gid is None or gid not in divisions:
                raise KGError(f"{source}: {what} refers to entity {entity_id!r}, which is "
                              "neither in DocResult.entities nor a gazetteer division")
            b.division(divisions[gid])
            known.add(entity_id)
        return b.iri(entity_id)

    def article(article_id: str, what: str) -> str:
        if article_id not in articles:
            raise KGError(f"{source}: {what} cites article {article_id!r}, which is not "
                          "in Document.articles; add the Article record")
        return b.iri(article_id)

    for m in res.mentions:
        key = endpoint(m.entity_id, "a mention")
        # Surface forms come from Entity.aliases, not from mention texts,
        # which may be anaphora (该区, 我市) the resolver has already mapped.
        b.nodes[key]["mentioned_in"].add(article(m.article_id, f"mention of {m.entity_id}"))

    for r in res.relations:
        if r.rel not in RELATIONS:
            raise KGError(f"{source}: unknown relation {r.rel!r} ({r.rule or 'no rule'}); "
                          f"expected one of {', '.join(RELATIONS)}")
        what = f"relation {r.head} {r.rel} {r.tail}"
        head, tail = endpoint(r.head, what), endpoint(r.tail, what)
        ev = {"article": article(r.article_id, what), "start": r.start, "end": r.end,
              "text": r.evidence, "role": r.role or None, "rule": r.rule}
        b.edge(head, tail, r.rel, _ev_tuple(ev))

    for a in res.attributes:
        what = f"attribute {a.attr} of {a.entity_id}"
        if a.attr not in ENTITY_ATTRIBUTES:
            raise KGError(f"{source}: unknown {what}; expected one of "
                          f"{', '.join(ENTITY_ATTRIBUTES)}")
        if not _DECIMAL.match(a.value):
            raise KGError(f"{source}: {what} has value {a.value!r}; it must be a plain "
                          "decimal number of yuan such as '918760000'")
        key = endpoint(a.entity_id, what)
        ev = {"article": article(a.article_id, what), "start": a.start, "end": a.end,
              "text": a.evidence, "role": None, "rule": "", "value": a.value}
        b.nodes[key]["investment_evidence"].add(_ev_tuple(ev))


def _add_entity(b: _Builder, ent: Entity, divisions: Mapping[str, Division]) -> None:
    if ent.type not in ENTITY_TYPES:
        raise KGError(f"entity {ent.entity_id}: unknown type {ent.type!r}; "
                      f"expected one of {', '.join(ENTITY_TYPES)}")
    gid = _gazetteer_id(ent.entity_id) if ent.type == "Division" else None
    if gid is not None and gid in divisions:
        # The gazetteer is authoritative for names, levels and codes; the
        # resolver's name is kept as a surface form.
        b.division(divisions[gid], (ent.name, *ent.aliases))
        return
    scalars = {"level": ent.level, "adcode": ent.code} if ent.type == "Division" else {}
    b.node(b.iri(ent.entity_id), ent.type, ent.name, ent.aliases, **scalars)
    if ent.type == "Division" and ent.parent is not None:
        # A division missing from the gazetteer: trust the resolver's parent
        # only when the gazetteer knows it, so the chain still ends at 山西省.
        pgid = _gazetteer_id(ent.parent)
        if pgid is not None and pgid in divisions:
            b.edge(b.iri(ent.entity_id), b.division(divisions[pgid]), "partOf", None)


def _add_ancestors(b: _Builder, divisions: Mapping[str, Division]) -> None:
    """Add every division's gazetteer ancestors and ``partOf`` edges to the top."""
    for key in sorted(k for k, n in b.nodes.items() if n["kind"] == "Division"):
        gid = _gazetteer_id(iri_to_id(key))
        div = divisions.get(gid) if gid is not None else None
        seen = {gid}
        child = key
        while div is not None and div.parent is not None:
            parent = divisions.get(div.parent)
            if parent is None:
                break  # an incomplete gazetteer: stop where its data stops
            if parent.id in seen:
                raise KGError(f"gazetteer cycle through division {parent.id} "
                              f"({parent.name}); fix the parent codes")
            seen.add(parent.id)
            pkey = b.division(parent)
            b.edge(child, pkey, "partOf", None)
            child, div = pkey, parent


def build_graph(results: Iterable[DocResult],
                divisions: Mapping[str, Division]) -> nx.MultiDiGraph:
    """Build the knowledge graph of some documents.

    Parameters
    ----------
    results
        Per-document results of the relation stage.
    divisions
        Gazetteer id → :class:`~kg.records.Division` (a ``Gazetteer`` with a
        ``.divisions`` mapping is accepted too).  It supplies names, levels,
        codes and the ``partOf`` chain of every division node up to 山西省.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes and edges in sorted order; attributes as in the module docstring.

    Raises
    ------
    KGError
        A record refers to an entity or article its ``DocResult`` does not
        define, or carries an unknown relation, type or attribute.
    """
    divisions = getattr(divisions, "divisions", divisions)
    b = _Builder()
    for res in results:
        _add_result(b, res, divisions)
    _add_ancestors(b, divisions)
    return b.graph()


def merge_graphs(*graphs: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Union of graphs made by :func:`build_graph` (or by this function).

    Aliases, mentions and evidences are united; a node's canonical label is
    the smallest label seen (others become aliases); a project's investment is
    the value of its earliest evidence.  The inputs are not modified.

    >>> merge_graphs().number_of_nodes()
    0
    """
    b = _Builder()
    for g in graphs:
        for key, data in g.nodes(data=True):
            kind = data["kind"]
            scalars = {k: data[k] for k in _SCALARS if k in data}
            n = b.node(key, kind, data.get("label"), data.get("aliases", ()), **scalars)
            n["mentioned_in"].update(data.get("mentioned_in", ()))
            n["investment_evidence"].update(_ev_tuple(ev)
                                            for ev in data.get("investment_evidence", ()))
        for head, tail, rel, data in g.edges(keys=True, data=True):
            b.edge(head, tail, rel, None)
            for ev in data.get("evidence", ()):
                b.edge(head, tail, rel, _ev_tuple(ev))
    return b.graph()
