"""HTML export: one self-contained, offline page to explore the graph.

The page (``kg/export/static/page.html``, ``page.css``, ``page.js``) draws the
graph with vis-network 9.1.2, whose JavaScript and CSS are inlined from the
copies pyvis ships (``pyvis/templates/lib/vis-9.1.2``; vis-network is
dual-licensed Apache-2.0/MIT and its licence header stays in the inlined
code).  pyvis' own templates are not used: even in ``in_line`` mode they link
bootstrap from a CDN.  Opened from disk, the page makes no request at all, and
its Content-Security-Policy (``default-src 'none'``, scripts allowed by hash
only) makes sure it cannot.

What the page offers
    a legend of entity types (colour and shape) and relations (colour, dashed
    ``partOf``) whose check boxes filter the view; node size grows with the
    number of articles an entity is mentioned in; a search box over names
    and aliases that selects, centres and describes the node; a details panel
    (canonical name, aliases, type, level and code, the ``partOf`` chain,
    investment, relations, articles) for a clicked node and (relation,
    endpoints, evidence sentences with their articles and offsets) for a
    clicked edge.  Physics stops once the layout has stabilised.
Large graphs
    up to 500 nodes the browser lays the graph out (bounded force-directed
    iterations, then physics off); larger graphs come with positions from
    :func:`kg.export.layout.balloon_layout` and draw at once.  Curved edges,
    edge labels, arrows, dashes, hover effects and (above 2,000 nodes) node
    labels until zoomed in are dropped as graphs grow (:func:`view_settings`;
    ``benchmarks/html_load.py`` measures the result).  ``focus=`` (and
    ``kg html --focus``) draws the neighbourhood of one entity instead
    (:func:`kg.focus.focus_graph`).
Safety
    all corpus text is untrusted.  It travels as JSON inside a
    ``<script type="application/json">`` block with ``<``, ``>`` and ``&``
    escaped, so it cannot end the block or open markup; the page script puts
    it into the DOM with ``textContent``/``value`` only (never ``innerHTML``)
    and vis-network draws labels on a canvas and tooltips with ``innerText``.
    The CSP allows only the page's own two scripts, by hash, so even markup
    that slipped through could not run an inline handler.
Determinism
    the same graph gives the same bytes: records in graph order, sorted JSON
    keys, a fixed layout seed, no timestamps.

For tests and benchmarks the page exposes a read-only ``window.kgView``
(counts of drawn nodes and edges, selection, screen positions, timings).
"""
from __future__ import annotations

__all__ = [
    "KIND_STYLES",
    "KIND_NAMES",
    "RELATION_STYLES",
    "RELATION_NAMES",
    "LEVEL_NAMES",
    "UI",
    "node_size",
    "view_settings",
    "vis_options",
    "to_page_data",
    "render_html",
    "generate_html",
    "write_html",
]

import base64
import hashlib
import html
import itertools
import json
import math
import os
import re
from importlib import resources
from json.encoder import encode_basestring
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import ExportError
from kg.export import atomic_writer
from kg.export.layout import balloon_layout

#: Colour (colour-blind-safe Tableau 10 hues) and vis-network shape per kind;
#: only shapes that draw their label below them, so they can grow with mentions.
KIND_STYLES = {
    "Division": {"color": "#4e79a7", "shape": "hexagon"},
    "Agency": {"color": "#f28e2b", "shape": "square"},
    "Organization": {"color": "#59a14f", "shape": "triangle"},
    "Project": {"color": "#e15759", "shape": "star"},
    "Person": {"color": "#b07aa1", "shape": "dot"},
    "Article": {"color": "#9c9c9c", "shape": "triangleDown"},
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

#: Edge colour per relation: the colour of the kind the relation usually
#: points from or to, so legend and nodes read together; ``partOf`` (the
#: division hierarchy) is a thin dashed grey line without label.
RELATION_STYLES = {
    "administers": {"color": "#f28e2b", "dashes": False, "width": 1.5, "label": True},
    "locatedIn": {"color": "#4e79a7", "dashes": False, "width": 1.5, "label": True},
    "subOrganizationOf": {"color": "#9c755f", "dashes": False, "width": 1.5, "label": True},
    "undertakes": {"color": "#e15759", "dashes": False, "width": 1.5, "label": True},
    "worksFor": {"color": "#b07aa1", "dashes": False, "width": 1.5, "label": True},
    "partOf": {"color": "#aaaaaa", "dashes": True, "width": 1.0, "label": False},
    "mentionedIn": {"color": "#cccccc", "dashes": True, "width": 0.8, "label": False},
}

#: Readable names of the relations (drawn as edge labels).
RELATION_NAMES = {
    "administers": "管辖",
    "locatedIn": "位于",
    "subOrganizationOf": "隶属于",
    "undertakes": "承担",
    "worksFor": "任职于",
    "partOf": "属于",
    "mentionedIn": "见于文章",
}

#: Names of the division levels (``kg:level`` values).
LEVEL_NAMES = {
    "province": "省",
    "prefecture": "地级市",
    "county": "县级",
    "township": "乡镇街道",
    "village": "村社区",
    "zone": "开发区",
}

#: Every other string the page shows; ``{name}`` fields are filled by the page.
UI = {
    "title": "山西政务新闻知识图谱",
    "focus_title": "{label} · {depth} 层邻域",
    "search_placeholder": "搜索名称或别名…",
    "search_button": "搜索",
    "search_results": "第 {i} / {n} 个结果",
    "search_hidden": "（另有 {n} 个被筛选隐藏）",
    "search_none": "没有找到",
    "stats": "显示 {nodes} / {total_nodes} 个实体，{edges} / {total_edges} 条关系",
    "layout_progress": "布局中… {p}%",
    "empty": "图中没有实体。",
    "kinds": "实体类型",
    "relations": "关系",
    "legend_note": "节点越大，提及它的文章越多。虚线表示行政区划的隶属关系。"
                   "点击节点或连线查看详情。",
    "hint": "点击节点或连线，查看名称、别名、所属文章与证据句。",
    "type": "类型",
    "aliases": "别名",
    "level": "级别",
    "adcode": "区划代码",
    "chain": "上级区划",
    "investment": "投资",
    "yuan": "元",
    "links": "关系（{n}）",
    "mentioned": "见于 {n} 篇文章",
    "evidence": "证据（{n}）",
    "gazetteer": "来自行政区划表（GB/T 2260），没有文本证据。",
    "role": "职务",
    "rule": "规则",
    "value": "数值",
    "more": "… 共 {n} 条",
    "article": "文章",
    "offsets": "字符 {start}–{end}",
    "tip_mentions": "见于 {n} 篇文章",
    "tip_evidence": "共 {n} 条证据",
}

# Size limits above which the page trades looks for speed, chosen with
# benchmarks/html_load.py (figures in the README): in headless Chromium
# without GPU, vis-network needs ~20 ms per layout iteration at 1k nodes, a
# frame of 20k nodes takes ~0.4 s, and measuring 20k labels ~1 s.
_PHYSICS_MAX = 500  # nodes; above, positions come from kg.export.layout, physics stays off
_ITERATIONS = 250  # browser layout iterations for graphs up to _PHYSICS_MAX nodes
_CURVED_EDGES_MAX = 1500  # edges; curved edges cost a bezier per edge per frame
_EDGE_LABELS_MAX = 2000  # edges; above, relation names are in tooltips and the panel only
_DETAIL_MAX = 5000  # edges; above, no arrows, dashes or hover (each costs ~1/3 of a frame)
_LAZY_LABELS_MIN = 2000  # nodes; above, names are drawn once zoomed in close enough to read
_SPACING = 60.0  # balloon_layout distance between nodes: about a short name at 14 px
_VIS_DIR = "vis-9.1.2"
_FONT_FACE = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
              '"WenQuanYi Micro Hei", sans-serif')
_MARKER = re.compile(r"%%([A-Z_]+)%%")
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=\S*$", re.M)


def node_size(mentions: int) -> float:
    """Drawn size of a node mentioned in ``mentions`` articles.

    The size grows with the square root, so the *area* grows about linearly
    with the number of articles; capped so hubs stay readable.

    >>> [node_size(n) for n in (0, 1, 4, 100)]
    [8.0, 14.0, 20.0, 44.0]
    """
    return round(min(8.0 + 6.0 * math.sqrt(max(mentions, 0)), 44.0), 1)


def view_settings(nodes: int, edges: int) -> dict[str, bool]:
    """Which costly drawing features a graph of this size gets.

    >>> view_settings(200, 250)["physics"], view_settings(20000, 26000)["physics"]
    (True, False)
    """
    return {"physics": nodes <= _PHYSICS_MAX,
            "curved": edges <= _CURVED_EDGES_MAX,
            "edge_labels": edges <= _EDGE_LABELS_MAX,
            "detail": edges <= _DETAIL_MAX and nodes <= _DETAIL_MAX,
            "lazy_labels": nodes > _LAZY_LABELS_MIN}


def vis_options(nodes: int, edges: int) -> dict[str, Any]:
    """vis-network options for a graph of ``nodes`` nodes and ``edges`` edges.

    Groups (one per kind) carry colour and shape; the layout seed is fixed so
    the same graph is laid out the same way.  Graphs of up to
    ``_PHYSICS_MAX`` nodes are laid out in the browser (a bounded number of
    force-directed iterations, then physics off); larger ones come with
    positions (:func:`kg.export.layout.balloon_layout`) and physics off, and
    also get straight edges, no edge labels, arrows or hover effects past the
    other limits of this module (:func:`view_settings`).
    """
    view = view_settings(nodes, edges)
    groups = {}
    for kind, style in KIND_STYLES.items():
        c = style["color"]
        groups[kind] = {"shape": style["shape"],
                        "color": {"background": c, "border": c,
                                  "highlight": {"background": c, "border": "#111111"},
                                  "hover": {"background": c, "border": "#111111"}}}
    font = {"face": _FONT_FACE, "strokeColor": "#ffffff", "strokeWidth": 3}
    return {
        "autoResize": True,
        "edges": {"arrows": {"to": {"enabled": view["detail"], "scaleFactor": 0.5}},
                  "font": dict(font, size=10, color="#555555", align="middle"),
                  "selectionWidth": 2,
                  "smooth": {"type": "continuous", "roundness": 0.3} if view["curved"] else False},
        "groups": groups,
        "interaction": {"hover": view["detail"],
                        "hideEdgesOnDrag": not view["curved"],
                        "hideEdgesOnZoom": not view["curved"],
                        "keyboard": False, "multiselect": False, "tooltipDelay": 200},
        # improvedLayout (Kamada-Kawai seeding) is quadratic and gives up on
        # graphs with many components, such as ours.
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "nodes": {"borderWidth": 1, "borderWidthSelected": 4,
                  "font": dict(font, size=14, color="#222222")},
        "physics": {"enabled": view["physics"], "solver": "forceAtlas2Based",
                    "forceAtlas2Based": {"gravitationalConstant": -60, "centralGravity": 0.01,
                                         "springLength": 90, "springConstant": 0.08,
                                         "damping": 0.5, "avoidOverlap": 0.2},
                    "stabilization": {"enabled": True, "fit": True, "updateInterval": 20,
                                      "iterations": _ITERATIONS}},
    }


def _evidence(ev: dict[str, Any], article_index: dict[str, int]) -> dict[str, Any]:
    """An evidence dict with its article as an index into the page's article list."""
    out = {"article": article_index.get(ev["article"], -1), "start": ev.get("start"),
           "end": ev.get("end"), "text": ev.get("text") or ""}
    for key in ("role", "rule", "value"):
        if ev.get(key):
            out[key] = ev[key]
    return out


def _evidence_text(ev: dict[str, Any], article_index: dict[str, int]) -> str:
    """``_dumps(_evidence(ev, article_index))``, written from its parts in sorted key order."""
    text = (f'{{"article":{article_index.get(ev["article"], -1)},"end":{_value(ev.get("end"))}')
    if ev.get("role"):
        text += ',"role":' + _value(ev["role"])
    if ev.get("rule"):
        text += ',"rule":' + _value(ev["rule"])
    text += ',"start":' + _value(ev.get("start")) + ',"text":' + _value(ev.get("text") or "")
    if ev.get("value"):
        text += ',"value":' + _value(ev["value"])
    return text + "}"


def to_page_data(graph: nx.MultiDiGraph, include_articles: bool = False,
                 focus: str | None = None) -> dict[str, Any]:
    """The data block of the page: everything the script draws and shows.

    Parameters
    ----------
    graph
        A graph from :func:`kg.graph.build_graph`.
    include_articles
        Also draw article nodes, linked to the entities they mention by
        dashed ``mentionedIn`` edges (mentions are listed in the details
        panel either way).
    focus
        Key of a node to select when the page opens (a focused view's centre).

    Returns
    -------
    dict
        ``nodes`` and ``edges`` (node ids are positions in ``nodes``, in
        graph order), ``articles`` (every article node, referred to by
        index), ``kinds`` and ``relations`` present with style and count,
        ``options`` for vis-network, the ``ui`` strings, ``levels``,
        ``view`` (:func:`view_settings`) and ``focus`` (a node id or
        ``None``).  Above ``_PHYSICS_MAX`` nodes, each node has ``x``/``y``.
    """
    page = _Page(graph, include_articles)
    nodes = list(page.node_records())
    edges = list(page.edge_records())
    page.place(nodes)
    return {"articles": page.articles, "nodes": nodes, "edges": edges, **page.summary(focus)}


class _Page:
    """The records of the data block, one at a time (:func:`to_page_data` keeps
    them all; :func:`_streamed_page_data` writes each as it comes)."""

    def __init__(self, graph: nx.MultiDiGraph, include_articles: bool) -> None:
        self.graph, self.include_articles = graph, include_articles
        self.articles: list[dict[str, Any]] = []
        self.article_index: dict[str, int] = {}
        for key, data in graph.nodes(data=True):
            if data.get("kind") == "Article":
                self.article_index[key] = len(self.articles)
                self.articles.append({"iri": key, "title": data.get("title") or data.get("label") or "",
                                      "source": data.get("source") or "", "start": data.get("start"),
                                      "end": data.get("end"), "date": data.get("date")})
        # node ids (positions) and kinds in graph order, before any record is made
        self.node_index: dict[Any, int] = {}
        self.kind_counts: dict[str, int] = {}
        for key, data in graph.nodes(data=True):
            kind = data.get("kind", "")
            if kind == "Article" and not include_articles:
                continue
            self.node_index[key] = len(self.node_index)
            self.kind_counts[kind] = self.kind_counts.get(kind, 0) + 1
        self.rel_counts: dict[str, int] = {}
        self.pairs: list[tuple[int, int]] = []  # (from, to) of every edge record made

    def node_records(self) -> Iterator[dict[str, Any]]:
        article_index = self.article_index
        for key, data in self.graph.nodes(data=True):
            if key not in self.node_index:
                continue
            kind = data.get("kind", "")
            mentioned = [article_index[a] for a in data.get("mentioned_in", ()) if a in article_index]
            rec = {"iri": key, "kind": kind, "label": data.get("label") or key,
                   "aliases": list(data.get("aliases", ())), "mentions": mentioned,
                   "size": node_size(len(mentioned))}
            if kind == "Division":
                rec["level"] = data.get("level")
                rec["adcode"] = data.get("adcode")
            if kind == "Article":
                rec["article"] = article_index[key]
                rec["size"] = node_size(0)
            if data.get("investment") is not None:
                rec["investment"] = str(data["investment"])
                rec["investment_evidence"] = [_evidence(ev, article_index)
                                              for ev in data.get("investment_evidence", ())]
            yield rec

    def node_texts(self, xy: list[tuple[float, float]] | None) -> Iterator[str]:
        """``_dumps`` of each of :meth:`node_records` (with position ``xy``), written from its parts.

        A record has at most a dozen keys, so the text is put together in
        their sorted order here rather than by the encoder (which sorts the
        keys of every record); values are ``_dumps`` of themselves, a string
        through the encoder's own string escaping.
        """
        article_index = self.article_index
        positions = iter(xy) if xy is not None else None
        for key, data in self.graph.nodes(data=True):
            if key not in self.node_index:
                continue
            kind = data.get("kind", "")
            mentioned = [article_index[a] for a in data.get("mentioned_in", ()) if a in article_index]
            parts = []
            if kind == "Division":
                parts.append('"adcode":' + _value(data.get("adcode")))
            parts.append('"aliases":[' + ",".join(map(_value, list(data.get("aliases", ())))) + "]")
            if kind == "Article":
                parts.append(f'"article":{article_index[key]}')
            if data.get("investment") is not None:
                parts.append('"investment":' + _value(str(data["investment"])))
                parts.append('"investment_evidence":' + _dumps([_evidence(ev, article_index)
                                                                for ev in data.get("investment_evidence", ())]))
            parts.append('"iri":' + _value(key))
            parts.append('"kind":' + _value(kind))
            parts.append('"label":' + _value(data.get("label") or key))
            if kind == "Division":
                parts.append('"level":' + _value(data.get("level")))
            parts.append('"mentions":[' + ",".join(map(str, mentioned)) + "]")
            parts.append('"size":' + _value(node_size(0 if kind == "Article" else len(mentioned))))
            if positions is not None:
                x, y = next(positions)
                parts.append(f'"x":{_value(x)},"y":{_value(y)}')
            yield "{" + ",".join(parts) + "}"

    def edge_records(self) -> Iterator[dict[str, Any]]:
        """The edges (counted, and their ends kept for the layout, as they are made)."""
        node_index, article_index = self.node_index, self.article_index
        for head, tail, rel, data in self.graph.edges(keys=True, data=True):
            if head in node_index and tail in node_index:
                yield self._counted({"from": node_index[head], "to": node_index[tail],
                                     "rel": data.get("rel", rel),
                                     "evidence": [_evidence(ev, article_index)
                                                  for ev in data.get("evidence", ())]})
        if self.include_articles:
            for key, data in self.graph.nodes(data=True):
                for a in data.get("mentioned_in", ()):
                    if key in node_index and a in node_index:
                        yield self._counted({"from": node_index[key], "to": node_index[a],
                                             "rel": "mentionedIn", "evidence": []})

    def edge_pieces(self) -> Iterator[str]:
        """The JSON text of the list of :meth:`edge_records`, evidence lists a slice at a time.

        An edge of a large corpus carries thousands of evidences; its record
        is never built whole.  A record is written from its parts, keys in
        sorted order as ``_dumps`` puts them (``{"evidence":[…],"from":…,
        "rel":…,"to":…}``, each evidence as :func:`_evidence_text`); records
        go out :data:`_ITEMS_PER_CHUNK` records and evidences per piece.
        """
        node_index, article_index = self.node_index, self.article_index
        yield "["
        sep = ""
        texts: list[str] = []  # records not yet yielded
        items = 0  # records and evidences in them
        for head, tail, rel, data in self.graph.edges(keys=True, data=True):
            if head in node_index and tail in node_index:
                edge = self._counted({"from": node_index[head], "to": node_index[tail],
                                      "rel": data.get("rel", rel)})
                end = f'],"from":{edge["from"]},"rel":{_value(edge["rel"])},"to":{edge["to"]}}}'
                evidence = data.get("evidence", ())
                if len(evidence) <= _ITEMS_PER_CHUNK:
                    texts.append('{"evidence":[' + ",".join([_evidence_text(ev, article_index)
                                                             for ev in evidence]) + end)
                    items += 1 + len(evidence)
                    if items >= _ITEMS_PER_CHUNK:
                        yield sep + ",".join(texts)
                        sep, texts, items = ",", [], 0
                    continue
                if texts:
                    yield sep + ",".join(texts)
                    sep, texts, items = ",", [], 0
                yield sep + '{"evidence":['
                for i in range(0, len(evidence), _ITEMS_PER_CHUNK):
                    text = ",".join([_evidence_text(ev, article_index)
                                     for ev in evidence[i:i + _ITEMS_PER_CHUNK]])
                    yield "," + text if i else text
                yield end
                sep = ","
        if self.include_articles:
            for key, data in self.graph.nodes(data=True):
                for a in data.get("mentioned_in", ()):
                    if key in node_index and a in node_index:
                        edge = self._counted({"from": node_index[key], "to": node_index[a], "rel": "mentionedIn"})
                        texts.append(f'{{"evidence":[],"from":{edge["from"]},"rel":"mentionedIn","to":{edge["to"]}}}')
                        if len(texts) >= _ITEMS_PER_CHUNK:
                            yield sep + ",".join(texts)
                            sep, texts = ",", []
        if texts:
            yield sep + ",".join(texts)
        yield "]"

    def _counted(self, edge: dict[str, Any]) -> dict[str, Any]:
        self.rel_counts[edge["rel"]] = self.rel_counts.get(edge["rel"], 0) + 1
        self.pairs.append((edge["from"], edge["to"]))
        return edge

    def options(self) -> dict[str, Any]:
        """vis-network's options (after every edge record is made)."""
        options = vis_options(len(self.node_index), len(self.pairs))
        for k in self.kinds():  # kinds outside KIND_STYLES still need a vis group
            options["groups"].setdefault(k["kind"], {"shape": k["shape"], "color": k["color"]})
        return options

    def layout(self) -> list[tuple[float, float]] | None:
        """Node positions when the graph is too large for the browser to simulate in time."""
        if vis_options(len(self.node_index), len(self.pairs))["physics"]["enabled"]:
            return None
        return balloon_layout(len(self.node_index), self.pairs, spacing=_SPACING)

    def place(self, nodes: list[dict[str, Any]]) -> None:
        xy = self.layout()
        if xy is not None:
            for rec, (x, y) in zip(nodes, xy):
                rec["x"], rec["y"] = x, y

    def kinds(self) -> list[dict[str, Any]]:
        counts = self.kind_counts
        return ([{"kind": k, "name": KIND_NAMES[k], **KIND_STYLES[k], "count": counts[k]}
                 for k in KIND_STYLES if k in counts]
                + [{"kind": k, "name": k, "color": "#cccccc", "shape": "dot", "count": counts[k]}
                   for k in sorted(set(counts) - set(KIND_STYLES))])

    def summary(self, focus: str | None) -> dict[str, Any]:
        """Every key of the data block but the three lists (after every edge record is made)."""
        present = self.rel_counts
        order = [r for r in RELATION_STYLES if r in present] + sorted(set(present) - set(RELATION_STYLES))
        relations = [{"rel": r, "name": RELATION_NAMES.get(r, r),
                      **RELATION_STYLES.get(r, {"color": "#888888", "dashes": False, "width": 1.0,
                                                "label": True}),
                      "count": present[r]} for r in order]
        return {"kinds": self.kinds(), "relations": relations, "options": self.options(), "ui": UI,
                "levels": LEVEL_NAMES, "view": view_settings(len(self.node_index), len(self.pairs)),
                "focus": self.node_index.get(focus) if focus is not None else None}


def _streamed_page_data(graph: nx.MultiDiGraph, include_articles: bool = False,
                        focus: str | None = None) -> Iterator[str]:
    """The JSON text of :func:`to_page_data`, made a few thousand records at a time.

    The records are never all held: the keys come sorted, so the edges (whose
    ends the layout needs) come before the nodes, and the counts and options
    after both lists.
    """
    page = _Page(graph, include_articles)
    yield '{"articles":'
    yield from _list_pieces(iter(page.articles))
    yield ',"edges":'
    yield from page.edge_pieces()
    summary = page.summary(focus)
    for key in ("focus", "kinds", "levels"):
        yield f",{_dumps(key)}:{_dumps(summary[key])}"
    yield ',"nodes":'
    yield from _list_pieces(page.node_texts(page.layout()), ",".join)  # (texts already JSON)
    for key in ("options", "relations", "ui", "view"):
        yield f",{_dumps(key)}:{_dumps(summary[key])}"
    yield "}"


def _items_json(chunk: list[Any]) -> str:
    return _dumps(chunk)[1:-1]  # the items, comma-separated


def _list_pieces(items: Iterator[Any], join: Callable[[list[Any]], str] = _items_json) -> Iterator[str]:
    """The JSON text of a list, :data:`_ITEMS_PER_CHUNK` items per piece (``join``: a piece's items as text)."""
    yield "["
    first = True
    while True:
        chunk = list(itertools.islice(items, _ITEMS_PER_CHUNK))
        if not chunk:
            break
        yield ("" if first else ",") + join(chunk)
        first = False
    yield "]"


_UNSAFE_IN_SCRIPT = re.compile("[<>&\u2028\u2029\ud800-\udfff]")
_ITEMS_PER_CHUNK = 2000  # list items per piece of the streamed data block


def _json_for_html(value: Any) -> str:
    """JSON that is inert inside a ``<script type="application/json">`` block.

    ``<``, ``>`` and ``&`` become ``\\u003c``/``\\u003e``/``\\u0026`` so no text
    can close the block (``</script>``) or open a comment (``<!--``); U+2028/9
    and lone surrogates (which UTF-8 cannot encode) are escaped too.
    """
    return _UNSAFE_IN_SCRIPT.sub(_escape_in_script, _dumps(value))


# one encoder for every call (json.dumps with options makes a new one each time)
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _dumps(value: Any) -> str:
    return _ENCODER.encode(value)


def _value(value: Any) -> str:
    """``_dumps(value)``, a string, an int or a float without the encoder's set-up."""
    if type(value) is str:
        return encode_basestring(value)
    if type(value) is int:
        return int.__repr__(value)
    if type(value) is float and math.isfinite(value):
        return float.__repr__(value)
    return _ENCODER.encode(value)


def _escape_in_script(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


def _vis_asset(name: str) -> str:
    """Text of a vis-network file shipped inside the pyvis package."""
    root = resources.files("pyvis")
    for folder in ("templates/lib", "lib"):
        f = root.joinpath(f"{folder}/{_VIS_DIR}/{name}")
        if f.is_file():
            return f.read_text(encoding="utf-8")
    raise ExportError(f"pyvis ships no {_VIS_DIR}/{name}; install pyvis 0.3.2 "
                      "(pip install 'pyvis>=0.3.2,<0.4')")


def _static(name: str) -> str:
    return resources.files("kg.export").joinpath(f"static/{name}").read_text(encoding="utf-8")


def _inline(text: str, tag: str, what: str) -> str:
    """``text`` checked to be safe as the content of an inline ``<tag>`` element."""
    lowered = text.lower()
    for bad in (f"</{tag}", "<!--"):
        if bad in lowered:
            raise ExportError(f"{what} contains {bad!r}, so it cannot be inlined in <{tag}>")
    return text


def _script_hash(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def render_html(graph: nx.MultiDiGraph, title: str | None = None, include_articles: bool = False,
                focus: str | None = None, depth: int = 1) -> str:
    """The self-contained HTML page of ``graph`` (:func:`generate_html` joined)."""
    return "".join(generate_html(graph, title, include_articles, focus, depth))


def generate_html(graph: nx.MultiDiGraph, title: str | None = None, include_articles: bool = False,
                  focus: str | None = None, depth: int = 1) -> Iterator[str]:
    """The self-contained HTML page of ``graph``, in pieces (the data block a few thousand records at a time).

    Parameters
    ----------
    graph
        A graph from :func:`kg.graph.build_graph`.
    title
        Page title and heading (shown as text).  Default: the project's
        title, or for a focused view the centre's name and the depth.
    include_articles
        Also draw article nodes, linked by dashed ``mentionedIn`` edges.
    focus
        Name, alias, IRI or entity id of an entity: draw only its
        neighbourhood (:func:`kg.focus.focus_graph`) and open with it selected.
    depth
        Relations to follow from ``focus``.

    Raises
    ------
    KGError
        ``focus`` names no entity or several (see :func:`kg.focus.find_entity`).
    """
    centre = None
    if focus is not None:
        from kg.focus import focus_graph

        graph = focus_graph(graph, focus, depth)
        centre = graph.graph["focus"]
        if title is None:
            title = UI["focus_title"].format(label=graph.nodes[centre].get("label", centre),
                                             depth=depth)
    if title is None:
        title = UI["title"]
    # Without its source-map comment, so not even developer tools look for a file.
    vis_js = _SOURCE_MAP.sub("", _vis_asset("vis-network.min.js"))
    vis_js = _inline(vis_js, "script", "pyvis' vis-network.min.js")
    page_js = _inline(_static("page.js"), "script", "kg/export/static/page.js")
    parts = {
        "TITLE": html.escape(title),
        "CSP": html.escape("default-src 'none'; "
                           f"script-src {_script_hash(vis_js)} {_script_hash(page_js)}; "
                           "style-src 'unsafe-inline'; img-src data: blob:; "
                           "base-uri 'none'; form-action 'none'"),
        "VIS_CSS": _inline(_vis_asset("vis-network.css"), "style", "pyvis' vis-network.css"),
        "PAGE_CSS": _inline(_static("page.css"), "style", "kg/export/static/page.css"),
        "VIS_JS": vis_js,
        "PAGE_JS": page_js,
    }
    # One pass over the template: text put in by one marker is never searched
    # for another, so corpus text containing "%%PAGE_JS%%" stays text.
    template = _static("page.html")
    end = 0
    for m in _MARKER.finditer(template):
        yield template[end:m.start()]
        if m.group(1) == "DATA":
            for piece in _streamed_page_data(graph, include_articles, centre):
                yield _UNSAFE_IN_SCRIPT.sub(_escape_in_script, piece)
        else:
            yield parts[m.group(1)]
        end = m.end()
    yield template[end:]


def write_html(graph: nx.MultiDiGraph, path: str | os.PathLike[str], title: str | None = None,
               include_articles: bool = False, focus: str | None = None,
               depth: int = 1) -> Path:
    """Write :func:`render_html` of ``graph`` to ``path`` atomically, as UTF-8.

    Examples
    --------
    >>> import tempfile, networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("https://w3id.org/shanxi-kg/id/division/140000", kind="Division",
    ...            label="山西省", aliases=[], mentioned_in=[], level="province", adcode="140000")
    >>> p = write_html(g, os.path.join(tempfile.mkdtemp(), "g.html"))
    >>> "山西省" in p.read_text(encoding="utf-8")
    True
    """
    with atomic_writer(path) as fh:
        for piece in generate_html(graph, title=title, include_articles=include_articles,
                                   focus=focus, depth=depth):
            fh.write(piece)
    return Path(path)
