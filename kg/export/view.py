"""The look of the HTML view: names of kinds, relations and levels, the interface's words,
colours and shapes, node sizes, and the settings by which large graphs stay fast.

The words are data, read once (:func:`page_words`): kinds, relations and the
fields of the details panel are named by the ``rdfs:label`` @zh of
``ontology/kg.ttl``, the unit of investments by ``money.toml``, and the
interface's own words and the level names are ``kg/export/static/ui.toml``.
"""
from __future__ import annotations

__all__ = [
    "KIND_STYLES",
    "RELATION_STYLES",
    "ONTOLOGY_TTL",
    "PageWords",
    "page_words",
    "PHYSICS_MAX",
    "SPACING",
    "node_size",
    "view_settings",
    "vis_options",
]

import functools
import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from kg import vocab
from kg.errors import DataError
from kg.knowledge.lexicon import load_lexicon
from kg.paths import ONTOLOGY_DIR
from kg.rdfio import Lit, iter_triples

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

#: The ontology whose ``rdfs:label`` @zh name kinds, relations and fields in the page.
ONTOLOGY_TTL = ONTOLOGY_DIR / "kg.ttl"

#: Fields of the details panel named by the label of an ontology term (the term's IRI).
_FIELDS = {
    "level": vocab.KG + "level",
    "adcode": vocab.KG + "adcode",
    "investment": vocab.KG + "investment",
    "role": vocab.KG + "role",
    "rule": vocab.KG + "rule",
    "article": vocab.KG + "Article",
    "aliases": vocab.SKOS + "altLabel",
}


@dataclass(frozen=True)
class PageWords:
    """Every word the page shows: names of kinds, relations and levels, and the rest (``ui``)."""

    kinds: dict[str, str]  # "Division" -> 行政区划
    relations: dict[str, str]  # "administers" -> 管辖
    levels: dict[str, str]  # "county" -> 县级
    ui: dict[str, str]  # "title", "search_button", … and the panel's fields ("level", "aliases" …)


@functools.lru_cache(maxsize=1)
def page_words() -> PageWords:
    """The page's words, read from ``ontology/kg.ttl``, ``money.toml`` and ``static/ui.toml``."""
    labels = {s: o.lexical for s, p, o in iter_triples(ONTOLOGY_TTL)
              if p == vocab.RDFS + "label" and isinstance(o, Lit) and o.language == "zh"}

    def label(iri: str) -> str:
        if iri not in labels:
            raise DataError(f"{ONTOLOGY_TTL}: no rdfs:label @zh for <{iri}> (the HTML view names it by that)")
        return labels[iri]

    source = resources.files("kg.export").joinpath("static/ui.toml")
    try:
        words = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{source}: {exc}") from exc
    levels = words.pop("levels", None)
    if not isinstance(levels, dict) or not all(isinstance(v, str) for v in (*words.values(), *levels.values())):
        raise DataError(f"{source}: expected strings, and a table [levels] of strings")
    ui = {**words, **{field: label(iri) for field, iri in _FIELDS.items()},
          "yuan": load_lexicon().string("money", "currency")}
    return PageWords(kinds={kind: label(vocab.KG + kind) for kind in KIND_STYLES},
                     relations={rel: label(vocab.KG + rel) for rel in RELATION_STYLES},
                     levels=levels, ui=ui)


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
