"""Tests of the RDF exports (kg.export.quads, turtle, ntriples, trig): the contract triples, Turtle round trips, SHACL, determinism."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
from rdflib import DCTERMS, PROV, RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.errors import ExportError
from kg.export.atomic import atomic_write
from kg.export.quads import KG, statement_iri, to_rdf
from kg.export.turtle import serialize_turtle, write_turtle
from kg.ids import iri

from support import (CHANGZHI, COMPANY, DIANSHANG, FGJ, LUCHENG, NASTY, PROJECT, SHANXI, TEXT_A, ZHANG,
                     benchmark, make_nasty_graph, make_sample_graph)

# rdflib's Dataset, used inside pyshacl, warns about its own deprecated API.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ROOT / "ontology" / "shapes.ttl"
ONTOLOGY = ROOT / "ontology" / "kg.ttl"


def U(x: str) -> URIRef:
    return URIRef(iri(x))


def parse_turtle(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def rapper_ntriples(rapper: str, path: Path) -> Graph:
    out = subprocess.run([rapper, "-q", "-i", "turtle", "-o", "ntriples", str(path)],
                         capture_output=True, check=True)
    assert out.stderr == b""
    return Graph().parse(data=out.stdout.decode("utf-8"), format="nt")


def validate(rdf: Graph) -> tuple[bool, str]:
    conforms, _, text = pyshacl.validate(rdf, shacl_graph=str(SHAPES), ont_graph=str(ONTOLOGY),
                                         allow_warnings=False)
    return conforms, text


@pytest.fixture(scope="module")
def rdf(sample_graph):
    return to_rdf(sample_graph)


# -- the contract triples -------------------------------------------------------

def test_entities(rdf):
    fgj = U(FGJ)
    assert (fgj, RDF.type, KG.Agency) in rdf
    assert set(rdf.objects(fgj, RDFS.label)) == {Literal("潞城区发展和改革局", lang="zh")}
    assert set(rdf.objects(fgj, SKOS.altLabel)) == {Literal("区发改局", lang="zh")}
    assert set(rdf.objects(fgj, KG.mentionedIn)) == {U("a-1"), U("b-1")}
    lucheng = U(LUCHENG)
    assert rdf.value(lucheng, KG.level) == Literal("county")
    assert rdf.value(lucheng, KG.adcode) == Literal("140406")
    assert rdf.value(lucheng, KG.partOf) == U(CHANGZHI)
    assert rdf.value(U(DIANSHANG), KG.adcode) is None
    assert rdf.value(U(SHANXI), KG.partOf) is None


def test_articles(rdf):
    a1 = U("a-1")
    assert (a1, RDF.type, KG.Article) in rdf
    assert rdf.value(a1, DCTERMS.title) == Literal("潞城区召开会议", lang="zh")
    assert rdf.value(a1, DCTERMS.source) == Literal("a.txt")
    assert rdf.value(a1, KG.start) == Literal(0)
    assert rdf.value(a1, KG.end) == Literal(len(TEXT_A))
    assert rdf.value(a1, DCTERMS.date) == Literal("2023-05-06", datatype=XSD.date)
    assert rdf.value(U("b-1"), DCTERMS.date) is None


def test_direct_relation_triples(rdf, sample_graph):
    for head, tail, rel in sample_graph.edges(keys=True):
        assert (URIRef(head), KG[rel], URIRef(tail)) in rdf
    assert (U(ZHANG), KG.worksFor, U(FGJ)) in rdf
    assert (U(COMPANY), KG.undertakes, U(PROJECT)) in rdf


def test_every_evidence_is_a_reified_statement(rdf, sample_graph):
    n_evidence = sum(len(d["evidence"]) for *_, d in sample_graph.edges(keys=True, data=True))
    n_invest = len(sample_graph.nodes[iri(PROJECT)]["investment_evidence"])
    assert len(set(rdf.subjects(RDF.type, RDF.Statement))) == n_evidence + n_invest
    ev = sample_graph.edges[iri(ZHANG), iri(FGJ), "worksFor"]["evidence"][0]
    s = statement_iri(iri(ZHANG), "worksFor", iri(FGJ), ev["article"], ev["start"], ev["end"])
    assert str(s).startswith("https://w3id.org/shanxi-kg/id/statement/") and len(str(s).rsplit("/", 1)[1]) == 16
    assert set(rdf.predicate_objects(s)) == {
        (RDF.type, RDF.Statement), (RDF.subject, U(ZHANG)), (RDF.predicate, KG.worksFor),
        (RDF.object, U(FGJ)), (PROV.wasDerivedFrom, U("a-1")),
        (KG.evidence, Literal(ev["text"], lang="zh")),
        (KG.start, Literal(ev["start"])), (KG.end, Literal(ev["end"])),
        (KG.role, Literal("局长", lang="zh")), (KG.rule, Literal("title_before_name")),
    }
    assert TEXT_A[ev["start"]:ev["end"]] == ev["text"]


def test_gazetteer_part_of_has_no_statement(rdf):
    statements = set(rdf.subjects(RDF.predicate, KG.partOf))
    assert statements == set()


def test_investment_is_decimal_and_reified(rdf):
    project = U(PROJECT)
    assert list(rdf.objects(project, KG.investment)) == [Literal("918000000", datatype=XSD.decimal)]
    statements = set(rdf.subjects(RDF.predicate, KG.investment))
    assert {rdf.value(s, RDF.object) for s in statements} == {
        Literal("918000000", datatype=XSD.decimal), Literal("900000000", datatype=XSD.decimal)}
    for s in statements:
        assert rdf.value(s, RDF.subject) == project
        assert rdf.value(s, PROV.wasDerivedFrom) in {U("a-1"), U("b-2")}
        assert rdf.value(s, KG.evidence).language == "zh"


def test_sparql_projects_in_a_city_at_any_depth(tmp_path, sample_graph):
    path = write_turtle(sample_graph, tmp_path / "kg.ttl")
    query = """
        PREFIX kg: <https://w3id.org/shanxi-kg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?name ?investment ?evidence WHERE {
          ?city rdfs:label "长治市"@zh .
          ?project a kg:Project ; rdfs:label ?name ; kg:locatedIn/kg:partOf* ?city ;
                   kg:investment ?investment .
          ?s rdf:subject ?project ; rdf:predicate kg:investment ; rdf:object ?investment ;
             kg:evidence ?evidence .
        }"""
    rows = list(parse_turtle(path).query(query))
    assert [(str(n), str(i)) for n, i, _ in rows] == [("潞城区光伏发电项目", "918000000")]
    assert "918000000" in str(rows[0][2])


# -- Turtle round trips ---------------------------------------------------------

def test_turtle_parses_back_isomorphic(tmp_path, rdf, sample_graph):
    path = write_turtle(sample_graph, tmp_path / "kg.ttl")
    back = parse_turtle(path)
    assert len(back) == len(rdf)
    assert isomorphic(back, rdf)


def test_rapper_reads_the_turtle(rapper, tmp_path, rdf, sample_graph):
    path = write_turtle(sample_graph, tmp_path / "kg.ttl")
    back = rapper_ntriples(rapper, path)
    assert len(back) == len(rdf)
    assert isomorphic(back, rdf)


def test_untrusted_text_round_trips_exactly(tmp_path):
    graph, org = make_nasty_graph()
    rdf = to_rdf(graph)
    path = write_turtle(graph, tmp_path / "nasty.ttl")
    data = path.read_bytes()
    assert not any(b < 0x20 and b != 0x0A for b in data)  # every control char is escaped
    for back in (parse_turtle(path),):
        assert isomorphic(back, rdf)
        assert str(back.value(URIRef(iri(org)), RDFS.label)) == NASTY
        assert str(back.value(U("a-1"), DCTERMS.title)) == NASTY
    quads = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(quads) == len(rdf)
    assert NASTY in {q.object.value for q in quads if isinstance(q.object, pyoxigraph.Literal)}


def test_untrusted_text_round_trips_through_rapper(rapper, tmp_path):
    graph, org = make_nasty_graph()
    path = write_turtle(graph, tmp_path / "nasty.ttl")
    back = rapper_ntriples(rapper, path)
    assert len(back) == len(to_rdf(graph))
    # raptor stores strings as C strings and cuts them at U+0000, though the
    # Turtle escapes it correctly (rdflib and pyoxigraph read it back above).
    expected = NASTY.split("\x00", 1)[0]
    assert str(back.value(URIRef(iri(org)), RDFS.label)) == expected
    assert str(back.value(U("a-1"), DCTERMS.title)) == expected
    tail = NASTY.split("\x00", 1)[1]
    nul_free = graph.copy()
    nul_free.nodes[iri(org)]["aliases"] = [tail]
    path2 = write_turtle(nul_free, tmp_path / "tail.ttl")
    assert {str(o) for o in rapper_ntriples(rapper, path2).objects(URIRef(iri(org)), SKOS.altLabel)} == {tail}


def test_bad_iri_is_an_export_error():
    rdf = Graph()
    rdf.add((URIRef("https://x/a b"), RDFS.label, Literal("x")))
    with pytest.raises(ExportError, match="characters Turtle does not allow"):
        serialize_turtle(rdf)


# -- SHACL ----------------------------------------------------------------------

def test_shacl_accepts_the_export(tmp_path, sample_graph):
    conforms, text = validate(parse_turtle(write_turtle(sample_graph, tmp_path / "kg.ttl")))
    assert conforms, text


def test_shacl_accepts_untrusted_text():
    conforms, text = validate(to_rdf(make_nasty_graph()[0]))
    assert conforms, text


def _without_label(rdf: Graph) -> None:
    rdf.remove((U(FGJ), RDFS.label, None))


def _bad_adcode(rdf: Graph) -> None:
    rdf.set((U(LUCHENG), KG.adcode, Literal("99")))


def _twelve_digit_county(rdf: Graph) -> None:
    rdf.set((U(LUCHENG), KG.adcode, Literal("140406000000")))


def _six_digit_township(rdf: Graph) -> None:
    rdf.add((U(DIANSHANG), KG.adcode, Literal("140406")))


def _bad_level(rdf: Graph) -> None:
    rdf.set((U(LUCHENG), KG.level, Literal("district")))


def _english_label(rdf: Graph) -> None:
    rdf.set((U(ZHANG), RDFS.label, Literal("Zhang San", lang="en")))


def _works_for_a_project(rdf: Graph) -> None:
    rdf.add((U(ZHANG), KG.worksFor, U(PROJECT)))


def _statement_without_article(rdf: Graph) -> None:
    s = next(iter(rdf.subjects(RDF.predicate, KG.worksFor)))
    rdf.remove((s, PROV.wasDerivedFrom, None))


def _negative_offset(rdf: Graph) -> None:
    s = next(iter(rdf.subjects(RDF.predicate, KG.worksFor)))
    rdf.set((s, KG.start, Literal(-1)))


@pytest.mark.parametrize("breakage, message", [
    (_without_label, "exactly one non-empty rdfs:label"),
    (_bad_adcode, "must be a Shanxi code"),
    (_twelve_digit_county, "has a 6-digit kg:adcode"),
    (_six_digit_township, "has a 12-digit kg:adcode"),
    (_bad_level, "kg:level must be one of"),
    (_english_label, "rdfs:label in Chinese"),
    (_works_for_a_project, "kg:worksFor points to a kg:Agency or kg:Organization"),
    (_statement_without_article, "derived from exactly one kg:Article"),
    (_negative_offset, "Value is not >="),
])
def test_shacl_rejects_a_broken_graph(rdf, breakage, message):
    broken = Graph()
    for t in rdf:
        broken.add(t)
    breakage(broken)
    conforms, report = validate(broken)
    assert not conforms
    assert message in report


# -- determinism and atomic writes ------------------------------------------------

def test_two_writes_are_byte_identical(tmp_path, sample_graph):
    one = write_turtle(sample_graph, tmp_path / "one.ttl").read_bytes()
    two = write_turtle(make_sample_graph(), tmp_path / "two.ttl").read_bytes()
    assert one == two


_SCRIPT = """
import sys
from support import make_sample_graph
from kg.export.turtle import write_turtle
write_turtle(make_sample_graph(), sys.argv[1])
"""


@pytest.mark.parametrize("seed", ["0", "12345"])
def test_bytes_do_not_depend_on_hash_seed(tmp_path, sample_graph, seed):
    mine = write_turtle(sample_graph, tmp_path / "mine.ttl").read_bytes()
    env = dict(os.environ, PYTHONHASHSEED=seed,
               PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests")]))
    subprocess.run([sys.executable, "-c", _SCRIPT, str(tmp_path / "other.ttl")], env=env,
                   check=True, cwd=tmp_path)
    assert (tmp_path / "other.ttl").read_bytes() == mine


def test_atomic_write_replaces_and_leaves_no_temp_files(tmp_path):
    target = tmp_path / "sub" / "out.ttl"
    atomic_write(target, "一")
    atomic_write(target, b"\xe4\xba\x8c")
    assert target.read_text(encoding="utf-8") == "二"
    assert [p.name for p in target.parent.iterdir()] == ["out.ttl"]


def test_atomic_write_failure_is_an_export_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="cannot write"):
        atomic_write(tmp_path / "file" / "out.ttl", "x")


# -- fast paths = general paths -------------------------------------------------------
#
# The streamed writers fill in entities, statements of one evidence and plain
# articles without sorting their triples; the general path sorts the quads of
# each subject.  Both must write the same bytes, whatever the text.

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kg.export.blocks import ntriples_order  # noqa: E402
from kg.export.index import GraphIndex, QuadIndex  # noqa: E402
from kg.export.ntriples import iter_ntriples_bytes, serialize_ntriples  # noqa: E402
from kg.export.quads import iter_quads, statement_node  # noqa: E402
from kg.export.trig import iter_trig_bytes, serialize_trig  # noqa: E402
from kg.export.turtle import iter_turtle_bytes  # noqa: E402
from kg.ids import ID_NS, KG_NS  # noqa: E402

#: Text that sorts differently raw and escaped, or as a prefix of another.
HOSTILE = ["a", "a\n", "a\x01", 'a"', "a\\", "", "a b", "a>", "<", "山西", "\u2028", "a", "\t",
           "中文\r\n", "b" * 3, "\x7f", '""', "\\u0041"]


def _general(index):
    """The same index with every fast path turned off."""
    index.statement = {}.get
    index.article = {}.get
    index.entity = {}.get
    return index


def _writers():
    return (serialize_turtle, serialize_ntriples, serialize_trig)


def _hostile_graph(bare: bool = True):
    """Entities, divisions, articles and statements full of text to escape, IRIs
    that are prefixes of one another, duplicate mentions and relations."""
    import networkx as nx
    g = nx.MultiDiGraph()
    arts = [iri(f"article/doc{x}") for x in ("1", "10", "1-2", "1/3", "2")]
    for i, art in enumerate(arts):
        g.add_node(art, kind="Article", title=HOSTILE[i + 1], source=HOSTILE[i + 3], start=i, end=i + 9,
                   date=("2024-02-30", "2024-01", None, "2024", "x")[i])
    nodes = [iri(f"agency/x{x}") for x in ("1", "10", "1-1", "1.5", "2", "")]
    for i, node in enumerate(nodes):
        g.add_node(node, kind=("Agency", "Person", "Project", "Organization", "Agency", "Agency")[i],
                   label=HOSTILE[i], aliases=HOSTILE[i:i + 7] + HOSTILE[i:i + 2],
                   mentioned_in=[arts[i % 5], arts[(i + 1) % 5], arts[i % 5]])
    g.nodes[nodes[2]]["investment"] = "+0091800.500"
    g.nodes[nodes[2]]["investment_evidence"] = [
        {"value": "+0091800.500", "article": arts[0], "start": 1, "end": 2, "text": HOSTILE[1]}]
    div = iri("division:140000")
    g.add_node(div, kind="Division", label="山西省", aliases=[], mentioned_in=[arts[1]],
               level='pro"vince\n', adcode="140000")
    g.add_node(iri("division:140100"), kind="Division", label="太原市", level="", adcode=None)
    for i, node in enumerate(nodes):
        for rel in ("administers", "locatedIn", "worksFor")[: i % 3 + 1]:
            for j, ev_text in enumerate(HOSTILE[i:i + 2]):
                ev = {"article": arts[(i + j) % 5], "start": j, "end": j + 5, "text": ev_text,
                      "role": HOSTILE[j + 2] if rel == "worksFor" else None,
                      "rule": (None, "r", 'r"\n')[j % 3]}
                g.add_edge(node, (div, nodes[(i + 1) % 6])[j], key=rel, rel=rel, evidence=[ev])
        g.add_edge(node, div, key="partOf-again", rel="partOf", evidence=[])
        g.add_edge(node, div, key="partOf", rel="partOf", evidence=[])  # the same triple twice
    # one statement of two evidences (a rule each), a relation named like an own predicate,
    # an article with a relation, a node whose IRI is a statement's
    ev = {"article": arts[2], "start": 3, "end": 4, "text": "同一句", "role": None, "rule": "r1"}
    g.add_edge(nodes[0], div, key="undertakes", rel="undertakes", evidence=[ev, dict(ev, rule="r2")])
    g.add_edge(nodes[1], div, key="mentionedIn", rel="mentionedIn", evidence=[])
    g.add_edge(nodes[3], div, key="level", rel="level", evidence=[])
    g.add_edge(arts[3], div, key="partOf", rel="partOf", evidence=[])
    for tail in nodes[:3]:  # tails that sort differently as IRIs and as "<IRI>"
        g.add_edge(nodes[5], tail, key="administers", rel="administers", evidence=[])
    g.add_node(iri("person/x"), kind="Person", label="x", aliases=["x"], mentioned_in=arts[:3])
    g.add_node(iri("person/y"), kind="Person", label="y", mentioned_in=arts[1:2])
    for name, rel, mentions in (("a", "administers", arts[:2]), ("w", "worksFor", arts[1:3]),
                                ("n", "undertakes", [])):  # one relation: before, after the mentions
        g.add_node(iri(f"person/{name}"), kind="Person", label=name, mentioned_in=mentions)
        g.add_edge(iri(f"person/{name}"), div, key=rel, rel=rel, evidence=[])
    clash = statement_node(nodes[4], "worksFor", div, arts[0], 9, 10)
    g.add_edge(nodes[4], div, key="worksFor2", rel="worksFor",
               evidence=[{"article": arts[0], "start": 9, "end": 10, "text": "t"}])
    g.add_node(clash, kind="Person", label="撞", mentioned_in=[arts[4]])
    if not bare:  # a node under a prefix namespace: written as a prefixed name in Turtle
        g.add_node(KG_NS + "Thing", kind="Agency", label="thing", mentioned_in=[arts[0]])
        g.add_edge(nodes[0], KG_NS + "Thing", key="administers", rel="administers", evidence=[
            {"article": arts[1], "start": 0, "end": 1, "text": "x"}])
    return g


@pytest.mark.parametrize("bare", [True, False])
def test_fast_paths_write_what_sorting_the_triples_writes(bare):
    graph = _hostile_graph(bare)
    assert GraphIndex(graph).bare_iris((KG_NS,)) is bare
    for serialize in _writers():
        fast = serialize(GraphIndex(graph))
        assert fast == serialize(_general(GraphIndex(graph))), serialize.__name__
        if serialize is not serialize_trig:  # quads from rdflib have no named graphs
            assert fast == serialize(QuadIndex(iter_quads(graph))), serialize.__name__


def test_fast_paths_cover_the_usual_subjects():
    index = GraphIndex(_hostile_graph())
    assert sum(index.entity(s) is not None for s in index.subjects) >= 5
    assert sum(index.statement(s) is not None for s in index.subjects) >= 10
    assert sum(index.article(s) is not None for s in index.subjects) >= 4


@settings(max_examples=80, deadline=None)
@given(label=st.text(max_size=6), aliases=st.lists(st.text(max_size=4), max_size=4),
       sentence=st.text(max_size=6), level=st.text(max_size=3))
def test_fast_paths_equal_general_paths_for_any_text(label, aliases, sentence, level):
    from kg.errors import ExportError
    graph = _hostile_graph()
    for node, data in graph.nodes(data=True):
        if data["kind"] != "Article":
            data.update(label=label, aliases=aliases)
        if data["kind"] == "Division":
            data["level"] = level
    for *_, data in graph.edges(keys=True, data=True):
        data["evidence"] = [dict(ev, text=sentence) for ev in data["evidence"]]
    for serialize in _writers():
        try:
            expected = serialize(_general(GraphIndex(graph)))
        except ExportError:  # a lone surrogate
            with pytest.raises(ExportError):
                serialize(GraphIndex(graph))
            continue
        assert serialize(GraphIndex(graph)) == expected, serialize.__name__


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab-/0>.", max_size=5), unique=True))
def test_ntriples_order_is_the_order_of_the_subject_texts(subjects):
    subjects.sort()
    assert list(ntriples_order(subjects)) == sorted(subjects, key=lambda s: "<" + s + ">")


def test_statement_iris_are_written_bare_only_without_a_prefix_for_them():
    graph = _hostile_graph()
    prefixes = {"st": ID_NS + "statement/", "kg": KG_NS}
    text = serialize_turtle(GraphIndex(graph), prefixes)
    assert text == serialize_turtle(_general(GraphIndex(graph)), prefixes)


def test_statement_lines_are_written_in_the_general_order():
    from rdflib import RDF

    from kg.export.blocks import NTRIPLES_STATEMENT_ORDER, STATEMENT_FIELDS, TURTLE_STATEMENT_ORDER
    fields = STATEMENT_FIELDS
    assert TURTLE_STATEMENT_ORDER == tuple(sorted(fields, key=lambda f: (fields[f] != str(RDF.type),
                                                                         fields[f])))
    assert NTRIPLES_STATEMENT_ORDER == tuple(sorted(fields, key=lambda f: f"<{fields[f]}>"))


def test_writers_hand_over_bounded_batches():
    """Memory stays bounded: the writers hand over batches of a few thousand blocks, never all."""
    from kg.export.blocks import BATCH
    index = GraphIndex(benchmark("export_speed").synthetic_graph(60_000))
    for chunks in (iter_turtle_bytes(index), iter_ntriples_bytes(index), iter_trig_bytes(index)):
        sizes = [len(c) for c in chunks if isinstance(c, list)]
        assert len(sizes) > 3 and max(sizes) <= 2 * BATCH


def _many_mentions_graph():
    """The hostile graph without the node named like a statement (so the TriG
    export writes the statements of an article's graph on its fast path), and
    entities mentioned in many articles: IRIs that are prefixes of one
    another, out of order, twice, under the kg: prefix."""
    graph = _hostile_graph()
    graph.remove_nodes_from([n for n in graph if n.startswith(ID_NS + "statement/")])
    arts = [iri(f"article/doc{x}") for x in ("1", "10", "1-2", "1/3", "2", "1", "100", "1-")]
    graph.add_node(iri("person/many"), kind="Person", label="众", aliases=["众", "a"],
                   mentioned_in=arts[::-1] + arts + [KG_NS + "Doc", iri("article/doc1")])
    graph.add_node(iri("person/most"), kind="Person", label="多", mentioned_in=sorted(set(arts)))
    graph.add_edge(iri("person/most"), iri("person/many"), key="worksFor", rel="worksFor", evidence=[])
    return graph


@pytest.mark.parametrize("bare", [True, False])
def test_bulk_mentions_and_small_batches_write_the_same_bytes(monkeypatch, bare):
    """The mentions of an entity joined in one piece (_MANY_MENTIONS), the graphs of
    the TriG export gathered and split at _BATCH: the bytes of the general path."""
    import kg.export.blocks as blocks
    import kg.export.entities as entities
    graphs = [_hostile_graph(bare), _many_mentions_graph()]
    expected = [[serialize(_general(GraphIndex(g))) for serialize in _writers()] for g in graphs]
    for many, batch in ((2, blocks.BATCH), (2, 2), (entities._MANY_MENTIONS, 1)):
        monkeypatch.setattr(entities, "_MANY_MENTIONS", many)
        monkeypatch.setattr(blocks, "BATCH", batch)
        for graph, texts in zip(graphs, expected):
            assert [serialize(GraphIndex(graph)) for serialize in _writers()] == texts, (many, batch)


def test_bulk_mentions_refuse_a_bad_iri(monkeypatch):
    import kg.export.entities as entities
    monkeypatch.setattr(entities, "_MANY_MENTIONS", 2)
    graph = _many_mentions_graph()
    graph.nodes[iri("person/many")]["mentioned_in"].append(iri("article/a b"))
    for serialize in _writers():
        with pytest.raises(ExportError, match="a b"):
            serialize(GraphIndex(graph))
