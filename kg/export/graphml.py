"""GraphML export (networkx's writer) for Gephi, yEd, Cytoscape and ``apoc.import.graphml``.

The networkx graph as it is: nodes keyed by IRI, one edge per relation with
the relation as edge id, attributes as in :mod:`kg.graph`.  GraphML values
are scalars, so list and dict attributes (``aliases``, ``mentioned_in``,
``evidence``, ``investment_evidence``) are written as JSON text (keys sorted,
UTF-8); ``investment`` is a ``double``; a missing value (``None``) is left
out.

XML 1.0 cannot carry most C0 control characters, not even as character
references, so in plain string values they (and U+FFFE/U+FFFF) are written
as U+FFFD (the JSON text of list values escapes them, so lists keep them); a CR is
written as ``&#13;`` because an XML parser turns a literal CR into LF.
Everything else, markup characters included, round-trips exactly through
``networkx.read_graphml``.

The file is what ``networkx.write_graphml_xml`` writes for
:func:`to_graphml_graph` (ElementTree, pretty-printed), but written element
by element by :func:`_graphml_chunks`, which does what ElementTree does
(escapes, indentation, ``<x />`` for empty elements, key ids in order of
first use, key elements in reverse order); graphs it does not cover (values
of other types than str/int/float/bool, node ids that the XML clean-up would
change) go through networkx's writer, which builds the whole tree.
"""
from __future__ import annotations

__all__ = ["to_graphml_graph", "serialize_graphml", "write_graphml"]

import functools
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from json.encoder import c_make_encoder, encode_basestring
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import ExportError
from kg.export import atomic_writer

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(value: str) -> str:
    if _SURROGATE.search(value):
        raise ExportError(f"text {value[:40]!r}… holds a lone surrogate, which XML cannot "
                          "carry; fix the decoding of the source file")
    return _XML_ILLEGAL.sub("\ufffd", value)


def _attributes(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in sorted(data):
        value = data[name]
        if value is None:
            continue
        if name == "investment":
            value = float(value)
        elif isinstance(value, (list, tuple, dict)):
            value = _text(json.dumps(value, ensure_ascii=False, sort_keys=True))
        elif isinstance(value, str):
            value = _text(value)
        out[name] = value
    return out


def to_graphml_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``graph`` with GraphML-ready attributes, nodes and edges sorted."""
    out = nx.MultiDiGraph()
    for key in sorted(graph.nodes):
        out.add_node(_text(key), **_attributes(graph.nodes[key]))
    for head, tail, rel, data in sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3]):
        out.add_edge(_text(head), _text(tail), key=rel, **_attributes(data))
    return out


def serialize_graphml(graph: nx.MultiDiGraph) -> bytes:
    """The GraphML document of ``graph`` (networkx's ElementTree writer), UTF-8."""
    # Not nx.generate_graphml: it splits lines with str.splitlines, which also
    # splits at U+2028, U+0085 and other characters that are text here.
    buf = io.BytesIO()
    nx.write_graphml_xml(to_graphml_graph(graph), buf, encoding="utf-8", prettyprint=True)
    # ElementTree leaves CR raw in text, and an XML parser would read it as LF.
    return buf.getvalue().replace(b"\r", b"&#13;")


# -- streamed -------------------------------------------------------------------

_NS_GRAPHML = "http://graphml.graphdrawing.org/xmlns"
_NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA = "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"
# networkx's GraphML types of the Python types _attributes leaves (exact types: bool is no int here)
_XML_TYPES = {str: "string", int: "long", float: "double", bool: "boolean"}
_CHUNK = 1 << 20  # characters per write, about
_ITEMS = 256  # list items per json.dumps call


class _Unsupported(Exception):
    """The graph needs networkx's writer."""


def _xml_type(name: str, value: Any) -> str:
    # the type of _attributes(...)[name], without building the value
    if name == "investment":
        return "double"
    if isinstance(value, (list, tuple, dict)):
        return "string"
    xml_type = _XML_TYPES.get(type(value))
    if xml_type is None:
        raise _Unsupported
    return xml_type


def _cdata(text: str) -> str:
    # xml.etree.ElementTree._escape_cdata, then CR as in serialize_graphml
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _attrib(text: str) -> str:
    # xml.etree.ElementTree._escape_attrib: what _cdata escapes, then these
    # (no escape brings in a character escaped after it)
    text = _cdata(text)
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text


def _json_dumps() -> Callable[[Any], str]:
    """A function equal to ``json.dumps(value, ensure_ascii=False, sort_keys=True)``, made for one export.

    json.dumps is mostly Python around the C encoder it makes for each call
    (two thirds of its time on an evidence list); this makes that encoder
    once, with what json.dumps passes it (a markers dict for its check for
    circular references, ``JSONEncoder.default`` for its error).  A new one
    per export: an error leaves entries in the markers dict.
    """
    try:
        encode = c_make_encoder({}, json.JSONEncoder().default, encode_basestring, None, ": ", ", ",
                                True, False, True)
    except TypeError:  # c_make_encoder is None (no _json accelerator) or takes other arguments
        return functools.partial(json.dumps, ensure_ascii=False, sort_keys=True)
    return lambda value: "".join(encode(value, 0))


def _json_pieces(value: Any, dumps: Callable[[Any], str] | None = None) -> Iterator[str]:
    """``json.dumps(value, ensure_ascii=False, sort_keys=True)`` in pieces.

    A list or tuple goes a slice of items at a time (an edge's evidence
    list can be megabytes of JSON): json joins items with ``", "`` and
    encodes each as on its own, so the pieces join to the same text.
    ``dumps``: the export's :func:`_json_dumps`.
    """
    dumps = dumps or _json_dumps()
    if not isinstance(value, (list, tuple)) or len(value) <= _ITEMS:
        yield dumps(value)
        return
    yield "["
    for i in range(0, len(value), _ITEMS):
        text = dumps(value[i:i + _ITEMS])
        yield (", " + text[1:-1]) if i else text[1:-1]
    yield "]"


# What _text or _cdata changes (or refuses): text without any of these is written as it is.
_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# How _children writes a value (see _plan).
_STRING, _JSON, _INVESTMENT, _SCALAR = range(4)


def _plan(data: dict[str, Any], scope: str, keys: dict[tuple[str, str, str], str]) -> tuple[tuple, ...]:
    """How to write the ``<data>`` children of an element with the attributes of ``data``.

    ``(name, how, opening, empty)`` per attribute written, in name order:
    ``None`` values are left out, ``how`` says how the value becomes text,
    ``opening`` and ``empty`` are its ``<data>`` tag with and without text.
    It depends only on the names and the types of the values, so elements
    share it (:func:`_plans`).  New keys get the next id, as networkx gives
    them in order of first use; raises _Unsupported for a graph networkx's
    writer must write.
    """
    plan = []
    for name, value in sorted(data.items()):
        if value is None:
            continue
        if type(name) is not str:
            raise _Unsupported
        key = keys.setdefault((name, _xml_type(name, value), scope), f"d{len(keys)}")
        how = (_INVESTMENT if name == "investment" else _JSON if isinstance(value, (list, tuple, dict))
               else _STRING if type(value) is str else _SCALAR)
        plan.append((name, how, f'\n      <data key="{key}">', f'\n      <data key="{key}" />'))
    return tuple(plan)


def _plans(datas: Iterable[dict[str, Any]], scope: str,
           keys: dict[tuple[str, str, str], str]) -> list[tuple[tuple, ...]]:
    """The :func:`_plan` of each of ``datas``, made once for each set of names and value types."""
    plans: dict[tuple, tuple[tuple, ...]] = {}
    out = []
    for data in datas:
        signature = (*data, *map(type, data.values()))
        plan = plans.get(signature)
        if plan is None:
            plan = plans[signature] = _plan(data, scope, keys)
        out.append(plan)
    return out


def _children(data: dict[str, Any], plan: tuple[tuple, ...], dumps: Callable[[Any], str]) -> str | None:
    """The ``<data>`` children of an element, indented as networkx's pretty-printer does.

    The same text as ``_attributes`` gives; ``None`` if a value is a list
    too long to write in one piece (see :func:`_element_pieces`).
    """
    out = []
    special = _SPECIAL.search
    for name, how, opening, empty in plan:
        value = data[name]
        if how == _STRING:
            if not value:
                out.append(empty)
                continue
            if special(value):
                value = _cdata(_text(value))
        elif how == _JSON:
            if len(value) > _ITEMS and isinstance(value, (list, tuple)):
                return None
            value = dumps(value)
            if special(value):
                value = _cdata(_text(value))
        elif how == _INVESTMENT:
            value = _cdata(str(float(value)))
        else:
            value = _cdata(str(value))
        out.append(opening + value + "</data>")
    return "".join(out)


def _element_pieces(open_tag: str, tag: str, data: dict[str, Any], plan: tuple[tuple, ...],
                    dumps: Callable[[Any], str]) -> Iterator[str]:
    """The text of an element whose :func:`_children` are ``None``: a long list
    value is escaped and yielded piece by piece (:func:`_json_pieces`);
    ``_text`` and ``_cdata`` replace single characters, so they work the
    same on pieces."""
    yield f"    {open_tag}>"
    for step in plan:
        _, how, opening, _ = step
        value = data[step[0]]
        if how == _JSON and isinstance(value, (list, tuple)) and len(value) > _ITEMS:
            yield opening
            for piece in _json_pieces(value, dumps):
                yield _cdata(_text(piece))
            yield "</data>"
        else:
            yield _children(data, (step,), dumps)
    yield f"\n    </{tag}>\n"


def _graphml_chunks(graph: nx.MultiDiGraph) -> Iterator[str]:
    """Text of the GraphML document of ``graph``; raises _Unsupported before yielding anything."""
    node_data = graph._node
    nodes = sorted(node_data)
    # (head, tail, key, data) sorted by (head, tail, key), which no two edges share;
    # from the adjacency as graph.edges(keys=True, data=True) walks it, without its generators
    edges = sorted([(head, tail, rel, data) for head, tails in graph._adj.items()
                    for tail, rels in tails.items() for rel, data in rels.items()])
    keys: dict[tuple[str, str, str], str] = {}
    # Node ids must be str that _text leaves as they are.  If one is not, the
    # checks node by node (which raise) give the error of the first node that
    # fails a check, its id's or an attribute's, as networkx would.
    if set(map(type, nodes)) - {str} or _SURROGATE.search(ids := "".join(nodes)) or _XML_ILLEGAL.search(ids):
        for key in nodes:
            if type(key) is not str or _text(key) != key:
                raise _Unsupported
            _plan(node_data[key], "node", keys)
    node_plans = _plans([node_data[key] for key in nodes], "node", keys)
    edge_plans = _plans([data for *_, data in edges], "edge", keys)
    dumps = _json_dumps()
    head = [f"<?xml version='1.0' encoding='utf-8'?>\n"
            f'<graphml xmlns="{_NS_GRAPHML}" xmlns:xsi="{_NS_XSI}" xsi:schemaLocation="{_SCHEMA}">']
    for (name, xml_type, scope), key_id in reversed(keys.items()):
        head.append(f'<key id="{key_id}" for="{scope}" attr.name="{_attrib(name)}" '
                    f'attr.type="{xml_type}" />')
    if not nodes:
        yield "\n  ".join(head) + '\n  <graph edgedefault="directed" />\n</graphml>\n'
        return
    yield "\n  ".join(head) + '\n  <graph edgedefault="directed">\n'
    attribs: dict[str, str] = {}  # node id -> its text in an attribute, for the edges
    rel_attribs: dict[str, str] = {}  # (keys of other types: 1 and True are one dict key)

    def elements() -> Iterator[tuple[str, str, dict[str, Any], tuple[tuple, ...]]]:
        # (opening tag without its ">", tag, attributes, plan) of the nodes, then the edges
        for key, plan in zip(nodes, node_plans):
            attrib = attribs[key] = _attrib(key)
            yield f'<node id="{attrib}"', "node", node_data[key], plan
        for (head_, tail, rel, data), plan in zip(edges, edge_plans):
            if rel.__class__ is str:
                rel_attrib = rel_attribs.get(rel)
                if rel_attrib is None:
                    rel_attrib = rel_attribs[rel] = _attrib(rel)
            else:
                rel_attrib = _attrib(str(rel))
            yield (f'<edge source="{attribs[head_]}" target="{attribs[tail]}" id="{rel_attrib}"', "edge",
                   data, plan)

    # pieces joined into chunks of about _CHUNK characters: a count of
    # elements would not bound them (one edge can carry megabytes of evidence)
    batch: list[str] = []
    size = 0
    for open_tag, tag, data, plan in elements():
        children = _children(data, plan, dumps) if plan else ""
        if children is None:
            for piece in _element_pieces(open_tag, tag, data, plan, dumps):
                batch.append(piece)
                size += len(piece)
                if size >= _CHUNK:
                    yield "".join(batch)
                    batch, size = [], 0
            continue
        text = f"    {open_tag}>{children}\n    </{tag}>\n" if children else f"    {open_tag} />\n"
        batch.append(text)
        size += len(text)
        if size >= _CHUNK:
            yield "".join(batch)
            batch, size = [], 0
    yield "".join(batch) + "  </graph>\n</graphml>\n"


def write_graphml(graph: nx.MultiDiGraph, path: str | os.PathLike[str]) -> Path:
    """Write the GraphML export of ``graph`` to ``path`` atomically, streamed element by element."""
    try:
        chunks = _graphml_chunks(graph)
        first = next(chunks)
    except _Unsupported:
        with atomic_writer(path, "binary") as fh:
            fh.write(serialize_graphml(graph))
        return Path(path)
    with atomic_writer(path, "binary") as fh:
        # as ElementTree writes it: characters UTF-8 cannot carry as references
        fh.write(first.encode("utf-8", "xmlcharrefreplace"))
        for chunk in chunks:
            fh.write(chunk.encode("utf-8", "xmlcharrefreplace"))
    return Path(path)
