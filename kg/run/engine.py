"""Engines: where the per-document stages run.

A build turns every corpus file into a :class:`Task` (its path, file name and
bytes, read by the driver), runs :func:`run_tasks` on batches of tasks
somewhere, and gets back one :class:`Outcome` per task: the document's
:class:`~kg.records.DocResult` (without the document text, which the graph
never reads) or the reason the file was skipped.  Documents are independent
and :func:`kg.graph.build_graph` is a union that sorts everything, so the
order in which outcomes arrive never changes the graph.

Engines
-------
``local``
    ``workers=1`` runs in the driver process; ``workers=N`` runs a pool of N
    processes, each loading the pipeline once when it starts (in parallel,
    so start-up costs the wall time of one load; the driver itself never
    loads spaCy or jieba and holds only the graph).
``dask``
    a ``dask.distributed`` cluster: the scheduler at ``scheduler``
    (``tcp://HOST:PORT``; its workers need this package installed, and get
    the bytes of each file, so they need no shared file system), or a
    ``LocalCluster`` of ``workers`` processes on this machine.

Both keep a bounded number of batches in flight, so the driver's memory holds
the graph being built and a few documents, never the corpus.
"""
from __future__ import annotations

__all__ = ["Task", "Outcome", "ENGINES", "read_task", "slim", "run_task", "run_tasks", "failure_reason", "iter_outcomes",
           "batches"]

import dataclasses
import logging
import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from kg.corpus import document_from_bytes, read_file_bytes
from kg.errors import DataError, InputError, KGError
from kg.records import DocResult, pickled_by_value

ENGINES = ("local", "dask")

# A batch closes at this many bytes or documents: large enough to amortise
# the cost of a round trip, small enough to spread a small corpus over workers.
_BATCH_BYTES = 64 * 1024
_BATCH_DOCS = 16


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Task:
    """One corpus file to process: ``path`` names it in messages."""

    path: str
    data: bytes
    key: str | None = None  # cache key, when the build uses a cache
    keep_text: bool = False  # send the document's text back with its result

    @property
    def name(self) -> str:
        return Path(self.path).name


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of a task: a result (text dropped) or the reason it was skipped."""

    path: str
    result: DocResult | None
    error: str | None = None
    key: str | None = None
    chars: int = 0
    cached: bool = False


def read_task(path: Path) -> Task:
    """The task of one corpus file (raises InputError when it cannot be read)."""
    # never Path.read_bytes: it blocks forever on a FIFO (see read_file_bytes)
    return Task(str(path), read_file_bytes(path))


def slim(result: DocResult) -> DocResult:
    """The result without the document text (the graph reads only names and articles)."""
    return dataclasses.replace(result, document=dataclasses.replace(result.document, text=""))


def _stages() -> ModuleType:
    """:mod:`kg.run.document`, the per-document stages, imported by the process that runs them.

    It imports spaCy and jieba (a second and some 70 MB): a driver whose
    documents run in worker processes or on a cluster never loads them.
    """
    from kg.run import document  # heavy (spaCy, jieba): see the docstring

    return document


def run_task(task: Task) -> Outcome:
    """Decode, split, tag, resolve and relate one file (in whatever process runs it)."""
    try:
        doc = document_from_bytes(task.data, task.path)
    except InputError as exc:
        return Outcome(task.path, None, str(exc), task.key)
    try:
        result = _stages().process_document(doc)
    except DataError:
        raise  # the data under ontology/ is malformed: no file can be processed; the message names file:line
    except Exception as exc:  # one file that trips a bug must not end the whole build
        return Outcome(task.path, None, failure_reason(task.path, exc), task.key)
    return Outcome(task.path, result if task.keep_text else slim(result), None, task.key, len(doc.text))


def failure_reason(path: str, exc: Exception) -> str:
    """One-line skip reason for a document the pipeline failed on."""
    detail = " ".join(f"{type(exc).__name__}: {exc}".split())
    if len(detail) > 200:
        detail = detail[:199] + "…"
    return f"{path}: the pipeline failed on this file ({detail}); please report it"


def run_tasks(tasks: list[Task]) -> list[Outcome]:
    """:func:`run_task` over a batch (the unit shipped to a worker)."""
    if _data_error is not None:
        raise _data_error
    return [run_task(t) for t in tasks]


# The DataError warm_up met, raised again by the worker's first batch: an initializer
# that raises kills the pool ("a worker process died"), an error of a batch reaches
# the driver through its future, as the one line naming file:line it is.
_data_error: DataError | None = None


def warm_up() -> None:
    """Load the pipeline (spaCy, jieba, gazetteer, patterns) in this process."""
    global _data_error
    try:
        _stages().warm_up()
    except DataError as exc:
        _data_error = exc


def batches(tasks: Iterable[Task], max_bytes: int = _BATCH_BYTES, max_docs: int = _BATCH_DOCS) -> Iterator[list[Task]]:
    """Consecutive tasks grouped up to ``max_bytes`` or ``max_docs`` (at least one each)."""
    batch: list[Task] = []
    size = 0
    for task in tasks:
        batch.append(task)
        size += len(task.data)
        if size >= max_bytes or len(batch) >= max_docs:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def iter_outcomes(tasks: Iterable[Task], *, engine: str = "local", workers: int = 1,
                  scheduler: str | None = None) -> Iterator[Outcome]:
    """Run every task on the chosen engine; outcomes as they complete."""
    if engine not in ENGINES:
        raise KGError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    if workers < 1:
        raise KGError(f"--workers must be at least 1, not {workers}")
    if scheduler is not None and engine != "dask":
        raise KGError("--scheduler needs --engine dask")
    if engine == "dask":
        return _iter_dask(tasks, workers, scheduler)
    if workers == 1:
        return (run_task(t) for t in tasks)
    return _iter_pool(tasks, workers)


def _pool_context():
    # fork where it exists (no re-import of the package in each worker)
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _iter_pool(tasks: Iterable[Task], workers: int) -> Iterator[Outcome]:
    ctx = _pool_context()
    window = 2 * workers
    try:
        # every worker loads the pipeline itself, at the same time as the others:
        # loading it in the driver before forking would cost the same wall time
        # and keep a third copy (~250 MB) in the driver for the whole build
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=warm_up) as pool:
            pending = set()
            for batch in batches(tasks):
                if len(pending) >= window:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in done:
                        yield from fut.result()
                pending.add(pool.submit(run_tasks, batch))
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    yield from fut.result()
    except BrokenProcessPool as exc:
        raise KGError(f"a worker process died ({exc}); it may have run out of memory: "
                      "try fewer --workers") from exc


def _iter_dask(tasks: Iterable[Task], workers: int, scheduler: str | None) -> Iterator[Outcome]:
    try:
        from distributed import Client, LocalCluster, as_completed  # heavy: only --engine dask needs it
    except ImportError as exc:  # pragma: no cover - distributed is a dependency
        raise KGError("--engine dask needs dask.distributed: pip install 'dask[distributed]'") from exc

    cluster = None
    try:
        if scheduler is None:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=None,
                                   silence_logs=logging.ERROR)
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout="30s")
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise KGError(f"cannot reach the Dask scheduler {scheduler or '(local cluster)'}: {exc}") from exc
    try:
        n = max(1, len(client.scheduler_info().get("workers", {})) or workers)
        window = 2 * n
        running = as_completed()
        for batch in batches(tasks):
            if running.count() >= window:
                yield from next(running).result()
            running.add(client.submit(run_tasks, batch, pure=False))
        for fut in running:
            yield from fut.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
