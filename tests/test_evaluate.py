"""Tests for kg.report.evaluate: hand-written gold and graphs, numbers computed by hand."""
from __future__ import annotations

import json
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest

from kg.errors import GoldError, KGError
from kg.report.evaluate import (
    GoldAttribute,
    GoldDoc,
    GoldEntity,
    GoldRelation,
    GraphError,
    Predicted,
    Score,
    evaluate,
    format_errors,
    format_report,
    iter_errors,
    load_gold,
    load_predictions,
    normalize_name,
    score_documents,
    to_dict,
    to_json,
    to_markdown,
)

# --------------------------------------------------------------------------
# Fixtures: three gold documents and a graph following DESIGN.md's contract
# --------------------------------------------------------------------------


def ent(type_, name, *aliases, level=None):
    return {"type": type_, "name": name, "aliases": list(aliases), "level": level}


def rel(head, rel_, tail, evidence=""):
    return {"head": head, "rel": rel_, "tail": tail, "evidence": evidence}


def attr(entity, value):
    return {"entity": entity, "attr": "investment", "value": value}


def record(doc, entities=(), relations=(), attributes=(), city=None, **extra):
    return {"doc": doc, "city": city, "entities": list(entities),
            "relations": list(relations), "attributes": list(attributes), **extra}


BRIDGE = "河曲黄河大桥加固工程"

GOLD = [
    record(
        "a.txt", city="忻州市",
        entities=[
            ent("Division", "河曲县", "河曲", level="county"),
            ent("Division", "偏关县", level="county"),
            ent("Division", "忻州市", "忻州", level="prefecture"),
            ent("Agency", "河曲县交通运输局", "河曲县交通局"),
            ent("Agency", "忻州市交通运输局", "市交通运输局"),
            ent("Organization", "河曲县自来水公司", "自来水公司"),
            ent("Project", BRIDGE),
            ent("Person", "王小明"),
            ent("Person", "李华"),
        ],
        relations=[
            rel("河曲县交通运输局", "administers", "河曲县", "河曲县交通运输局"),
            rel("忻州市交通运输局", "administers", "忻州市"),
            rel(BRIDGE, "locatedIn", "河曲县"),
            rel("河曲县交通运输局", "undertakes", BRIDGE),
            rel("王小明", "worksFor", "河曲县自来水公司"),
        ],
        attributes=[attr(BRIDGE, 918760000)],
        doubtful=["a note on a case left out"],
    ),
    record(
        "b.txt", city="忻州市",
        entities=[ent("Project", "偏关县供水工程"), ent("Agency", "偏关县水利局", "县水利局")],
        relations=[rel("偏关县水利局", "undertakes", "偏关县供水工程")],
        attributes=[attr("偏关县供水工程", 9.1876e8)],  # a JSON float: 918760000
    ),
    record("c.txt", entities=[ent("Division", "保德县", level="county")]),
]

TTL = """\
@prefix kg: <https://w3id.org/shanxi-kg/ontology#> .
@prefix e: <https://w3id.org/shanxi-kg/id/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

e:a-1 a kg:Article ; dcterms:source "a.txt" ; dcterms:title "一"@zh ; kg:start 0 ; kg:end 100 .
e:b-1 a kg:Article ; dcterms:source "b.txt" ; kg:start 0 ; kg:end 50 .
e:d-1 a kg:Article ; dcterms:source "d.txt" ; kg:start 0 ; kg:end 50 .

e:hequ a kg:Division ; rdfs:label "河曲"@zh ; kg:mentionedIn e:a-1 .
e:hequxian a kg:Division ; rdfs:label "河曲县"@zh ; skos:altLabel "河曲"@zh ;
    kg:level "county" ; kg:partOf e:xinzhou ; kg:mentionedIn e:a-1 .
e:pianguan a kg:Division ; rdfs:label "偏关"@zh ; kg:mentionedIn e:a-1 .
e:xinzhou a kg:Division ; rdfs:label "忻州市"@zh ; kg:level "prefecture" ; kg:mentionedIn e:d-1 .
e:jtj a kg:Agency ; rdfs:label "河曲县交通局"@zh ; kg:mentionedIn e:a-1 .
e:xzjtj a kg:Organization ; rdfs:label "忻州市交通运输局"@zh ; kg:mentionedIn e:a-1 .
e:water a kg:Organization ; rdfs:label "河曲县自来水公司"@zh ; kg:mentionedIn e:a-1 .
e:bridge a kg:Project ; rdfs:label "《河曲黄河大桥 加固工程》"@zh ;
    kg:investment "918760000"^^xsd:decimal ; kg:mentionedIn e:a-1, e:b-1 .
e:wang a kg:Person ; rdfs:label "王小明"@zh ; kg:mentionedIn e:a-1 .
e:zhang a kg:Person ; rdfs:label "张三"@zh ; kg:mentionedIn e:a-1 .
e:pgsw a kg:Project ; rdfs:label "偏关县供水工程"@zh ;
    kg:investment "918760000"^^xsd:decimal ; kg:mentionedIn e:b-1 .
e:slj a kg:Agency ; rdfs:label "县水利局"@zh ; kg:mentionedIn e:b-1 .

e:jtj kg:administers e:hequ ; kg:undertakes e:bridge .
e:water kg:locatedIn e:hequxian .   # direct only, no reified statement: not scored
e:hequxian kg:partOf e:xinzhou .

[] a rdf:Statement ; rdf:subject e:jtj ; rdf:predicate kg:administers ; rdf:object e:hequ ;
   prov:wasDerivedFrom e:a-1 ; kg:evidence "一"@zh ; kg:start 1 ; kg:end 2 .
[] a rdf:Statement ; rdf:subject e:bridge ; rdf:predicate kg:locatedIn ; rdf:object e:xinzhou ;
   prov:wasDerivedFrom e:a-1 ; kg:evidence "一"@zh ; kg:start 1 ; kg:end 2 .
[] a rdf:Statement ; rdf:subject e:jtj ; rdf:predicate kg:undertakes ; rdf:object e:bridge ;
   prov:wasDerivedFrom e:a-1 ; kg:evidence "一"@zh ; kg:start 1 ; kg:end 2 .
[] a rdf:Statement ; rdf:subject e:wang ; rdf:predicate kg:worksFor ; rdf:object e:water ;
   prov:wasDerivedFrom e:a-1 ; kg:evidence "一"@zh ; kg:start 1 ; kg:end 2 .
[] a rdf:Statement ; rdf:subject e:zhang ; rdf:predicate kg:worksFor ; rdf:object e:water ;
   prov:wasDerivedFrom e:a-1 ; kg:evidence "一"@zh ; kg:start 1 ; kg:end 2 .
[] a rdf:Statement ; rdf:subject e:hequxian ; rdf:predicate kg:partOf ; rdf:object e:xinzhou ;
   prov:wasDerivedFrom e:a-1 .
[] a rdf:Statement ; rdf:subject e:bridge ; rdf:predicate kg:investment ;
   rdf:object "918760000.00"^^xsd:decimal ; prov:wasDerivedFrom e:a-1 .
[] a rdf:Statement ; rdf:subject e:bridge ; rdf:predicate kg:investment ;
   rdf:object "100"^^xsd:decimal ; prov:wasDerivedFrom e:a-1 .
[] a rdf:Statement ; rdf:subject e:slj ; rdf:predicate kg:undertakes ; rdf:object e:pgsw ;
   prov:wasDerivedFrom e:b-1 ; kg:evidence "二"@zh ; kg:start 1 ; kg:end 2 .
"""

LABEL = "《河曲黄河大桥 加固工程》"


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


@pytest.fixture
def gold_path(tmp_path):
    return write_jsonl(tmp_path / "gold.jsonl", GOLD)


@pytest.fixture
def graph_path(tmp_path):
    path = tmp_path / "graph.ttl"
    path.write_text(TTL, encoding="utf-8")
    return path


@pytest.fixture
def result(gold_path, graph_path):
    return evaluate(gold_path, graph_path)


# --------------------------------------------------------------------------
# Gold
# --------------------------------------------------------------------------


def test_load_gold_records(gold_path):
    docs = load_gold(gold_path)
    assert [d.doc for d in docs] == ["a.txt", "b.txt", "c.txt"]
    a = docs[0]
    assert a.city == "忻州市" and a.line == 1
    assert a.entities[0] == GoldEntity("Division", "河曲县", ("河曲",), "county")
    assert a.relations[0] == GoldRelation("河曲县交通运输局", "administers", "河曲县",
                                          "河曲县交通运输局")
    assert a.attributes == (GoldAttribute(BRIDGE, "investment", Decimal(918760000)),)
    assert a.doubtful == ("a note on a case left out",)
    assert docs[1].attributes[0].value == Decimal("918760000")
    assert docs[2].city is None


def test_load_gold_skips_blank_lines_and_ignores_unknown_keys(tmp_path):
    path = tmp_path / "g.jsonl"
    path.write_text("\n" + json.dumps(record("x.txt", note="extra")) + "\n\n", encoding="utf-8")
    (doc,) = load_gold(path)
    assert doc == GoldDoc("x.txt", None, line=2)


GOOD = record("ok.txt", entities=[ent("Division", "河曲县", level="county")])


@pytest.mark.parametrize("line, message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "a gold record must be an object"),
    (json.dumps({k: v for k, v in GOOD.items() if k != "entities"}), "missing key 'entities'"),
    (json.dumps(record("x.txt", entities=[{"type": "Division", "name": "河曲县"}])),
     "entities[0]: missing key 'aliases'"),
    (json.dumps(record("x.txt", entities=[ent("Place", "黄河")])), "unknown entity type 'Place'"),
    (json.dumps(record("x.txt", entities=[ent("Division", "河曲县", level="city")])),
     "unknown level 'city'"),
    (json.dumps(record("x.txt", entities=[{**ent("Agency", "甲局"), "aliases": "乙局"}])),
     "entities[0].aliases must be a list"),
    (json.dumps(record("x.txt", entities=[ent("Agency", " 《》 ")])),
     "entities[0].name must not be empty"),
    (json.dumps(record(7)), "doc must be a string"),
    (json.dumps(record("x.txt", relations=[rel("河曲县", "partOf", "忻州市")])),
     "unknown relation 'partOf' (partOf is not scored"),
    (json.dumps(record("x.txt", relations=[{"head": "a", "rel": "worksFor", "tail": "b"}])),
     "relations[0]: missing key 'evidence'"),
    (json.dumps(record("x.txt", attributes=[{"entity": "p", "attr": "population", "value": 1}])),
     "unknown attribute 'population'"),
    (json.dumps(record("x.txt", attributes=[attr("p", "9亿")])), "must be a non-negative number"),
    (json.dumps(record("x.txt", attributes=[attr("p", True)])), "must be a non-negative number"),
    (json.dumps(record("x.txt", entities=[ent("Agency", "甲局"), ent("Agency", "甲 局")])),
     "entities[1]: Agency '甲 局' is listed twice (also entities[0])"),
    (json.dumps(GOOD), "doc 'ok.txt' already has a record on line 1"),
])
def test_malformed_gold_names_the_line(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(GoldError) as info:
        load_gold(path)
    assert str(info.value).startswith(f"{path}:2: ")
    assert message in str(info.value)


@pytest.mark.parametrize("text", ["", "\n  \n"])
def test_empty_gold_is_an_error(tmp_path, text):
    path = tmp_path / "empty.jsonl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GoldError, match="empty gold file"):
        load_gold(path)


def test_pretty_printed_json_gets_a_hint(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(GOOD, ensure_ascii=False, indent=1), encoding="utf-8")
    with pytest.raises(GoldError, match=r":1: not valid JSON .*gold must be JSON Lines"):
        load_gold(path)


def test_missing_gold_is_an_error(tmp_path):
    with pytest.raises(GoldError, match="not found"):
        load_gold(tmp_path / "nope.jsonl")


# --------------------------------------------------------------------------
# Predictions from the graph
# --------------------------------------------------------------------------

EXPECTED_PREDICTIONS = {
    "a.txt": Predicted(
        "a.txt",
        entities=frozenset({
            ("Division", "河曲"), ("Division", "河曲县"), ("Division", "偏关"),
            ("Agency", "河曲县交通局"), ("Organization", "忻州市交通运输局"),
            ("Organization", "河曲县自来水公司"), ("Project", LABEL),
            ("Person", "王小明"), ("Person", "张三"),
        }),
        relations=frozenset({
            ("河曲县交通局", "administers", "河曲"), (LABEL, "locatedIn", "忻州市"),
            ("河曲县交通局", "undertakes", LABEL), ("王小明", "worksFor", "河曲县自来水公司"),
            ("张三", "worksFor", "河曲县自来水公司"),
        }),
        attributes=frozenset({(LABEL, "investment", Decimal("918760000")),
                              (LABEL, "investment", Decimal(100))}),
    ),
    # The bridge's investment is reified (from a.txt), so it is not repeated
    # for b.txt; the water project has none reified: its kg:investment counts.
    "b.txt": Predicted(
        "b.txt",
        entities=frozenset({("Project", "偏关县供水工程"), ("Agency", "县水利局"), ("Project", LABEL)}),
        relations=frozenset({("县水利局", "undertakes", "偏关县供水工程")}),
        attributes=frozenset({("偏关县供水工程", "investment", Decimal(918760000))}),
    ),
    "d.txt": Predicted("d.txt", entities=frozenset({("Division", "忻州市")})),
}


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_load_predictions(graph_path, backend):
    assert load_predictions(graph_path, backend=backend) == EXPECTED_PREDICTIONS


def test_backends_give_identical_results(gold_path, graph_path):
    assert to_dict(evaluate(gold_path, graph_path, backend="rdflib"), errors=True) == \
        to_dict(evaluate(gold_path, graph_path, backend="oxigraph"), errors=True)


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("content, message", [
    (None, "graph file not found"),
    ("this is not turtle .", "cannot parse the graph"),
    ('@prefix kg: <https://w3id.org/shanxi-kg/ontology#> .\n'
     '<https://x/p> kg:investment "nine"^^<http://www.w3.org/2001/XMLSchema#decimal> ;\n'
     '  kg:mentionedIn <https://x/a> .\n<https://x/a> <http://purl.org/dc/terms/source> "a.txt" .',
     "is not a decimal number"),
])
def test_bad_graph_is_a_kg_error(tmp_path, backend, content, message):
    path = tmp_path / "g.ttl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(GraphError, match=message) as info:
        load_predictions(path, backend=backend)
    assert isinstance(info.value, KGError)


def test_graph_directory_is_an_error(tmp_path):
    with pytest.raises(GraphError, match="is a directory"):
        load_predictions(tmp_path)


# --------------------------------------------------------------------------
# Matching rules, on small hand-made predictions
# --------------------------------------------------------------------------


def score_one(entities=(), relations=(), attributes=(), preds=None, pred_relations=(),
              pred_attributes=()):
    gold = load_gold_from([record("x.txt", entities, relations, attributes)])
    predicted = Predicted("x.txt", frozenset(preds or ()), frozenset(pred_relations),
                          frozenset(pred_attributes))
    return score_documents(gold, {"x.txt": predicted})


def load_gold_from(records):
    # Through the real loader, so the gold is validated as in use.
    with tempfile.TemporaryDirectory() as tmp:
        return load_gold(write_jsonl(Path(tmp) / "g.jsonl", records))


@pytest.mark.parametrize("gold, preds, expected", [
    # exact match
    ([ent("Agency", "河曲县交通运输局")], [("Agency", "河曲县交通运输局")], (1, 0, 0)),
    # alias match
    ([ent("Agency", "河曲县交通运输局", "河曲县交通局")], [("Agency", "河曲县交通局")], (1, 0, 0)),
    # spaces and quote marks are ignored, in predictions and in gold
    ([ent("Project", BRIDGE)], [("Project", "《河曲黄河大桥加固工程》")], (1, 0, 0)),
    ([ent("Project", BRIDGE)], [("Project", "“河曲黄河大桥”加固 工程")], (1, 0, 0)),
    ([ent("Project", "「河曲黄河大桥」加固工程")], [("Project", '"河曲黄河大桥加固工程"')], (1, 0, 0)),
    ([ent("Person", "王小明")], [("Person", "王\u3000小明")], (1, 0, 0)),
    # other punctuation is not ignored
    ([ent("Person", "王小明")], [("Person", "王小明。")], (0, 1, 1)),
    # type mismatch: one FP and one FN
    ([ent("Agency", "河曲县交通运输局")], [("Organization", "河曲县交通运输局")], (0, 1, 1)),
    # one-to-one: two predicted nodes for one gold entity
    ([ent("Division", "河曲县", "河曲", level="county")],
     [("Division", "河曲县"), ("Division", "河曲")], (1, 1, 0)),
    # names equal after normalisation are one prediction (scoring is on sets)
    ([ent("Division", "河曲县", level="county")],
     [("Division", "河曲县"), ("Division", "河曲 县")], (1, 0, 0)),
    # a maximum matching, not a greedy one: the shared alias must go to the
    # entity that has no other match
    ([ent("Division", "阳泉市矿区", "矿区", level="county"),
      ent("Division", "大同市矿区", "矿区", level="county")],
     [("Division", "矿区"), ("Division", "大同市矿区")], (2, 0, 0)),
    # no predictions, no gold
    ([], [], (0, 0, 0)),
])
def test_entity_matching(gold, preds, expected):
    s = score_one(entities=gold, preds=preds).entities
    assert (s.tp, s.fp, s.fn) == expected


ENTITIES = [
    ent("Division", "河曲县", "河曲", level="county"),
    ent("Agency", "河曲县交通运输局", "河曲县交通局"),
    ent("Project", BRIDGE, "河曲县黄河大桥加固工程"),
]


@pytest.mark.parametrize("gold, preds, expected", [
    (rel("河曲县交通运输局", "administers", "河曲县"),
     ("河曲县交通运输局", "administers", "河曲县"), (1, 0, 0)),
    # aliases of the gold entities named in the relation count on both ends
    (rel("河曲县交通运输局", "administers", "河曲县"),
     ("河曲县交通局", "administers", "河曲"), (1, 0, 0)),
    (rel("河曲县交通运输局", "undertakes", BRIDGE),
     ("河曲县交通局", "undertakes", "《河曲县黄河大桥加固工程》"), (1, 0, 0)),
    # a gold relation written with an alias stands for that entity
    (rel("河曲县交通局", "administers", "河曲"),
     ("河曲县交通运输局", "administers", "河曲县"), (1, 0, 0)),
    # a name that is no gold entity's matches only itself
    (rel("王小明", "worksFor", "河曲县交通运输局"), ("王小明", "worksFor", "河曲县交通局"), (1, 0, 0)),
    (rel("王小明", "worksFor", "河曲县交通运输局"), ("王晓明", "worksFor", "河曲县交通局"), (0, 1, 1)),
    # other relation, reversed direction
    (rel("河曲县交通运输局", "administers", "河曲县"),
     ("河曲县交通运输局", "locatedIn", "河曲县"), (0, 1, 1)),
    (rel(BRIDGE, "locatedIn", "河曲县"), ("河曲县", "locatedIn", BRIDGE), (0, 1, 1)),
])
def test_relation_matching(gold, preds, expected):
    s = score_one(entities=ENTITIES, relations=[gold], pred_relations=[preds]).relations
    assert (s.tp, s.fp, s.fn) == expected


def test_relation_matching_is_one_to_one():
    s = score_one(entities=ENTITIES, relations=[rel("河曲县交通运输局", "administers", "河曲县")],
                  pred_relations=[("河曲县交通运输局", "administers", "河曲县"),
                                  ("河曲县交通局", "administers", "河曲")]).relations
    assert (s.tp, s.fp, s.fn) == (1, 1, 0)


@pytest.mark.parametrize("gold_value, pred_value, expected", [
    (918760000, Decimal("918760000"), (1, 0, 0)),
    (918760000, Decimal("9.1876E8"), (1, 0, 0)),
    (918760000, Decimal("918760000.00"), (1, 0, 0)),
    (9.1876e8, Decimal("918760000"), (1, 0, 0)),
    ("918760000", Decimal("9.1876E+8"), (1, 0, 0)),
    (1500000.5, Decimal("1500000.50"), (1, 0, 0)),
    (918760000, Decimal("918760001"), (0, 1, 1)),
])
def test_investment_matching(gold_value, pred_value, expected):
    s = score_one(entities=ENTITIES, attributes=[attr(BRIDGE, gold_value)],
                  pred_attributes=[("河曲县黄河大桥加固工程", "investment", pred_value)])
    assert (s.investment.tp, s.investment.fp, s.investment.fn) == expected


@pytest.mark.parametrize("score, p, r, f1", [
    (Score(3, 1, 1), 0.75, 0.75, 0.75),
    (Score(1, 0, 3), 1.0, 0.25, 0.4),
    (Score(0, 2, 0), 0.0, 0.0, 0.0),
    (Score(0, 0, 0), 0.0, 0.0, 0.0),
])
def test_score_ratios(score, p, r, f1):
    assert (score.precision, score.recall, score.f1) == pytest.approx((p, r, f1))


def test_normalize_name():
    assert normalize_name(' “河曲县”\t「交通」《局》" ') == "河曲县交通局"


# --------------------------------------------------------------------------
# The fixture graph against the fixture gold, computed by hand
# --------------------------------------------------------------------------


@pytest.mark.parametrize("row, expected", [
    # a.txt: 河曲县 TP (河曲 duplicate), 偏关 FP/偏关县 FN, 忻州市 FN; c.txt: 保德县 FN
    ("Division", (1, 2, 3)),
    # a.txt: 河曲县交通局 TP (alias), 忻州市交通运输局 FN (typed Organization); b.txt: 县水利局 TP
    ("Agency", (2, 0, 1)),
    ("Organization", (1, 1, 0)),
    # a.txt: quoted and spaced label TP; b.txt: 偏关县供水工程 TP, the bridge FP
    ("Project", (2, 1, 0)),
    ("Person", (1, 1, 1)),
    ("entities", (7, 5, 5)),
    ("administers", (1, 0, 1)),
    ("locatedIn", (0, 1, 1)),
    ("subOrganizationOf", (0, 0, 0)),
    ("undertakes", (2, 0, 0)),
    ("worksFor", (1, 1, 0)),
    ("relations", (4, 2, 2)),
    ("investment", (2, 1, 0)),
])
def test_scores_by_hand(result, row, expected):
    cells = {**result.entities_by_type, "entities": result.entities,
             **result.relations_by_rel, "relations": result.relations,
             "investment": result.investment}
    s = cells[row]
    assert (s.tp, s.fp, s.fn) == expected


def test_micro_averages(result):
    assert result.entities.precision == pytest.approx(7 / 12)
    assert result.entities.recall == pytest.approx(7 / 12)
    assert result.relations.precision == pytest.approx(4 / 6)
    assert result.relations.f1 == pytest.approx(4 / 6)
    assert result.investment.precision == pytest.approx(2 / 3)
    assert result.investment.recall == 1.0


@pytest.mark.parametrize("doc, entities, relations, investment", [
    ("a.txt", (5, 4, 4), (3, 2, 2), (1, 1, 0)),
    ("b.txt", (2, 1, 0), (1, 0, 0), (1, 0, 0)),
    ("c.txt", (0, 0, 1), (0, 0, 0), (0, 0, 0)),
])
def test_per_document_totals(result, doc, entities, relations, investment):
    (d,) = [d for d in result.docs if d.doc == doc]
    got = [(s.tp, s.fp, s.fn) for s in (d.entities.score, d.relations.score, d.attributes.score)]
    assert got == [entities, relations, investment]


def test_documents_missing_from_the_graph_are_flagged(result):
    assert result.missing_docs == ("c.txt",)
    assert [d.doc for d in result.docs] == ["a.txt", "b.txt", "c.txt"]  # d.txt is not gold


# --------------------------------------------------------------------------
# Error analysis
# --------------------------------------------------------------------------

EXPECTED_ERRORS = {
    ("a.txt", "entity", "FN", "boundary", ("Division", "偏关县")),
    ("a.txt", "entity", "FN", "type", ("Agency", "忻州市交通运输局")),
    ("a.txt", "entity", "FN", "missed", ("Division", "忻州市")),
    ("a.txt", "entity", "FN", "missed", ("Person", "李华")),
    ("a.txt", "entity", "FP", "duplicate", ("Division", "河曲")),
    ("a.txt", "entity", "FP", "boundary", ("Division", "偏关")),
    ("a.txt", "entity", "FP", "type", ("Organization", "忻州市交通运输局")),
    ("a.txt", "entity", "FP", "spurious", ("Person", "张三")),
    ("a.txt", "relation", "FN", "wrong-tail", (BRIDGE, "locatedIn", "河曲县")),
    ("a.txt", "relation", "FN", "missing-entity", ("忻州市交通运输局", "administers", "忻州市")),
    ("a.txt", "relation", "FP", "wrong-tail", (LABEL, "locatedIn", "忻州市")),
    ("a.txt", "relation", "FP", "spurious-entity", ("张三", "worksFor", "河曲县自来水公司")),
    ("a.txt", "attribute", "FP", "wrong-value", (LABEL, "investment", "100")),
    ("b.txt", "entity", "FP", "spurious", ("Project", LABEL)),
    ("c.txt", "entity", "FN", "missed", ("Division", "保德县")),
}


def test_error_causes(result):
    got = [(e.doc, e.layer, e.kind, e.cause, e.item) for e in iter_errors(result)]
    assert len(got) == len(set(got))
    assert set(got) == EXPECTED_ERRORS


def test_error_details(result):
    details = {(e.item, e.cause): e.detail for e in iter_errors(result)}
    assert details[("Division", "河曲"), "duplicate"] == "河曲县 already matched by 河曲县"
    assert details[("Division", "偏关县"), "boundary"] == "predicted 偏关"
    assert details[("Agency", "忻州市交通运输局"), "type"] == \
        "predicted as Organization: 忻州市交通运输局"
    assert details[("忻州市交通运输局", "administers", "忻州市"), "missing-entity"] == \
        "not predicted: tail 忻州市"
    assert details[(LABEL, "investment", "100"), "wrong-value"] == "gold 918760000"


def test_alias_notes_are_opt_in(result):
    notes = [(e.doc, e.item) for e in iter_errors(result, aliases=True) if e.kind == "TP"]
    assert notes == [("a.txt", ("Agency", "河曲县交通局")), ("b.txt", ("Agency", "县水利局"))]
    assert all(e.kind != "TP" for e in iter_errors(result))


@pytest.mark.parametrize("gold, preds, cause", [
    # the boundary cases: containment either way, or a shifted span
    ([ent("Agency", "河曲县交通运输局")], [("Agency", "河曲县交通运输局办公室")], "boundary"),
    ([ent("Agency", "河曲县交通运输局")], [("Agency", "交通运输局")], "boundary"),
    ([ent("Agency", "河曲县交通运输局")], [("Agency", "县交通运输局大院")], "boundary"),
    # one shared character at the join is no overlap
    ([ent("Division", "河曲县", level="county")], [("Division", "县城")], "spurious"),
    ([ent("Agency", "河曲县交通运输局", "河曲县交通局")], [("Organization", "河曲县交通局")], "type"),
    # the duplicate of an alias
    ([ent("Agency", "河曲县交通运输局", "河曲县交通局")],
     [("Agency", "河曲县交通局"), ("Agency", "河曲县交通运输局")], "duplicate"),
])
def test_false_positive_causes(gold, preds, cause):
    (fp,) = [e for e in iter_errors(score_one(entities=gold, preds=preds)) if e.kind == "FP"]
    assert fp.cause == cause


def test_relation_wrong_rel_and_wrong_head():
    result = score_one(
        entities=ENTITIES + [ent("Agency", "偏关县交通运输局")],
        relations=[rel("河曲县交通运输局", "administers", "河曲县"),
                   rel("河曲县交通运输局", "undertakes", BRIDGE)],
        preds=[("Agency", "河曲县交通运输局"), ("Division", "河曲县"), ("Project", BRIDGE),
               ("Agency", "偏关县交通运输局")],
        pred_relations=[("河曲县", "locatedIn", "河曲县交通运输局"),
                        ("偏关县交通运输局", "undertakes", BRIDGE)],
    )
    got = {(e.kind, e.cause, e.item) for e in iter_errors(result) if e.layer == "relation"}
    assert got == {
        ("FN", "wrong-rel", ("河曲县交通运输局", "administers", "河曲县")),
        ("FN", "wrong-head", ("河曲县交通运输局", "undertakes", BRIDGE)),
        ("FP", "wrong-rel", ("河曲县", "locatedIn", "河曲县交通运输局")),
        ("FP", "wrong-head", ("偏关县交通运输局", "undertakes", BRIDGE)),
    }


def test_format_errors_groups_by_cause(result):
    lines = format_errors(result).splitlines()
    assert lines[0] == "errors: 15 (entity 10, relation 4, attribute 1)"
    counts = {tuple(line.split()[:3]): int(line.split()[3])
              for line in lines[3:lines.index("", 3)]}
    assert counts == {("entity", "FN", "missed"): 3, ("entity", "FP", "spurious"): 2,
                      ("entity", "FN", "type"): 1, ("entity", "FN", "boundary"): 1,
                      ("entity", "FP", "duplicate"): 1, ("entity", "FP", "type"): 1,
                      ("entity", "FP", "boundary"): 1, ("relation", "FN", "missing-entity"): 1,
                      ("relation", "FN", "wrong-tail"): 1, ("relation", "FP", "spurious-entity"): 1,
                      ("relation", "FP", "wrong-tail"): 1, ("attribute", "FP", "wrong-value"): 1}
    # the most frequent cause of a layer comes first
    assert lines[3].split()[:3] == ["entity", "FN", "missed"]
    at = lines.index("entity FP duplicate (1)")
    assert lines[at + 1] == "  a.txt  Division 河曲  [河曲县 already matched by 河曲县]"
    at = lines.index("entity FN missed (3)")
    assert lines[at + 1:at + 4] == ["  a.txt  Division 忻州市", "  a.txt  Person 李华",
                                    "  c.txt  Division 保德县"]


def test_format_errors_counts_alias_notes_apart(result):
    text = format_errors(iter_errors(result, aliases=True))
    assert text.startswith("errors: 15 (entity 10, relation 4, attribute 1); notes: 2\n")
    assert "entity TP alias (2)" in text
    assert format_errors([]) == "no errors\n"


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def test_format_report(result):
    lines = format_report(result).splitlines()
    assert lines[0].startswith("gold: 3 document(s)")
    assert "c.txt" in lines[1] and "no article in the graph" in lines[1]
    overall = lines[:next(i for i, line in enumerate(lines) if line.startswith("per document"))]
    rows = {line.split()[0]: line.split()[1:] for line in overall[2:] if line.strip()}
    assert rows["Division"] == ["0.333", "0.250", "0.286", "1", "2", "3"]
    assert rows["subOrganizationOf"] == ["-", "-", "-", "0", "0", "0"]
    assert rows["investment"][3:] == ["2", "1", "0"]
    assert "c.txt  (not in the graph)" in lines


def test_to_markdown(result):
    text = to_markdown(result)
    assert text.startswith("| | P | R | F1 | TP | FP | FN |\n|---|")
    assert "| Agency | 1.000 | 0.667 | 0.800 | 2 | 0 | 1 |" in text
    assert "| **relations** | 0.667 | 0.667 | 0.667 | 4 | 2 | 2 |" in text
    assert "| `b.txt` investment | 1.000 | 1.000 | 1.000 | 1 | 0 | 0 |" in text


def test_to_json(result):
    data = json.loads(to_json(result))
    assert data["entities"]["all"] == {"precision": 0.5833, "recall": 0.5833, "f1": 0.5833,
                                       "tp": 7, "fp": 5, "fn": 5}
    assert data["relations"]["by_rel"]["worksFor"]["fp"] == 1
    assert data["missing_documents"] == ["c.txt"]
    assert data["per_document"][0]["doc"] == "a.txt"
    assert "errors" not in data
    with_errors = json.loads(to_json(result, errors=True))
    assert len(with_errors["errors"]) == len(EXPECTED_ERRORS)
    assert {"doc": "a.txt", "layer": "attribute", "kind": "FP", "cause": "wrong-value",
            "item": [LABEL, "investment", "100"], "detail": "gold 918760000"} \
        in with_errors["errors"]
