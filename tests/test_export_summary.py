"""Issue 16 item 13 (the page): a graph too large to draw whole gets a summarised page that says so.

:mod:`kg.export.summary` decides what the page holds; the limits are
patched small here so that the graphs stay small.
"""
from __future__ import annotations

import json
import re

import networkx as nx
import pytest

from kg.export import summary
from kg.export.html import write_html
from kg.export.page_data import UNSAFE_IN_SCRIPT, escape_in_script, streamed_page_data, to_page_data
from kg.ids import iri
from support import page_json

ARTICLE = iri("article:s-1")


def page_data(path) -> dict:
    text = path.read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', text, re.S)
    return json.loads(m.group(1))


def repeated_graph(edges: int = 10, evidence: int = 50) -> nx.MultiDiGraph:
    """A county, ``edges`` organizations located in it, each fact stated ``evidence`` times."""
    g = nx.MultiDiGraph()
    g.add_node(ARTICLE, kind="Article", label="标题", title="标题", source="big.txt", start=0, end=10 ** 7,
               date=None)
    county = iri("division:140722")
    g.add_node(county, kind="Division", label="左权县", aliases=[], mentioned_in=[ARTICLE], level="county",
               adcode="140722")
    for i in range(edges):
        org = iri(f"organization:{i}")
        g.add_node(org, kind="Organization", label=f"某公司{i}", aliases=[], mentioned_in=[ARTICLE] if i % 2 else [])
        g.add_edge(org, county, key="locatedIn", rel="locatedIn",
                   evidence=[{"article": ARTICLE, "start": 100 * k, "end": 100 * k + 9, "text": f"某公司{i}位于左权县。",
                              "role": None, "rule": "r"} for k in range(evidence)])
    return g


def test_a_graph_within_the_limits_is_drawn_whole(tmp_path, capsys):
    g = repeated_graph(edges=3, evidence=2)
    page_graph, plan = summary.plan_page(g)
    assert page_graph is g and not plan.summarised and plan.per_fact is None and plan.page_note() is None
    data = page_data(write_html(g, tmp_path / "graph.html"))
    assert data["summarised"] is None
    assert all("total" not in e and len(e["evidence"]) == 2 for e in data["edges"])
    assert capsys.readouterr().err == ""


def test_evidence_per_fact_is_capped_and_the_page_says_so(tmp_path, capsys):
    g = repeated_graph(edges=4, evidence=summary.EVIDENCE_PER_FACT + 30)
    data = page_data(write_html(g, tmp_path / "graph.html"))
    for e in data["edges"]:
        assert len(e["evidence"]) == summary.EVIDENCE_PER_FACT and e["total"] == summary.EVIDENCE_PER_FACT + 30
    note = data["summarised"]
    assert note == {"entities": 5, "drawn": 5, "evidence": 4 * (summary.EVIDENCE_PER_FACT + 30),
                    "shown": 4 * summary.EVIDENCE_PER_FACT, "per_fact": summary.EVIDENCE_PER_FACT}
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("graph.html: summarised view (")
    assert "facts.csv" in err[0] and "kg html --focus" in err[0]


def test_the_page_total_of_evidence_lowers_the_cap(monkeypatch):
    monkeypatch.setattr(summary, "EVIDENCE_MAX", 100)
    g = repeated_graph(edges=30, evidence=10)  # 300 evidence sentences, 100 allowed
    _, plan = summary.plan_page(g)
    assert plan.per_fact == 3 and plan.shown == 90 and plan.evidence == 300
    monkeypatch.setattr(summary, "EVIDENCE_MAX", 5)
    assert summary.plan_page(g)[1].per_fact == 1  # never less than one sentence per fact


def test_too_many_entities_draw_the_most_important_with_their_hierarchy(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(summary, "DRAW_MAX", 4)
    g = repeated_graph(edges=10, evidence=1)
    province = iri("division:140000")
    g.add_node(province, kind="Division", label="山西省", aliases=[], mentioned_in=[], level="province",
               adcode="140000")
    g.add_edge(iri("division:140722"), province, key="partOf", rel="partOf", evidence=[])
    page_graph, plan = summary.plan_page(g)
    kept = {d["label"] for _, d in page_graph.nodes(data=True) if d["kind"] != "Article"}
    # the county (most relations), the mentioned companies 1, 3, 5 (in key order), and the county's chain
    assert kept == {"左权县", "某公司1", "某公司3", "某公司5", "山西省"}
    assert plan.entities == 12 and plan.drawn == 5 and plan.summarised
    assert ARTICLE in page_graph  # the article the kept entities cite
    assert list(page_graph.nodes) == [k for k in g.nodes if k in page_graph]  # graph order
    data = page_data(write_html(g, tmp_path / "graph.html"))
    assert len([n for n in data["nodes"] if n["kind"] != "Article"]) == 5
    assert data["summarised"]["drawn"] == 5 and data["summarised"]["entities"] == 12
    assert "5 of 12 entities drawn" in capsys.readouterr().err


def test_the_streamed_page_data_is_the_page_data_with_caps():
    g = repeated_graph(edges=5, evidence=30)
    g.nodes[iri("organization:1")].update(
        kind="Project", investment="100",
        investment_evidence=[{"article": ARTICLE, "start": k, "end": k + 5, "text": "投资100元。", "role": None,
                              "rule": "r", "value": "100"} for k in range(25)])
    note = {"entities": 6, "drawn": 6, "evidence": 175, "shown": 90, "per_fact": 15}
    streamed = "".join(UNSAFE_IN_SCRIPT.sub(escape_in_script, piece)
                       for piece in streamed_page_data(g, False, None, 15, note))
    whole = to_page_data(g, False, None, 15, note)
    assert streamed == UNSAFE_IN_SCRIPT.sub(escape_in_script, page_json(whole))
    project = next(n for n in whole["nodes"] if n.get("investment"))
    assert len(project["investment_evidence"]) == 15 and project["investment_total"] == 25


@pytest.mark.parametrize("copies", [2000])
def test_a_fact_stated_thousands_of_times_makes_a_small_page(tmp_path, copies):
    """The page of the item-13 corpus (the same pages repeated): every fact stated ``copies`` times."""
    g = repeated_graph(edges=200, evidence=copies)  # 400,000 evidence sentences
    path = write_html(g, tmp_path / "graph.html")
    assert path.stat().st_size < 4 * 2 ** 20
