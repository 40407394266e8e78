"""A real Virtuoso bulk-loads the Turtle export and answers every query in queries/ as we do.

The fixture installs Debian's ``virtuoso-opensource`` if needed, starts
``virtuoso-t`` in a temporary directory listening on 127.0.0.1 only (free
ports), loads ``graph.ttl`` and ``graph.trig`` with the bulk loader
(``ld_dir`` + ``rdf_loader_run``, as the README says) and stops the server at
teardown.  Queries run with the Turtle's graph as default graph.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest

from kg.export.quads import iter_quads
from kg.report.query import Value, load_store, run_query

from support import ensure_debian

ROOT = Path(__file__).resolve().parents[1]
QUERIES = sorted((ROOT / "queries").glob("*.rq"))
GRAPH_IRI = "https://w3id.org/shanxi-kg/graph"
TRIG_DEFAULT = "https://w3id.org/shanxi-kg/graph-trig"  # the TriG's default graph
_XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {_XSD + t for t in ("integer", "decimal", "int", "long", "short", "double", "float")}
_START_TIMEOUT = 120  # seconds; a first start creates the database (~5 s here)

pytestmark = pytest.mark.external

_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = ., {data}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
CaseMode = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
ServerThreads = 4
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 400
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _isql(isql: str, port: int, sql: str) -> str:
    out = subprocess.run([isql, f"127.0.0.1:{port}", "dba", "dba", f"exec={sql}"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "*** Error" not in out.stdout + out.stderr, out.stdout + out.stderr
    return out.stdout


class Virtuoso:
    def __init__(self, endpoint: str, sql_port: int, isql: str) -> None:
        self.endpoint, self.sql_port, self.isql = endpoint, sql_port, isql

    def select(self, query: str, default_graph: str | None = GRAPH_IRI) -> dict:
        """SPARQL JSON results; the default graph is the Turtle export's unless told."""
        params = {"query": query}
        if default_graph:
            params["default-graph-uri"] = default_graph
        data = urllib.parse.urlencode(params).encode("utf-8")
        req = urllib.request.Request(self.endpoint, data=data,
                                     headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(req, timeout=120) as resp:
            return json.load(resp)


@pytest.fixture(scope="module")
def virtuoso(corpus_exports, tmp_path_factory):
    server = ensure_debian("virtuoso-opensource", "virtuoso-t")
    isql = shutil.which("isql-vt") or ensure_debian("virtuoso-opensource-7-bin", "isql-vt")
    d = tmp_path_factory.mktemp("virtuoso")
    data = d / "data"
    data.mkdir()
    shutil.copy(corpus_exports / "graph.ttl", data / "graph.ttl")
    shutil.copy(corpus_exports / "graph.trig", data / "graph.trig")
    sql, http = _free_port(), _free_port()
    (d / "virtuoso.ini").write_text(_INI.format(d=d, data=data, sql=sql, http=http), encoding="utf-8")
    proc = subprocess.Popen([server, "+foreground", "+configfile", str(d / "virtuoso.ini")],
                            cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    endpoint = f"http://127.0.0.1:{http}/sparql"
    try:
        deadline = time.monotonic() + _START_TIMEOUT
        while True:
            if proc.poll() is not None:
                log = (d / "virtuoso.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"virtuoso-t exited with {proc.returncode}: {log}")
            try:
                with urllib.request.urlopen(endpoint + "?query=ASK%7B%7D", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"Virtuoso did not answer on {endpoint} within {_START_TIMEOUT} s")
                time.sleep(0.5)
        # The bulk loader, exactly as in the README.
        _isql(isql, sql, f"ld_dir('{data}', 'graph.ttl', '{GRAPH_IRI}'); "
              f"ld_dir('{data}', 'graph.trig', '{TRIG_DEFAULT}'); rdf_loader_run(); checkpoint;")
        yield Virtuoso(endpoint, sql, isql)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _normal(v: Value | None):
    """Numbers compare by value: stores may type a SUM as integer or decimal."""
    if v is None:
        return None
    if v.kind == "literal" and v.datatype in _NUMERIC:
        return ("number", Decimal(v.value).normalize())
    return (v.kind, v.value, v.datatype, v.lang)


def test_bulk_load_has_every_triple(virtuoso, corpus_exports):
    doc = virtuoso.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    n = int(doc["results"]["bindings"][0]["n"]["value"])
    assert n == len(list(load_store(corpus_exports / "graph.ttl")))
    out = _isql(virtuoso.isql, virtuoso.sql_port, "SELECT ll_state, ll_error FROM DB.DBA.LOAD_LIST;")
    assert out.count("NULL") == 2 and "2 Rows" in out  # both files, loaded without error


def test_bulk_load_of_the_trig_keeps_one_graph_per_article(virtuoso, corpus_graph):
    expected: dict[str, int] = {}
    for s, p, o, g in set(iter_quads(corpus_graph)):
        if g is not None:
            expected[g] = expected.get(g, 0) + 1
    doc = virtuoso.select("""
        SELECT ?g (COUNT(*) AS ?n) WHERE {
          GRAPH ?g { ?s ?p ?o } FILTER (STRSTARTS(STR(?g), "https://w3id.org/shanxi-kg/id/article/"))
        } GROUP BY ?g""", default_graph=None)
    got = {b["g"]["value"]: int(b["n"]["value"]) for b in doc["results"]["bindings"]}
    assert got == expected and got
    doc = virtuoso.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=TRIG_DEFAULT)
    n_default = len({q[:3] for q in iter_quads(corpus_graph) if q[3] is None})
    assert int(doc["results"]["bindings"][0]["n"]["value"]) == n_default


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_virtuoso_answers_every_query_as_we_do(virtuoso, query, corpus_exports):
    expected = run_query(str(query), corpus_exports / "graph.ttl")
    doc = virtuoso.select(query.read_text(encoding="utf-8"))
    assert tuple(doc["head"]["vars"]) == expected.variables
    got = [tuple(_normal(Value.from_json(b[v])) if v in b else None for v in expected.variables)
           for b in doc["results"]["bindings"]]
    want = [tuple(_normal(v) for v in row) for row in expected.rows]
    assert got, f"{query.name}: Virtuoso returned nothing"
    # Same rows; Virtuoso collates Chinese text in its own order, so compare as multisets.
    assert sorted(got, key=repr) == sorted(want, key=repr)
