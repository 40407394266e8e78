"""Every export of a build, written in one staged block, optionally by forked processes.

:func:`write_all` writes the files ``kg build`` writes (Turtle, HTML,
N-Triples, TriG, JSON-LD, GraphML, the Neo4j/LadybugDB files and the facts
table) and renames
them into place together at the end (:func:`kg.export.atomic.staged_writes`).

With ``jobs > 1`` (and the ``fork`` start method, i.e. not on Windows) the
files are written by the calling process and ``jobs - 1`` forked worker
processes.  The graph is inherited copy-on-write, nothing is pickled; the
files go largest first to whichever process is free, and each worker sends
back the ``(temporary file, destination)`` pairs it wrote.  The parent chose every
temporary name in advance (under its own process id, so a sweep of stale
temporary files by another process leaves them alone while the parent
runs), renames them all when every worker succeeded, and otherwise kills
the workers and removes every one of those names: on a failure or an
interruption no destination changes.  Workers die with the parent (Linux
``PR_SET_PDEATHSIG``).  The bytes of every file are the same whatever
``jobs`` is.
"""
from __future__ import annotations

__all__ = ["EXPORTS", "FORMATS", "write_all"]

import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable, Collection
from dataclasses import dataclass
from multiprocessing import connection
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import ExportError
from kg.export.atomic import PLANNED, STAGED, export_error, gc_paused, staged_writes, temp_path
from kg.export.folderlock import remove_stale_temp_files
from kg.export.facts import write_facts_csv
from kg.export.graphml import write_graphml
from kg.export.html import write_html
from kg.export.index import GraphIndex, QuadIndex, subject_index
from kg.export.jsonld import write_jsonld
from kg.export.neo4j import write_ladybug_script, write_nodes_csv, write_relationships_csv
from kg.export.ntriples import write_ntriples
from kg.export.trig import write_trig
from kg.export.turtle import write_turtle


class _Context:
    """What the writers of one process share: the subject index of the RDF exports, built once."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        self._rdf_index = None

    @property
    def rdf(self) -> GraphIndex | QuadIndex:
        if self._rdf_index is None:
            with gc_paused():  # see gc_paused: a fifth of the time building the index of a large graph
                self._rdf_index = subject_index(self.graph)
        return self._rdf_index


def _writer(function: Callable[[Any, Path], Path], *, rdf: bool = False) -> Callable[[_Context, Path], Path]:
    """``function(graph, path)``, given the RDF subject index of the context
    (built once) if ``rdf``, else its graph."""

    def write(ctx: _Context, path: Path) -> Path:
        return function(ctx.rdf if rdf else ctx.graph, path)

    return write


@dataclass(frozen=True)
class _Export:
    path: str  # relative to the output directory
    write: Callable[[_Context, Path], Path]
    cost: float  # seconds for the 100-fold corpus (219k triples; measured 2026-11), to hand out the largest first


#: The exports of :func:`write_all`, in the order of the list it returns.
EXPORTS: tuple[_Export, ...] = (
    _Export("graph.ttl", _writer(write_turtle, rdf=True), 0.11),
    _Export("graph.html", _writer(write_html), 0.074),
    _Export("graph.nt", _writer(write_ntriples, rdf=True), 0.13),
    _Export("graph.trig", _writer(write_trig, rdf=True), 0.136),
    _Export("graph.jsonld", _writer(write_jsonld, rdf=True), 0.106),
    _Export("graph.graphml", _writer(write_graphml), 0.086),
    _Export("neo4j/nodes.csv", _writer(write_nodes_csv), 0.014),
    _Export("neo4j/relationships.csv", _writer(write_relationships_csv), 0.053),
    _Export("neo4j/ladybug.cypher", _writer(write_ladybug_script), 0.002),
    _Export("facts.csv", _writer(write_facts_csv), 0.03),
)

#: The names of ``write_all(formats=…)`` (and of ``kg.write_exports``): the files each one writes.
FORMATS: dict[str, tuple[str, ...]] = {
    "ttl": ("graph.ttl",), "html": ("graph.html",), "nt": ("graph.nt",), "trig": ("graph.trig",),
    "jsonld": ("graph.jsonld",), "graphml": ("graph.graphml",),
    "neo4j": ("neo4j/nodes.csv", "neo4j/relationships.csv", "neo4j/ladybug.cypher"), "facts": ("facts.csv",),
}


def _selected(formats: Collection[str] | None) -> list[int]:
    """Indices into :data:`EXPORTS` of ``formats`` (every export for None)."""
    if formats is None:
        return list(range(len(EXPORTS)))
    if isinstance(formats, str):  # "ttl" would otherwise be read as three names
        formats = [formats]
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ExportError(f"unknown export format {', '.join(map(repr, unknown))}; "
                          f"the formats are {', '.join(FORMATS)}")
    paths = {path for name in formats for path in FORMATS[name]}
    return [i for i, export in enumerate(EXPORTS) if export.path in paths]


def _can_fork() -> bool:
    return hasattr(os, "fork") and "fork" in multiprocessing.get_all_start_methods()


def write_all(graph: nx.MultiDiGraph, out_dir: str | os.PathLike[str], *, jobs: int = 1,
              formats: Collection[str] | None = None) -> list[Path]:
    """Write every export of ``graph`` into ``out_dir``, all renamed into place at the end.

    Parameters
    ----------
    graph
        A graph from :func:`kg.graph.build_graph`.
    out_dir
        Output directory (created if needed); ``neo4j/`` beneath it holds
        the property-graph files.
    jobs
        Processes that write the files.  Above 1, forked workers write them
        (where ``fork`` exists; elsewhere this runs sequentially).  The
        files are the same bytes for every value.
    formats
        Names of :data:`FORMATS` to write (default: all of them).

    Returns
    -------
    list of pathlib.Path
        ``graph.ttl``, ``graph.html``, ``graph.nt``, ``graph.trig``,
        ``graph.jsonld``, ``graph.graphml``, ``neo4j/nodes.csv``,
        ``neo4j/relationships.csv``, ``neo4j/ladybug.cypher``, ``facts.csv``
        (those of ``formats``, in this order).

    Raises
    ------
    ExportError
        A file cannot be written (from whichever process wrote it); no
        destination has changed and no temporary file is left.  Or an
        unknown name in ``formats``, before anything is written.

    Examples
    --------
    >>> import tempfile
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("https://w3id.org/shanxi-kg/id/person/1", kind="Person", label="张三")
    >>> [p.name for p in write_all(g, tempfile.mkdtemp(), jobs=2)][:3]
    ['graph.ttl', 'graph.html', 'graph.nt']
    """
    out = Path(out_dir)
    selected = _selected(formats)
    dests = [out / EXPORTS[i].path for i in selected]
    with staged_writes():
        if jobs > 1 and _can_fork():
            pairs = _write_forked(graph, out, jobs, selected)
            staged = STAGED.get()
            assert staged is not None
            staged.extend(pairs)
        else:
            ctx = _Context(graph)
            for i, dest in zip(selected, dests):
                EXPORTS[i].write(ctx, dest)
    return dests


# -- workers ----------------------------------------------------------------------

class _WorkerTraceback(Exception):
    """The traceback of an exception raised in a worker (as its ``__cause__``)."""

    def __str__(self) -> str:
        return self.args[0]


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else an ExportError with its message."""
    try:
        copy = pickle.loads(pickle.dumps(exc))
        if type(copy) is type(exc) and str(copy) == str(exc):
            return exc
    except Exception:
        pass
    return ExportError(f"{type(exc).__name__}: {exc}")


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when the parent dies (Linux); exit if it already has."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def _take(tasks: int) -> int | None:
    """The next export to write from the shared task pipe (one byte each), None when none is left."""
    byte = os.read(tasks, 1)
    return byte[0] if byte else None


def _write_one(ctx: _Context, out: Path, i: int) -> list[tuple[Path, Path]]:
    """Write ``EXPORTS[i]`` to its planned temporary file; the ``(temp, destination)`` pairs written."""
    pending: list[tuple[Path, Path]] = []
    token = STAGED.set(pending)
    try:
        EXPORTS[i].write(ctx, out / EXPORTS[i].path)
    finally:
        STAGED.reset(token)
    return pending


def _worker(graph: nx.MultiDiGraph, out: Path, plan: dict[Path, Path], first: int, tasks: int,
            conn: Any, parent: int) -> None:
    """Body of a forked worker: write export ``first``, then those it takes from ``tasks``; report; never return."""
    code = 0
    # No cyclic garbage collection in this process, which lives for its
    # exports only: a collection walks every object of the graph it shares
    # with the parent, touching (and so copying) their pages, and the
    # writers make next to no cycles.
    gc.disable()
    try:
        _die_with_parent(parent)
        PLANNED.set(plan)
        ctx = _Context(graph)
        i: int | None = first
        while i is not None:
            conn.send(("done", _write_one(ctx, out, i)))
            i = _take(tasks)
        conn.send(("finished",))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        code = 1
        with contextlib.suppress(BaseException):
            conn.send(("error", _portable(exc), traceback.format_exc()))
    finally:
        os._exit(code)


def _write_forked(graph: nx.MultiDiGraph, out: Path, jobs: int, selected: list[int]) -> list[tuple[Path, Path]]:
    """Write the exports ``selected`` (indices into :data:`EXPORTS`) in this process and ``jobs - 1`` forked workers; the ``(temp, destination)`` pairs.

    The exports are taken largest first: each worker is given one when it
    is forked, and every process then takes the next from a pipe holding
    the rest (a byte each; a read of one byte is atomic).  This process
    writes its share while the workers write theirs, rather than waiting: a
    worker copies every page of the graph whose objects it reads (a
    reference count changes), this process reads its own, so the exports of
    a large graph need one copy less memory.
    """
    parent = os.getpid()
    dests = [out / EXPORTS[i].path for i in selected]
    for directory in dict.fromkeys(dest.parent for dest in dests):
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise export_error(directory, exc) from exc
        # swept here, once: workers inherit the record and do not sweep again
        remove_stale_temp_files(directory)
    plan = {dest: temp_path(dest, parent) for dest in dests}
    order = sorted(selected, key=lambda i: -EXPORTS[i].cost)
    n_workers = min(jobs, len(selected)) - 1
    tasks, feed = os.pipe()
    try:
        os.write(feed, bytes(order[n_workers:]))  # a byte per export: the pipe holds them
    finally:
        os.close(feed)  # every process reads the end of the tasks after the last
    workers: dict[Any, int] = {}  # connection -> pid (0 once reaped)
    busy: set[Any] = set()  # workers that have not finished
    written: list[tuple[Path, Path]] = []

    def collect(timeout: float | None) -> None:
        """Take in what the workers have sent (waiting up to ``timeout``); raise what one raised."""
        for conn in connection.wait(list(busy), timeout):
            try:
                message = conn.recv()
            except EOFError:
                _, status = os.waitpid(workers[conn], 0)
                workers[conn] = 0
                raise ExportError("an export worker process died "
                                  f"({_describe(status)}); no export was changed") from None
            if message[0] == "error":
                exc, text = message[1], message[2]
                exc.__cause__ = _WorkerTraceback(text)
                raise exc
            if message[0] == "done":
                written.extend(message[1])
            else:  # "finished": the worker exits; reaped below
                busy.discard(conn)

    try:
        for first in order[:n_workers]:
            here, there = multiprocessing.Pipe(duplex=False)
            pid = os.fork()
            if pid == 0:  # the worker
                for other in workers:
                    other.close()
                here.close()
                _worker(graph, out, plan, first, tasks, there, parent)
            there.close()
            workers[here] = pid
            busy.add(here)
        ctx = _Context(graph)
        token = PLANNED.set(plan)
        try:
            with gc_paused():  # as in the workers (see _worker), for this process's share
                while (i := _take(tasks)) is not None:
                    written.extend(_write_one(ctx, out, i))
                    collect(0)  # a worker's failure ends the export now, not after this process's share
        finally:
            PLANNED.reset(token)
        while busy:
            collect(None)
        return written
    except BaseException:
        for conn, pid in workers.items():
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        for conn, pid in workers.items():
            if pid:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
                workers[conn] = 0
        for tmp in plan.values():
            tmp.unlink(missing_ok=True)
        raise
    finally:
        os.close(tasks)
        for conn, pid in workers.items():
            if pid:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
            conn.close()


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
