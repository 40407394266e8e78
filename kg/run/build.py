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

import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kg.corpus import CorpusFile, document_from_bytes, list_corpus, read_file_bytes, source_name
from kg.errors import InputError, KGError
from kg.export.folderlock import output_lock
from kg.export.bundle import write_all
from kg.graph import build_graph
from kg.ids import article_id
from kg.knowledge.gazetteer import load_gazetteer
from kg.records import DocResult
from kg.run.cache import CachedPart, CachedParts, DocCache
from kg.run.engine import (PART_CHARS, Outcome, PartTask, Task, available_cpus, iter_outcomes, slim,
                           split_document)
from kg.textsafe import terminal_safe

__all__ = ["BuildSummary", "corpus_files", "iter_results", "build", "write_exports", "worker_count"]


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
    workers: int = 1  # worker processes used (after the cap of worker_count)


def _print_skip(msg: str) -> None:
    print(f"skipped {terminal_safe(msg)}", file=sys.stderr)


def _print_note(msg: str) -> None:
    print(terminal_safe(msg), file=sys.stderr)


def corpus_files(paths: Sequence[str | os.PathLike[str]], summary: BuildSummary,
                 on_skip: Callable[[str], None] | None = None) -> list[CorpusFile]:
    """The corpus files of ``paths`` that every command reads (:func:`kg.corpus.list_corpus`).

    Folders that cannot be read, and every file whose source an earlier file
    (in path order) already has, are reported with ``on_skip`` and counted in
    ``summary.skipped``.
    """
    on_skip = on_skip or _print_skip

    def skip(msg: str) -> None:
        summary.skipped.append(msg)
        on_skip(msg)

    return _drop_same_sources(list_corpus(paths, skip), summary, on_skip)


def _as_corpus_file(f: CorpusFile | str | os.PathLike[str]) -> CorpusFile:
    if isinstance(f, CorpusFile):
        return f
    path = Path(f)
    return CorpusFile(path, source_name([path.name]))


def iter_results(files: Iterable[CorpusFile | Path], summary: BuildSummary,
                 on_skip: Callable[[str], None] = _print_skip, *,
                 doc_cache: DocCache | None = None, engine: str = "local", workers: int = 1,
                 scheduler: str | None = None, keep_text: bool = True,
                 on_note: Callable[[str], None] = _print_note, separate: bool = False) -> Iterator[DocResult]:
    """The results of every readable file, streaming, in one pass over the files.

    Each file is read once: its bytes are hashed for the cache key, looked
    up, and (on a miss) those same bytes are processed and their result
    stored under that key, so a file that changes during the build never
    files one version's facts under another's key.  Cached results come out
    as they are found, between the engine's.  A document longer than
    :data:`~kg.run.engine.PART_CHARS` characters comes in several results,
    one per part (:func:`kg.run.engine.split_document`), unless
    ``keep_text`` (every result then holds its whole text: ``kg review``).

    Files that cannot be read or processed are reported with ``on_skip`` and
    counted in ``summary``, which also counts the documents, articles and
    characters built; a corrupt cache entry is named with ``on_note`` (and
    the document processed again).  ``engine``, ``workers`` and
    ``scheduler`` choose where documents run
    (:func:`kg.run.engine.iter_outcomes`; by default one at a time in this
    process, in file order; ``separate``: one worker in a process of its
    own).  ``keep_text=False`` drops each document's text from its result
    (the graph never reads it) before it leaves the process that made it;
    results from ``doc_cache`` never have it.
    """
    # documents in parts whose results are still coming: doc key -> [parts left, chars, failed]
    parted: dict[str, list] = {}
    part_of: dict[str, str] = {}  # part key -> doc key
    counted: set[str] = set()  # paths of documents in parts already counted

    def report(outcome: Outcome) -> DocResult | None:
        if outcome.result is None:
            summary.skipped.append(outcome.error or outcome.path)
            on_skip(outcome.error or outcome.path)
            return None
        if outcome.parts == 1 or outcome.path not in counted:
            summary.documents += 1
            summary.cached += outcome.cached
            if outcome.parts > 1:
                counted.add(outcome.path)
        summary.articles += (len(outcome.result.document.articles) if outcome.articles is None
                             else outcome.articles)
        summary.chars += outcome.chars
        return outcome.result

    def cached(path: str, source: str, key: str) -> list[Outcome] | Iterator[Outcome] | None:
        """The outcomes of a document found in the cache, or None (a miss)."""
        assert doc_cache is not None
        label = f"processing {source} again"
        hit = doc_cache.get(key, label=label)
        if hit is None:
            return None
        result, chars = hit
        if isinstance(result, DocResult):
            return [Outcome(path, result, key=key, chars=chars, cached=True)]
        if not isinstance(result, CachedParts):  # a part's entry under a document's key: never written so
            return None
        # in parts: every part entry checked before any is used, then loaded one at a time
        keys = [DocCache.part_key(key, i) for i in range(result.parts)]
        if not all(doc_cache.check(k, label=label) for k in keys):
            return None
        return _cached_parts(doc_cache, path, keys, label)

    def items() -> Iterator[Task | PartTask | Outcome]:
        for f in map(_as_corpus_file, files):
            path = str(f.path)
            try:
                data = read_file_bytes(f.path)
            except InputError as exc:
                yield Outcome(path, None, str(exc))
                continue
            key = None
            if doc_cache is not None:
                key = doc_cache.key(f.source, data)
                hit = cached(path, f.source, key)
                if hit is not None:
                    yield from hit
                    continue
            if keep_text or len(data) <= PART_CHARS:  # never more characters than bytes
                yield Task(path, data, key, keep_text, f.source)
                continue
            try:
                doc = document_from_bytes(data, path, f.source)
            except InputError as exc:
                yield Outcome(path, None, str(exc))
                continue
            if len(doc.text) <= PART_CHARS:
                yield Task(path, data, key, keep_text, f.source)
                continue
            del data  # from here on the text alone
            for part in split_document(doc, path, PART_CHARS):
                if key is not None:
                    part_key = DocCache.part_key(key, part.part)
                    part_of[part_key] = key
                    parted.setdefault(key, [part.parts, 0, False])
                    part = PartTask(part.path, part.source, part.encoding, part.text, part.base, part.articles,
                                    part.traditional, part.part, part.parts, part_key)
                yield part
            del doc

    def store(outcome: Outcome) -> None:
        assert doc_cache is not None and outcome.key is not None
        doc_key = part_of.pop(outcome.key, None)
        if doc_key is None:  # a whole document
            if outcome.result is not None:
                doc_cache.put(outcome.key, slim(outcome.result) if keep_text else outcome.result, outcome.chars)
            return
        state = parted[doc_key]
        state[0] -= 1
        if outcome.result is None:
            state[2] = True
        else:
            articles = len(outcome.result.document.articles) if outcome.articles is None else outcome.articles
            doc_cache.put(outcome.key, CachedPart(outcome.result, articles), outcome.chars)
            state[1] += outcome.chars
        if state[0] == 0:
            del parted[doc_key]
            if not state[2]:  # the document's entry only once every part is in
                doc_cache.put(doc_key, CachedParts(outcome.parts), state[1])

    for outcome in iter_outcomes(items(), engine=engine, workers=workers, scheduler=scheduler, separate=separate):
        if doc_cache is not None and outcome.key is not None and not outcome.cached:
            store(outcome)
        result = report(outcome)
        if result is not None:
            yield result


def _cached_parts(doc_cache: DocCache, path: str, keys: list[str], label: str) -> Iterator[Outcome]:
    """The outcomes of a document in parts from the cache, one part loaded at a time."""
    for i, key in enumerate(keys):
        hit = doc_cache.get(key, label=label)
        if hit is None or not isinstance(hit[0], CachedPart):  # changed since it was checked
            yield Outcome(path, None, f"{path}: a cache entry of part {i + 1} of {len(keys)} changed while "
                                      "being read; build again", key, part=i, parts=len(keys))
            continue
        part, chars = hit
        yield Outcome(path, part.result, key=key, chars=chars, cached=True, part=i, parts=len(keys),
                      articles=part.articles)


def worker_count(workers: int, documents: int, engine: str = "local", scheduler: str | None = None) -> int:
    """Worker processes for ``workers`` asked: no more than the CPUs available and the documents to do.

    More processes than CPUs only share them and each costs its own copy of
    the pipeline (some 280 MB); more than documents have nothing to do.  A
    remote Dask cluster (``scheduler``) decides its own workers.
    """
    if engine == "dask" and scheduler is not None:
        return workers
    return max(1, min(workers, available_cpus(), max(documents, 1)))


def build(corpus: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str], *,
          workers: int = 1, engine: str = "local", scheduler: str | None = None,
          cache: bool = False, cache_dir: str | os.PathLike[str] | None = None,
          progress: bool | None = False,
          on_skip: Callable[[str], None] = _print_skip,
          on_note: Callable[[str], None] = _print_note) -> BuildSummary:
    """Build the graph of a corpus and write every export into ``out``.

    Parameters
    ----------
    workers
        Processes that run the per-document stages (``engine="local"``), or
        workers of the local Dask cluster (``engine="dask"`` without a
        scheduler); capped at the CPUs available and the documents
        (:func:`worker_count`; ``on_note`` says so when it caps).
    engine, scheduler
        ``"local"`` or ``"dask"``; a Dask scheduler address such as
        ``tcp://10.0.0.5:8786`` (default: start a ``LocalCluster``).
    cache, cache_dir
        Reuse the results of documents processed before (see
        :mod:`kg.run.cache`); ``cache_dir`` defaults to ``~/.cache/shanxi-kg``.
    progress
        A progress bar on stderr: ``True``, ``False``, or ``None`` for "when
        stderr is a terminal".

    ``out`` is locked for the whole build (:func:`kg.export.folderlock.output_lock`):
    a second build into it stops at once with a :class:`~kg.errors.KGError`.
    The exports are the same bytes for every choice of these.
    """
    started = time.perf_counter()
    summary = BuildSummary()
    # bad corpus paths fail before anything is created
    files = list_corpus(corpus, lambda msg: (summary.skipped.append(msg), on_skip(msg)))
    out_dir = Path(out)
    _check_output_dir(out_dir)
    with output_lock(out_dir, "kg build"):
        # exports written into the corpus (kg build . --out exports) are not corpus files:
        # reading them back would change the next build
        out_real = os.path.realpath(out_dir)
        inside = [f for f in files if _is_within(os.path.realpath(f.path), out_real)]
        if inside:
            files = [f for f in files if not _is_within(os.path.realpath(f.path), out_real)]
            if not files:
                raise InputError(f"all {len(inside)} corpus files are inside --out {out_dir}; kg never reads "
                                 "its own output folder: choose another --out")
        files = _drop_same_sources(files, summary, on_skip)
        sizes = _sizes(files)
        units = sum(max(1, -(-size // PART_CHARS)) for size in sizes)  # a document in parts: once per part
        used = worker_count(workers, units, engine, scheduler)
        summary.workers = used
        if used < workers:
            todo = f"{len(files)} document{'s' if len(files) != 1 else ''}"
            if units > len(files):
                todo += f" in {units} parts"
            on_note(f"using {used} worker process{'es' if used > 1 else ''} (--workers {workers}; "
                    f"{available_cpus()} CPU{'s' if available_cpus() > 1 else ''} available, {todo} to do)")
        gazetteer = load_gazetteer()
        doc_cache = DocCache(cache_dir, on_corrupt=on_note) if cache else None
        if progress is None:
            progress = sys.stderr.isatty()
        outcomes = iter_results(files, summary, on_skip, doc_cache=doc_cache, engine=engine, workers=used,
                                scheduler=scheduler, keep_text=False, on_note=on_note,
                                separate=sum(sizes) > SEPARATE_WORKER_BYTES)
        with _progress(len(files), progress) as bar:
            graph = build_graph(_with_progress(outcomes, bar, summary), gazetteer.divisions)
        summary.skipped.sort()
        if not summary.documents:
            raise InputError(f"no readable corpus file ({len(summary.skipped)} skipped); "
                             f"the exports in {out_dir} are left as they were")
        summary.outputs = write_exports(graph, out_dir, jobs=_export_jobs(used))
    summary.entities = sum(1 for _, d in graph.nodes(data=True) if d.get("kind") != "Article")
    summary.seconds = time.perf_counter() - started
    return summary


#: A corpus of more bytes than this runs even one worker in a process of its own
#: (:func:`kg.run.engine.iter_outcomes` ``separate``): the pipeline's memory
#: (some 280 MB) is given back before the graph is finished and exported,
#: which is where a large build peaks.  Smaller builds save the fork.
SEPARATE_WORKER_BYTES = 16 * 2**20


def _sizes(files: list[CorpusFile]) -> list[int]:
    """The size of each file (0 for one that cannot be read: reading it will say why)."""
    out = []
    for f in files:
        try:
            out.append(os.stat(f.path).st_size)
        except OSError:
            out.append(0)
    return out


def _is_within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _export_jobs(workers: int) -> int:
    """Processes for the exports: as many as the documents had, no more than the CPUs.

    The exports fork; a driver that still runs other threads (a Dask client
    leaves its event-loop thread behind) writes them in one process instead,
    since a forked child gets only the forking thread and any lock another
    thread held stays locked in it.
    """
    if threading.active_count() > 1:
        return 1
    return max(1, min(workers, available_cpus()))


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


def _drop_same_sources(files: list[CorpusFile], summary: BuildSummary,
                       on_skip: Callable[[str], None]) -> list[CorpusFile]:
    """Skip every file whose source (or article ids) an earlier file (in path order) already has.

    The source (the path relative to the corpus folder) is ``dcterms:source``
    and gives the article ids, so ``page1.txt`` at the root of two corpus
    folders given together (or ``a.py.txt`` and ``a.py``) would merge into
    one article.
    """
    first: dict[str, CorpusFile] = {}
    kept = []
    for f in files:  # sorted by (source, path): the same file wins in every run
        key = article_id(f.source, 1)
        if key in first:
            other = first[key]
            if other.source == f.source:
                msg = (f"{f.path}: same path in its corpus folder ({f.source}) as {other.path}; "
                       "sources identify articles, so build the folders one at a time or rename one")
            else:
                msg = (f"{f.path}: same article ids as {other.path}; sources identify articles, "
                       "so rename one of them")
            summary.skipped.append(msg)
            on_skip(msg)
            continue
        first[key] = f
        kept.append(f)
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
        bar.update(summary.documents - bar.n)  # documents, not results (a document in parts makes several)
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
