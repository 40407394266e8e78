"""HTML export: an interactive, fully offline page of the graph (pyvis + vis-network).

pyvis builds the vis-network node and edge records; the page itself comes
from our own template, because pyvis' templates load bootstrap (and, except
with ``cdn_resources="in_line"``, vis-network) from CDNs.  The vis-network
9.1.2 JavaScript and CSS are inlined from the copies pyvis ships in its
package (``pyvis/templates/lib/vis-9.1.2``; vis-network is dual-licensed
Apache-2.0/MIT, and its licence header stays in the inlined code), so the
page needs no network at all and nothing is vendored into this repository.

Safety: corpus text is untrusted.  The template autoescapes, all data goes in
through Jinja's ``tojson`` (which escapes ``<``, ``>``, ``&`` and ``'``),
tooltips are plain text passed through :func:`html.escape` (the page turns
them into elements without evaluating markup), and the details panel is
filled with ``textContent`` only.

The page has a legend by kind with show/hide check boxes, a relation filter,
a search box over labels and aliases, and a details panel that shows labels,
aliases, codes, mentions and the evidence sentences of a clicked node or edge.
Output is deterministic: sorted records, explicit edge ids, sorted JSON keys,
and a fixed layout seed.
"""
from __future__ import annotations

__all__ = ["KIND_COLORS", "KIND_NAMES", "RELATION_NAMES", "render_html", "write_html"]

import html
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import networkx as nx
from markupsafe import Markup
from pyvis.network import Network

from kg.errors import ExportError
from kg.export import atomic_write

#: Node colour per kind (colour-blind-safe Tableau 10 hues).
KIND_COLORS = {
    "Division": "#4e79a7",
    "Agency": "#f28e2b",
    "Organization": "#59a14f",
    "Project": "#e15759",
    "Person": "#b07aa1",
    "Article": "#9c9c9c",
}

#: Legend names of the kinds.
KIND_NAMES = {
    "Division": "行政区划",
    "Agency": "政府机构",
    "Organization": "企事业组织",
    "Project": "项目",
    "Person": "人物",
    "Article": "文章",
}

#: Readable names of the relations (the edge label is the ``kg:`` local name).
RELATION_NAMES = {
    "administers": "管辖",
    "locatedIn": "位于",
    "subOrganizationOf": "隶属于",
    "undertakes": "承担",
    "worksFor": "任职于",
    "partOf": "属于",
    "mentionedIn": "见于文章",
}

_VIS_DIR = "vis-9.1.2"
_OPTIONS = {
    "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
              "color": {"inherit": False}, "font": {"align": "middle", "size": 10},
              "smooth": {"type": "continuous"}},
    "interaction": {"hover": True, "tooltipDelay": 150},
    "layout": {"randomSeed": 42, "improvedLayout": True},
    "nodes": {"font": {"size": 14}, "shape": "dot", "size": 14},
    "physics": {"solver": "forceAtlas2Based", "stabilization": {"iterations": 300}},
}


def _vis_asset(name: str) -> str:
    """Text of a vis-network file shipped inside the pyvis package."""
    root = resources.files("pyvis")
    for folder in ("templates/lib", "lib"):
        f = root.joinpath(f"{folder}/{_VIS_DIR}/{name}")
        if f.is_file():
            text = f.read_text(encoding="utf-8")
            closing = "</script" if name.endswith(".js") else "</style"
            if closing in text.lower():
                raise ExportError(f"pyvis' {name} contains {closing}, so it cannot be inlined")
            return text
    raise ExportError(f"pyvis ships no {_VIS_DIR}/{name}; install pyvis 0.3.2 "
                      "(pip install 'pyvis>=0.3.2,<0.4')")


def _tooltip(lines: list[str]) -> str:
    """Plain-text tooltip, HTML-escaped (the page decodes it without markup)."""
    return html.escape("\n".join(line for line in lines if line))


def _node_record(key: str, data: dict[str, Any], articles: dict[str, dict]) -> dict[str, Any]:
    kind = data.get("kind", "")
    aliases = list(data.get("aliases", ()))
    mentioned = list(data.get("mentioned_in", ()))
    lines = [data.get("label", ""), f"{KIND_NAMES.get(kind, kind)} ({kind})"]
    if aliases:
        lines.append("别名：" + "、".join(aliases))
    if kind == "Division":
        lines.append(f"级别：{data.get('level') or '?'}  代码：{data.get('adcode') or '—'}")
    if data.get("investment") is not None:
        lines.append(f"投资：{data['investment']} 元")
    if kind == "Article":
        lines.append(f"{data.get('source', '')} [{data.get('start')}, {data.get('end')}]")
        if data.get("date"):
            lines.append(str(data["date"]))
    elif mentioned:
        lines.append(f"见于 {len(mentioned)} 篇文章")
    details = {"iri": key, "kind": kind, "label": data.get("label", ""), "aliases": aliases,
               "level": data.get("level"), "adcode": data.get("adcode"),
               "investment": data.get("investment"),
               "investment_evidence": list(data.get("investment_evidence", ())),
               "mentioned_in": mentioned}
    if kind == "Article":
        details.update(articles.get(key, {}))
    return {"label": data.get("label", ""), "title": _tooltip(lines), "kind": kind,
            "color": KIND_COLORS.get(kind, "#cccccc"), "kg": details}


def _edge_record(rel: str, evidence: list[dict[str, Any]]) -> dict[str, Any]:
    lines = [f"{rel}（{RELATION_NAMES.get(rel, rel)}）"]
    lines += [f"「{ev['text']}」" for ev in evidence[:3]]
    if len(evidence) > 3:
        lines.append(f"… 共 {len(evidence)} 条证据")
    return {"label": rel, "title": _tooltip(lines), "rel": rel,
            "kg": {"rel": rel, "evidence": list(evidence)}}


def _network(graph: nx.MultiDiGraph, include_articles: bool) -> Network:
    """A pyvis network of ``graph`` (records in graph order, explicit edge ids)."""
    net = Network(directed=True, cdn_resources="in_line")
    articles = {k: {"title": d.get("title"), "source": d.get("source"), "date": d.get("date"),
                    "start": d.get("start"), "end": d.get("end")}
                for k, d in graph.nodes(data=True) if d.get("kind") == "Article"}
    shown = set()
    for key, data in graph.nodes(data=True):
        if data.get("kind") == "Article" and not include_articles:
            continue
        rec = _node_record(key, data, articles)
        net.add_node(key, label=rec.pop("label") or key, color=rec.pop("color"), **rec)
        shown.add(key)
    n = 0
    for head, tail, rel, data in graph.edges(keys=True, data=True):
        if head in shown and tail in shown:
            n += 1
            net.add_edge(head, tail, id=f"e{n}", **_edge_record(data.get("rel", rel),
                                                                 data.get("evidence", [])))
    if include_articles:
        for key, data in graph.nodes(data=True):
            for article in data.get("mentioned_in", ()):
                if key in shown and article in shown:
                    n += 1
                    net.add_edge(key, article, id=f"e{n}", dashes=True, color="#bbbbbb",
                                 **_edge_record("mentionedIn", []))
    return net


def render_html(graph: nx.MultiDiGraph, title: str = "山西政务新闻知识图谱",
                include_articles: bool = False) -> str:
    """The self-contained HTML page of ``graph``.

    Parameters
    ----------
    graph
        A graph from :func:`kg.graph.build_graph`.
    title
        Page title and heading (escaped).
    include_articles
        Also draw article nodes, linked to the entities they mention by dashed
        ``mentionedIn`` edges.  Off by default: mentions are listed in the
        details panel either way.
    """
    net = _network(graph, include_articles)
    nodes, edges, *_ = net.get_network_data()
    articles = {k: {"title": d.get("title"), "source": d.get("source")}
                for k, d in graph.nodes(data=True) if d.get("kind") == "Article"}
    kinds = sorted({n["kind"] for n in nodes}, key=lambda k: list(KIND_COLORS).index(k)
                   if k in KIND_COLORS else len(KIND_COLORS))
    legend = [{"kind": k, "name": KIND_NAMES.get(k, k), "color": KIND_COLORS.get(k, "#cccccc"),
               "count": sum(1 for n in nodes if n["kind"] == k)} for k in kinds]
    rels = sorted({e["rel"] for e in edges})
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    page = env.from_string(_TEMPLATE).render(
        title=title, nodes=nodes, edges=edges, articles=articles, legend=legend,
        relations=[{"rel": r, "name": RELATION_NAMES.get(r, r)} for r in rels],
        labels=sorted({n["label"] for n in nodes} | {a for n in nodes for a in n["kg"]["aliases"]}),
        options=Markup(json.dumps(_OPTIONS, sort_keys=True, ensure_ascii=True)),
        vis_css=Markup(_vis_asset("vis-network.css")),
        vis_js=Markup(_vis_asset("vis-network.min.js")),
    )
    return page


def write_html(graph: nx.MultiDiGraph, path: str | os.PathLike[str],
               title: str = "山西政务新闻知识图谱", include_articles: bool = False) -> Path:
    """Write :func:`render_html` of ``graph`` to ``path`` atomically (UTF-8)."""
    return atomic_write(path, render_html(graph, title=title, include_articles=include_articles))


# The page.  Everything dynamic goes through autoescaping or |tojson; the
# script never assigns innerHTML except to decode html.escape()d tooltips.
_TEMPLATE = """<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>{{ vis_css }}</style>
<style>
body { margin: 0; font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; }
header { padding: 6px 12px; border-bottom: 1px solid #ddd; }
header h1 { font-size: 18px; margin: 0 0 6px 0; }
.bar { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; font-size: 13px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 6px; vertical-align: middle; margin-right: 3px; }
main { display: flex; height: calc(100vh - 90px); }
#kg-network { flex: 1; min-width: 0; border-right: 1px solid #ddd; }
#kg-details { width: 340px; overflow: auto; padding: 8px 12px; font-size: 13px; white-space: pre-wrap; }
#kg-details h2 { font-size: 16px; margin: 4px 0; white-space: normal; }
#kg-details .ev { border-left: 3px solid #ccc; padding-left: 6px; margin: 6px 0; }
.kg-tip { white-space: pre-line; max-width: 420px; }
</style>
<script>{{ vis_js }}</script>
</head>
<body>
<header>
<h1>{{ title }}</h1>
<div class="bar">
<span><input id="kg-search" list="kg-labels" placeholder="搜索名称…" size="24">
<button id="kg-search-go" type="button">搜索</button> <span id="kg-search-info"></span></span>
<datalist id="kg-labels">{% for label in labels %}
<option value="{{ label }}">{% endfor %}
</datalist>
<span id="kg-legend">{% for item in legend %}
<label><input type="checkbox" class="kg-kind" value="{{ item.kind }}" checked><span class="swatch" style="background: {{ item.color }}"></span>{{ item.name }} ({{ item.count }})</label>{% endfor %}
</span>
<span id="kg-relations">{% for r in relations %}
<label><input type="checkbox" class="kg-rel" value="{{ r.rel }}" checked>{{ r.rel }} {{ r.name }}</label>{% endfor %}
</span>
</div>
</header>
<main>
<div id="kg-network"></div>
<div id="kg-details">点击节点或边查看名称、别名与证据。</div>
</main>
<script>
(function () {
  "use strict";
  var NODES = {{ nodes|tojson }};
  var EDGES = {{ edges|tojson }};
  var ARTICLES = {{ articles|tojson }};
  var OPTIONS = {{ options }};
  function tip(escaped) {
    // Titles are html.escape()d plain text: decoding them yields text only.
    var el = document.createElement("div");
    el.className = "kg-tip";
    el.innerHTML = escaped;
    return el;
  }
  NODES.forEach(function (n) { n.title = tip(n.title); });
  EDGES.forEach(function (e) { e.title = tip(e.title); });
  var nodes = new vis.DataSet(NODES);
  var edges = new vis.DataSet(EDGES);
  var network = new vis.Network(document.getElementById("kg-network"),
                                {nodes: nodes, edges: edges}, OPTIONS);
  var details = document.getElementById("kg-details");
  function add(parent, tag, text, cls) {
    var el = document.createElement(tag);
    if (cls) { el.className = cls; }
    el.textContent = text;
    parent.appendChild(el);
    return el;
  }
  function articleName(iri) {
    var a = ARTICLES[iri];
    return a ? (a.title || "") + "（" + (a.source || "") + "）" : iri;
  }
  function evidence(list) {
    list.forEach(function (ev) {
      var box = add(details, "div", "", "ev");
      add(box, "div", "「" + ev.text + "」");
      var meta = articleName(ev.article) + " [" + ev.start + ", " + ev.end + "]";
      if (ev.role) { meta += " 职务：" + ev.role; }
      if (ev.value) { meta += " 数值：" + ev.value; }
      if (ev.rule) { meta += " 规则：" + ev.rule; }
      add(box, "div", meta);
    });
  }
  function showNode(id) {
    var n = nodes.get(id);
    if (!n) { return; }
    var d = n.kg;
    details.textContent = "";
    add(details, "h2", d.label);
    add(details, "div", d.kind + "\\n" + d.iri);
    if (d.aliases.length) { add(details, "div", "别名：" + d.aliases.join("、")); }
    if (d.kind === "Division") { add(details, "div", "级别：" + (d.level || "?") + "  代码：" + (d.adcode || "—")); }
    if (d.kind === "Article") { add(details, "div", (d.source || "") + " [" + d.start + ", " + d.end + "] " + (d.date || "")); }
    if (d.investment !== null && d.investment !== undefined) {
      add(details, "div", "投资：" + d.investment + " 元");
      evidence(d.investment_evidence);
    }
    if (d.mentioned_in.length) {
      add(details, "div", "见于：");
      d.mentioned_in.forEach(function (a) { add(details, "div", "· " + articleName(a)); });
    }
  }
  function showEdge(id) {
    var e = edges.get(id);
    if (!e) { return; }
    details.textContent = "";
    var from = nodes.get(e.from), to = nodes.get(e.to);
    add(details, "h2", e.kg.rel);
    add(details, "div", (from ? from.label : e.from) + " → " + (to ? to.label : e.to));
    if (!e.kg.evidence.length && e.kg.rel === "partOf") { add(details, "div", "来自行政区划表"); }
    evidence(e.kg.evidence);
  }
  network.on("click", function (params) {
    if (params.nodes.length) { showNode(params.nodes[0]); }
    else if (params.edges.length) { showEdge(params.edges[0]); }
  });
  function applyFilters() {
    var kinds = {}, rels = {};
    document.querySelectorAll(".kg-kind").forEach(function (c) { kinds[c.value] = c.checked; });
    document.querySelectorAll(".kg-rel").forEach(function (c) { rels[c.value] = c.checked; });
    nodes.update(NODES.map(function (n) { return {id: n.id, hidden: kinds[n.kind] === false}; }));
    edges.update(EDGES.map(function (e) { return {id: e.id, hidden: rels[e.rel] === false}; }));
  }
  document.querySelectorAll(".kg-kind, .kg-rel").forEach(function (c) {
    c.addEventListener("change", applyFilters);
  });
  function search() {
    var q = document.getElementById("kg-search").value.trim();
    var info = document.getElementById("kg-search-info");
    if (!q) { network.unselectAll(); info.textContent = ""; return; }
    var hits = NODES.filter(function (n) {
      return n.label.indexOf(q) >= 0 || n.kg.aliases.some(function (a) { return a.indexOf(q) >= 0; });
    }).map(function (n) { return n.id; });
    info.textContent = hits.length + " 个结果";
    network.selectNodes(hits);
    if (hits.length) { network.focus(hits[0], {scale: 1.2, animation: true}); showNode(hits[0]); }
  }
  document.getElementById("kg-search-go").addEventListener("click", search);
  document.getElementById("kg-search").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { search(); }
  });
}());
</script>
</body>
</html>
"""
