"""The Python API of ``kg/__init__.py``: build_graph, write_exports, read_graph, to_rdflib."""
from __future__ import annotations

import doctest

import networkx as nx
import pytest
from rdflib import Graph

import kg
from kg.errors import ExportError, KGError
from support import ROOT, same_exports, snapshot

EXPORTS = ROOT / "exports"


def test_the_docstring_examples_run():
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
    for name in ("build_graph", "write_exports", "read_graph", "to_rdflib"):
        for test in finder.find(getattr(kg, name), f"kg.{name}", globs={}):
            runner.run(test)
    failed, attempted = runner.summarize(verbose=False)
    assert failed == 0 and attempted >= 15


def test_build_graph_gives_the_graph_kg_build_exports(tmp_path):
    graph = kg.build_graph(ROOT / "corpus", cache_dir=tmp_path / "cache")
    assert isinstance(graph, nx.MultiDiGraph)
    written = kg.write_exports(graph, tmp_path / "out")
    assert [p.relative_to(tmp_path / "out").as_posix() for p in written][:2] == ["graph.ttl", "graph.html"]
    same_exports(tmp_path / "out", EXPORTS)
    # the second time from the cache (the default, as in kg build): the same graph
    assert snapshot(kg.build_graph([str(ROOT / "corpus")], cache_dir=tmp_path / "cache")) == snapshot(graph)


def test_build_graph_reports_what_it_skips(tmp_path):
    (tmp_path / "good.txt").write_text("长治市潞城区人民政府召开会议。", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02" * 100)
    skipped: list[str] = []
    graph = kg.build_graph(tmp_path, cache=False, on_skip=skipped.append)
    assert len(skipped) == 1 and "bad.txt" in skipped[0]
    assert "长治市潞城区人民政府" in {data["label"] for _, data in graph.nodes(data=True)}
    (tmp_path / "good.txt").unlink()
    with pytest.raises(KGError, match="no readable corpus file"):
        kg.build_graph(tmp_path, cache=False, on_skip=skipped.append)


def test_read_graph_then_write_exports_gives_the_same_turtle(tmp_path):
    graph = kg.read_graph(EXPORTS / "graph.ttl")
    (ttl,) = kg.write_exports(graph, tmp_path, formats=["ttl"])
    assert ttl.read_bytes() == (EXPORTS / "graph.ttl").read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["graph.ttl"]


def test_to_rdflib_holds_the_triples_of_graph_ttl():
    rdf = kg.to_rdflib(kg.read_graph(EXPORTS / "graph.ttl"))
    assert isinstance(rdf, Graph)
    assert set(rdf) == set(Graph().parse(EXPORTS / "graph.ttl"))
    assert dict(rdf.namespaces())["kg"] == dict(Graph().parse(EXPORTS / "graph.ttl").namespaces())["kg"]


@pytest.mark.parametrize("formats, names", [
    (["neo4j"], ["neo4j/nodes.csv", "neo4j/relationships.csv", "neo4j/ladybug.cypher"]),
    ("facts", ["facts.csv"]),
    (["html", "ttl"], ["graph.ttl", "graph.html"]),
])
def test_write_exports_writes_the_formats_asked_for(sample_graph, tmp_path, formats, names):
    written = kg.write_exports(sample_graph, tmp_path, formats)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == names
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == sorted(names)


def test_write_exports_in_several_processes_gives_the_same_files(sample_graph, tmp_path):
    one = kg.write_exports(sample_graph, tmp_path / "one", ["ttl", "facts", "graphml"])
    two = kg.write_exports(sample_graph, tmp_path / "two", ["ttl", "facts", "graphml"], jobs=3)
    assert [p.read_bytes() for p in one] == [p.read_bytes() for p in two]


def test_an_unknown_format_writes_nothing(sample_graph, tmp_path):
    with pytest.raises(ExportError, match="unknown export format 'rdfxml'; the formats are ttl, html"):
        kg.write_exports(sample_graph, tmp_path / "out", ["ttl", "rdfxml"])
    assert not (tmp_path / "out").exists()


def test_import_kg_loads_no_stage():
    import subprocess
    import sys

    code = ("import sys, kg; heavy = [m for m in ('spacy', 'rdflib', 'networkx', 'jieba', 'kg.run.build') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
