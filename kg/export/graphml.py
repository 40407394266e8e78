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

import io
import json
import os
import re
from collections.abc import Iterator
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


def _json_pieces(value: Any) -> Iterator[str]:
    """``json.dumps(value, ensure_ascii=False, sort_keys=True)`` in pieces.

    A list or tuple goes a slice of items at a time (an edge's evidence
    list can be megabytes of JSON): json joins items with ``", "`` and
    encodes each as on its own, so the pieces join to the same text.
    """
    if not isinstance(value, (list, tuple)) or len(value) <= _ITEMS:
        yield json.dumps(value, ensure_ascii=False, sort_keys=True)
        return
    yield "["
    for i in range(0, len(value), _ITEMS):
        text = json.dumps(value[i:i + _ITEMS], ensure_ascii=False, sort_keys=True)
        yield (", " + text[1:-1]) if i else text[1:-1]
    yield "]"


def _element(open_tag: str, data: dict[str, Any], scope: str, keys: dict[tuple[str, str, str], str],
             indent: str) -> Iterator[str]:
    """Pieces of an element with its ``<data>`` children, indented as networkx's pretty-printer does.

    The same text as ``_attributes`` gives, but a list value is escaped and
    yielded piece by piece (:func:`_json_pieces`): ``_text`` and ``_cdata``
    replace single characters, so they work the same on pieces.
    """
    tag = open_tag[1:open_tag.index(" ")]
    first = True
    for name in sorted(data):
        value = data[name]
        if value is None:
            continue
        if name == "investment":
            value = float(value)
        elif isinstance(value, (list, tuple, dict)):
            key = keys[name, "string", scope]
            start = f'<data key="{key}">'
            yield (f"{indent}{open_tag}>\n{indent}  " if first else f"\n{indent}  ") + start
            first = False
            for piece in _json_pieces(value):
                yield _cdata(_text(piece))
            yield "</data>"
            continue
        elif isinstance(value, str):
            value = _text(value)
        text = str(value)
        key = keys[name, _XML_TYPES[type(value)], scope]
        child = f'<data key="{key}">{_cdata(text)}</data>' if text else f'<data key="{key}" />'
        yield (f"{indent}{open_tag}>\n{indent}  " if first else f"\n{indent}  ") + child
        first = False
    yield f"{indent}{open_tag} />\n" if first else f"\n{indent}</{tag}>\n"


def _graphml_chunks(graph: nx.MultiDiGraph) -> Iterator[str]:
    """Text of the GraphML document of ``graph``; raises _Unsupported before yielding anything."""
    nodes = sorted(graph.nodes)
    edges = sorted(graph.edges(keys=True), key=lambda e: e[:3])
    keys: dict[tuple[str, str, str], str] = {}
    for key in nodes:
        if type(key) is not str or _text(key) != key:
            raise _Unsupported
        for name, value in sorted(graph.nodes[key].items()):
            if value is not None and type(name) is str:
                keys.setdefault((name, _xml_type(name, value), "node"), f"d{len(keys)}")
            elif value is not None:
                raise _Unsupported
    edge_data = graph.edges
    for edge in edges:
        for name, value in sorted(edge_data[edge].items()):
            if value is not None and type(name) is str:
                keys.setdefault((name, _xml_type(name, value), "edge"), f"d{len(keys)}")
            elif value is not None:
                raise _Unsupported
    head = [f"<?xml version='1.0' encoding='utf-8'?>\n"
            f'<graphml xmlns="{_NS_GRAPHML}" xmlns:xsi="{_NS_XSI}" xsi:schemaLocation="{_SCHEMA}">']
    for (name, xml_type, scope), key_id in reversed(keys.items()):
        head.append(f'<key id="{key_id}" for="{scope}" attr.name="{_attrib(name)}" '
                    f'attr.type="{xml_type}" />')
    if not nodes:
        yield "\n  ".join(head) + '\n  <graph edgedefault="directed" />\n</graphml>\n'
        return
    yield "\n  ".join(head) + '\n  <graph edgedefault="directed">\n'
    # pieces joined into chunks of about _CHUNK characters: a count of
    # elements would not bound them (one edge can carry megabytes of evidence)
    batch: list[str] = []
    size = 0
    for key in nodes:
        for piece in _element(f'<node id="{_attrib(key)}"', graph.nodes[key], "node", keys, "    "):
            batch.append(piece)
            size += len(piece)
        if size >= _CHUNK:
            yield "".join(batch)
            batch, size = [], 0
    for edge in edges:
        head_, tail, rel = edge
        for piece in _element(f'<edge source="{_attrib(head_)}" target="{_attrib(tail)}" '
                              f'id="{_attrib(str(rel))}"', edge_data[edge], "edge", keys, "    "):
            batch.append(piece)
            size += len(piece)
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
