"""Issue 16: ``kg query`` (items 5, 6, 7, 14; query parts of 8, 9, 15, 16) and the readers of graph files.

Regression tests written before the fixes: each drives ``kg`` only through the
CLI in a subprocess, files on disk, loopback sockets and signals, and is marked
``xfail(strict=True)`` until its item is fixed (the fixer removes the marker).
Each docstring states the behaviour expected after the fix.  Network tests
use 127.0.0.1 only: a server in a thread that records every connection.
"""
from __future__ import annotations

import csv
import io
import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ENGINES = ("oxigraph", "rdflib")

#: C0 controls but tab and newline, DEL, C1 controls: what a terminal may act on.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def _nt_literal(text: str) -> str:
    """``text`` as an N-Triples string literal (ECHAR / UCHAR escapes only)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or 0x7f <= ord(ch) <= 0x9f:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@pytest.fixture
def small_graph(tmp_path) -> Path:
    """An N-Triples graph of 150 triples (a join of five patterns over it runs for hours)."""
    path = tmp_path / "small.nt"
    lines = [f"<http://example.org/s/{i}> <http://example.org/p/{i % 5}> {_nt_literal(f'值{i}')} .\n"
             for i in range(150)]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _one_error_line(result) -> str:
    assert "Traceback" not in result.err, result
    assert len(result.err_lines) == 1, result
    line = result.err_lines[0]
    assert line.startswith("error: "), result
    return line


# --------------------------------------------------------------------------
# item 5: no federation, no dataset clauses


@pytest.mark.parametrize("engine", ENGINES)
def test_service_in_a_shared_query_file_is_refused_and_nothing_connects(tmp_path, kg, loopback, small_graph,
                                                                         engine):
    """Item 5: ``SERVICE <http://…>`` in a ``.rq`` file is refused before any request.

    Expected after the fix (both engines): ``kg query shared.rq`` exits 1
    with one stderr line ``error: … SERVICE … not allowed …`` (it names the
    SERVICE clause; an opt-in flag, if one is kept, is named there too), and
    nothing connects to the loopback endpoint the query names.  Today both
    engines send the query to the endpoint (and then fail on its reply).
    """
    listener = loopback()  # closes every connection at once
    query = tmp_path / "shared.rq"
    query.write_text(f"SELECT * WHERE {{ ?s ?p ?o . SERVICE <{listener.url}/sparql> {{ ?s ?p ?x }} }}\n",
                     encoding="utf-8")
    result = kg("query", query, "--graph", small_graph, "--engine", engine, timeout=60)
    assert listener.connections == [], f"kg query connected to {listener.url}: {listener.connections[:1]}"
    assert result.returncode == 1, result
    assert "SERVICE" in _one_error_line(result)


@pytest.mark.parametrize("engine", ENGINES)
def test_dataset_clause_is_refused_and_no_local_file_is_read(tmp_path, kg, small_graph, engine):
    """Item 5: ``FROM <file:///…>`` is refused; the query never reads another file.

    Expected after the fix (both engines): exit 1, one stderr line
    ``error: … FROM … not allowed …`` (it names the clause), nothing on
    stdout, so the marker of the local file never shows.  Today rdflib loads
    ``file:///…/secret.nt`` and prints its marker; oxigraph ignores the
    clause silently and answers from the whole graph.
    """
    secret = tmp_path / "secret.nt"
    secret.write_text('<http://example.org/x> <http://example.org/y> "SECRET-MARKER-7f3a" .\n', encoding="utf-8")
    query = f"SELECT ?o FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}"
    result = kg("query", query, "--graph", small_graph, "--engine", engine, timeout=60)
    assert "SECRET-MARKER-7f3a" not in result.out, result
    assert result.returncode == 1, result
    assert "FROM" in _one_error_line(result)
    assert result.out == "", result


# --------------------------------------------------------------------------
# item 6: JSON-LD contexts are never fetched while reading a graph


def _graph_reader(command: str, graph: Path, tmp_path: Path) -> list[str]:
    if command == "query-rdflib":
        return ["query", "SELECT * WHERE { ?s ?p ?o }", "--graph", str(graph), "--engine", "rdflib"]
    return ["html", "--graph", str(graph), "--out", str(tmp_path / "view.html")]


@pytest.mark.parametrize("command", ["query-rdflib", "html"])
def test_jsonld_remote_context_is_never_fetched(tmp_path, kg, loopback, http_response, command):
    """Item 6: a graph whose ``@context`` is an http URL makes no request.

    The loopback server would answer with a valid context.  Expected after the
    fix (``kg query --engine rdflib`` and ``kg html``): nothing connects;
    exit 1 with one stderr line ``error: GRAPH: … remote JSON-LD context …
    not loaded …`` naming the graph file (kg never fetches while reading a
    graph).  Today rdflib fetches the context and goes on with it.
    """
    listener = loopback(http_response(json.dumps({"@context": {"name": "http://example.org/REMOTE-TERM"}})))
    graph = tmp_path / "remote.jsonld"
    graph.write_text(json.dumps({"@context": f"{listener.url}/context.jsonld",
                                 "@id": "http://example.org/a", "name": "x"}), encoding="utf-8")
    result = kg(*_graph_reader(command, graph, tmp_path), timeout=60)
    assert listener.connections == [], f"kg {command} fetched {listener.url}: {listener.connections[:1]}"
    assert result.returncode == 1, result
    assert graph.name in _one_error_line(result)


@pytest.mark.parametrize("command", ["query-rdflib", "html"])
def test_jsonld_file_context_is_never_read(tmp_path, kg, watch_file, command):
    """Item 6: a graph whose ``@context`` is a ``file://`` URL never opens that file.

    Expected after the fix: the context file is never opened (inotify sees
    no open); exit 1 with one stderr line naming the graph file.  Today
    rdflib opens and reads the local file (``kg query`` prints the term it
    defines).
    """
    context = tmp_path / "private-context.jsonld"
    context.write_text(json.dumps({"@context": {"name": "http://example.org/LOCAL-TERM"}}), encoding="utf-8")
    graph = tmp_path / "local.jsonld"
    graph.write_text(json.dumps({"@context": context.as_uri(), "@id": "http://example.org/a", "name": "x"}),
                     encoding="utf-8")
    opened = watch_file(context, watch_file.IN_OPEN)
    result = kg(*_graph_reader(command, graph, tmp_path), timeout=60)
    assert opened.count() == 0, f"kg {command} opened {context}"
    assert "LOCAL-TERM" not in result.out
    assert result.returncode == 1, result
    assert graph.name in _one_error_line(result)


# --------------------------------------------------------------------------
# item 7: entity expansion in RDF/XML


def _entity_bomb(levels: int) -> str:
    """RDF/XML whose one literal expands to 29 × 10**levels characters through nested entities."""
    decls = ['<!ENTITY e0 "ha ha ha ha ha ha ha ha ha ha">']
    decls += [f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, levels + 1)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(decls) + "\n]>\n"
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
            f'  <rdf:Description rdf:about="http://example.org/s"><ex:p>&e{levels};</ex:p></rdf:Description>\n'
            "</rdf:RDF>\n")


@pytest.mark.parametrize("engine, levels", [("oxigraph", 6), ("rdflib", 4)])
def test_rdfxml_entity_expansion_is_refused(tmp_path, kg, engine, levels):
    """Item 7: an RDF/XML graph with nested entity declarations is refused, not expanded.

    (Six levels: 29 MB from a 700-byte file; seven took 0.9 GB, nine 9 GB.
    rdflib gets four: it expands quadratically, five levels took 65 s.)
    Expected after the fix (both engines): exit 1 with one stderr line
    ``error: GRAPH: … entity declarations … not allowed`` naming the graph
    file; no result is printed.  Today the entities are expanded and the
    query answers with the expanded length.
    """
    graph = tmp_path / "bomb.rdf"
    graph.write_text(_entity_bomb(levels), encoding="utf-8")
    result = kg("query", "SELECT (STRLEN(?o) AS ?n) WHERE { ?s ?p ?o }", "--graph", graph, "--engine", engine,
                timeout=60)
    assert str(29 * 10 ** levels) not in result.out, "the entities were expanded"
    assert result.returncode == 1, result
    assert graph.name in _one_error_line(result)


# --------------------------------------------------------------------------
# item 8 (query part): spreadsheet formulas in CSV output

_FORMULAS = ["=1+2 东湖公园开园", "+SUM(A1:A9)", "-2+3+cmd|' /C calc'!A0", "@SUM(1)榆次区", "\t=1+1", "\r=1+1"]


def test_query_csv_neutralises_formulas(tmp_path, kg):
    """Item 8: ``kg query --format csv`` never starts a text cell with ``= + - @``, tab or CR.

    Expected after the fix: every cell holding one of the hostile texts
    starts with a harmless character (e.g. ``'``) and still ends with the
    whole original text; a plain number such as ``-5`` stays ``-5`` (it is
    no formula); the CSV still parses with one column.  Today the cells are
    written as they are: a spreadsheet runs them.
    """
    graph = tmp_path / "g.nt"
    lines = [f"<http://example.org/s/{i}> <http://example.org/p> {_nt_literal(t)} .\n" for i, t in enumerate(_FORMULAS)]
    lines.append('<http://example.org/n> <http://example.org/p> "-5"^^<http://www.w3.org/2001/XMLSchema#integer> .\n')
    graph.write_text("".join(lines), encoding="utf-8")
    result = kg("query", "SELECT ?o WHERE { ?s ?p ?o }", "--graph", graph, "--format", "csv")
    assert result.returncode == 0, result
    rows = list(csv.reader(io.StringIO(result.out, newline="")))
    assert rows[0] == ["o"] and all(len(r) == 1 for r in rows), rows
    cells = [r[0] for r in rows[1:]]
    assert "-5" in cells, cells
    for text in _FORMULAS:
        holding = [c for c in cells if c.endswith(text)]
        assert len(holding) == 1, (text, cells)
        assert holding[0][0] not in "=+-@\t\r", f"a spreadsheet would run {holding[0]!r}"


# --------------------------------------------------------------------------
# item 9 (query part): control characters never reach the terminal raw

_HOSTILE = "前\x1b]0;pwned\x07中\x1b[2J后\x9b31m尾\x08\x00"


def test_query_table_escapes_control_characters(tmp_path, kg):
    """Item 9: a ``kg query`` table prints control characters of the data as visible escapes.

    The graph holds a literal with ESC sequences (window title, clear
    screen), BEL, CSI (U+009B), BS and NUL.  Expected after the fix: stdout
    holds no C0 control (but newline), no DEL and no C1 control; the visible
    text around them (前 pwned 中 后 尾) is still there, in order.  Today the
    characters are printed raw, so the terminal obeys them.
    """
    graph = tmp_path / "g.nt"
    graph.write_text(f"<http://example.org/s> <http://example.org/p> {_nt_literal(_HOSTILE)} .\n", encoding="utf-8")
    result = kg("query", "SELECT ?o WHERE { ?s ?p ?o }", "--graph", graph)
    assert result.returncode == 0, result
    assert not _CONTROL.search(result.out), repr(result.out)
    assert re.search("前.*pwned.*中.*后.*尾", result.out), result


def test_query_error_line_escapes_control_characters_of_the_file_name(tmp_path, kg):
    """Item 9: an error line names a file whose name holds ESC and a newline as visible escapes.

    Expected after the fix: exit 1, exactly one stderr line (the newline of
    the name does not start a second one), with no control character; it
    still names the file (``evil`` and ``name.ttl`` appear).  Today the
    name is printed raw: the ESC sequence reaches the terminal and the newline
    splits the message.
    """
    result = kg("query", "ASK {}", "--graph", tmp_path / "evil\x1b[31m\nname.ttl")
    assert result.returncode == 1, result
    assert len(result.err_lines) == 1, result
    assert not _CONTROL.search(result.err), repr(result.err)
    assert "evil" in result.err and "name.ttl" in result.err


# --------------------------------------------------------------------------
# item 14: timeout, Ctrl-C, streaming

_ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def test_query_timeout_ends_a_query_that_would_run_for_hours(kg, small_graph):
    """Item 14: ``kg query --timeout 2`` stops a query that would run for hours.

    A five-way join over 150 triples (7.6e10 rows to count).  Expected after
    the fix: the command returns well within 30 s with exit 1 and one stderr
    line ``error: … timed out after 2 s …``; and ``kg query --help``
    documents ``--timeout`` with its default (a query has a time limit even
    when none is given).  Today there is no ``--timeout`` option.
    """
    result = kg("query", _ENDLESS, "--graph", small_graph, "--timeout", "2", timeout=30)
    assert result.returncode == 1, result
    assert "timed out" in _one_error_line(result)
    helptext = kg("query", "--help").out
    assert re.search(r"--timeout[^\n]*(\n\s+[^\n-][^\n]*)*default", helptext), helptext


def test_ctrl_c_ends_a_long_join(spawn, proctree, small_graph):
    """Item 14: SIGINT ends ``kg query`` inside a long join (the default engine).

    The signal is sent once the query process has used 2 s of CPU (well past
    start-up: it is inside the join).  Expected after the fix: the process
    exits within 10 s with status 130 and the one stderr line
    ``error: interrupted``.  Today oxigraph's join never returns to Python,
    so the interrupt waits for the end of the query (hours).
    """
    proc = spawn("query", _ENDLESS, "--graph", small_graph)
    proctree.wait_until(lambda: proc.poll() is not None or proctree.cpu_seconds(proc.pid) >= 2.0, 60,
                        "the query to be running")
    assert proc.poll() is None, proc.output()
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pytest.fail("kg query ignored SIGINT for 10 s")
    out, err = proc.output()
    assert proc.returncode == 130, err
    assert err == "error: interrupted\n", err


_RSS_WRAPPER = """
import resource, subprocess, sys
with open(sys.argv[2], "wb") as out:
    code = subprocess.call(sys.argv[3:], stdout=out, stderr=subprocess.DEVNULL)
with open(sys.argv[1], "w") as fh:
    fh.write(f"{code} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
"""


def _peak_rss_kb(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[int, int, Path]:
    """Exit status and peak RSS (kB) of ``kg ARGS``, and the file holding its stdout.

    Measured by a small wrapper process whose only child is kg (its
    ``RUSAGE_CHILDREN`` peak is kg's own; the pytest process's size never
    leaks into it).
    """
    report, out = tmp_path / "rss.txt", tmp_path / f"stdout-{len(list(tmp_path.glob('stdout-*')))}"
    subprocess.run([sys.executable, "-c", _RSS_WRAPPER, str(report), str(out), sys.executable, "-m", "kg.cli",
                    *args], env=env, timeout=600, check=True, start_new_session=True)
    code, peak = report.read_text().split()
    return int(code), int(peak), out


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_query_results_stream(tmp_path, kg_env, fmt):
    """Item 14: ``kg query`` streams its results instead of holding them all.

    200,000 rows (a 24 MB N-Triples graph, ``SELECT *``).  Expected after
    the fix: the peak RSS of ``--format json`` and ``--format csv`` is at
    most 100 MB above that of a ``COUNT(*)`` over the same graph (which holds
    the same store and prints one row), and the output is complete.  Today
    every row becomes Python objects and the whole text is built in memory
    (320,000 rows: JSON peaked at 1.5 GB against 0.26 GB for the count, CSV
    at 0.48 GB).
    """
    graph = tmp_path / "big.nt"
    with open(graph, "w", encoding="utf-8") as fh:
        for i in range(200_000):
            fh.write(f'<http://example.org/s/{i}> <http://example.org/p/{i % 7}> "示例文本第{i}号记录，用于流式输出"@zh .\n')
    code, baseline, _ = _peak_rss_kb(tmp_path, kg_env, "query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                     "--graph", str(graph), "--format", fmt)
    assert code == 0
    code, peak, out = _peak_rss_kb(tmp_path, kg_env, "query", "SELECT * WHERE { ?s ?p ?o }", "--graph", str(graph),
                                   "--format", fmt)
    assert code == 0
    with open(out, "rb") as fh:
        tail = fh.read()[-300:].decode("utf-8", "replace")
    assert "示例文本" in tail, tail
    assert peak <= baseline + 100 * 1024, f"peak {peak // 1024} MB for all rows vs {baseline // 1024} MB for a count"


# --------------------------------------------------------------------------
# item 15 (query parts): one-line errors, never tracebacks


@pytest.mark.parametrize("engine", ENGINES)
def test_service_error_while_reading_results_is_one_line(kg, loopback, http_response, small_graph, engine):
    """Item 15: an error that surfaces while the results are read is one ``error:`` line.

    The endpoint (loopback) answers a SERVICE call with HTTP 500.  Expected
    after the fix: exit 1 and one stderr line starting with ``error:`` (after
    item 5 the query is refused before any request, which also satisfies
    this); never a traceback.  Today: a traceback (OSError from oxigraph's
    result iterator, HTTPError from rdflib).
    """
    listener = loopback(http_response("oops", "text/plain").replace(b"200 OK", b"500 Oops"))
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}"
    result = kg("query", query, "--graph", small_graph, "--engine", engine, timeout=60)
    assert result.returncode == 1, result
    _one_error_line(result)


def test_bad_regex_is_one_line(kg, small_graph):
    """Item 15: ``REGEX`` with a malformed pattern (rdflib engine) is one ``error:`` line.

    Expected after the fix: exit 1, one stderr line ``error: … regular
    expression …`` naming the pattern ``(``; no traceback.  Today: a
    ``re.error`` traceback.
    """
    result = kg("query", 'SELECT ?o WHERE { ?s ?p ?o FILTER REGEX(?o, "(") }', "--graph", small_graph,
                "--engine", "rdflib")
    assert result.returncode == 1, result
    line = _one_error_line(result)
    assert "(" in line.partition(":")[2]


# --------------------------------------------------------------------------
# item 16 (query part): messages that say what happened


@pytest.mark.parametrize("update", ["DROP ALL", "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }"])
@pytest.mark.parametrize("engine", ENGINES)
def test_update_is_reported_as_unsupported(kg, small_graph, engine, update):
    """Item 16: a SPARQL update is reported as an update ``kg query`` does not run, not as malformed.

    Expected after the fix (both engines): exit 1 with one stderr line
    ``error: … updates (DROP, INSERT, …) are not supported; kg query only
    reads …``: it says "update" and not "malformed"; the graph file is
    unchanged.  Today: ``error: malformed SPARQL query: …``.
    """
    before = small_graph.read_bytes()
    result = kg("query", update, "--graph", small_graph, "--engine", engine)
    assert result.returncode == 1, result
    line = _one_error_line(result)
    assert "update" in line.lower() and "malformed" not in line.lower(), line
    assert small_graph.read_bytes() == before
