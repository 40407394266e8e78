"""Running a query: :func:`run_query` (all rows, for Python) and :func:`write_query` (``kg query``).

:func:`write_query` reads and checks the query, then runs it in a worker
thread while this (the main) thread writes the rows as they come:

* **streaming**: rows cross in batches through a queue of a few batches,
  so the rows a query answers are never all in memory (only the table
  keeps them, spilled to a temporary file, to align its columns);
* **Ctrl-C and --timeout**: both engines give the interpreter back while
  they compute (pyoxigraph evaluates outside the GIL), so the main thread
  waits on the queue with the deadline and takes SIGINT at once, even in
  the middle of a join that runs for hours.  The worker cannot be stopped
  from outside (a join inside pyoxigraph runs to its end): it is a daemon
  thread, left behind, and gone when the command exits right after;
* the time limit counts the query: parsing it (pyoxigraph parses by running
  it on an empty store), evaluating it and handing over its rows; not the
  loading of the graph (a large file is not the query's fault), nor the time
  the output is blocked (``kg query … | less``);
* the worker runs :func:`kg.rdfio.offline`: a network connection from
  rdflib is an error (``SERVICE`` and ``FROM`` are refused before anything
  runs; this is the second line).
"""
from __future__ import annotations

__all__ = ["read_query", "run_query", "write_query", "shipped_query", "DEFAULT_TIMEOUT", "DEFAULT_MAX_WIDTH"]

import os
import queue
import re
import stat
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from kg.errors import QueryError
from kg.paths import QUERIES_DIR
from kg.rdfio import offline
from kg.report.query.engines import QueryResult, check_syntax, failure, load, solutions
from kg.report.query.formats import WRITERS
from kg.report.query.sparql import Prepared, prepare
from kg.textsafe import terminal_safe

#: Seconds a query may run when ``--timeout`` is not given (0 or None: no limit).
DEFAULT_TIMEOUT = 60.0
#: Display columns of a table cell when ``--max-width`` is not given (0 or None: no limit).
DEFAULT_MAX_WIDTH = 60
_QUERY_SUFFIXES = (".rq", ".sparql")
_BATCH_ROWS = 512  # rows per batch crossing to the main thread
_BATCH_SECONDS = 0.2  # …or fewer, when they come slowly
_QUEUE_BATCHES = 4


def shipped_query(query_or_file: str) -> Path | None:
    """The shipped query (``queries/`` of the repository, ``kg/queries/`` of an install) a name stands for.

    ``NAME``, ``NAME.rq`` and ``queries/NAME.rq`` all name ``NAME.rq``, so
    ``kg query queries/people_and_roles.rq`` (the README's way) runs from
    any folder once kg is installed.  None when there is no such query.

    >>> shipped_query("queries/people_and_roles.rq").name
    'people_and_roles.rq'
    >>> shipped_query("SELECT * WHERE { ?s ?p ?o }") is None
    True
    """
    name = query_or_file if query_or_file.endswith(".rq") else query_or_file + ".rq"
    head, _, tail = name.rpartition("/")
    if head not in ("", "queries", "./queries") or not re.fullmatch(r"\w+\.rq", tail):
        return None
    path = QUERIES_DIR / tail
    return path if path.is_file() else None


def _read(query_or_file: str) -> tuple[str, str | None]:
    """The query text and the file it came from (None for query text)."""
    path = Path(query_or_file)
    looks_like_file = query_or_file.endswith(_QUERY_SUFFIXES) and "\n" not in query_or_file
    shown = terminal_safe(query_or_file)
    try:
        info = os.stat(path)
    except (OSError, ValueError):  # no such file, or text that is no file name at all
        shipped = shipped_query(query_or_file)
        if shipped is not None:
            return shipped.read_text(encoding="utf-8"), str(shipped)
        if looks_like_file:
            raise QueryError(f"{shown}: no such query file") from None
        return query_or_file, None
    if stat.S_ISDIR(info.st_mode) and not looks_like_file:
        return query_or_file, None
    if not stat.S_ISREG(info.st_mode):  # a FIFO would block the read
        raise QueryError(f"{shown}: not a regular file")
    try:
        return path.read_text(encoding="utf-8"), query_or_file
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{shown}: cannot read the query ({terminal_safe(exc)})") from exc


def read_query(query_or_file: str) -> str:
    """The query text: the file's content if ``query_or_file`` names a file, else the text itself.

    Raises
    ------
    QueryError
        It looks like a file name (``.rq``/``.sparql``) but there is no such file.
    """
    return _read(query_or_file)[0]


def _prepared(query: str, bindings: Mapping[str, str] | None) -> Prepared:
    text, origin = _read(query)
    return prepare(text, bindings, origin)


def run_query(query: str, graph: Any = "exports/graph.ttl", engine: str = "oxigraph",
              bindings: Mapping[str, str] | None = None) -> QueryResult:
    """Run a SPARQL 1.1 query (text or ``.rq`` file) over an RDF file and return every row.

    Parameters
    ----------
    query
        Query text, or the name of a file holding it; the prefixes of
        :data:`~kg.report.query.sparql.PREFIXES` need no declaration.
    graph
        RDF file to query (format by extension), or the engine's loaded store
        (:func:`kg.rdfio.load_store` for oxigraph, :func:`kg.rdfio.load_dataset` for rdflib).
    engine
        ``"oxigraph"`` (fast, the default) or ``"rdflib"``.
    bindings
        Variable name → value, as ``kg query --bind NAME=VALUE`` (see
        :func:`~kg.report.query.sparql.bind_term`).

    Raises
    ------
    QueryError
        The query is malformed, refused (an update, ``SERVICE``, ``FROM``) or fails.
    kg.rdfio.GraphError
        The graph file is missing, refused or invalid.

    There is no time limit here: :func:`write_query` has one.
    """
    prepared = _prepared(query, bindings)
    with offline():
        answer = solutions(prepared, graph, engine)
        return QueryResult(answer.variables, tuple(answer.rows), answer.boolean)


def _work(prepared: Prepared, graph: Any, engine: str, out: queue.Queue, stop: threading.Event) -> None:
    """The worker thread: load, run, and hand over ``(kind, value)`` items until ``("end", None)``."""

    def put(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    try:
        with offline():
            # Parsed first, with no graph: a malformed query fails before a large graph is loaded.
            # (pyoxigraph parses by running the query on an empty store, which some queries make
            # long: it happens here, under the time limit and Ctrl-C, not in the main thread.)
            check_syntax(prepared, engine)
            if not put(("pause", None)):  # loading the graph is not the query's time
                return
            store = load(graph, engine)
            if not put(("resume", None)):
                return
            answer = solutions(prepared, store, engine)
            if answer.boolean is not None:
                put(("boolean", answer.boolean))
            elif put(("start", answer.variables)):
                batch: list = []
                since = time.monotonic()
                for row in answer.rows:
                    batch.append(row)
                    if len(batch) >= _BATCH_ROWS or time.monotonic() - since > _BATCH_SECONDS:
                        if not put(("rows", batch)):
                            return
                        batch, since = [], time.monotonic()
                if batch and not put(("rows", batch)):
                    return
        put(("end", None))
    except BaseException as exc:  # every failure (pyoxigraph's panics too) goes to the main thread
        put(("error", failure(prepared, exc) if not isinstance(exc, Exception) else exc))


def write_query(query: str, graph: Any, out: TextIO, *, engine: str = "oxigraph", fmt: str = "table",
                bindings: Mapping[str, str] | None = None, max_width: int | None = DEFAULT_MAX_WIDTH,
                timeout: float | None = DEFAULT_TIMEOUT) -> int:
    """Run a query and write its results to ``out`` as they come (see the module docstring); returns the rows.

    ``fmt`` is ``table``, ``csv``, ``tsv`` or ``json``; ``max_width`` cuts
    table cells; ``timeout`` is the limit in seconds (0 or ``None``: none).

    Raises
    ------
    QueryError
        As :func:`run_query`, and when the time limit is reached.
    KeyboardInterrupt
        Ctrl-C, at once, whatever the engine is doing.
    """
    if fmt not in WRITERS:
        raise QueryError(f"unknown format {fmt!r}; use {', '.join(WRITERS)}")
    prepared = _prepared(query, bindings)
    writer = WRITERS[fmt](out, max_width or None)
    items: queue.Queue = queue.Queue(maxsize=_QUEUE_BATCHES)
    stop = threading.Event()
    worker = threading.Thread(target=_work, args=(prepared, graph, engine, items, stop), name="kg-query",
                              daemon=True)
    worker.start()
    # The query's time runs while the worker parses, evaluates and hands over rows; it stops
    # while the graph loads and while this thread is blocked writing.
    budget = timeout or None
    deadline = None if budget is None else time.monotonic() + budget
    try:
        while True:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                raise QueryError(f"query timed out after {timeout:g} s (--timeout SECONDS to allow more, "
                                 "0 for no limit)")
            try:
                kind, value = items.get(timeout=1.0 if wait is None else min(wait, 1.0))
            except queue.Empty:
                if not worker.is_alive() and items.empty():  # (it always says why it stops: never seen)
                    raise QueryError("query failed: the query thread ended without an answer") from None
                continue
            if kind == "pause":
                budget = None if deadline is None else deadline - time.monotonic()
                deadline = None
            elif kind == "resume":
                deadline = None if budget is None else time.monotonic() + budget
            elif kind == "start":
                writer.start(value)
            elif kind == "rows":
                began = time.monotonic()
                writer.write_rows(value)
                if deadline is not None:  # time blocked on the output is not the query's
                    deadline += time.monotonic() - began
            elif kind == "boolean":
                writer.boolean(value)
                return 0
            elif kind == "error":
                raise value
            else:
                writer.finish()
                return writer.rows
    finally:
        stop.set()
