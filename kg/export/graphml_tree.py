"""GraphML through networkx's writer (ElementTree): the document the streamed writer of
:mod:`kg.export.graphml` matches byte for byte, and its fallback for graphs it does not cover.

XML 1.0 cannot carry most C0 control characters, not even as character
references, so in plain string values they (and U+FFFE/U+FFFF) are written
as U+FFFD (:func:`xml_text`); list and dict attributes are JSON text.
"""
from __future__ import annotations

__all__ = ["XML_ILLEGAL", "SURROGATE", "xml_text", "to_graphml_graph", "serialize_graphml"]

import io
import json
import re
from typing import Any

import networkx as nx

from kg.errors import ExportError

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
SURROGATE = re.compile("[\ud800-\udfff]")


def xml_text(value: str) -> str:
    if SURROGATE.search(value):
        raise ExportError(f"text {value[:40]!r}… holds a lone surrogate, which XML cannot "
                          "carry; fix the decoding of the source file")
    return XML_ILLEGAL.sub("\ufffd", value)


def _attributes(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in sorted(data):
        value = data[name]
        if value is None:
            continue
        if name == "investment":
            value = float(value)
        elif isinstance(value, (list, tuple, dict)):
            value = xml_text(json.dumps(value, ensure_ascii=False, sort_keys=True))
        elif isinstance(value, str):
            value = xml_text(value)
        out[name] = value
    return out


def to_graphml_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``graph`` with GraphML-ready attributes, nodes and edges sorted."""
    out = nx.MultiDiGraph()
    for key in sorted(graph.nodes):
        out.add_node(xml_text(key), **_attributes(graph.nodes[key]))
    for head, tail, rel, data in sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3]):
        out.add_edge(xml_text(head), xml_text(tail), key=rel, **_attributes(data))
    return out


def serialize_graphml(graph: nx.MultiDiGraph) -> bytes:
    """The GraphML document of ``graph`` (networkx's ElementTree writer), UTF-8."""
    # Not nx.generate_graphml: it splits lines with str.splitlines, which also
    # splits at U+2028, U+0085 and other characters that are text here.
    buf = io.BytesIO()
    nx.write_graphml_xml(to_graphml_graph(graph), buf, encoding="utf-8", prettyprint=True)
    # ElementTree leaves CR raw in text, and an XML parser would read it as LF.
    return buf.getvalue().replace(b"\r", b"&#13;")
