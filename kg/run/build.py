"""Wiring: corpus files → per-document results → graph → exports.

:func:`build` streams: files are read one batch at a time, processed on an
engine (:mod:`kg.run.engine`: this process, a pool of worker processes, or
a Dask cluster), looked up in and added to the per-document cache
(:mod:`kg.run.cache`), and unioned into the graph (:func:`kg.graph.build_graph`)
as they arrive, so memory holds the graph and never the corpus.  The output
is the same bytes whatever the engine, the number of workers, the cache or
the order of the inputs.  :func:`iter_results` is that stream of results,
the one driver of every command that reads a corpus.

The stages themselves are in :mod:`kg.run.document`, which the driver never
imports: documents run wherever the engine runs them.
"""
from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kg.corpus import iter_corpus_files
from kg.errors import InputError, KGError
from kg.export.bundle import write_all
from kg.graph import build_graph
from kg.ids import article_id
from kg.knowledge.gazetteer import load_gazetteer
from kg.records import DocResult
from kg.run.cache import DocCache
from kg.run.engine import Outcome, iter_outcomes, read_task, slim

__all__ = ["BuildSummary", "corpus_files", "iter_results", "build", "write_exports"]


@dataclass
class BuildSummary:
    documents: int = 0
    articles: int = 0
    skipped: list[str] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    entities: int = 0
    triples: int = 0
    chars: int = 0  # characters of the documents built
    cached: int = 0  # documents taken from the cache
    seconds: float = 0.0  # wall time of the whole build


def corpus_files(paths: Sequence[str | os.PathLike[str]], summary: BuildSummary,
                 on_skip: Callable[[str], None] | None = None) -> list[Path]:
    """The corpus files of ``paths`` that every command reads: :func:`iter_corpus_files`
    less every file whose name an earlier file already has (reported and
    counted in ``summary.skipped``: file names identify articles)."""
    return _drop_same_names(list(iter_corpus_files(paths)), summary, on_skip or _print_skip)


def _print_skip(msg: str) -> None:
    print(f"skipped {msg}", file=sys.stderr)


def iter_results(files: Iterable[Path], summary: BuildSummary, on_skip: Callable[[str], None] = _print_skip, *,
                 doc_cache: DocCache | None = None, engine: str = "local", workers: int = 1,
                 scheduler: str | None = None, keep_text: bool = True) -> Iterator[DocResult]:
    """The results of every readable file, streaming: cached ones first, then the rest from the engine.

    Files that cannot be read or processed are reported with ``on_skip`` and
    counted in ``summary``, which also counts the documents, articles and
    characters built.  ``engine``, ``workers`` and ``scheduler`` choose where
    documents run (:func:`kg.run.engine.iter_outcomes`; by default one at a
    time in this process, in file order).  ``keep_text=False`` drops each
    document's text from its result (the graph never reads it) before it
    leaves the process that made it; results from ``doc_cache`` never have it.
    """
    misses: list[tuple[Path, str | None]] = []

    def report(outcome: Outcome) -> DocResult | None:
        if outcome.result is None:
            summary.skipped.append(outcome.error or outcome.path)
            on_skip(outcome.error or outcome.path)
            return None
        summary.documents += 1
        summary.articles += len(outcome.result.document.articles)
        summary.chars += outcome.chars
        summary.cached += outcome.cached
        return outcome.result

    # pass 1: the cache (reads each file once to hash it); only keys are kept
    for path in files:
        if doc_cache is None:
            misses.append((path, None))
            continue
        try:
            task = read_task(path)
        except InputError as exc:
            report(Outcome(str(path), None, str(exc)))
            continue
        key = doc_cache.key(task.name, task.data)
        hit = doc_cache.get(key)
        if hit is None:
            misses.append((path, key))
        else:
            result = report(Outcome(task.path, hit[0], key=key, chars=hit[1], cached=True))
            if result is not None:
                yield result

    # pass 2: everything else on the engine, read lazily (a few batches in flight)
    def tasks():
        for path, key in misses:
            try:
                task = read_task(path)
            except InputError as exc:
                report(Outcome(str(path), None, str(exc)))
                continue
            yield dataclasses.replace(task, key=key, keep_text=keep_text)

    for outcome in iter_outcomes(tasks(), engine=engine, workers=workers, scheduler=scheduler):
        if doc_cache is not None and outcome.result is not None and outcome.key is not None:
            doc_cache.put(outcome.key, slim(outcome.result) if keep_text else outcome.result, outcome.chars)
        result = report(outcome)
        if result is not None:
            yield result


def build(corpus: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str], *,
          workers: int = 1, engine: str = "local", scheduler: str | None = None,
          cache: bool = False, cache_dir: str | os.PathLike[str] | None = None,
          progress: bool | None = False,
          on_skip: Callable[[str], None] = _print_skip) -> BuildSummary:
    """Build the graph of a corpus and write every export into ``out``.

    Parameters
    ----------
    workers
        Processes that run the per-document stages (``engine="local"``), or
        workers of the local Dask cluster (``engine="dask"`` without a
        scheduler).
    engine, scheduler
        ``"local"`` or ``"dask"``; a Dask scheduler address such as
        ``tcp://10.0.0.5:8786`` (default: start a ``LocalCluster``).
    cache, cache_dir
        Reuse the results of documents processed before (see
        :mod:`kg.run.cache`); ``cache_dir`` defaults to ``~/.cache/shanxi-kg``.
    progress
        A progress bar on stderr: ``True``, ``False``, or ``None`` for "when
        stderr is a terminal".

    The exports are the same bytes for every choice of these.
    """
    started = time.perf_counter()
    files = list(iter_corpus_files(corpus))  # bad corpus paths fail before anything is created
    out_dir = Path(out)
    _check_output_dir(out_dir)
    # exports written into the corpus (kg build . --out exports) are not corpus files:
    # reading them back would change the next build
    out_real = out_dir.resolve()
    files = [f for f in files if out_real not in f.resolve().parents]
    summary = BuildSummary()
    files = _drop_same_names(files, summary, on_skip)
    gazetteer = load_gazetteer()
    doc_cache = DocCache(cache_dir) if cache else None
    if progress is None:
        progress = sys.stderr.isatty()
    outcomes = iter_results(files, summary, on_skip, doc_cache=doc_cache, engine=engine, workers=workers,
                            scheduler=scheduler, keep_text=False)
    with _progress(len(files), progress) as bar:
        graph = build_graph(_with_progress(outcomes, bar, summary), gazetteer.divisions)
    summary.skipped.sort()
    if not summary.documents:
        raise InputError(f"no readable corpus file ({len(summary.skipped)} skipped); "
                         f"the exports in {out_dir} are left as they were")
    summary.outputs = write_exports(graph, out_dir, jobs=_export_jobs(workers))
    summary.entities = sum(1 for _, d in graph.nodes(data=True) if d.get("kind") != "Article")
    summary.seconds = time.perf_counter() - started
    return summary


def _export_jobs(workers: int) -> int:
    """Processes for the exports: as many as the documents had, no more than the CPUs.

    The exports fork; a driver that still runs other threads (a Dask client
    leaves its event-loop thread behind) writes them in one process instead,
    since a forked child gets only the forking thread and any lock another
    thread held stays locked in it.
    """
    if threading.active_count() > 1:
        return 1
    return max(1, min(workers, os.cpu_count() or 1))


def _check_output_dir(out_dir: Path) -> None:
    """Create ``out_dir`` and prove it writable now, not after hours of processing."""
    if out_dir.exists() and not out_dir.is_dir():
        raise KGError(f"{out_dir}: --out must be a directory, and this is a file")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        # os.access is no proof (root, read-only mounts, ACLs): write a probe file
        with tempfile.TemporaryFile(dir=out_dir, prefix=".kg-probe-"):
            pass
    except OSError as exc:
        raise KGError(f"{out_dir}: output directory is not writable ({exc.strerror or exc})") from exc


def _drop_same_names(files: list[Path], summary: BuildSummary,
                     on_skip: Callable[[str], None]) -> list[Path]:
    """Skip every file whose name (or article ids) an earlier file (in path order) already has.

    The file name is ``dcterms:source`` and gives the article ids, so two
    ``page1.txt`` in different folders (or ``a.py.txt`` and ``a.py``) would
    merge into one article.
    """
    first: dict[str, Path] = {}
    kept = []
    for path in files:  # sorted by (name, path): the same file wins in every run
        key = article_id(path.name, 1)
        if key in first:
            what = "file name" if first[key].name == path.name else "article ids"
            msg = (f"{path}: same {what} as {first[key]}; file names identify "
                   "articles, so rename one of them")
            summary.skipped.append(msg)
            on_skip(msg)
            continue
        first[key] = path
        kept.append(path)
    return kept


@contextmanager
def _progress(total: int, enabled: bool):
    if not enabled:
        yield None
        return
    from tqdm import tqdm  # optional at run time: only for a progress bar

    class _Bar(tqdm):
        monitor_interval = 0  # no monitor thread: worker processes are forked

    bar = _Bar(total=total, unit="doc", file=sys.stderr, dynamic_ncols=True, smoothing=0.05,
               desc="build")
    try:
        yield bar
    finally:
        bar.close()


def _with_progress(results: Iterator[DocResult], bar, summary: BuildSummary) -> Iterator[DocResult]:
    if bar is None:
        yield from results
        return
    for result in results:
        bar.update(1)
        elapsed = bar.format_dict.get("elapsed") or 0
        if elapsed:
            bar.set_postfix_str(f"{summary.chars / elapsed / 1e3:,.0f} k chars/s, {summary.cached} cached",
                                refresh=False)
        yield result


def write_exports(graph, out_dir: Path, jobs: int = 1) -> list[Path]:
    """Every export of the graph into ``out_dir``, all renamed into place at the end.

    :func:`kg.export.bundle.write_all`: written in ``jobs`` processes, the same bytes
    for any number; a build interrupted while exporting leaves every previous
    export as it was.
    """
    return write_all(graph, out_dir, jobs=jobs)
