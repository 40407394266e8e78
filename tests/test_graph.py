"""Tests of kg.graph: nodes, edges, evidence, gazetteer partOf chains, merging.

The sample data (a four-level fake gazetteer and two small documents) is in
tests/support.py.
"""
from __future__ import annotations

import networkx as nx
import pytest

from kg.errors import KGError
from kg.graph import build_graph, merge_graphs
from kg.ids import entity_id, iri
from kg.records import Attribute, DocResult, Entity, Mention, Relation

from support import (CHANGZHI, COMPANY, DIANSHANG, FGJ, GAZETTEER, LUCHENG, PROJECT, SHANXI, TEXT_A, TEXT_B, ZHANG,
                     make_sample_graph, result_a, result_b, snapshot)


# -- nodes ----------------------------------------------------------------------

def test_entity_nodes_have_contract_attributes():
    g = build_graph([result_a()], GAZETTEER)
    fgj = g.nodes[iri(FGJ)]
    assert fgj == {"kind": "Agency", "label": "潞城区发展和改革局", "aliases": [],
                   "mentioned_in": [iri("a-1")]}
    lucheng = g.nodes[iri(LUCHENG)]
    assert lucheng["kind"] == "Division" and lucheng["label"] == "潞城区"
    assert lucheng["level"] == "county" and lucheng["adcode"] == "140406"
    assert lucheng["aliases"] == ["潞城"]
    town = g.nodes[iri(DIANSHANG)]
    assert town["level"] == "township" and town["adcode"] is None


def test_article_nodes():
    g = build_graph([result_a()], GAZETTEER)
    assert g.nodes[iri("a-1")] == {"kind": "Article", "label": "潞城区召开会议",
                                   "title": "潞城区召开会议", "source": "a.txt", "start": 0,
                                   "end": len(TEXT_A), "date": "2023-05-06"}


def test_aliases_and_mentions_are_united_and_sorted():
    g = make_sample_graph()
    project = g.nodes[iri(PROJECT)]
    assert project["aliases"] == ["光伏项目"]
    assert project["mentioned_in"] == sorted([iri("a-1"), iri("b-1"), iri("b-2")])
    assert g.nodes[iri(COMPANY)]["aliases"] == ["潞安集团"]


def test_nodes_and_edges_are_sorted():
    g = make_sample_graph()
    assert list(g.nodes) == sorted(g.nodes)
    assert list(g.edges(keys=True)) == sorted(g.edges(keys=True))


# -- gazetteer partOf ---------------------------------------------------------

def test_part_of_chain_reaches_the_province():
    g = build_graph([result_a()], GAZETTEER)
    chain, node = [], iri(DIANSHANG)
    while True:
        parents = [t for _, t, k in g.out_edges(node, keys=True) if k == "partOf"]
        if not parents:
            break
        assert len(parents) == 1
        node = parents[0]
        chain.append(g.nodes[node]["label"])
    assert chain == ["潞城区", "长治市", "山西省"]
    assert g.edges[iri(DIANSHANG), iri(LUCHENG), "partOf"] == {"rel": "partOf", "evidence": []}


def test_ancestors_are_added_without_mentions():
    only_town = result_a()
    g = build_graph([DocResult(only_town.document, (only_town.entities[2],))], GAZETTEER)
    assert g.nodes[iri(SHANXI)] == {"kind": "Division", "label": "山西省", "aliases": [],
                                    "mentioned_in": [], "level": "province", "adcode": "140000"}
    assert g.has_edge(iri(LUCHENG), iri(CHANGZHI), "partOf")
    assert g.has_edge(iri(CHANGZHI), iri(SHANXI), "partOf")


def test_gazetteer_object_with_divisions_attribute_is_accepted():
    class FakeGazetteer:
        divisions = GAZETTEER

    assert snapshot(build_graph([result_a()], FakeGazetteer())) == snapshot(
        build_graph([result_a()], GAZETTEER))


def test_gazetteer_name_wins_and_resolver_name_is_an_alias():
    res = result_a()
    ent = Entity(LUCHENG, "Division", "潞城", level="county", code="140406")
    g = build_graph([DocResult(res.document, (ent,))], GAZETTEER)
    assert g.nodes[iri(LUCHENG)]["label"] == "潞城区"
    assert g.nodes[iri(LUCHENG)]["aliases"] == ["潞城"]


# -- edges and evidence -----------------------------------------------------------

def test_relation_edges_carry_evidence():
    g = build_graph([result_a()], GAZETTEER)
    data = g.edges[iri(ZHANG), iri(FGJ), "worksFor"]
    assert data["rel"] == "worksFor"
    (ev,) = data["evidence"]
    assert ev == {"article": iri("a-1"), "start": ev["start"], "end": ev["end"],
                  "text": "潞城区发展和改革局局长张三介绍，潞城区光伏发电项目总投资918000000元。",
                  "role": "局长", "rule": "title_before_name"}
    assert TEXT_A[ev["start"]:ev["end"]] == ev["text"]
    assert {k for _, _, k in g.edges(keys=True)} == {
        "administers", "subOrganizationOf", "worksFor", "undertakes", "locatedIn", "partOf"}


def test_same_fact_twice_keeps_both_evidences():
    g = make_sample_graph()
    evs = g.edges[iri(ZHANG), iri(FGJ), "worksFor"]["evidence"]
    assert [e["article"] for e in evs] == [iri("a-1"), iri("b-1")]
    assert TEXT_B[evs[1]["start"]:evs[1]["end"]] == evs[1]["text"]
    assert g.number_of_edges(iri(ZHANG), iri(FGJ)) == 1


def test_identical_evidence_collapses():
    g = build_graph([result_a(), result_a()], GAZETTEER)
    assert len(g.edges[iri(ZHANG), iri(FGJ), "worksFor"]["evidence"]) == 1


def test_investment_keeps_earliest_value_and_all_evidence():
    g = make_sample_graph()
    project = g.nodes[iri(PROJECT)]
    assert project["investment"] == "918000000"  # article a-1 comes before b-2
    evs = project["investment_evidence"]
    assert [(e["article"], e["value"]) for e in evs] == [(iri("a-1"), "918000000"),
                                                        (iri("b-2"), "900000000")]
    assert set(evs[0]) == {"article", "start", "end", "text", "role", "rule", "value"}
    only_b = build_graph([result_b()], GAZETTEER)
    assert only_b.nodes[iri(PROJECT)]["investment"] == "900000000"


# -- union ----------------------------------------------------------------------

def test_build_of_union_equals_merge_of_builds():
    a, b = result_a(), result_b()
    whole = build_graph([a, b], GAZETTEER)
    parts = merge_graphs(build_graph([a], GAZETTEER), build_graph([b], GAZETTEER))
    assert nx.utils.graphs_equal(whole, parts)
    assert snapshot(whole) == snapshot(parts)


def test_merge_is_commutative_and_idempotent():
    ga, gb = build_graph([result_a()], GAZETTEER), build_graph([result_b()], GAZETTEER)
    assert snapshot(merge_graphs(ga, gb)) == snapshot(merge_graphs(gb, ga))
    assert snapshot(merge_graphs(ga, ga)) == snapshot(ga)
    assert snapshot(merge_graphs(merge_graphs(ga), gb)) == snapshot(merge_graphs(ga, gb))


def test_merge_does_not_modify_inputs():
    ga = build_graph([result_a()], GAZETTEER)
    before = snapshot(ga)
    merge_graphs(ga, build_graph([result_b()], GAZETTEER))
    assert snapshot(ga) == before


# -- errors ---------------------------------------------------------------------

def test_unknown_entity_is_an_error():
    res = result_a()
    bad = Relation(ZHANG, "worksFor", entity_id("Agency", "不存在局"), "a-1", 0, 3, TEXT_A[:3])
    with pytest.raises(KGError, match="neither in DocResult.entities"):
        build_graph([DocResult(res.document, res.entities, relations=(bad,))], GAZETTEER)


def test_gazetteer_division_needs_no_entity_record():
    res = result_a()
    m = Mention(CHANGZHI, "a-1", 0, 3, "长治市")
    g = build_graph([DocResult(res.document, mentions=(m,))], GAZETTEER)
    assert g.nodes[iri(CHANGZHI)]["mentioned_in"] == [iri("a-1")]


@pytest.mark.parametrize("record, message", [
    (Mention(ZHANG, "a-9", 0, 2, "张三"), "not in Document.articles"),
    (Relation(ZHANG, "marriedTo", FGJ, "a-1", 0, 2, "长治"), "unknown relation"),
    (Attribute(PROJECT, "investment", "9.18亿", "a-1", 0, 2, "长治"), "plain decimal"),
    (Attribute(PROJECT, "area", "5", "a-1", 0, 2, "长治"), "unknown attribute"),
])
def test_bad_records_are_errors(record, message):
    res = result_a()
    field = {Mention: "mentions", Relation: "relations", Attribute: "attributes"}[type(record)]
    bad = DocResult(res.document, res.entities, **{field: (record,)})
    with pytest.raises(KGError, match=message):
        build_graph([bad], GAZETTEER)
