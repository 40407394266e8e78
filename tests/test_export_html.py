"""Tests of kg.export.html without a browser: offline, inert data, complete, deterministic.

What the page *does* (drawing, legend, search, filters, panels, hostile
markup never running) is tested in a real browser in tests/test_browser.py.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import RDFS, Graph

import kg.export.view as view_module
from kg.errors import KGError
from kg.export.html import render_html, write_html
from kg.export.page_data import UNSAFE_IN_SCRIPT, escape_in_script, streamed_page_data, to_page_data
from kg.export.view import KIND_STYLES, page_words, node_size, view_settings
from kg.graph import build_graph
from kg.ids import entity_id, iri

from support import (ALIAS, BREAKOUT, COMPANY, GAZETTEER, LUCHENG, MARKER, PROJECT, XSS, ZHANG, hostile_results,
                     page_json)

KIND_NAMES, RELATION_NAMES = page_words().kinds, page_words().relations

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def page(hostile_graph, tmp_path_factory):
    path = write_html(hostile_graph, tmp_path_factory.mktemp("html") / "kg.html", title="测试 <图谱>")
    return path.read_bytes().decode("utf-8")  # strict: the file is UTF-8


def page_data(page: str) -> dict:
    """The JSON data block of a page, as the page script reads it."""
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert m, "no data block"
    return json.loads(m.group(1))


def inline_scripts(page: str) -> list[str]:
    return re.findall(r"^<script>(.*?)</script>$", page, re.S | re.M)


def entities(graph) -> list[str]:
    return [k for k, d in graph.nodes(data=True) if d["kind"] != "Article"]


# -- the file -------------------------------------------------------------------

def test_page_is_utf8_and_titled(page):
    assert page.startswith("<!DOCTYPE html>")
    head = page[:page.index("<title>")]
    # The charset must come within the first 1024 bytes, before any text.
    assert page.encode("utf-8").index(b'<meta charset="utf-8">') < 1024
    assert "<title>测试 &lt;图谱&gt;</title>" in page
    assert '<h1 id="kg-title">测试 &lt;图谱&gt;</h1>' in page
    assert "zh-CN" in head


def test_no_network_resources(page):
    url_attr = re.compile(r"""\b(?:src|href|action|poster|data|srcset)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
    assert not url_attr.search(page)
    assert not re.search(r"""@import""", page, re.I)
    styles = "".join(re.findall(r"<style>(.*?)</style>", page, re.S))
    assert "background-image:url(" in styles  # vis-network's buttons, all data: URIs
    assert not re.search(r"""url\(\s*(?!["']?data:)""", styles, re.I)
    assert "sourceMappingURL" not in page
    assert not re.search(r"<(?:link|img|iframe|object|embed|base)\b", page, re.I)
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, re.I)
    assert "bootstrap" not in page.lower() and "cdn" not in re.sub(r"[a-z]cdn|cdn[a-z]", "", page.lower())


def test_content_security_policy_allows_only_our_scripts(page):
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    assert csp, "no CSP"
    policy = {d.split()[0]: d.split()[1:] for d in csp.group(1).replace("&#x27;", "'").split(";")
              if d.strip()}
    assert policy["default-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    scripts = inline_scripts(page)
    assert len(scripts) == 2  # vis-network and the page script
    hashes = sorted("'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
                    for s in scripts)
    assert sorted(policy["script-src"]) == hashes
    assert policy["img-src"] == ["data:", "blob:"]
    assert "connect-src" not in policy  # so default-src 'none' forbids fetch/XHR/WebSocket


def test_only_our_scripts_and_no_comments(page):
    # The data block and our 2 scripts; vis-network's code holds the string
    # "<script>" (core-js), but only "</script" could end a script element.
    assert len(re.findall(r"^<script\b", page, re.I | re.M)) == 3
    assert len(re.findall(r"</script", page, re.I)) == 3
    assert "<!--" not in page
    assert "%%" not in page.replace(json.dumps(MARKER)[1:-1], "")  # every marker replaced once


def test_page_script_builds_dom_from_text_only():
    script = (ROOT / "kg/export/static/page.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", script, flags=re.S)  # comments may name them
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "Function(", "setAttribute(\"on", "srcdoc"):
        assert sink not in code, sink


# -- the data block ---------------------------------------------------------------

def test_markup_in_corpus_text_is_inert(page):
    for text in (XSS, BREAKOUT, ALIAS, "<b>rule</b>"):
        assert text not in page
    assert "onerror" in page  # the text is there, with its < and > escaped
    assert "\\u003cimg src=x onerror=window.__pwned=1\\u003e" in page
    data = page_data(page)  # and decodes back to exactly what the corpus said
    org = next(n for n in data["nodes"] if n["label"] == XSS)
    assert org["aliases"] == sorted([ALIAS, MARKER])
    assert any(ev["text"] == BREAKOUT and ev["rule"] == "<b>rule</b>"
               for e in data["edges"] for ev in e["evidence"])
    assert data["articles"][org["mentions"][0]]["title"] == XSS


def test_data_block_is_the_page_data(hostile_graph, page):
    assert page_data(page) == json.loads(json.dumps(to_page_data(hostile_graph)))


def test_every_entity_is_a_node_in_graph_order(hostile_graph):
    data = to_page_data(hostile_graph)
    assert [n["iri"] for n in data["nodes"]] == entities(hostile_graph)
    for n in data["nodes"]:
        g = hostile_graph.nodes[n["iri"]]
        assert n["label"] == g["label"] and n["kind"] == g["kind"] and n["aliases"] == g["aliases"]
        assert [data["articles"][a]["iri"] for a in n["mentions"]] == g["mentioned_in"]
        assert n["size"] == node_size(len(g["mentioned_in"]))
    lucheng = next(n for n in data["nodes"] if n["iri"] == iri(LUCHENG))
    assert (lucheng["level"], lucheng["adcode"]) == ("county", "140406")
    project = next(n for n in data["nodes"] if n["iri"] == iri(PROJECT))
    assert project["investment"] == hostile_graph.nodes[iri(PROJECT)]["investment"]
    assert project["investment_evidence"][0]["value"] == project["investment"]


def test_every_edge_keeps_its_evidence(hostile_graph):
    data = to_page_data(hostile_graph)
    ids = [n["iri"] for n in data["nodes"]]
    got = [(ids[e["from"]], ids[e["to"]], e["rel"],
            [(data["articles"][ev["article"]]["iri"], ev["start"], ev["end"], ev["text"])
             for ev in e["evidence"]]) for e in data["edges"]]
    want = [(h, t, k, [(ev["article"], ev["start"], ev["end"], ev["text"]) for ev in d["evidence"]])
            for h, t, k, d in hostile_graph.edges(keys=True, data=True)]
    assert got == want
    works = next(e for e in data["edges"] if e["rel"] == "worksFor")
    assert {ev["role"] for ev in works["evidence"]} == {"局长"}


def test_legend_counts_kinds_and_relations(hostile_graph):
    data = to_page_data(hostile_graph)
    kinds = {k["kind"]: k for k in data["kinds"]}
    assert list(kinds) == [k for k in KIND_STYLES if k in kinds]  # legend order is fixed
    for kind, k in kinds.items():
        assert k["name"] == KIND_NAMES[kind] and k["shape"] == KIND_STYLES[kind]["shape"]
        assert k["count"] == sum(1 for _, d in hostile_graph.nodes(data=True) if d["kind"] == kind)
    assert "Article" not in kinds  # articles are off by default
    rels = {r["rel"]: r for r in data["relations"]}
    assert set(rels) == {k for _, _, k in hostile_graph.edges(keys=True)}
    for rel, r in rels.items():
        assert r["name"] == RELATION_NAMES[rel]
        assert r["count"] == sum(1 for _, _, k in hostile_graph.edges(keys=True) if k == rel)
    assert rels["partOf"]["dashes"] and not rels["undertakes"]["dashes"]
    assert len({r["color"] for r in data["relations"]}) == len(rels)
    assert len({(k["color"], k["shape"]) for k in data["kinds"]}) == len(kinds)
    assert set(data["options"]["groups"]) >= set(kinds)


def test_articles_can_be_drawn(hostile_graph):
    data = to_page_data(hostile_graph, include_articles=True)
    arts = [n for n in data["nodes"] if n["kind"] == "Article"]
    assert {n["iri"] for n in arts} == {k for k, d in hostile_graph.nodes(data=True) if d["kind"] == "Article"}
    mentioned = [e for e in data["edges"] if e["rel"] == "mentionedIn"]
    assert len(mentioned) == sum(len(d.get("mentioned_in", ())) for _, d in hostile_graph.nodes(data=True))
    assert "Article" in {k["kind"] for k in data["kinds"]}


def test_node_size_grows_with_mentions():
    sizes = [node_size(n) for n in range(0, 200)]
    assert sizes == sorted(sizes) and sizes[0] < sizes[1] < sizes[4] and sizes[-1] == 44.0


# -- large graphs ---------------------------------------------------------------------

def star(n: int) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    hub = iri("division:140000")
    g.add_node(hub, kind="Division", label="山西省", aliases=[], mentioned_in=[],
               level="province", adcode="140000")
    for i in range(1, n):
        key = iri(entity_id("Project", str(i)))
        g.add_node(key, kind="Project", label=f"P{i}", aliases=[], mentioned_in=[])
        g.add_edge(key, hub, key="locatedIn", rel="locatedIn", evidence=[])
    return g


def test_small_graphs_are_laid_out_in_the_browser(hostile_graph):
    data = to_page_data(hostile_graph)
    assert data["options"]["physics"]["enabled"]
    assert 0 < data["options"]["physics"]["stabilization"]["iterations"] <= 500
    assert all("x" not in n for n in data["nodes"])
    assert data["view"] == view_settings(len(data["nodes"]), len(data["edges"]))
    assert data["view"]["edge_labels"] and not data["view"]["lazy_labels"]


def test_large_graphs_come_with_positions_and_no_physics():
    data = to_page_data(star(3000))
    assert not data["options"]["physics"]["enabled"]
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) == 3000
    view = data["view"]
    assert view["lazy_labels"] and not view["edge_labels"] and not view["curved"]
    assert data["options"]["edges"]["smooth"] is False
    assert data["options"]["interaction"]["hideEdgesOnDrag"]


def test_view_settings_shrink_with_size():
    order = [view_settings(n, int(n * 1.3)) for n in (100, 1000, 3000, 20000)]
    for key in ("physics", "curved", "edge_labels", "detail"):
        flags = [v[key] for v in order]
        assert flags == sorted(flags, reverse=True) and flags[0] and not flags[-1], key
    assert [v["lazy_labels"] for v in order] == [False, False, True, True]


# -- focused views ----------------------------------------------------------------------

def test_focus_draws_the_neighbourhood(hostile_graph):
    page = render_html(hostile_graph, focus="潞城", depth=1)
    data = page_data(page)
    labels = {n["label"] for n in data["nodes"]}
    assert "潞城区" in labels and "店上镇" in labels and "长治市" in labels and "山西省" in labels
    assert "张三" not in labels  # two relations away
    assert data["nodes"][data["focus"]]["label"] == "潞城区"
    assert "<title>潞城区 · 1 层邻域</title>" in page
    assert to_page_data(hostile_graph)["focus"] is None


def test_focus_on_an_unknown_name_fails_with_suggestions(hostile_graph):
    with pytest.raises(KGError, match="close matches: .*潞城区"):
        render_html(hostile_graph, focus="潞城县")


# -- determinism ----------------------------------------------------------------------------

def test_rendering_is_deterministic(hostile_graph, tmp_path):
    one = write_html(hostile_graph, tmp_path / "one.html").read_bytes()
    two = write_html(build_graph(hostile_results(), GAZETTEER), tmp_path / "two.html").read_bytes()
    assert one == two
    big = star(1200)
    assert render_html(big) == render_html(star(1200))


def test_lone_surrogates_are_escaped(tmp_path):
    g = star(3)
    g.nodes[iri(entity_id("Project", "1"))]["label"] = "坏\udc80字"
    text = write_html(g, tmp_path / "s.html").read_bytes().decode("utf-8")
    assert "\\udc80" in text


_SCRIPT = """
import sys
from support import make_hostile_graph
from kg.export.html import write_html
write_html(make_hostile_graph(), sys.argv[1])
"""


@pytest.mark.parametrize("env", [{"PYTHONHASHSEED": "4242"},
                                 {"PYTHONHASHSEED": "7", "LC_ALL": "C", "LANG": "C",
                                  "PYTHONUTF8": "0", "PYTHONIOENCODING": "latin-1"}],
                         ids=["hash-seed", "C-locale"])
def test_bytes_depend_on_neither_hash_seed_nor_locale(hostile_graph, tmp_path, env):
    mine = write_html(hostile_graph, tmp_path / "mine.html").read_bytes()
    full = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests")]), **env)
    subprocess.run([sys.executable, "-c", _SCRIPT, str(tmp_path / "other.html")], env=full,
                   check=True, cwd=tmp_path)
    assert (tmp_path / "other.html").read_bytes() == mine


def test_people_and_companies_are_reachable_from_the_project(hostile_graph):
    """The question the view exists for: who builds what, where."""
    data = to_page_data(hostile_graph)
    ids = [n["iri"] for n in data["nodes"]]
    p = ids.index(iri(PROJECT))
    around = {(data["edges"][k]["rel"], ids[data["edges"][k]["from"]], ids[data["edges"][k]["to"]])
              for k, e in enumerate(data["edges"]) if p in (e["from"], e["to"])}
    assert ("undertakes", iri(COMPANY), iri(PROJECT)) in around
    assert any(rel == "locatedIn" and head == iri(PROJECT) for rel, head, _ in around)
    assert iri(ZHANG) in ids


@pytest.mark.parametrize("include_articles", [False, True])
@pytest.mark.parametrize("which", ["hostile", "star", "odd kind"])
def test_streamed_data_block_is_the_page_data(hostile_graph, include_articles, which):
    """The page writes its data block record by record; the text is that of to_page_data."""
    g = {"hostile": hostile_graph, "star": star(3000), "odd kind": hostile_graph.copy()}[which]
    if which == "odd kind":  # a kind without a style, a relation without a name, a lone surrogate
        node = next(iter(g.nodes))
        g.nodes[node].update(kind="Mystery", label="\ud800<")
        g.add_edge(node, node, key="relatesTo", rel="relatesTo", evidence=[])
    focus = next(iter(g.nodes))
    for centre in (None, focus):
        streamed = "".join(UNSAFE_IN_SCRIPT.sub(escape_in_script, piece)
                           for piece in streamed_page_data(g, include_articles, centre))
        expected = page_json(to_page_data(g, include_articles, centre))
        assert streamed == UNSAFE_IN_SCRIPT.sub(escape_in_script, expected)


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                    st.text(), st.lists(st.text(), max_size=3))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["start", "end", "text", "role", "rule", "value", "other"]), _VALUES),
       st.sampled_from(["a1", "a2", "unknown"]))
def test_evidence_text_is_the_dumped_evidence(ev, article):
    """The data block writes an evidence from its parts: the same text as dumping its record."""
    graph = _one_edge(dict(ev, article=article))
    assert "".join(streamed_page_data(graph)) == page_json(to_page_data(graph))


def _one_edge(evidence: dict) -> nx.MultiDiGraph:
    """Articles a1 and a2, and one edge whose one evidence is ``evidence``."""
    g = nx.MultiDiGraph()
    g.add_node("a1", kind="Article", title="一")
    g.add_node("a2", kind="Article", title="二")
    g.add_node("x", kind="Agency", label="甲", mentioned_in=["a1"])
    g.add_node("y", kind="Agency", label="乙", mentioned_in=["a2"])
    g.add_edge("x", "y", key="administers", rel="administers", evidence=[evidence])
    return g


def _one_division(value) -> nx.MultiDiGraph:
    """One division whose code and level are ``value`` (the data block writes them value by value)."""
    g = nx.MultiDiGraph()
    g.add_node("d", kind="Division", label="丙", adcode=value, level=value)
    return g


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_value_is_dumps(value):
    graph = _one_division(value)
    assert "".join(streamed_page_data(graph)) == page_json(to_page_data(graph))


def test_value_refuses_what_dumps_refuses():
    for bad in (float("nan"), float("inf"), object()):
        with pytest.raises((ValueError, TypeError)):
            "".join(streamed_page_data(_one_division(bad)))


def test_value_keeps_lone_surrogates_and_control_characters_as_dumps_does():
    for text in ("\ud800<", "a\udfffb", "\x00\x1f\u2028\"\\", "</script>"):
        graph = _one_division(text)
        assert "".join(streamed_page_data(graph)) == page_json(to_page_data(graph))


def test_the_page_names_kinds_relations_and_fields_by_the_ontology_labels():
    """Legend and panel words of the graph contract are the rdfs:label @zh of ontology/kg.ttl
    (read here by rdflib, apart from the page's reader)."""
    ontology = Graph().parse(ROOT / "ontology" / "kg.ttl", format="turtle")
    zh = {str(s): str(o) for s, o in ontology.subject_objects(RDFS.label) if o.language == "zh"}
    kg_ns = "https://w3id.org/shanxi-kg/ontology#"
    words = page_words()
    assert words.kinds == {kind: zh[kg_ns + kind] for kind in KIND_STYLES}
    assert set(words.relations) >= {"administers", "locatedIn", "subOrganizationOf", "undertakes", "worksFor"}
    assert all(words.relations[rel] == zh[kg_ns + rel] for rel in words.relations)
    assert words.ui["adcode"] == zh[kg_ns + "adcode"] and words.ui["role"] == zh[kg_ns + "role"]
    assert words.ui["aliases"] == zh["http://www.w3.org/2004/02/skos/core#altLabel"]


def test_a_missing_ontology_label_is_a_data_error(tmp_path, monkeypatch):
    view = view_module
    text = (ROOT / "ontology" / "kg.ttl").read_text(encoding="utf-8")
    broken = tmp_path / "kg.ttl"
    broken.write_text(text.replace('rdfs:label "承担"@zh , "undertakes"@en ;', 'rdfs:label "undertakes"@en ;'),
                      encoding="utf-8")
    monkeypatch.setattr(view, "ONTOLOGY_TTL", broken)
    view.page_words.cache_clear()
    try:
        with pytest.raises(KGError, match=r"kg\.ttl: no rdfs:label @zh for <https://w3id.org/shanxi-kg/"
                                          r"ontology#undertakes>"):
            view.page_words()
    finally:
        view.page_words.cache_clear()
