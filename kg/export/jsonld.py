"""JSON-LD export: the triples of the Turtle export as one ``@graph`` with a context.

The document is plain, deterministic JSON (keys sorted, nodes in ``@id``
order, values in the order of the Turtle export), readable by any JSON-LD
1.1 processor (rdflib, pyoxigraph, pyld, jsonld.js)::

    {"@context": {"kg": "https://w3id.org/shanxi-kg/ontology#", "rdfs": …, …},
     "@graph": [{"@id": "https://w3id.org/shanxi-kg/id/agency/…",
                 "@type": ["kg:Agency"],
                 "rdfs:label": [{"@language": "zh", "@value": "晋城市水利局"}],
                 "kg:administers": [{"@id": "https://w3id.org/shanxi-kg/id/division/140400"}],
                 …}, …]}

Every property value is an array, even a single one, so code reading the
JSON needs no "one or many" case.  Integers are JSON numbers (JSON-LD reads
them as ``xsd:integer``); decimals and dates keep their lexical form with an
``@type``, so no value passes through a float.
"""
from __future__ import annotations

__all__ = ["CONTEXT", "to_jsonld", "serialize_jsonld", "write_jsonld"]

import json
import os
import re
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import ExportError
from kg.export import atomic_write
from kg.export.rdf import PREFIXES, Lit, Term, iter_quads

#: The ``@context``: the prefixes of the Turtle export (kg, rdf, rdfs, skos, prov, dcterms, xsd, owl).
CONTEXT: dict[str, str] = dict(sorted(PREFIXES.items()))

_TYPE = PREFIXES["rdf"] + "type"
_XSD_INTEGER = PREFIXES["xsd"] + "integer"
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_CANONICAL_INT = re.compile(r"^(0|-?[1-9][0-9]*)$")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _compact(iri: str) -> str:
    for prefix, ns in CONTEXT.items():
        if iri.startswith(ns) and _LOCAL.match(iri[len(ns):]):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _value(term: Term) -> Any:
    if not isinstance(term, Lit):
        return {"@id": term}
    if _SURROGATE.search(term.lex):
        raise ExportError(f"literal {term.lex[:40]!r}… holds a lone surrogate, which JSON-LD "
                          "cannot carry; fix the decoding of the source file")
    if term.lang:
        return {"@language": term.lang, "@value": term.lex}
    if term.datatype is None:
        return term.lex
    if term.datatype == _XSD_INTEGER and _CANONICAL_INT.match(term.lex):
        return int(term.lex)
    return {"@type": _compact(term.datatype), "@value": term.lex}


def _order(term: Term) -> tuple:
    # the object order of the Turtle export: IRIs, then literals by text
    if isinstance(term, Lit):
        return (1, term.lex, term.datatype or "", term.lang or "")
    return (0, term, "", "")


def to_jsonld(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """The JSON-LD document (a dict) of a knowledge graph; see the module docstring."""
    nodes: dict[str, dict[str, set[Term]]] = {}
    for s, p, o, _ in iter_quads(graph):
        nodes.setdefault(s, {}).setdefault(p, set()).add(o)
    out = []
    for s in sorted(nodes):
        obj: dict[str, Any] = {"@id": s}
        for p, objects in nodes[s].items():
            ordered = sorted(objects, key=_order)
            if p == _TYPE:
                obj["@type"] = [_compact(o) for o in ordered]
            else:
                obj[_compact(p)] = [_value(o) for o in ordered]
        out.append(obj)
    return {"@context": dict(CONTEXT), "@graph": out}


def serialize_jsonld(graph: nx.MultiDiGraph) -> str:
    """JSON-LD text: UTF-8, keys sorted, one-space indent, ending in a newline."""
    return json.dumps(to_jsonld(graph), ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def write_jsonld(graph: nx.MultiDiGraph, path: str | os.PathLike[str]) -> Path:
    """Write the JSON-LD export of ``graph`` to ``path`` atomically."""
    return atomic_write(path, serialize_jsonld(graph))
