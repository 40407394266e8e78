"""SPARQL 1.1 over an export: ``kg query QUERY_OR_FILE.rq [--graph FILE] [--format …] [--bind NAME=VALUE]``.

The graph file (Turtle, N-Triples, TriG, N-Quads, JSON-LD, RDF/XML; by
extension) is read by :mod:`kg.rdfio` into an in-memory pyoxigraph store
(or an rdflib dataset with ``engine="rdflib"``, an independent
implementation the tests compare against) and queried with the default
graph as the union of all graphs, so a query runs unchanged against
``graph.ttl`` and against the per-article named graphs of ``graph.trig``.

* :mod:`~kg.report.query.sparql` reads the query text first: the graph's
  prefixes are predeclared (:data:`PREFIXES`), ``--bind`` fills a variable,
  and updates, ``SERVICE`` and ``FROM`` are refused before anything runs;
* :mod:`~kg.report.query.engines` runs it (:class:`Value` terms, one-line
  errors with the position in the query);
* :mod:`~kg.report.query.formats` prints it (table, CSV, TSV, JSON);
* :mod:`~kg.report.query.runner` puts them together: :func:`run_query`
  returns every row, :func:`write_query` streams them with a time limit.

Example
-------
>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "g.ttl")
>>> _ = open(path, "w", encoding="utf-8").write('<http://x/a> rdfs:label "长治"@zh .\\n'
...                                              .replace("rdfs:label", "<" + PREFIXES["rdfs"] + "label>"))
>>> result = run_query("SELECT ?o WHERE { ?s rdfs:label ?o }", path)
>>> print(format_table(result))
o
----
长治
(1 row)
>>> run_query("SELECT ?s WHERE { ?s rdfs:label ?name }", path, bindings={"name": "长治"}).rows[0][0].value
'http://x/a'
"""
from __future__ import annotations

__all__ = [
    "Value",
    "QueryResult",
    "PREFIXES",
    "read_query",
    "load_store",
    "load_dataset",
    "run_query",
    "write_query",
    "format_table",
    "format_csv",
    "format_tsv",
    "format_json",
    "FORMATS",
    "rows_as_text",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_WIDTH",
]

from kg.rdfio import load_dataset, load_store
from kg.report.query.engines import QueryResult, Value
from kg.report.query.formats import FORMATS, format_csv, format_json, format_table, format_tsv, rows_as_text
from kg.report.query.runner import DEFAULT_MAX_WIDTH, DEFAULT_TIMEOUT, read_query, run_query, write_query
from kg.report.query.sparql import PREFIXES
