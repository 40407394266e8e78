"""Tests of kg.export.html: offline, escaped, complete, deterministic."""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.export.html import KIND_NAMES, render_html, write_html
from kg.graph import build_graph
from kg.ids import entity_id, iri
from kg.records import Article, Document, DocResult, Entity, Mention, Relation

try:
    from test_graph import GAZETTEER, PROJECT, TEXT_A, result_a, sample_results
except ImportError:  # collected as a package
    from tests.test_graph import GAZETTEER, PROJECT, TEXT_A, result_a, sample_results

ROOT = Path(__file__).resolve().parents[1]
XSS = "<img src=x onerror=alert(1)>"
BREAKOUT = "</script><script>alert(2)</script>"


def hostile_results() -> list[DocResult]:
    """The sample corpus plus an organization whose name and evidence are markup."""
    base = result_a()
    text = base.document.text + BREAKOUT
    art = Article("a-1", "a.txt", 0, len(text), XSS)
    doc = Document("a.txt", text, "utf-8", (art,))
    org = entity_id("Organization", XSS)
    rel = Relation(org, "undertakes", PROJECT, "a-1", len(TEXT_A), len(text), BREAKOUT,
                   rule="<b>rule</b>")
    extra = DocResult(doc, (Entity(org, "Organization", XSS, ('"quoted" & <alias>',)),
                            base.entities[6]),
                      (Mention(org, "a-1", 0, 1, "x"),), (rel,))
    return [*sample_results(), extra]


@pytest.fixture(scope="module")
def graph():
    return build_graph(hostile_results(), GAZETTEER)


@pytest.fixture(scope="module")
def page(graph, tmp_path_factory):
    path = write_html(graph, tmp_path_factory.mktemp("html") / "kg.html", title="测试 <图谱>")
    return path.read_text(encoding="utf-8")


def test_page_is_utf8_and_titled(page):
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert "<title>测试 &lt;图谱&gt;</title>" in page


def test_no_network_resources(page):
    url_attr = re.compile(r"""\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
    assert not url_attr.search(page)
    assert not re.search(r"""@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=", page, re.I)
    assert "vis.Network" in page and "vis-network" in page  # the library is inlined


def test_every_node_label_is_present_escaped(graph, page):
    for _, data in graph.nodes(data=True):
        if data["kind"] != "Article":
            assert html.escape(data["label"]) in page, data["label"]


def test_markup_in_corpus_text_appears_only_escaped(page):
    assert XSS not in page
    assert html.escape(XSS) in page
    assert BREAKOUT not in page
    assert "<b>rule</b>" not in page
    assert '"quoted" & <alias>' not in page
    # Only our own two inline scripts (vis-network and the page script); the
    # "<script>" string inside vis-network's core-js cannot end a script.
    assert len(re.findall(r"^<script>", page, re.M)) == 2
    assert len(re.findall(r"</script", page, re.I)) == 2
    assert "<!--" not in page


def test_tooltips_are_html_escaped(graph):
    from kg.export.html import _network

    net = _network(graph, include_articles=False)
    org = next(n for n in net.nodes if n["kg"]["label"] == XSS)
    assert org["title"].startswith(html.escape(XSS))
    assert "<" not in org["title"]
    edge = next(e for e in net.edges if e["rel"] == "undertakes" and BREAKOUT in json.dumps(e["kg"]))
    assert "<" not in edge["title"] and html.escape(BREAKOUT) in edge["title"]


def test_legend_and_filters(graph, page):
    for kind in ("Division", "Agency", "Organization", "Project", "Person"):
        assert KIND_NAMES[kind] in page
        assert f'value="{kind}"' in page
    for rel in ("administers", "locatedIn", "subOrganizationOf", "undertakes", "worksFor", "partOf"):
        assert f'class="kg-rel" value="{rel}"' in page
    assert 'value="Article"' not in page  # articles are off by default


def test_nodes_and_edges_are_embedded(graph):
    from kg.export.html import _network

    net = _network(graph, include_articles=False)
    entities = [k for k, d in graph.nodes(data=True) if d["kind"] != "Article"]
    assert [n["id"] for n in net.nodes] == entities
    assert len(net.edges) == graph.number_of_edges()
    assert [e["id"] for e in net.edges] == [f"e{i}" for i in range(1, len(net.edges) + 1)]
    assert {e["label"] for e in net.edges} == {k for _, _, k in graph.edges(keys=True)}


def test_articles_can_be_drawn(graph):
    page = render_html(graph, include_articles=True)
    assert 'value="Article"' in page and "mentionedIn" in page
    assert html.escape(graph.nodes[iri("b-1")]["label"]) in page


def test_rendering_is_deterministic(graph, tmp_path):
    one = write_html(graph, tmp_path / "one.html").read_bytes()
    two = write_html(build_graph(hostile_results(), GAZETTEER), tmp_path / "two.html").read_bytes()
    assert one == two


_SCRIPT = """
import sys
from test_export_html import hostile_results, GAZETTEER
from kg.graph import build_graph
from kg.export.html import write_html
write_html(build_graph(hostile_results(), GAZETTEER), sys.argv[1])
"""


def test_bytes_do_not_depend_on_hash_seed(graph, tmp_path):
    mine = write_html(graph, tmp_path / "mine.html").read_bytes()
    env = dict(os.environ, PYTHONHASHSEED="4242",
               PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests")]))
    subprocess.run([sys.executable, "-c", _SCRIPT, str(tmp_path / "other.html")], env=env,
                   check=True, cwd=tmp_path)
    assert (tmp_path / "other.html").read_bytes() == mine


# A minimal DOM and vis-network stand-in, enough to run the page script in
# node: innerHTML refuses markup, so the test also proves that tooltips carry
# escaped text only and that the details panel is filled as text.
_HARNESS = r"""
const fs = require("fs");
const handlers = {}, els = {};
function el(id) {
  return {id, children: [], style: {}, className: "", _t: "", value: "", checked: true,
    set textContent(v) { this._t = v; this.children = []; },
    get textContent() { return [this._t, ...this.children.map(c => c.textContent)].join("\n"); },
    set innerHTML(v) {
      if (/<[a-z!\/]/i.test(v)) { throw new Error("markup in innerHTML: " + v); }
      this._t = v.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
                 .replace(/&#x27;/g, "'").replace(/&amp;/g, "&");
    },
    appendChild(c) { this.children.push(c); return c; },
    addEventListener(ev, f) { handlers[id + ":" + ev] = f; }};
}
global.document = {createElement: t => el(t), getElementById: id => els[id] || (els[id] = el(id)),
                   querySelectorAll: s => []};
class DataSet {
  constructor(a) { this.m = new Map(a.map(x => [x.id, x])); }
  get(id) { return this.m.get(id); }
  update(a) { a.forEach(x => Object.assign(this.m.get(x.id), x)); }
}
let net;
global.vis = {DataSet, Network: class {
  constructor(c, d, o) { net = this; this.h = {}; this.d = d; }
  on(e, f) { this.h[e] = f; } selectNodes() {} focus() {} unselectAll() {} }};
eval(fs.readFileSync(process.argv[2], "utf8"));
const out = {};
for (const n of net.d.nodes.m.values()) {
  net.h.click({nodes: [n.id], edges: []});
  out[n.id] = {tip: n.title.textContent, details: els["kg-details"].textContent};
}
for (const e of net.d.edges.m.values()) {
  net.h.click({nodes: [], edges: [e.id]});
  out[e.id] = {tip: e.title.textContent, details: els["kg-details"].textContent};
}
els["kg-search"].value = "潞城";
handlers["kg-search-go:click"]();
out.search = els["kg-search-info"].textContent;
console.log(JSON.stringify(out));
"""


def test_page_script_runs(graph, page, tmp_path):
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("node is not installed; the page script is not executed")
    script = re.findall(r"^<script>(.*?)</script>", page, re.S | re.M)[1]
    (tmp_path / "page.js").write_text(script, encoding="utf-8")
    (tmp_path / "harness.js").write_text(_HARNESS, encoding="utf-8")
    run = subprocess.run([node, str(tmp_path / "harness.js"), str(tmp_path / "page.js")],
                         capture_output=True, text=True, check=True)
    out = json.loads(run.stdout)
    org = iri(entity_id("Organization", XSS))
    assert out[org]["tip"].startswith(XSS)  # decoded back to the plain text
    assert XSS in out[org]["details"] and '"quoted" & <alias>' in out[org]["details"]
    assert any(BREAKOUT in v["details"] for k, v in out.items() if k.startswith("e"))
    assert out["search"].split()[0].isdigit() and int(out["search"].split()[0]) >= 3
