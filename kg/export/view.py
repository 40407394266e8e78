"""The look of the HTML view: labels of kinds, relations and levels, the interface's words,
colours and shapes, node sizes, and the settings by which large graphs stay fast."""
from __future__ import annotations

__all__ = [
    "KIND_STYLES",
    "KIND_NAMES",
    "RELATION_STYLES",
    "RELATION_NAMES",
    "LEVEL_NAMES",
    "UI",
    "PHYSICS_MAX",
    "SPACING",
    "node_size",
    "view_settings",
    "vis_options",
]

import math
from typing import Any

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
# The facts table, untitled articles and summarised pages (issue 17).
UI.update({
    "tab_graph": "关系图",
    "tab_facts": "事实表",
    "facts_info": "显示 {shown} / {total} 条事实（每条证据一行）。点击表头排序，点击一行查看证据。",
    "facts_more": "再显示 {n} 条",
    "col_head": "主体",
    "col_head_type": "类型",
    "col_relation": "关系",
    "col_tail": "客体",
    "col_tail_type": "类型",
    "col_value": "数值 / 职务",
    "col_article": "文章",
    "col_evidence": "证据句",
    "article_evidence": "本文中的证据句（{n}）",
    "show_in_graph": "在关系图中查看",
    "untitled": "{source} 第 {start} 字起",
    "evidence_listed": "证据（共 {n} 条，此处列出 {k} 条；全部见 facts.csv）",
    "summary_entities": "摘要视图：只画出提及最多的 {drawn} / {entities} 个实体。",
    "summary_evidence": "每条事实最多列出 {per_fact} 条证据（共 {evidence} 条，此处 {shown} 条；全部见 facts.csv）。",
    "summary_hint": "查看某个实体的完整邻域：kg html --focus 名称",
})

# Size limits above which the page trades looks for speed, chosen with
# benchmarks/html_load.py (figures in the README): in headless Chromium
# without GPU, vis-network needs ~20 ms per layout iteration at 1k nodes, a
# frame of 20k nodes takes ~0.4 s, and measuring 20k labels ~1 s.
PHYSICS_MAX = 500  # nodes; above, positions come from kg.export.layout, physics stays off
_ITERATIONS = 250  # browser layout iterations for graphs up to PHYSICS_MAX nodes
_CURVED_EDGES_MAX = 1500  # edges; curved edges cost a bezier per edge per frame
_EDGE_LABELS_MAX = 2000  # edges; above, relation names are in tooltips and the panel only
_DETAIL_MAX = 5000  # edges; above, no arrows, dashes or hover (each costs ~1/3 of a frame)
_LAZY_LABELS_MIN = 2000  # nodes; above, names are drawn once zoomed in close enough to read
SPACING = 60.0  # balloon_layout distance between nodes: about a short name at 14 px
_FONT_FACE = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
              '"WenQuanYi Micro Hei", sans-serif')


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
    return {"physics": nodes <= PHYSICS_MAX,
            "curved": edges <= _CURVED_EDGES_MAX,
            "edge_labels": edges <= _EDGE_LABELS_MAX,
            "detail": edges <= _DETAIL_MAX and nodes <= _DETAIL_MAX,
            "lazy_labels": nodes > _LAZY_LABELS_MIN}


def vis_options(nodes: int, edges: int) -> dict[str, Any]:
    """vis-network options for a graph of ``nodes`` nodes and ``edges`` edges.

    Groups (one per kind) carry colour and shape; the layout seed is fixed so
    the same graph is laid out the same way.  Graphs of up to
    ``PHYSICS_MAX`` nodes are laid out in the browser (a bounded number of
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
