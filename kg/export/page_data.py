"""The data of the HTML view as JSON: what each node and edge shows, with the view's settings.

:func:`to_page_data` is the whole record (the oracle); :func:`streamed_page_data`
writes its JSON text a few thousand records at a time, from the parts of
each record (:class:`_Page`), never holding them all.  The labels and the
look are in :mod:`kg.export.view`; the page that carries the data is
:mod:`kg.export.html`.
"""
from __future__ import annotations

__all__ = ["UNSAFE_IN_SCRIPT", "to_page_data", "streamed_page_data", "escape_in_script"]

import itertools
import json
import math
import re
from json.encoder import encode_basestring
from collections.abc import Callable, Iterator
from typing import Any

import networkx as nx

from kg.export.layout import balloon_layout
from kg.export.view import KIND_STYLES, RELATION_STYLES, SPACING, node_size, page_words, view_settings, vis_options


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
                 focus: str | None = None, per_fact: int | None = None,
                 summarised: dict[str, Any] | None = None) -> dict[str, Any]:
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
    per_fact
        Evidence sentences listed per relation and per investment at most
        (:func:`kg.export.summary.plan_page`); a longer list is cut, and its
        record gets ``total`` (``investment_total``) with the full count.
    summarised
        What a summarised page leaves out (:meth:`kg.export.summary.PagePlan.page_note`).

    Returns
    -------
    dict
        ``nodes`` and ``edges`` (node ids are positions in ``nodes``, in
        graph order), ``articles`` (every article node, referred to by
        index), ``kinds`` and ``relations`` present with style and count,
        ``options`` for vis-network, the ``ui`` strings, ``levels``,
        ``view`` (:func:`view_settings`), ``focus`` (a node id or
        ``None``) and ``summarised`` (``None`` for a whole graph).  Above
        :data:`kg.export.view.PHYSICS_MAX` nodes, each node has ``x``/``y``.
    """
    page = _Page(graph, include_articles, per_fact, summarised)
    nodes = list(page.node_records())
    edges = list(page.edge_records())
    page.place(nodes)
    return {"articles": page.articles, "nodes": nodes, "edges": edges, **page.summary(focus)}


class _Page:
    """The records of the data block, one at a time (:func:`to_page_data` keeps
    them all; :func:`streamed_page_data` writes each as it comes)."""

    def __init__(self, graph: nx.MultiDiGraph, include_articles: bool, per_fact: int | None = None,
                 summarised: dict[str, Any] | None = None) -> None:
        self.graph, self.include_articles = graph, include_articles
        self.per_fact, self.summarised = per_fact, summarised
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
                listed, total = self._listed(data.get("investment_evidence", ()))
                rec["investment_evidence"] = [_evidence(ev, article_index) for ev in listed]
                if total is not None:
                    rec["investment_total"] = total
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
                listed, total = self._listed(data.get("investment_evidence", ()))
                parts.append('"investment_evidence":' + _dumps([_evidence(ev, article_index) for ev in listed]))
                if total is not None:
                    parts.append(f'"investment_total":{total}')
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
                listed, total = self._listed(data.get("evidence", ()))
                record = self._counted({"from": node_index[head], "to": node_index[tail],
                                        "rel": data.get("rel", rel),
                                        "evidence": [_evidence(ev, article_index) for ev in listed]})
                if total is not None:
                    record["total"] = total
                yield record
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
                evidence, total = self._listed(data.get("evidence", ()))
                end = (f'],"from":{edge["from"]},"rel":{_value(edge["rel"])},"to":{edge["to"]}'
                       + ("}" if total is None else f',"total":{total}}}'))
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

    def _listed(self, evidence: Any) -> tuple[Any, int | None]:
        """The evidences of a fact the page lists, and their full count if some are left out (else None)."""
        if self.per_fact is None or len(evidence) <= self.per_fact:
            return evidence, None
        return evidence[:self.per_fact], len(evidence)

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
        return balloon_layout(len(self.node_index), self.pairs, spacing=SPACING)

    def place(self, nodes: list[dict[str, Any]]) -> None:
        xy = self.layout()
        if xy is not None:
            for rec, (x, y) in zip(nodes, xy):
                rec["x"], rec["y"] = x, y

    def kinds(self) -> list[dict[str, Any]]:
        counts = self.kind_counts
        names = page_words().kinds
        return ([{"kind": k, "name": names[k], **KIND_STYLES[k], "count": counts[k]}
                 for k in KIND_STYLES if k in counts]
                + [{"kind": k, "name": k, "color": "#cccccc", "shape": "dot", "count": counts[k]}
                   for k in sorted(set(counts) - set(KIND_STYLES))])

    def summary(self, focus: str | None) -> dict[str, Any]:
        """Every key of the data block but the three lists (after every edge record is made)."""
        present = self.rel_counts
        order = [r for r in RELATION_STYLES if r in present] + sorted(set(present) - set(RELATION_STYLES))
        words = page_words()
        relations = [{"rel": r, "name": words.relations.get(r, r),
                      **RELATION_STYLES.get(r, {"color": "#888888", "dashes": False, "width": 1.0,
                                                "label": True}),
                      "count": present[r]} for r in order]
        return {"kinds": self.kinds(), "relations": relations, "options": self.options(), "ui": words.ui,
                "levels": words.levels, "view": view_settings(len(self.node_index), len(self.pairs)),
                "focus": self.node_index.get(focus) if focus is not None else None,
                "summarised": self.summarised}


def streamed_page_data(graph: nx.MultiDiGraph, include_articles: bool = False,
                        focus: str | None = None, per_fact: int | None = None,
                        summarised: dict[str, Any] | None = None) -> Iterator[str]:
    """The JSON text of :func:`to_page_data`, made a few thousand records at a time.

    The records are never all held: the keys come sorted, so the edges (whose
    ends the layout needs) come before the nodes, and the counts and options
    after both lists.
    """
    page = _Page(graph, include_articles, per_fact, summarised)
    yield '{"articles":'
    yield from _list_pieces(iter(page.articles))
    yield ',"edges":'
    yield from page.edge_pieces()
    summary = page.summary(focus)
    for key in ("focus", "kinds", "levels"):
        yield f",{_dumps(key)}:{_dumps(summary[key])}"
    yield ',"nodes":'
    yield from _list_pieces(page.node_texts(page.layout()), ",".join)  # (texts already JSON)
    for key in ("options", "relations", "summarised", "ui", "view"):
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


#: What makes JSON text unsafe inside a ``<script type="application/json">`` block, each
#: written as ``\uXXXX`` (:func:`escape_in_script`): ``<``, ``>`` and ``&`` (no text can
#: close the block, ``</script>``, or open a comment, ``<!--``), U+2028/9 and lone
#: surrogates (which UTF-8 cannot encode).
UNSAFE_IN_SCRIPT = re.compile("[<>&\u2028\u2029\ud800-\udfff]")
_ITEMS_PER_CHUNK = 2000  # list items per piece of the streamed data block


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


def escape_in_script(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"
