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
"""
from __future__ import annotations

__all__ = ["to_graphml_graph", "serialize_graphml", "write_graphml"]

import io
import json
import os
import re
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import ExportError
from kg.export import atomic_write

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


def write_graphml(graph: nx.MultiDiGraph, path: str | os.PathLike[str]) -> Path:
    """Write the GraphML export of ``graph`` to ``path`` atomically."""
    return atomic_write(path, serialize_graphml(graph))
