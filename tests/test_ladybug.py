"""A real embedded property-graph database, LadybugDB, imports the Neo4j CSV export.

``ladybug`` (PyPI, a Kùzu fork with Cypher) comes with the ``test`` extra.
The database is created in a temporary directory from ``neo4j/nodes.csv`` and
``neo4j/relationships.csv`` by running ``neo4j/ladybug.cypher`` (the README's
recipe), and Cypher versions of four competency questions (with the places the
``.rq`` files are given by ``--bind``) must give the answers SPARQL gives on
the Turtle export.
"""
from __future__ import annotations

import os
from pathlib import Path

import ladybug
import pytest

from kg.report.query import run_query

from support import load_ladybug, make_nasty_graph, write_every_export

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.external


def load(csv_dir: Path, db_dir: Path) -> ladybug.Connection:
    """A LadybugDB database in ``db_dir`` loaded by the export's own script."""
    return load_ladybug(csv_dir, db_dir / "kg.lbug")


def cypher(conn: ladybug.Connection, query: str) -> list[tuple]:
    result = conn.execute(query)
    rows = []
    while result.has_next():
        rows.append(tuple(result.get_next()))
    return rows


@pytest.fixture(scope="module")
def sparql(corpus_exports):
    """``sparql(name, **bindings)``: the rows of ``queries/<name>`` on the Turtle export of the bundled corpus."""
    def run(name: str, **bindings: str) -> list[tuple]:
        result = run_query(str(ROOT / "queries" / name), corpus_exports / "graph.ttl", bindings=bindings)
        return [tuple(None if v is None else v.value for v in row) for row in result.rows]

    return run


@pytest.fixture(scope="module")
def conn(corpus_exports, tmp_path_factory):
    return load(corpus_exports / "neo4j", tmp_path_factory.mktemp("ladybug"))


def test_every_node_and_relationship_is_imported(conn, corpus_graph):
    graph = corpus_graph
    assert cypher(conn, "MATCH (n) RETURN count(n)") == [(graph.number_of_nodes(),)]
    mentions = sum(len(d.get("mentioned_in", ())) for _, d in graph.nodes(data=True))
    assert cypher(conn, "MATCH ()-[r]->() RETURN count(r)") == [(graph.number_of_edges() + mentions,)]
    by_kind = dict(cypher(conn, "MATCH (n) RETURN label(n), count(n)"))
    kinds: dict[str, int] = {}
    for _, d in graph.nodes(data=True):
        kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
    assert by_kind == kinds


def test_agencies_administering_a_county(conn, sparql):
    rows = cypher(conn, """
        MATCH (a)-[:administers]->(c:Division {label: '左权县', level: 'county'})
        RETURN c.label, a.label ORDER BY a.label""")
    assert rows == sparql("agencies_administering_county.rq", county="左权县") and rows


def test_everything_located_within_a_prefecture(conn, sparql):
    # kg:locatedIn/kg:partOf* is a zero-or-more hop path in Cypher too
    rows = cypher(conn, """
        MATCH (x)-[:locatedIn]->(d:Division)-[:partOf*0..30]->(c:Division {label: '太原市', level: 'prefecture'})
        RETURN DISTINCT c.label, label(x), x.label, d.label""")
    assert sorted(rows) == sorted(sparql("located_in_prefecture.rq", prefecture="太原市")) and rows


def test_sub_organizations_at_any_depth(conn, sparql):
    rows = cypher(conn, """
        MATCH (u)-[:subOrganizationOf*1..30]->(t), (u)-[:subOrganizationOf]->(p)
        WHERE NOT EXISTS { MATCH (t)-[:subOrganizationOf]->() }
        RETURN DISTINCT t.label, u.label, p.label""")
    assert sorted(rows) == sorted(sparql("sub_organizations.rq")) and rows


def test_divisions_by_level(conn, sparql):
    rows = cypher(conn, """
        MATCH (d:Division)
        OPTIONAL MATCH (d)-[m:mentionedIn]->(:Article)
        WITH d, count(m) > 0 AS mentioned
        RETURN d.level, count(d), sum(CASE WHEN mentioned THEN 1 ELSE 0 END)""")
    expected = [(level, int(n), int(m)) for level, n, m in sparql("divisions_by_level.rq")]
    assert sorted(rows) == sorted(expected) and rows


def test_evidence_arrays_are_aligned(conn):
    rows = cypher(conn, """
        MATCH (p:Person)-[r:worksFor]->(e)
        RETURN r.evidence, r.evidence_articles, r.evidence_starts, r.evidence_ends, r.roles""")
    articles = {a for (a,) in cypher(conn, "MATCH (a:Article) RETURN a.iri")}
    assert rows
    for evidence, cited, starts, ends, roles in rows:
        assert len(evidence) == len(cited) == len(starts) == len(ends) >= 1
        assert roles is None or len(roles) == len(evidence)
        assert set(cited) <= articles
        assert all(e - s == len(text) for s, e, text in zip(starts, ends, evidence))


def test_untrusted_text_survives_the_import(tmp_path):
    graph, org = make_nasty_graph()
    out = write_every_export(graph, tmp_path / "exports")
    conn = load(out / "neo4j", tmp_path)
    node = graph.nodes[next(k for k in graph.nodes if k.endswith(org.split(":", 1)[1]))]
    rows = cypher(conn, "MATCH (o:Organization) RETURN o.label, o.aliases")
    # LadybugDB keeps every character, quotes, commas, CR, LF and all
    assert rows == [(node["label"], [a.replace(";", "\uff1b") for a in node["aliases"]])]
    title = cypher(conn, "MATCH (a:Article) WHERE a.source = 'a.txt' RETURN a.title")
    assert title == [(graph.nodes[next(k for k in graph.nodes if k.endswith("/a-1"))]["title"],)]
