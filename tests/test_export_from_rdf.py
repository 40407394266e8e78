"""Tests of kg.export.from_rdf: every RDF export reads back into the graph it came from.

The graph: the conftest's ``hostile_graph``, the sample corpus with markup,
quotes, two documents, investments, roles.
"""
from __future__ import annotations

import pytest

from kg.errors import KGError
from kg.export.from_rdf import from_rdf, read_rdf_graph
from kg.export.jsonld import serialize_jsonld
from kg.export.ntriples import generate_ntriples
from kg.export.trig import generate_trig
from kg.export.turtle import serialize_turtle
from kg.graph import build_graph, merge_graphs

from support import GAZETTEER, snapshot

WRITERS = {
    "turtle": serialize_turtle,
    "nt": lambda g: "".join(line + "\n" for line in generate_ntriples(g)),
    "trig": lambda g: "".join(line + "\n" for line in generate_trig(g)),
    "json-ld": serialize_jsonld,
}


@pytest.mark.parametrize("fmt", WRITERS)
def test_round_trip(hostile_graph, fmt):
    assert snapshot(from_rdf(WRITERS[fmt](hostile_graph), fmt)) == snapshot(hostile_graph)


def test_round_trip_of_the_empty_graph():
    g = build_graph([], GAZETTEER)
    assert snapshot(from_rdf(serialize_turtle(g))) == snapshot(g)


def test_statements_differing_in_rule_share_a_node(hostile_graph):
    # Two evidences that differ only in their rule become one statement in
    # RDF; both come back.
    g = merge_graphs(hostile_graph)
    head, tail, rel, data = next(e for e in g.edges(keys=True, data=True) if e[3]["evidence"])
    data["evidence"] = [dict(data["evidence"][0], rule=r) for r in ("a", "b")]
    back = from_rdf(serialize_turtle(g))
    assert [ev["rule"] for ev in back.edges[head, tail, rel]["evidence"]] == ["a", "b"]


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".trig", ".jsonld"])
def test_read_by_file_name(hostile_graph, tmp_path, suffix):
    fmt = {".ttl": "turtle", ".nt": "nt", ".trig": "trig", ".jsonld": "json-ld"}[suffix]
    path = tmp_path / f"graph{suffix}"
    path.write_text(WRITERS[fmt](hostile_graph), encoding="utf-8")
    assert snapshot(read_rdf_graph(path)) == snapshot(hostile_graph)


def test_errors_name_the_file(tmp_path):
    with pytest.raises(KGError, match="no such file"):
        read_rdf_graph(tmp_path / "missing.ttl")
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .", encoding="utf-8")
    with pytest.raises(KGError, match=r"bad\.ttl: cannot parse the graph as turtle"):
        read_rdf_graph(bad)
    odd = tmp_path / "graph.xyz"
    odd.write_text("", encoding="utf-8")
    with pytest.raises(KGError, match="unknown RDF syntax"):
        read_rdf_graph(odd)
