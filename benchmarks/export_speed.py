"""Export speed: rdflib vs the direct canonical writers vs pyoxigraph, in triples/s.

Usage::

    python benchmarks/export_speed.py [--triples 1000000] [--no-rdflib]

Builds a synthetic knowledge graph shaped like the real one (entities with
labels, aliases and mentions; relations with one reified evidence each;
articles) of about ``--triples`` triples, then times

* ``rdflib``: :func:`kg.export.rdf.to_rdf` (build the rdflib graph) plus
  rdflib's own Turtle writer (``Graph.serialize(format="turtle")``);
* ``direct Turtle`` / ``direct N-Triples``: :func:`serialize_turtle` and
  :func:`generate_ntriples` straight from the networkx graph (what
  ``kg build`` uses; same bytes as serialising ``to_rdf``'s graph);
* ``pyoxigraph N-Triples``: the quads handed to pyoxigraph's writer, for
  reference (unsorted, so not a canonical export).
"""
from __future__ import annotations

__all__ = ["synthetic_graph", "main"]

import argparse
import sys
import time
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kg.ids import entity_id, iri  # noqa: E402

_KINDS = ("Agency", "Organization", "Project", "Person")
_RELS = {"Agency": "administers", "Organization": "undertakes", "Project": "locatedIn",
         "Person": "worksFor"}
# Triples per unit: entity 6 (type, label, 2 altLabels, 2 mentions) + relation
# 10 (direct triple + 9 for its statement), about 16.
_PER_UNIT = 16


def synthetic_graph(triples: int) -> nx.MultiDiGraph:
    """A knowledge graph of about ``triples`` triples, deterministic."""
    units = max(1, triples // _PER_UNIT)
    n_articles = max(1, units // 50)
    g = nx.MultiDiGraph()
    articles = [iri(f"doc{i:06d}-1") for i in range(n_articles)]
    for i, art in enumerate(articles):
        g.add_node(art, kind="Article", label=f"标题{i}", title=f"标题{i}",
                   source=f"doc{i:06d}.txt", start=0, end=1000, date=None)
    divisions = [iri(f"division:14{i:04d}") for i in range(100)]
    for i, div in enumerate(divisions):
        g.add_node(div, kind="Division", label=f"区划{i}县", aliases=[f"区划{i}"],
                   mentioned_in=[articles[i % n_articles]], level="county", adcode=f"14{i:04d}")
    for i in range(units):
        kind = _KINDS[i % len(_KINDS)]
        node = iri(entity_id(kind, f"实体{i}"))
        g.add_node(node, kind=kind, label=f"实体{i}“名称”", aliases=[f"简称{i}", f"别名{i}"],
                   mentioned_in=sorted({articles[i % n_articles], articles[(i * 7) % n_articles]}))
        art = articles[i % n_articles]
        ev = {"article": art, "start": i % 900, "end": i % 900 + 40,
              "text": f"第{i}句：某单位承建某项目，总投资{i}万元。", "role": None, "rule": "bench"}
        g.add_edge(node, divisions[i % len(divisions)], key=_RELS[kind], rel=_RELS[kind],
                   evidence=[ev])
    return g


def _time(label: str, n: int, fn) -> float:
    t0 = time.perf_counter()
    fn()
    seconds = time.perf_counter() - t0
    print(f"| {label:<34} | {n:>9,} | {seconds:8.2f} | {n / seconds:>12,.0f} |", flush=True)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--no-rdflib", action="store_true", help="skip the slow rdflib writer")
    args = parser.parse_args(argv)

    import pyoxigraph as ox

    from kg.export.rdf import Lit, generate_ntriples, iter_quads, serialize_turtle, to_rdf

    graph = synthetic_graph(args.triples)
    n = len({q[:3] for q in iter_quads(graph)})
    print(f"synthetic graph: {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges, "
          f"{n:,} triples\n")
    print(f"| {'writer':<34} | {'triples':>9} | {'seconds':>8} | {'triples/s':>12} |")
    print(f"| {'-' * 34} | {'-' * 9}:| {'-' * 8}:| {'-' * 12}:|")
    _time("direct Turtle (kg build)", n, lambda: serialize_turtle(graph))
    _time("direct N-Triples (kg build)", n, lambda: "\n".join(generate_ntriples(graph)))

    def oxigraph() -> bytes:
        def term(t):
            if isinstance(t, Lit):
                if t.lang:
                    return ox.Literal(t.lex, language=t.lang)
                return ox.Literal(t.lex, datatype=ox.NamedNode(t.datatype) if t.datatype else None)
            return ox.NamedNode(t)
        triples = [ox.Triple(term(s), term(p), term(o)) for s, p, o, _ in iter_quads(graph)]
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)

    _time("pyoxigraph N-Triples (unsorted)", n, oxigraph)
    if not args.no_rdflib:
        holder = {}
        _time("rdflib: to_rdf (build the graph)", n, lambda: holder.setdefault("g", to_rdf(graph)))
        _time("rdflib: Graph.serialize turtle", n, lambda: holder["g"].serialize(format="turtle"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
