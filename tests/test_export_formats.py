"""Every export format, read back by independent parsers; determinism; the fast path.

Graphs: the hand-written sample graph of tests/support.py, a graph full of
untrusted text (quotes, backslashes, every C0 control), and the bundled
corpus built once per session (the conftest's ``corpus_graph`` and
``corpus_exports``, also used by the query, shapes, Virtuoso and LadybugDB
tests).
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import RDF, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.export.graphml import serialize_graphml
from kg.export.jsonld import CONTEXT, serialize_jsonld
from kg.export.neo4j import RELATIONSHIP_COLUMNS, ladybug_script
from kg.export.ntriples import generate_ntriples
from kg.export.quads import iter_quads, to_rdf
from kg.export.turtle import serialize_turtle
from kg.ids import ID_NS, iri

from support import (NASTY, PROJECT, benchmark, from_rapper, make_nasty_graph, make_sample_graph,
                     write_every_export)

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = ("graph.ttl", "graph.nt", "graph.trig", "graph.jsonld", "graph.graphml",
           "neo4j/nodes.csv", "neo4j/relationships.csv", "neo4j/ladybug.cypher", "facts.csv")
RDF_FILES = {"graph.ttl": "turtle", "graph.nt": "ntriples", "graph.trig": "trig"}

# rdflib's Dataset warns about its own deprecated API.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def nul_free_nasty_graph() -> nx.MultiDiGraph:
    """The untrusted-text graph without U+0000, which raptor cuts strings at."""
    graph, _ = make_nasty_graph()
    text = serialize_jsonld(graph)
    assert "\\u0000" in text
    clean = nx.MultiDiGraph()
    for key, data in graph.nodes(data=True):
        clean.add_node(key, **json.loads(json.dumps(data).replace("\\u0000", "")))
    for h, t, k, data in graph.edges(keys=True, data=True):
        clean.add_edge(h, t, key=k, **json.loads(json.dumps(data).replace("\\u0000", "")))
    return clean


GRAPHS = ("corpus", "nasty", "sample")


def graph_named(name: str, request) -> nx.MultiDiGraph:
    """The graph of these tests called ``name``: the bundled corpus's (built once per
    session, shared) or a new sample or untrusted-text graph."""
    if name == "corpus":
        return request.getfixturevalue("corpus_graph")
    return make_sample_graph() if name == "sample" else make_nasty_graph()[0]


@pytest.fixture(scope="module", params=GRAPHS)
def exported(request, tmp_path_factory):
    """(name, graph, directory with every export of it)."""
    graph = graph_named(request.param, request)
    if request.param == "corpus":
        out = request.getfixturevalue("corpus_exports")
    else:
        out = write_every_export(graph, tmp_path_factory.mktemp(request.param))
    return request.param, graph, out


def from_oxigraph(path: Path, fmt) -> Graph:
    """An rdflib graph of the triples pyoxigraph reads (named graphs merged)."""
    g = Graph()
    for q in ox.parse(path=str(path), format=fmt):
        g.add(tuple(_rdflib_term(t) for t in (q.subject, q.predicate, q.object)))
    return g


def _rdflib_term(t):
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    assert isinstance(t, ox.Literal), f"unexpected term {t!r}"
    if t.language:
        return Literal(t.value, lang=t.language)
    if t.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(t.value)  # RDF 1.1: a plain literal is an xsd:string
    return Literal(t.value, datatype=URIRef(t.datatype.value))


# -- every RDF export, read by three parsers -------------------------------------

@pytest.mark.parametrize("name, rdflib_format, ox_format", [
    ("graph.ttl", "turtle", ox.RdfFormat.TURTLE),
    ("graph.nt", "nt", ox.RdfFormat.N_TRIPLES),
    ("graph.trig", "trig", ox.RdfFormat.TRIG),
    ("graph.jsonld", "json-ld", ox.RdfFormat.JSON_LD),
])
def test_rdflib_and_pyoxigraph_read_every_rdf_export(exported, name, rdflib_format, ox_format):
    _, graph, out = exported
    expected = to_rdf(graph)
    path = out / name
    if rdflib_format == "trig":
        ds = Dataset()
        ds.parse(path, format="trig")
        back = Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            back.add((s, p, o))
    else:
        back = Graph().parse(path, format=rdflib_format)
    assert len(back) == len(expected)
    assert isomorphic(back, expected)
    oxi = from_oxigraph(path, ox_format)
    assert len(oxi) == len(expected)
    assert isomorphic(oxi, expected)


@pytest.mark.parametrize("name", sorted(RDF_FILES))
def test_rapper_reads_every_raptor_syntax(rapper, exported, name):
    label, graph, out = exported
    if label == "nasty":  # raptor keeps strings as C strings: U+0000 ends them
        graph = nul_free_nasty_graph()
        out = write_every_export(graph, Path(tempfile.mkdtemp()))
    back = from_rapper(rapper, out / name, RDF_FILES[name])
    expected = to_rdf(graph)
    assert len(back) == len(expected)
    assert isomorphic(back, expected)


def test_untrusted_text_survives_every_rdf_syntax(tmp_path):
    graph, org = make_nasty_graph()
    out = write_every_export(graph, tmp_path)
    for name, fmt in [("graph.nt", ox.RdfFormat.N_TRIPLES), ("graph.trig", ox.RdfFormat.TRIG),
                      ("graph.jsonld", ox.RdfFormat.JSON_LD)]:
        values = {q.object.value for q in ox.parse(path=str(out / name), format=fmt)
                  if isinstance(q.object, ox.Literal)}
        assert NASTY in values and NASTY + "别名" in values, name
    data = (out / "graph.nt").read_bytes()
    assert not any(b < 0x20 and b != 0x0A for b in data)


# -- the fast path writes what rdflib would ----------------------------------------

@pytest.mark.parametrize("graph_name", GRAPHS)
def test_direct_writers_equal_the_rdflib_path(graph_name, request):
    graph = graph_named(graph_name, request)
    rdf = to_rdf(graph)
    assert serialize_turtle(graph) == serialize_turtle(rdf)
    assert list(generate_ntriples(graph)) == list(generate_ntriples(rdf))


_text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(label=_text, alias=_text, evidence=_text, role=_text,
       investment=st.from_regex(r"\A[+-]?[0-9]{1,12}(\.[0-9]{1,4})?\Z"))
def test_fast_path_equals_rdflib_path_for_any_text(label, alias, evidence, role, investment):
    graph = make_sample_graph()
    node = iri(PROJECT)
    graph.nodes[node].update(label=label, aliases=[alias], investment=investment)
    for _, _, data in graph.edges(data=True):
        for ev in data["evidence"]:
            ev.update(text=evidence, role=role)
    rdf = to_rdf(graph)
    assert serialize_turtle(graph) == serialize_turtle(rdf)
    assert list(generate_ntriples(graph)) == list(generate_ntriples(rdf))
    back = Graph().parse(data=serialize_turtle(graph), format="turtle")
    assert isomorphic(back, rdf)


def test_decimals_are_written_canonically():
    graph = make_sample_graph()
    graph.nodes[iri(PROJECT)]["investment"] = "+0091800.500"
    nt = "\n".join(generate_ntriples(graph))
    assert '"91800.5"^^<http://www.w3.org/2001/XMLSchema#decimal>' in nt


def test_fast_path_writes_every_triple_of_a_large_graph():
    """The fast path on a graph shaped like a real one: every triple of the rdflib
    path, none lost.  How much faster than rdflib it is: ``benchmarks/turtle_vs_rdflib.py``."""
    graph = benchmark("export_speed").synthetic_graph(40_000)
    rdf = to_rdf(graph)
    text = serialize_turtle(graph)  # straight from networkx, rdflib never involved
    assert sum(1 for _ in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE)) == len(rdf)


# -- N-Triples and TriG layout ------------------------------------------------------

def test_ntriples_lines_are_sorted_and_unique(exported):
    _, graph, out = exported
    lines = (out / "graph.nt").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(set(lines))
    assert len(lines) == len(to_rdf(graph))
    # byte order = code point order, so `LC_ALL=C sort -c` agrees
    raw = (out / "graph.nt").read_bytes().split(b"\n")[:-1]
    assert raw == sorted(raw)


def test_trig_has_one_named_graph_per_article_with_its_provenance(exported):
    _, graph, out = exported
    kg = "https://w3id.org/shanxi-kg/ontology#"
    quads = list(ox.parse(path=str(out / "graph.trig"), format=ox.RdfFormat.TRIG))
    articles = {k for k, d in graph.nodes(data=True) if d["kind"] == "Article"}
    named = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    assert named and named <= articles
    statements = {q.subject for q in quads if q.predicate.value == str(RDF.type)
                  and q.object.value == str(RDF.Statement)}
    derived = {q.subject: q.object.value for q in quads
               if q.predicate.value == "http://www.w3.org/ns/prov#wasDerivedFrom"}
    for q in quads:
        if isinstance(q.graph_name, ox.DefaultGraph):
            # entities, articles, direct relations: no provenance
            assert q.subject not in statements and q.predicate.value != kg + "mentionedIn"
        elif q.predicate.value == kg + "mentionedIn":
            assert q.object.value == q.graph_name.value
        else:  # part of a statement derived from this very article
            assert q.subject in statements and derived[q.subject] == q.graph_name.value


def test_trig_quads_in_pyoxigraph_query_by_graph(tmp_path):
    out = write_every_export(make_sample_graph(), tmp_path)
    store = ox.Store()
    store.load(path=str(out / "graph.trig"), format=ox.RdfFormat.TRIG)
    rows = list(store.query("""
        PREFIX kg: <https://w3id.org/shanxi-kg/ontology#>
        SELECT DISTINCT ?g WHERE { GRAPH ?g { ?e kg:mentionedIn ?g } } ORDER BY ?g"""))
    assert [r["g"].value for r in rows] == [iri("a-1"), iri("b-1"), iri("b-2")]


# -- JSON-LD --------------------------------------------------------------------------

def test_jsonld_is_deterministic_and_has_a_context(exported):
    _, graph, out = exported
    text = (out / "graph.jsonld").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert doc["@context"] == CONTEXT
    assert {"kg", "rdfs", "skos", "prov", "dcterms"} <= set(doc["@context"])
    ids = [n["@id"] for n in doc["@graph"]]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert text == json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    for node in doc["@graph"]:
        assert all(isinstance(v, list) for k, v in node.items() if k != "@id")


# -- GraphML ----------------------------------------------------------------------------

def test_graphml_round_trips_through_networkx(exported):
    label, graph, out = exported
    path = out / "graph.graphml"
    ET.parse(path)  # well-formed XML
    back = nx.read_graphml(path, force_multigraph=True)
    assert sorted(back.nodes) == sorted(graph.nodes)
    assert sorted(back.edges(keys=True)) == sorted(graph.edges(keys=True))
    for key, data in graph.nodes(data=True):
        got = back.nodes[key]
        for name, value in data.items():
            if value is None:
                assert name not in got
            elif name == "investment":
                assert got[name] == float(value)
            elif isinstance(value, (list, dict)):
                # JSON escapes control characters, so these survive exactly
                assert json.loads(got[name]) == value
            else:
                assert got[name] == _xml_safe(value, label)
    for h, t, k, data in graph.edges(keys=True, data=True):
        assert json.loads(back.edges[h, t, k]["evidence"]) == data["evidence"]


def _xml_safe(value, label):
    """What XML 1.0 can carry: C0 controls other than TAB, LF, CR become U+FFFD."""
    if label != "nasty":
        return value
    text = json.dumps(value, ensure_ascii=False)
    for c in map(chr, [*range(0, 9), 0x0B, 0x0C, *range(0x0E, 0x20)]):
        text = text.replace(json.dumps(c)[1:-1], "\ufffd")
    return json.loads(text)


def test_graphml_keeps_carriage_returns_and_markup():
    graph = make_sample_graph()
    graph.nodes[iri(PROJECT)]["label"] = "a\rb\r\nc <&> \"d\" \u2028e"
    back = nx.read_graphml(io.BytesIO(serialize_graphml(graph)), force_multigraph=True)
    assert back.nodes[iri(PROJECT)]["label"] == "a\rb\r\nc <&> \"d\" \u2028e"


# -- Neo4j CSV --------------------------------------------------------------------------

def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_neo4j_headers_are_what_neo4j_admin_expects(exported):
    _, _, out = exported
    nodes = (out / "neo4j/nodes.csv").read_text(encoding="utf-8").split("\n", 1)[0]
    rels = (out / "neo4j/relationships.csv").read_text(encoding="utf-8").split("\n", 1)[0]
    assert nodes == ("iri:ID,:LABEL,label,aliases:string[],level,adcode,investment:double,"
                     "title,source,start_offset:int,end_offset:int,date")
    assert rels == (":START_ID,:END_ID,:TYPE,evidence:string[],evidence_articles:string[],"
                    "evidence_starts:int[],evidence_ends:int[],roles:string[],rules:string[]")


def test_neo4j_csv_holds_every_node_edge_and_mention(exported):
    label, graph, out = exported
    nodes = read_csv(out / "neo4j/nodes.csv")
    rels = read_csv(out / "neo4j/relationships.csv")
    assert [r["iri:ID"] for r in nodes] == sorted(graph.nodes)
    ids = {r["iri:ID"] for r in nodes}
    for r in nodes:
        data = graph.nodes[r["iri:ID"]]
        assert r[":LABEL"] == data["kind"]
        assert r["label"] == data["label"]  # exact, whatever the text
        aliases = r["aliases:string[]"].split(";") if r["aliases:string[]"] else []
        assert aliases == [a.replace(";", "\uff1b") for a in data.get("aliases", [])]
        if data.get("investment") is not None:
            assert float(r["investment:double"]) == float(data["investment"])
    n_mentions = sum(len(d.get("mentioned_in", ())) for _, d in graph.nodes(data=True))
    assert len(rels) == graph.number_of_edges() + n_mentions
    for r in rels:  # neo4j-admin refuses relationships to unknown ids
        assert r[":START_ID"] in ids and r[":END_ID"] in ids
    facts = [r for r in rels if r[":TYPE"] != "mentionedIn"]
    for r in facts:
        evidence = graph.edges[r[":START_ID"], r[":END_ID"], r[":TYPE"]]["evidence"]
        cols = {h: (r[h].split(";") if r[h] else []) for h, *_ in RELATIONSHIP_COLUMNS[3:]}
        if not evidence:  # partOf from the gazetteer
            assert not any(cols.values())
            continue
        # aligned arrays; roles and rules are null when no evidence has one
        assert {len(v) for v in cols.values()} - {0} == {len(evidence)}
        assert all(cols[h] for h in ("evidence:string[]", "evidence_articles:string[]",
                                     "evidence_starts:int[]", "evidence_ends:int[]"))
        assert cols["evidence_starts:int[]"] == [str(ev["start"]) for ev in evidence]
        assert cols["evidence:string[]"] == [ev["text"].replace(";", "\uff1b") for ev in evidence]


def test_neo4j_csv_quotes_untrusted_text(tmp_path):
    graph, org = make_nasty_graph()
    out = write_every_export(graph, tmp_path)
    raw = (out / "neo4j/nodes.csv").read_bytes()
    rows = read_csv(out / "neo4j/nodes.csv")
    assert len(rows) == graph.number_of_nodes()
    assert next(r for r in rows if r["iri:ID"] == iri(org))["label"] == NASTY
    assert next(r for r in rows if r["iri:ID"] == iri("a-1"))["title"] == NASTY
    # a lone CR inside a field is quoted, so no reader takes it as a line end
    assert b"\r" in raw
    assert sum(1 for _ in csv.reader(io.StringIO(raw.decode("utf-8"), newline=""))) == len(rows) + 1


def test_ladybug_script_names_every_table():
    script = ladybug_script(make_sample_graph())
    for kind in ("Agency", "Article", "Division", "Organization", "Person", "Project"):
        assert f"CREATE NODE TABLE {kind}(`iri` STRING PRIMARY KEY" in script
        assert f"COPY {kind} FROM (LOAD WITH HEADERS" in script
    assert "CREATE REL TABLE worksFor(FROM Person TO Agency" in script
    assert "CREATE REL TABLE mentionedIn(FROM Agency TO Article, FROM Division TO Article" in script


# -- IRIs, determinism, atomic writes --------------------------------------------------

_IRI_SHAPE = re.compile(r"^https://w3id\.org/shanxi-kg/id/"
                        r"(division/14[0-9]{4}([0-9]{6})?(-[a-z0-9]+)?|division/[0-9a-z-]+"
                        r"|(agency|organization|project|person|statement)/[0-9a-f]{16}"
                        r"|article/[A-Za-z0-9._-]+)$")


def test_every_iri_is_ascii_and_deterministic(exported):
    _, graph, _ = exported
    for s, p, o, g in iter_quads(graph):
        for term in (s, p, o if isinstance(o, str) else None, g):
            if term is None:
                continue
            assert term.isascii(), term
            if term.startswith(ID_NS):
                assert _IRI_SHAPE.match(term), term


def test_every_export_is_byte_identical_across_builds(tmp_path):
    one = write_every_export(make_sample_graph(), tmp_path / "one")
    two = write_every_export(make_sample_graph(), tmp_path / "two")
    for name in EXPORTS:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


_SCRIPT = """
import sys
from support import make_sample_graph
from kg.run.build import write_exports
from pathlib import Path
write_exports(make_sample_graph(), Path(sys.argv[1]))
"""


@pytest.mark.parametrize("seed", ["0", "4242"])
def test_export_bytes_do_not_depend_on_hash_seed(tmp_path, seed):
    mine = write_every_export(make_sample_graph(), tmp_path / "mine")
    env = dict(os.environ, PYTHONHASHSEED=seed,
               PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests")]))
    subprocess.run([sys.executable, "-c", _SCRIPT, str(tmp_path / "other")], env=env,
                   check=True, cwd=tmp_path)
    for name in EXPORTS:
        assert (tmp_path / "other" / name).read_bytes() == (mine / name).read_bytes(), name


def test_writers_leave_no_temporary_files(tmp_path):
    write_every_export(make_sample_graph(), tmp_path)
    leftovers = [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == \
        sorted(EXPORTS + ("graph.html",))
