"""Tests of kg.focus (neighbourhoods) and of ``kg html`` (the CLI over it)."""
from __future__ import annotations

import json
import re

import pytest

from kg.cli import main
from kg.errors import KGError
from kg.export.html import write_html
from kg.export.turtle import write_turtle
from kg.focus import AmbiguousEntityError, EntityNotFoundError, close_matches, find_entity, focus_graph
from kg.graph import build_graph
from kg.ids import entity_id, iri

from support import (CHANGZHI, COMPANY, DIANSHANG, FGJ, GAZETTEER, GOV, LUCHENG, PROJECT, SHANXI, ZHANG,
                     sample_results)


def entity_keys(g) -> set[str]:
    return {k for k, d in g.nodes(data=True) if d["kind"] != "Article"}


# -- finding the centre -----------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("潞城区", LUCHENG),                 # canonical name
    ("  潞城区 ", LUCHENG),              # surrounding blanks
    ("潞城", LUCHENG),                   # alias
    ("区发改局", FGJ),                   # alias from another document
    ("division:140406", LUCHENG),        # entity id
    (iri(PROJECT), PROJECT),             # IRI
    ("潞安集团", COMPANY),
])
def test_find_entity(sample_graph, name, expected):
    assert find_entity(sample_graph, name) == iri(expected)


def test_canonical_name_wins_over_alias(sample_graph):
    g = sample_graph.copy()
    g.nodes[iri(GOV)]["aliases"] = ["潞城区"]  # a surface form shared with the county
    assert find_entity(g, "潞城区") == iri(LUCHENG)


def test_unknown_name_offers_close_matches(sample_graph):
    with pytest.raises(EntityNotFoundError) as err:
        find_entity(sample_graph, "潞城光伏项目")
    msg = str(err.value)
    assert "'潞城光伏项目'" in msg and "潞城区光伏发电项目" in msg
    with pytest.raises(EntityNotFoundError, match="no close match"):
        find_entity(sample_graph, "平遥古城")


def test_articles_are_not_entities(sample_graph):
    with pytest.raises(EntityNotFoundError):
        find_entity(sample_graph, iri("a-1"))


def test_ambiguous_name_lists_every_candidate(sample_graph):
    g = sample_graph.copy()
    other = iri(entity_id("Project", "另一个"))
    g.add_node(other, kind="Project", label="另一个", aliases=["光伏项目"], mentioned_in=[])
    with pytest.raises(AmbiguousEntityError) as err:
        find_entity(g, "光伏项目")
    msg = str(err.value)
    assert "2 entities" in msg and iri(PROJECT) in msg and other in msg
    assert isinstance(err.value, KGError)


def test_close_matches_prefers_shared_substrings(sample_graph):
    assert close_matches(sample_graph, "光伏")[0] == "光伏项目"
    assert "潞城区" in close_matches(sample_graph, "潞城县")
    assert len(close_matches(sample_graph, "潞", n=2)) == 2


# -- the neighbourhood -------------------------------------------------------------

def test_depth_zero_is_the_entity_and_its_chain(sample_graph):
    assert entity_keys(focus_graph(sample_graph, "店上镇", 0)) == {
        iri(k) for k in (DIANSHANG, LUCHENG, CHANGZHI, SHANXI)}
    assert entity_keys(focus_graph(sample_graph, "张三", 0)) == {iri(ZHANG)}
    assert entity_keys(focus_graph(sample_graph, "店上镇", 0, hierarchy=False)) == {iri(DIANSHANG)}


def test_depth_follows_relations_both_ways(sample_graph):
    one = entity_keys(focus_graph(sample_graph, "潞城区光伏发电项目", 1, hierarchy=False))
    assert one == {iri(k) for k in (PROJECT, COMPANY, DIANSHANG)}  # undertaken by, located in
    two = entity_keys(focus_graph(sample_graph, "潞城区光伏发电项目", 2, hierarchy=False))
    assert two == one | {iri(LUCHENG)}
    assert iri(ZHANG) not in entity_keys(focus_graph(sample_graph, "潞城区光伏发电项目", 3, hierarchy=False))
    assert iri(ZHANG) in entity_keys(focus_graph(sample_graph, "区发改局", 1))


def test_focused_graph_is_an_induced_copy_with_its_articles(sample_graph):
    sub = focus_graph(sample_graph, "潞城区光伏发电项目", 1)
    assert sub.graph == {"focus": iri(PROJECT), "depth": 1}
    keep = set(sub)
    assert list(sub) == [k for k in sample_graph if k in keep]  # graph order
    want = [(h, t, k) for h, t, k in sample_graph.edges(keys=True) if h in keep and t in keep]
    assert list(sub.edges(keys=True)) == want
    for h, t, k, d in sub.edges(keys=True, data=True):
        assert d == sample_graph.edges[h, t, k]
        assert all(ev["article"] in sub for ev in d["evidence"])
    for _, d in sub.nodes(data=True):
        assert all(a in sub for a in d.get("mentioned_in", ()))
    sub.nodes[iri(PROJECT)]["aliases"].append("changed")
    assert "changed" not in sample_graph.nodes[iri(PROJECT)]["aliases"]


def test_negative_depth_is_an_error(sample_graph):
    with pytest.raises(KGError, match="depth"):
        focus_graph(sample_graph, "潞城区", -1)


# -- kg html ---------------------------------------------------------------------------

def page_labels(path) -> tuple[set[str], dict]:
    text = path.read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="kg-data">(.*?)</script>', text, re.S).group(1))
    return {n["label"] for n in data["nodes"]}, data


@pytest.fixture
def ttl(tmp_path, sample_graph):
    return write_turtle(sample_graph, tmp_path / "graph.ttl")


def test_kg_html_whole_graph_equals_the_build_page(tmp_path, ttl, sample_graph):
    out = tmp_path / "view.html"
    assert main(["html", "--graph", str(ttl), "--out", str(out)]) == 0
    # Read back from Turtle, the graph draws byte for byte as built.
    assert out.read_bytes() == write_html(sample_graph, tmp_path / "direct.html").read_bytes()


def test_kg_html_focus(tmp_path, ttl, capsys):
    out = tmp_path / "focus.html"
    assert main(["html", "--graph", str(ttl), "--focus", "潞城区光伏发电项目", "--depth", "1",
                 "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    labels, data = page_labels(out)
    assert labels == {"潞城区光伏发电项目", "山西潞安集团有限公司", "店上镇", "潞城区", "长治市", "山西省"}
    assert data["nodes"][data["focus"]]["label"] == "潞城区光伏发电项目"


def test_kg_html_from_corpus(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("左权县交通运输管理局负责城东道路改造工程，该工程位于左权县辽阳镇。\n",
                      encoding="utf-8")
    out = tmp_path / "c.html"
    assert main(["html", "--corpus", str(corpus), "--focus", "左权县", "--depth", "1",
                 "--out", str(out)]) == 0
    labels, _ = page_labels(out)
    assert {"左权县", "晋中市", "山西省"} <= labels


@pytest.mark.parametrize("args, message", [
    (["--focus", "潞城光伏项目"], "error: no entity named '潞城光伏项目' in the graph (close matches: "),
    (["--focus", "潞城区", "--depth", "-2"], "error: depth must be 0 or more, not -2"),
    (["--depth", "2"], "error: --depth needs --focus NAME"),
])
def test_kg_html_errors_are_one_line(tmp_path, ttl, capsys, args, message):
    out = tmp_path / "x.html"
    assert main(["html", "--graph", str(ttl), "--out", str(out), *args]) == 1
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1
    assert not out.exists()


def test_kg_html_missing_graph(tmp_path, capsys):
    assert main(["html", "--graph", str(tmp_path / "none.ttl"), "--out", str(tmp_path / "x.html")]) == 1
    assert "no such file; run 'kg build' first" in capsys.readouterr().err


def test_kg_html_graph_and_corpus_exclude_each_other(tmp_path, ttl, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["html", "--graph", str(ttl), "--corpus", "corpus"])
    assert exc.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_sample_builds_one_graph(sample_graph):
    # Guard for the fixtures above: the sample has the expected shape.
    assert build_graph(sample_results(), GAZETTEER).number_of_nodes() == sample_graph.number_of_nodes()
    assert iri(FGJ) in sample_graph and iri(ZHANG) in sample_graph
