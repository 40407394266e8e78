"""Issue 16 item 8: the Neo4j CSVs never start a spreadsheet formula, and the databases still get the exact text.

The cells are marked by :func:`kg.export.csvsafe.safe_cell` (one leading
apostrophe); LadybugDB's load script takes the mark off as it loads, so the
database holds the text the graph holds.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import networkx as nx
import pytest

from kg.export.csvsafe import FORMULA_START, MARK
from kg.export.neo4j import (MARKED_PROPERTIES, NODE_COLUMNS, neo4j_unmark_statements, write_ladybug_script,
                             write_nodes_csv, write_relationships_csv)
from kg.ids import iri

from support import load_ladybug


FORMULAS = ["=1+2 东湖公园开园", "@SUM(1)榆次区", "+1+1清徐县", "-2+3+cmd|' /C calc'!A0", "\t=1+1", "'引号"]
ARTICLE = iri("article:f-1")


def formula_graph() -> nx.MultiDiGraph:
    """Names, aliases, a title, a source file name, sentences and a role that start formulas."""
    g = nx.MultiDiGraph()
    g.add_node(ARTICLE, kind="Article", label=FORMULAS[0], title=FORMULAS[0], source="-1.txt", start=0, end=99,
               date=None)
    for i, text in enumerate(FORMULAS):
        g.add_node(iri(f"organization:{i}"), kind="Organization", label=text, aliases=[FORMULAS[i - 1], "甲"],
                   mentioned_in=[ARTICLE])
    g.add_node(iri("person:p"), kind="Person", label="王明远", aliases=[], mentioned_in=[ARTICLE])
    for i, text in enumerate(FORMULAS):
        g.add_edge(iri("person:p"), iri(f"organization:{i}"), key="worksFor", rel="worksFor",
                   evidence=[{"article": ARTICLE, "start": i, "end": i + 5, "text": text, "role": text,
                              "rule": "r"},
                             {"article": ARTICLE, "start": 50, "end": 55, "text": "第二句", "role": None,
                              "rule": "r"}])
    return g


def write(graph: nx.MultiDiGraph, out: Path) -> Path:
    write_nodes_csv(graph, out / "nodes.csv")
    write_relationships_csv(graph, out / "relationships.csv")
    write_ladybug_script(graph, out / "ladybug.cypher")
    return out


def cells(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def test_no_neo4j_cell_starts_a_formula(tmp_path):
    out = write(formula_graph(), tmp_path)
    for name in ("nodes.csv", "relationships.csv"):
        rows = cells(out / name)
        assert all(len(r) == len(rows[0]) for r in rows)
        bad = [c for r in rows[1:] for c in r if c and c[0] in FORMULA_START]
        assert not bad, (name, bad)
    nodes = {r[0]: r for r in cells(out / "nodes.csv")[1:]}
    assert nodes[iri("organization:0")][2] == MARK + FORMULAS[0]
    assert nodes[iri("organization:5")][2] == MARK + FORMULAS[5]  # an apostrophe is doubled: reversible
    assert nodes[ARTICLE][8] == MARK + "-1.txt"


def test_neo4j_unmark_statements_cover_every_text_column():
    statements = neo4j_unmark_statements()
    node_props, rel_props = MARKED_PROPERTIES
    assert {"label", "aliases", "title", "source"} <= set(node_props)
    assert {"evidence", "roles"} <= set(rel_props)
    assert len(statements) == len(node_props) + len(rel_props)
    headers = [h for h, _ in NODE_COLUMNS]
    assert "aliases:string[]" in headers
    assert any("n.aliases = [substring(n.aliases[0], 1)] + n.aliases[1..]" in s for s in statements)


@pytest.mark.external
def test_ladybug_holds_the_exact_text_of_marked_cells(tmp_path):
    graph = formula_graph()
    out = write(graph, tmp_path / "csv")
    conn = load_ladybug(out, tmp_path / "db.lbug")

    def rows(query: str) -> list[tuple]:
        result, found = conn.execute(query), []
        while result.has_next():
            found.append(tuple(result.get_next()))
        return found

    orgs = dict((k, (label, aliases)) for k, label, aliases in
                rows("MATCH (o:Organization) RETURN o.iri, o.label, o.aliases"))
    for i, text in enumerate(FORMULAS):
        assert orgs[iri(f"organization:{i}")] == (text, [FORMULAS[i - 1], "甲"])
    assert rows("MATCH (a:Article) RETURN a.title, a.source") == [(FORMULAS[0], "-1.txt")]
    evidence = {o: (ev, roles) for o, ev, roles in
                rows("MATCH (:Person)-[r:worksFor]->(o) RETURN o.iri, r.evidence, r.roles")}
    for i, text in enumerate(FORMULAS):
        assert evidence[iri(f"organization:{i}")] == ([text, "第二句"], [text, ""])
