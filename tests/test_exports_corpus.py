"""The committed build of the bundled corpus meets the graph contract."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import DCTERMS, RDF, RDFS

from kg.ids import KG_NS

ROOT = Path(__file__).resolve().parents[1]
TTL = ROOT / "exports" / "graph.ttl"
KG = Namespace(KG_NS)
PROV = Namespace("http://www.w3.org/ns/prov#")


@pytest.fixture(scope="module")
def committed_graph() -> Graph:
    """The committed ``exports/graph.ttl`` (CI checks that it equals a fresh build)."""
    return Graph().parse(TTL)


def test_every_division_has_level_and_a_part_of_chain_to_the_province(committed_graph):
    province = next(committed_graph.subjects(RDFS.label, Literal("山西省", lang="zh")))
    divisions = set(committed_graph.subjects(RDF.type, KG.Division))
    assert divisions
    for d in divisions:
        level = committed_graph.value(d, KG.level)
        assert level is not None, d
        if d == province:
            continue
        chain, node = [], d
        while node != province:
            parents = list(committed_graph.objects(node, KG.partOf))
            assert len(parents) == 1, (committed_graph.value(d, RDFS.label), parents)
            node = parents[0]
            chain.append(node)
            assert len(chain) < 8
        if str(level) in ("province", "prefecture", "county"):
            assert committed_graph.value(d, KG.adcode) is not None, committed_graph.value(d, RDFS.label)


def test_every_statement_reproduces_its_evidence(committed_graph):
    texts = {}
    statements = list(committed_graph.subjects(RDF.type, RDF.Statement))
    assert statements
    for s in statements:
        article = committed_graph.value(s, PROV.wasDerivedFrom)
        source = str(committed_graph.value(article, DCTERMS.source))
        if source not in texts:
            texts[source] = (ROOT / "corpus" / source).read_text(encoding="utf-8")
        start, end = int(committed_graph.value(s, KG.start)), int(committed_graph.value(s, KG.end))
        assert texts[source][start:end] == str(committed_graph.value(s, KG.evidence))


def test_export_conforms_to_the_shapes(committed_graph):
    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    ontology = Graph().parse(ROOT / "ontology" / "kg.ttl")
    conforms, _, report = pyshacl.validate(committed_graph, shacl_graph=shapes, ont_graph=ontology, inference="none")
    assert conforms, report[:2000]


def test_rapper_parses_the_export(rapper):
    out = subprocess.run([rapper, "-i", "turtle", "-c", str(TTL)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "returned" in out.stderr and " 0 triples" not in out.stderr
