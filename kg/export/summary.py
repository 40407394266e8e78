"""What of a graph the HTML view carries: all of it, or a summary when it is too large to draw whole.

A browser opens a page of tens of thousands of nodes (``benchmarks/html_load.py``),
but not every graph: a corpus where each fact is stated thousands of times
(one 100 MB file of the same pages) makes edges with thousands of evidence
sentences, and a large corpus makes more entities than a page can draw in a
few seconds.  :func:`plan_page` decides what the page holds:

Entities
    at most :data:`DRAW_MAX` entities are drawn: above, the page is the
    :data:`DRAW_MAX` most important entities (articles mentioning them, then
    relations, then IRI, so the choice is deterministic), the ``partOf``
    chain of every division among them (the hierarchy stays visible) and the
    relations between those; the neighbourhood of any entity is one
    ``kg html --focus NAME`` away (:func:`kg.focus.focus_graph`).
Evidence
    each relation and investment lists at most :data:`EVIDENCE_PER_FACT`
    evidence sentences, and the page at most :data:`EVIDENCE_MAX` in all
    (fewer per fact when needed, at least one); the page shows how many
    there are, and ``facts.csv`` and the RDF exports hold them all.

A page that leaves anything out says so (:meth:`PagePlan.page_note`, shown
above the graph and the facts table) and :func:`kg.export.html.write_html`
prints :meth:`PagePlan.notice` on stderr.  A graph within the limits is
drawn whole, byte for byte as before.
"""
from __future__ import annotations

__all__ = ["DRAW_MAX", "EVIDENCE_PER_FACT", "EVIDENCE_MAX", "PagePlan", "plan_page", "importance_order"]

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

# Limits chosen with benchmarks/html_load.py --draw-max 1000000 (figures in
# the README's HTML section).  Headless Chromium without GPU, 2 cores under a
# load average of 14: synthetic graphs of 10,000 / 20,000 / 40,000 / 80,000
# entities made pages of 5.2 / 9.8 / 18.9 / 37.3 MB, interactive after
# 6.7 / 10.5 / 15.9 / 37.0 s, redrawing the whole view (pan, zoom) in
# 0.58 / 0.50 / 2.9 / 2.4 s a frame (20,000 entities: 3.2 s and 0.3 s a frame
# on a quieter day).  Past 20,000 a page can no longer be moved about, and
# past about 60,000 it passes 32 MB.  The evidence limits keep a page of
# 20,000 entities under that size too: an evidence sentence costs about
# 200 bytes of the page.
#: Entities drawn at most; larger graphs are summarised.
DRAW_MAX = 20_000
#: Evidence sentences listed per relation or investment at most.
EVIDENCE_PER_FACT = 20
#: Evidence sentences the page carries at most, all facts together.
EVIDENCE_MAX = 60_000

_ARTICLE = "Article"
_PART_OF = "partOf"


@dataclass(frozen=True)
class PagePlan:
    """What the page of a graph holds (counts of the graph and of the page)."""

    entities: int  # entities in the graph
    drawn: int  # entities in the page
    evidence: int  # evidence sentences in the graph (relations and investments)
    shown: int  # evidence sentences in the page
    per_fact: int | None  # evidence sentences listed per fact at most (None: all of them)

    @property
    def summarised(self) -> bool:
        """Whether the page leaves out entities or evidence sentences."""
        return self.drawn < self.entities or self.shown < self.evidence

    def page_note(self) -> dict[str, Any] | None:
        """The counts the page shows in its summary line, ``None`` for a whole graph."""
        if not self.summarised:
            return None
        return {"entities": self.entities, "drawn": self.drawn, "evidence": self.evidence, "shown": self.shown,
                "per_fact": self.per_fact}

    def notice(self, name: str) -> str:
        """The one stderr line of a summarised page written to file ``name``.

        >>> PagePlan(30_000, 20_000, 90_000, 60_000, 2).notice("graph.html")  # doctest: +NORMALIZE_WHITESPACE
        'graph.html: summarised view (20,000 of 30,000 entities drawn; 60,000 of 90,000 evidence sentences listed,
        at most 2 per fact); use kg html --focus NAME for the neighbourhood of one entity, facts.csv for every fact'
        """
        parts = []
        if self.drawn < self.entities:
            parts.append(f"{self.drawn:,} of {self.entities:,} entities drawn")
        if self.shown < self.evidence:
            parts.append(f"{self.shown:,} of {self.evidence:,} evidence sentences listed"
                         + ("" if self.per_fact is None else f", at most {self.per_fact:,} per fact"))
        return (f"{name}: summarised view ({'; '.join(parts)}); use kg html --focus NAME for the "
                "neighbourhood of one entity, facts.csv for every fact")


def importance_order(graph: nx.MultiDiGraph, keys: Iterable[Any] | None = None) -> list[Any]:
    """Entity keys, most important first: most articles mentioning them, then most relations, then key."""
    keys = [k for k, d in graph.nodes(data=True) if d.get("kind") != _ARTICLE] if keys is None else list(keys)
    return sorted(keys, key=lambda k: (-len(graph.nodes[k].get("mentioned_in", ())), -graph.degree(k), str(k)))


def _evidence_lists(graph: nx.MultiDiGraph) -> list[int]:
    lengths = [len(d.get("evidence", ())) for _, _, d in graph.edges(data=True)]
    lengths += [len(d.get("investment_evidence", ())) for _, d in graph.nodes(data=True)
                if d.get("investment_evidence")]
    return lengths


def _per_fact(lengths: list[int]) -> int | None:
    """The largest cap (at most EVIDENCE_PER_FACT, at least 1) whose shown total fits EVIDENCE_MAX; None: no cap."""
    if not lengths or (max(lengths) <= EVIDENCE_PER_FACT and sum(lengths) <= EVIDENCE_MAX):
        return None
    cap = EVIDENCE_PER_FACT
    while cap > 1 and sum(min(n, cap) for n in lengths) > EVIDENCE_MAX:
        cap -= 1
    return cap


def _summary_graph(graph: nx.MultiDiGraph, keep: set[Any]) -> nx.MultiDiGraph:
    """The subgraph on ``keep``, the partOf chains of its divisions and the articles they cite, in graph order.

    Attribute dicts are shared with ``graph`` (the page only reads them).
    """
    todo = [k for k in keep if graph.nodes[k].get("kind") == "Division"]
    while todo:
        node = todo.pop()
        for _, parent, rel in graph.out_edges(node, keys=True):
            if rel == _PART_OF and parent not in keep:
                keep.add(parent)
                todo.append(parent)
    cited: set[Any] = set()
    for key in keep:
        data = graph.nodes[key]
        cited.update(data.get("mentioned_in", ()))
        cited.update(ev["article"] for ev in data.get("investment_evidence", ()))
    for head, tail, data in graph.edges(data=True):
        if head in keep and tail in keep:
            cited.update(ev["article"] for ev in data.get("evidence", ()))
    keep.update(a for a in cited if a in graph)
    out = nx.MultiDiGraph(**graph.graph)
    out.add_nodes_from((k, d) for k, d in graph.nodes(data=True) if k in keep)
    out.add_edges_from((h, t, k, d) for h, t, k, d in graph.edges(keys=True, data=True) if h in keep and t in keep)
    return out


def plan_page(graph: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, PagePlan]:
    """The graph the page draws (``graph`` itself, or its summary) and the plan of what the page holds.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="Person", label="甲", mentioned_in=[])
    >>> page_graph, plan = plan_page(g)
    >>> page_graph is g, plan.summarised
    (True, False)
    """
    entities = sum(1 for _, d in graph.nodes(data=True) if d.get("kind") != _ARTICLE)
    evidence_before = sum(_evidence_lists(graph))
    page_graph = graph
    if entities > DRAW_MAX:
        page_graph = _summary_graph(graph, set(importance_order(graph)[:DRAW_MAX]))
    drawn = sum(1 for _, d in page_graph.nodes(data=True) if d.get("kind") != _ARTICLE)
    lengths = _evidence_lists(page_graph)
    cap = _per_fact(lengths)
    shown = sum(lengths) if cap is None else sum(min(n, cap) for n in lengths)
    return page_graph, PagePlan(entities, drawn, evidence_before, shown, cap)
