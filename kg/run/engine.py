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
    ``workers=1`` runs in the driver process (or, with ``separate``, which
    a large build asks for, in one worker process); ``workers=N`` runs a pool of N
    processes, each loading the pipeline once when it starts (in parallel,
    so start-up costs the wall time of one load; the driver itself never
    loads spaCy or jieba and holds only the graph).
``dask``
    a ``dask.distributed`` cluster: the scheduler at ``scheduler``
    (``tcp://HOST:PORT``; its workers need this package installed, and get
    the bytes of each file, so they need no shared file system), or a
    ``LocalCluster`` of ``workers`` processes on this machine.

Both keep a bounded number of batches in flight, so the driver's memory holds
the graph being built and a few documents, never the corpus.  Items that are
already an :class:`Outcome` (documents found in the cache) pass through
:func:`iter_outcomes` as they come, between the engine's own outcomes.

A document longer than :data:`PART_CHARS` characters is processed as
:class:`PartTask` objects (:func:`split_document`): consecutive stretches of
about that many characters, cut at article boundaries (inside an article
only where one article alone is longer, at the boundaries of its NLP
chunks), each resolved and related on its own and giving its own outcome.
So memory per document stays bounded whatever its size (one 100 MB file
needs no more than a hundred 1 MB ones), and its parts spread over the
workers.  The price: what resolution decides for a whole document (its
home city and county, name variants merged into one entity) is decided
per part of such a document.

Signals: pool workers ignore SIGINT (Ctrl-C reaches the whole process
group; the driver alone handles it) and die with the driver (Linux
``PR_SET_PDEATHSIG``); when the driver stops early, for any reason, it
terminates its workers before it goes on.
"""
from __future__ import annotations

__all__ = ["Task", "PartTask", "Outcome", "ENGINES", "PART_CHARS", "read_task", "slim", "run_task", "run_tasks",
           "split_document", "failure_reason", "iter_outcomes", "batches", "available_cpus", "die_with_parent"]

import bisect
import contextlib
import ctypes
import dataclasses
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from kg.corpus import document_from_bytes, iter_chunks, read_file_bytes, source_name, to_simplified
from kg.errors import DataError, InputError, KGError
from kg.records import Article, DocResult, Document, pickled_by_value

ENGINES = ("local", "dask")

# A batch closes at this many bytes or documents: large enough to amortise
# the cost of a round trip, small enough to spread a small corpus over workers.
_BATCH_BYTES = 64 * 1024
_BATCH_DOCS = 16

#: A document longer than this many characters is processed in parts of about
#: this size (see the module docstring).  A worker's memory grows by some 30
#: bytes per character of the text it processes at once (normalised text,
#: candidates, resolutions, results), so a part costs some 30 MB; 1 M
#: characters is some fifty newspaper pages, and no page of a real newspaper
#: comes near it.
PART_CHARS = 1_000_000


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Task:
    """One corpus file to process: ``path`` names it in messages."""

    path: str
    data: bytes
    key: str | None = None  # cache key, when the build uses a cache
    keep_text: bool = False  # send the document's text back with its result
    source: str | None = None  # Document.source (kg.corpus.CorpusFile.source); None: the file name

    @property
    def name(self) -> str:
        """The document's source: its path relative to the corpus folder (default: the file name)."""
        return self.source if self.source is not None else source_name([Path(self.path).name])

    @property
    def size(self) -> int:
        return len(self.data)


@pickled_by_value
@dataclass(frozen=True, slots=True)
class PartTask:
    """One part of a document longer than :data:`PART_CHARS` (see :func:`split_document`).

    ``text`` is the document's ``text[base:base + len(text)]``; ``articles``
    are the document's own records of the articles this part covers, at
    least partly (offsets into the whole text), and ``traditional`` says
    whether the whole document is written in traditional characters (decided
    once, on the whole text, as :func:`kg.corpus.to_simplified` does).
    """

    path: str
    source: str
    encoding: str
    text: str
    base: int
    articles: tuple[Article, ...]
    traditional: bool
    part: int
    parts: int
    key: str | None = None  # cache key of this part

    @property
    def size(self) -> int:
        return len(self.text)


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
    part: int = 0  # which part of its document (PartTask); 0 for a whole document
    parts: int = 1  # parts of its document
    articles: int | None = None  # articles that start in this part (None: all of the result's)


def read_task(path: Path, source: str | None = None) -> Task:
    """The task of one corpus file (raises InputError when it cannot be read)."""
    # never Path.read_bytes: it blocks forever on a FIFO (see read_file_bytes)
    return Task(str(path), read_file_bytes(path), source=source)


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


def run_task(task: Task | PartTask) -> Outcome:
    """Decode, split, tag, resolve and relate one file, or one part of one (in whatever process runs it)."""
    if isinstance(task, PartTask):
        return _run_part(task)
    try:
        doc = document_from_bytes(task.data, task.path, task.name)
    except InputError as exc:
        return Outcome(task.path, None, str(exc), task.key)
    try:
        result = _stages().process_document(doc)
    except DataError:
        raise  # the data under ontology/ is malformed: no file can be processed; the message names file:line
    except Exception as exc:  # one file that trips a bug must not end the whole build
        return Outcome(task.path, None, failure_reason(task.path, exc), task.key)
    return Outcome(task.path, result if task.keep_text else slim(result), None, task.key, len(doc.text))


def split_document(doc: Document, path: str, part_chars: int = PART_CHARS) -> Iterator[PartTask]:
    """The parts of a document longer than ``part_chars`` characters, made one at a time.

    The parts cover the whole text, in order.  Each ends at the start of an
    article, the last one that keeps it within ``part_chars`` characters;
    an article longer than that is cut between its NLP chunks
    (:func:`kg.corpus.iter_chunks`), the stretches of whitespace where the
    NLP stages cut it anyway.
    """
    text = doc.text
    traditional = to_simplified(text) is not text
    cuts = sorted({a.start for a in doc.articles if 0 < a.start < len(text)}
                  | {start for a in doc.articles if a.end - a.start > part_chars
                     for start, _ in iter_chunks(text, a.start, a.end) if start > a.start})
    bounds = [0]
    while len(text) - bounds[-1] > part_chars:
        pos = bounds[-1]
        i = bisect.bisect_right(cuts, pos + part_chars) - 1  # the last cut within reach
        if i < 0 or cuts[i] <= pos:  # none within reach: the next one, however far
            i = bisect.bisect_right(cuts, pos)
            if i == len(cuts):
                break
        bounds.append(cuts[i])
    bounds.append(len(text))
    articles = sorted(doc.articles, key=lambda a: (a.start, a.end))
    parts = len(bounds) - 1
    for n, (lo, hi) in enumerate(zip(bounds, bounds[1:])):
        covered = tuple(a for a in articles if a.start < hi and a.end > lo)
        yield PartTask(path, doc.source, doc.encoding, text[lo:hi], lo, covered, traditional, n, parts)


def _run_part(task: PartTask) -> Outcome:
    """Process one part as a document of its own text, then put its offsets back into the whole."""
    lo, hi = task.base, task.base + len(task.text)
    local = tuple(dataclasses.replace(a, start=max(a.start, lo) - lo, end=min(a.end, hi) - lo)
                  for a in task.articles)
    doc = Document(task.source, task.text, task.encoding, local)
    starting = sum(1 for a in task.articles if lo <= a.start < hi)
    try:
        stages = _stages()
        result = stages.process_document(doc, simplified=stages.as_simplified(task.text, task.traditional))
    except DataError:
        raise  # the data under ontology/ is malformed: as run_task
    except Exception as exc:  # one file that trips a bug must not end the whole build
        reason = failure_reason(f"{task.path} (part {task.part + 1} of {task.parts})", exc)
        return Outcome(task.path, None, reason, task.key, part=task.part, parts=task.parts)
    return Outcome(task.path, _shifted(result, lo, task.articles), None, task.key, len(task.text),
                   part=task.part, parts=task.parts, articles=starting)


def _shifted(result: DocResult, base: int, articles: tuple[Article, ...]) -> DocResult:
    """``result`` of a part, its offsets moved by ``base`` into the whole text, with the whole document's articles."""
    def move(records):
        return tuple(dataclasses.replace(r, start=r.start + base, end=r.end + base) for r in records)

    document = dataclasses.replace(result.document, text="", articles=articles)
    return dataclasses.replace(result, document=document, mentions=move(result.mentions),
                               relations=move(result.relations), attributes=move(result.attributes))


def failure_reason(path: str, exc: Exception) -> str:
    """One-line skip reason for a document the pipeline failed on."""
    detail = " ".join(f"{type(exc).__name__}: {exc}".split())
    if len(detail) > 200:
        detail = detail[:199] + "…"
    return f"{path}: the pipeline failed on this file ({detail}); please report it"


def run_tasks(tasks: list[Task | PartTask]) -> list[Outcome]:
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


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when ``parent`` (the process that forked it) dies; exit if it has.

    Linux ``prctl(PR_SET_PDEATHSIG, SIGKILL)``; elsewhere only the check.
    Without it a worker outlives a driver killed with SIGKILL, holding the
    caller's pipes open.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


# Signals whose delivery to a worker being forked would end it with a traceback:
# blocked around the fork, then ignored (SIGINT) or left to their default.
_FORK_SIGNALS = {signal.SIGINT, signal.SIGTERM} | ({signal.SIGHUP} if hasattr(signal, "SIGHUP") else set())


def _start_worker(parent: int) -> None:
    """Initializer of a pool worker: signals as the module docstring says, then the pipeline."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the driver handles it
    for signum in _FORK_SIGNALS - {signal.SIGINT}:
        signal.signal(signum, signal.SIG_DFL)  # not the driver's handler, inherited through fork: just end
    die_with_parent(parent)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _FORK_SIGNALS)
    warm_up()


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    """The signals of :data:`_FORK_SIGNALS` held back in this thread inside the block (delivered after)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _FORK_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask, e.g. under taskset or a container's cpuset)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def batches(tasks: Iterable[Task | PartTask], max_bytes: int = _BATCH_BYTES,
            max_docs: int = _BATCH_DOCS) -> Iterator[list[Task | PartTask]]:
    """Consecutive tasks grouped up to ``max_bytes`` or ``max_docs`` (at least one each)."""
    batch: list[Task | PartTask] = []
    size = 0
    for task in tasks:
        batch.append(task)
        size += task.size
        if size >= max_bytes or len(batch) >= max_docs:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _batches_passing(items: Iterable[Task | PartTask | Outcome]) -> Iterator[Outcome | list[Task | PartTask]]:
    """:func:`batches` of the tasks among ``items``; the outcomes among them as they come, one by one."""
    batch: list[Task | PartTask] = []
    size = 0
    for item in items:
        if isinstance(item, Outcome):
            yield item
            continue
        batch.append(item)
        size += item.size
        if size >= _BATCH_BYTES or len(batch) >= _BATCH_DOCS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def iter_outcomes(tasks: Iterable[Task | PartTask | Outcome], *, engine: str = "local", workers: int = 1,
                  scheduler: str | None = None, separate: bool = False) -> Iterator[Outcome]:
    """Run every task on the chosen engine; outcomes as they complete (an Outcome among the tasks passes through).

    ``separate``: with one local worker, run it in a process of its own
    rather than in this one (a large build: the pipeline's memory, some
    280 MB, is then given back when the documents are done, before the
    graph is finished and exported).
    """
    if engine not in ENGINES:
        raise KGError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    if workers < 1:
        raise KGError(f"--workers must be at least 1, not {workers}")
    if scheduler is not None and engine != "dask":
        raise KGError("--scheduler needs --engine dask")
    if engine == "dask":
        return _iter_dask(tasks, workers, scheduler)
    if workers == 1 and not separate:
        return (t if isinstance(t, Outcome) else run_task(t) for t in tasks)
    return _iter_pool(tasks, workers)


def _pool_context():
    # fork where it exists (no re-import of the package in each worker)
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _iter_pool(tasks: Iterable[Task | PartTask | Outcome], workers: int) -> Iterator[Outcome]:
    window = 2 * workers
    pool: ProcessPoolExecutor | None = None
    pending: set[Future] = set()
    finished = False
    try:
        for item in _batches_passing(tasks):
            if isinstance(item, Outcome):
                yield item
                continue
            if len(pending) >= window:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    yield from fut.result()
            if pool is None:
                # every worker loads the pipeline itself, at the same time as the others:
                # loading it in the driver before forking would cost the same wall time
                # and keep a third copy (~250 MB) in the driver for the whole build.
                # The pool forks all its workers in the first submit: with the signals
                # of _FORK_SIGNALS held back, so none reaches a worker before its
                # initializer has set them (a Ctrl-C meanwhile reaches the driver after)
                pool = ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(),
                                           initializer=_start_worker, initargs=(os.getpid(),))
                with _signals_blocked():
                    pending.add(pool.submit(run_tasks, item))
                continue
            pending.add(pool.submit(run_tasks, item))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield from fut.result()
        finished = True
    except BrokenProcessPool as exc:
        raise KGError(f"a worker process died ({exc}); it may have run out of memory: "
                      "try fewer --workers") from exc
    finally:
        if pool is not None:
            if finished:
                pool.shutdown(wait=True)
            else:
                _stop_pool(pool, pending)


def _stop_pool(pool: ProcessPoolExecutor, pending: set[Future]) -> None:
    """End a pool at once (an error, Ctrl-C, a signal, a consumer that stopped reading): no worker outlives it.

    ``shutdown`` alone would wait for the batches being processed.  The
    workers are found in the executor's ``_processes`` (private, but the
    only record of them; present since Python 3.2).
    """
    for fut in pending:
        fut.cancel()
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join(5)


def _iter_dask(tasks: Iterable[Task | PartTask | Outcome], workers: int, scheduler: str | None) -> Iterator[Outcome]:
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
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        # ValueError: an address dask cannot parse ("unknown address scheme 'foo'")
        if cluster is not None:
            cluster.close()
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise KGError(f"cannot reach the Dask scheduler {scheduler or '(local cluster)'}: {detail}") from exc
    try:
        n = max(1, len(client.scheduler_info().get("workers", {})) or workers)
        window = 2 * n
        running = as_completed()
        for item in _batches_passing(tasks):
            if isinstance(item, Outcome):
                yield item
                continue
            if running.count() >= window:
                yield from next(running).result()
            running.add(client.submit(run_tasks, item, pure=False))
        for fut in running:
            yield from fut.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
