"""Wiring: corpus files → per-document results → graph → exports.

``process_document`` runs every per-document stage (tagging, resolution,
relations) and returns a picklable :class:`~kg.records.DocResult`; documents
are independent, so results of parts of a corpus merge by union in
:func:`kg.graph.build_graph`.

:func:`build` streams: files are read one batch at a time, processed on an
engine (:mod:`kg.engine`: this process, a pool of worker processes, or a Dask
cluster), looked up in and added to the per-document cache
(:mod:`kg.cache`), and unioned into the graph as they arrive, so memory
holds the graph and never the corpus.  The output is the same bytes whatever
the engine, the number of workers, the cache or the order of the inputs.
"""
from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kg.corpus import document_from_bytes, iter_chunks, iter_corpus_files, normalize, read_document, to_simplified
from kg.errors import InputError, KGError
from kg.records import Document, DocResult

__all__ = ["BuildSummary", "iter_corpus_files", "corpus_files", "load_document", "document_from_bytes", "process_document",
           "iter_results", "build", "write_exports", "PIPELINE_VERSION", "STAGES"]

#: Bumped whenever the per-document stages change what they produce.
PIPELINE_VERSION = "1"

#: The per-document stages timed by ``process_document(..., timings=...)``.
STAGES = ("normalize", "segment", "candidates", "resolve", "relations")


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


def load_document(path: Path) -> Document:
    """Read and split one corpus file (raises InputError for unreadable input)."""
    return read_document(path)


@contextmanager
def _timed(timings: dict[str, float] | None, stage: str):
    if timings is None:
        yield
        return
    t0 = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - t0


def process_document(doc: Document, nlp=None, gazetteer=None, lexicon=None, *,
                     timings: dict[str, float] | None = None) -> DocResult:
    """Tag, resolve and relate one document.

    ``timings``, when given, accumulates the seconds spent in each of
    :data:`STAGES` (for benchmarks).
    """
    from kg.knowledge.gazetteer import load_gazetteer
    from kg.knowledge.lexicon import load_lexicon
    from kg.nlp.pipeline import candidates_of, make_nlp
    from kg.relations import relate_document
    from kg.resolve import ArticleText, resolve_document

    gazetteer = gazetteer or load_gazetteer()
    lexicon = lexicon or load_lexicon()
    nlp = nlp or make_nlp()
    texts = []
    with _timed(timings, "normalize"):
        # traditional characters are tagged in simplified form (same length, same offsets);
        # evidence is still cut from doc.text
        text = to_simplified(doc.text)
        for a in doc.articles:
            # an over-long article (a page without layout) goes in pieces: bounded cost per piece
            for start, end in iter_chunks(text, a.start, a.end):
                norm, index = normalize(text, start, end)
                texts.append(ArticleText(a, norm, tuple(index)))
    # what nlp.pipe does, one stage at a time: the tokenizer, then each component;
    # one text at a time, so only one spaCy Doc is alive (a 20 MB page is 2,000 pieces)
    pairs = []
    for at in texts:
        with _timed(timings, "segment"):
            d = nlp.make_doc(at.text)
        with _timed(timings, "candidates"):
            for _name, proc in nlp.pipeline:
                d = proc(d)
            pairs.append((at, candidates_of(d)))
    with _timed(timings, "resolve"):
        resolutions, entities, city = resolve_document(pairs, gazetteer, lexicon)
    with _timed(timings, "relations"):
        return relate_document(doc, resolutions, entities, city, gazetteer, lexicon)


def _print_skip(msg: str) -> None:
    print(f"skipped {msg}", file=sys.stderr)


def iter_results(files: Iterable[Path], summary: BuildSummary,
                 on_skip: Callable[[str], None] = _print_skip) -> Iterator[DocResult]:
    """Process files one at a time (streaming); unreadable ones are reported and skipped."""
    for path in files:
        try:
            doc = load_document(path)
        except InputError as exc:
            summary.skipped.append(str(exc))
            on_skip(str(exc))
            continue
        try:
            result = process_document(doc)
        except Exception as exc:  # one file that trips a bug must not end the whole build
            from kg.engine import failure_reason

            msg = failure_reason(str(path), exc)
            summary.skipped.append(msg)
            on_skip(msg)
            continue
        summary.documents += 1
        summary.articles += len(doc.articles)
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
        :mod:`kg.cache`); ``cache_dir`` defaults to ``~/.cache/shanxi-kg``.
    progress
        A progress bar on stderr: ``True``, ``False``, or ``None`` for "when
        stderr is a terminal".

    The exports are the same bytes for every choice of these.
    """
    from kg.knowledge.gazetteer import load_gazetteer
    from kg.graph import build_graph

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
    doc_cache = None
    if cache:
        from kg.cache import DocCache

        doc_cache = DocCache(cache_dir)
    if progress is None:
        progress = sys.stderr.isatty()
    outcomes = _iter_build(files, summary, doc_cache, engine=engine, workers=workers, scheduler=scheduler,
                           on_skip=on_skip)
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
    import threading

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
    from kg.ids import article_id

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


def _iter_build(files: list[Path], summary: BuildSummary, doc_cache, *, engine: str, workers: int,
                scheduler: str | None, on_skip: Callable[[str], None]) -> Iterator[DocResult]:
    """Results of every readable file: cached ones first, then the rest from the engine."""
    from kg.engine import Outcome, iter_outcomes, read_task

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
            yield dataclasses.replace(task, key=key)

    for outcome in iter_outcomes(tasks(), engine=engine, workers=workers, scheduler=scheduler):
        if doc_cache is not None and outcome.result is not None and outcome.key is not None:
            doc_cache.put(outcome.key, outcome.result, outcome.chars)
        result = report(outcome)
        if result is not None:
            yield result


@contextmanager
def _progress(total: int, enabled: bool):
    if not enabled:
        yield None
        return
    from tqdm import tqdm

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

    :func:`kg.export.write_all`: written in ``jobs`` processes, the same bytes
    for any number; a build interrupted while exporting leaves every previous
    export as it was.
    """
    from kg.export import write_all

    return write_all(graph, out_dir, jobs=jobs)
