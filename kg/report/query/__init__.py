"""SPARQL 1.1 over an export: ``kg query QUERY_OR_FILE.rq [--graph FILE] [--format …]``.

The graph file (Turtle, N-Triples, TriG, N-Quads, JSON-LD, RDF/XML; by
extension) is loaded into an in-memory pyoxigraph store (:func:`kg.rdfio.load_store`)
and queried with the default graph as the union of all graphs, so a query runs unchanged against
``graph.ttl`` and against the per-article named graphs of ``graph.trig``.
``engine="rdflib"`` runs the same query with rdflib instead, an independent
implementation the tests compare against.

Results are plain values (:class:`Value`, modelled on the SPARQL 1.1 JSON
results format), printed as an aligned table (CJK characters count double),
as W3C SPARQL CSV, or as SPARQL JSON.

Example
-------
>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "g.ttl")
>>> _ = open(path, "w", encoding="utf-8").write('<http://x/a> <http://x/p> "长治"@zh .\\n')
>>> result = run_query("SELECT ?o WHERE { ?s ?p ?o }", path)
>>> print(format_table(result))
o
----
长治
(1 row)
"""
from __future__ import annotations

__all__ = [
    "Value",
    "QueryResult",
    "read_query",
    "load_store",
    "run_query",
    "format_table",
    "format_csv",
    "format_json",
    "FORMATS",
    "rows_as_text",
]

import csv
import io
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg import vocab
from kg.errors import QueryError
from kg.rdfio import load_dataset, load_store

_XSD = vocab.XSD
_RDF_LANGSTRING = vocab.RDF + "langString"
#: Vocabulary prefixes used to shorten IRIs in tables (instances stay full IRIs).
_TABLE_PREFIXES = {prefix: vocab.PREFIXES[prefix] for prefix in ("kg", "rdf", "rdfs", "skos", "prov", "dcterms", "xsd")}
_QUERY_SUFFIXES = (".rq", ".sparql")
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True, order=True)
class Value:
    """One RDF term of a result, as in the SPARQL JSON results format.

    ``kind`` is ``"uri"``, ``"literal"`` or ``"bnode"``; ``datatype`` is set
    for typed literals other than ``xsd:string``, ``lang`` for language-tagged
    ones.
    """

    kind: str
    value: str
    datatype: str | None = None
    lang: str | None = None

    def to_json(self) -> dict[str, str]:
        out = {"type": self.kind, "value": self.value}
        if self.lang:
            out["xml:lang"] = self.lang
        elif self.datatype:
            out["datatype"] = self.datatype
        return out

    @classmethod
    def from_json(cls, binding: dict[str, str]) -> Value:
        """From one binding of SPARQL JSON results (``typed-literal`` of SPARQL 1.0 too)."""
        kind = binding["type"]
        if kind == "typed-literal":
            kind = "literal"
        datatype = binding.get("datatype")
        if datatype in ("", _XSD + "string", _RDF_LANGSTRING):
            datatype = None
        return cls(kind, binding["value"], datatype, binding.get("xml:lang") or None)


@dataclass(frozen=True)
class QueryResult:
    """Result of a query: ``variables`` and ``rows`` (``None`` = unbound).

    An ASK query has ``boolean`` set and no rows; CONSTRUCT and DESCRIBE
    give rows of ``subject``, ``predicate``, ``object``.
    """

    variables: tuple[str, ...]
    rows: tuple[tuple[Value | None, ...], ...]
    boolean: bool | None = None


def read_query(query_or_file: str) -> str:
    """The query text: the file's content if ``query_or_file`` names a file, else the text itself.

    Raises
    ------
    QueryError
        It looks like a file name (``.rq``/``.sparql``) but there is no such file.
    """
    path = Path(query_or_file)
    looks_like_file = query_or_file.endswith(_QUERY_SUFFIXES) and "\n" not in query_or_file
    try:
        if looks_like_file or path.is_file():
            return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QueryError(f"{query_or_file}: no such query file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{query_or_file}: cannot read the query ({exc})") from exc
    return query_or_file


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _from_oxigraph(term: Any) -> Value | None:
    import pyoxigraph as ox  # imported by the engine that runs (see kg.rdfio)

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return Value("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return Value("bnode", term.value)
    if isinstance(term, ox.Literal):
        return Value.from_json({"type": "literal", "value": term.value,
                                "datatype": term.datatype.value, "xml:lang": term.language or ""})
    raise QueryError(f"unsupported term in result: {term!r}")


def _run_oxigraph(text: str, graph: Any) -> QueryResult:
    import pyoxigraph as ox  # imported by the engine that runs (see kg.rdfio)

    store = graph if isinstance(graph, ox.Store) else load_store(graph)
    try:
        result = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise QueryError(f"malformed SPARQL query: {_one_line(exc)}") from exc
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"query failed: {_one_line(exc)}") from exc
    if isinstance(result, ox.QueryBoolean):
        return QueryResult((), (), bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = tuple(v.value for v in result.variables)
        rows = tuple(tuple(_from_oxigraph(row[v]) for v in variables) for row in result)
        return QueryResult(variables, rows)
    rows = tuple((_from_oxigraph(t.subject), _from_oxigraph(t.predicate), _from_oxigraph(t.object))
                 for t in result)
    return QueryResult(("subject", "predicate", "object"), rows)


def _from_rdflib(term: Any) -> Value | None:
    import rdflib  # imported by the engine that runs (see kg.rdfio)

    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return Value("uri", str(term))
    if isinstance(term, rdflib.BNode):
        return Value("bnode", str(term))
    return Value.from_json({"type": "literal", "value": str(term),
                            "datatype": str(term.datatype) if term.datatype else "",
                            "xml:lang": term.language or ""})


def _run_rdflib(text: str, graph: str | os.PathLike[str]) -> QueryResult:
    ds = load_dataset(graph)
    try:
        result = ds.query(text)
    except Exception as exc:  # pyparsing's ParseException and rdflib's own errors
        raise QueryError(f"malformed SPARQL query: {_one_line(exc)}") from exc
    if result.type == "ASK":
        return QueryResult((), (), bool(result.askAnswer))
    if result.type == "SELECT":
        variables = tuple(str(v) for v in result.vars)
        return QueryResult(variables, tuple(tuple(_from_rdflib(t) for t in row) for row in result))
    return QueryResult(("subject", "predicate", "object"),
                       tuple(tuple(_from_rdflib(t) for t in triple) for triple in result))


def run_query(query: str, graph: Any = "exports/graph.ttl", engine: str = "oxigraph") -> QueryResult:
    """Run a SPARQL 1.1 query (text or ``.rq`` file) over an RDF file.

    Parameters
    ----------
    query
        Query text, or the name of a file holding it.
    graph
        RDF file to query (format by extension), or for ``engine="oxigraph"``
        a loaded ``pyoxigraph.Store`` (see :func:`load_store`).
    engine
        ``"oxigraph"`` (fast, the default) or ``"rdflib"``.

    Raises
    ------
    QueryError
        The query is malformed or fails.
    kg.rdfio.GraphError
        The graph file is missing or invalid.
    """
    text = read_query(query)
    if engine == "oxigraph":
        return _run_oxigraph(text, graph)
    if engine == "rdflib":
        return _run_rdflib(text, graph)
    raise QueryError(f"unknown SPARQL engine {engine!r}; use oxigraph or rdflib")


# -- output ----------------------------------------------------------------------

def _display(value: Value | None) -> str:
    if value is None:
        return ""
    if value.kind == "uri":
        for prefix, ns in _TABLE_PREFIXES.items():
            if value.value.startswith(ns) and _LOCAL.match(value.value[len(ns):]):
                return f"{prefix}:{value.value[len(ns):]}"
        return value.value
    if value.kind == "bnode":
        return "_:" + value.value
    # one table row per result row: line breaks inside evidence become visible marks
    return value.value.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎")


def _width(text: str) -> int:
    # Wide and full-width characters (汉字, full-width punctuation) take two columns.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1
               for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _cut(text: str, width: int | None) -> str:
    if width is None or _width(text) <= width:
        return text
    while _width(text) > width - 1:
        text = text[:-1]
    return text + "…"


def format_table(result: QueryResult, max_width: int | None = None) -> str:
    """An aligned text table, a rule under the header, and the row count.

    ``max_width`` cuts longer cells (in display columns) and marks the cut with ``…``.
    """
    if result.boolean is not None:
        return "true" if result.boolean else "false"
    cells = [[_cut(_display(v), max_width) for v in row] for row in result.rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(result.variables)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(result.variables, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(_pad(c, w) for c, w in zip(row, widths)).rstrip() for row in cells]
    n = len(result.rows)
    lines.append(f"({n} row{'' if n == 1 else 's'})")
    return "\n".join(lines)


def format_csv(result: QueryResult) -> str:
    """W3C SPARQL 1.1 CSV results: a header, lexical values, CRLF line ends."""
    buf = io.StringIO()
    writer = csv.writer(buf)  # QUOTE_MINIMAL with CRLF, as the W3C format says
    if result.boolean is not None:
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
    else:
        writer.writerow(result.variables)
        writer.writerows([("" if v is None else ("_:" + v.value if v.kind == "bnode" else v.value))
                          for v in row] for row in result.rows)
    return buf.getvalue()


def format_json(result: QueryResult) -> str:
    """W3C SPARQL 1.1 JSON results (UTF-8, keys sorted)."""
    if result.boolean is not None:
        doc: dict[str, Any] = {"head": {}, "boolean": result.boolean}
    else:
        doc = {"head": {"vars": list(result.variables)},
               "results": {"bindings": [
                   {var: v.to_json() for var, v in zip(result.variables, row) if v is not None}
                   for row in result.rows]}}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1)


#: ``--format`` name → formatter.
FORMATS = {"table": format_table, "csv": format_csv, "json": format_json}


def rows_as_text(rows: Iterable[Sequence[Value | None]]) -> list[tuple[str, ...]]:
    """Rows as tuples of display strings (for comparing engines in tests and scripts)."""
    return [tuple(_display(v) for v in row) for row in rows]
