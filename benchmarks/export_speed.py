"""Export speed: every export of ``kg build``, in seconds, triples/s and memory.

Usage::

    python benchmarks/export_speed.py [--triples 1000000] [--corpus-copies 100]
                                      [--graph graph.pkl] [--repeat 3] [--no-rdflib]

Graphs (one table each, in this order):

* ``--triples N`` (default 1,000,000; ``0`` for none): a synthetic knowledge
  graph shaped like the real one (entities with labels, aliases and
  mentions; relations with one reified evidence each; articles) of about
  ``N`` triples, built here (:func:`synthetic_graph`);
* ``--corpus-copies N``: the graph the real pipeline builds from ``N``
  copies of ``corpus/`` (files renamed ``00000_<name>``, ``00001_<name>``,
  …, so every copy is a set of other articles).  ``kg.run.build.build`` runs in
  a child process (``--workers 2``, no cache) and pickles its graph to a
  temporary file, which this process loads: the exports run in a process
  that holds the graph and nothing else;
* ``--graph PKL``: a pickled graph (for example one saved by an earlier run
  with ``--keep-graph``).

For each graph, each export runs ``--repeat`` times in this process, and the
table gives the median wall time and triples/s (distinct triples of the
graph, counted from the N-Triples file, over the time of that export).  One
more run, before those, in a forked child process (the graph shared
copy-on-write, the memory malloc holds free handed back), gives the peak
extra RSS of the export: the child's peak resident memory minus its
resident memory before it started (for ``write_all`` with ``jobs=2``, the
larger of that and the peak of its worker processes, which also start from
the graph's pages).  A forked child is a little slower than this process
(its first touch of each page of the graph copies the page), which is why
the times come from here.  ``write_all`` writes every file of ``kg build``
(Turtle, HTML, N-Triples, TriG, JSON-LD, GraphML, the Neo4j CSV files and
the LadybugDB script); its ``jobs=2`` row is wall time with two worker
processes.  Reference rows, not canonical exports: pyoxigraph's N-Triples
writer (unsorted) over the quads, and rdflib (``to_rdf`` plus
``Graph.serialize(format="turtle")``; skipped with ``--no-rdflib``).
"""
from __future__ import annotations

__all__ = ["synthetic_graph", "corpus_graph", "main"]

import argparse
import gc
import os
import pickle
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.ids import entity_id, iri  # noqa: E402

_KINDS = ("Agency", "Organization", "Project", "Person")
_RELS = {"Agency": "administers", "Organization": "undertakes", "Project": "locatedIn",
         "Person": "worksFor"}
# Triples per unit: entity 6 (type, label, 2 altLabels, 2 mentions) + relation
# 10 (direct triple + 9 for its statement), about 16.
_PER_UNIT = 16


def synthetic_graph(triples: int) -> nx.MultiDiGraph:
    """A knowledge graph of about ``triples`` triples, deterministic."""
    units = max(1, triples // _PER_UNIT)
    n_articles = max(1, units // 50)
    g = nx.MultiDiGraph()
    articles = [iri(f"doc{i:06d}-1") for i in range(n_articles)]
    for i, art in enumerate(articles):
        g.add_node(art, kind="Article", label=f"标题{i}", title=f"标题{i}",
                   source=f"doc{i:06d}.txt", start=0, end=1000, date=None)
    divisions = [iri(f"division:14{i:04d}") for i in range(100)]
    for i, div in enumerate(divisions):
        g.add_node(div, kind="Division", label=f"区划{i}县", aliases=[f"区划{i}"],
                   mentioned_in=[articles[i % n_articles]], level="county", adcode=f"14{i:04d}")
    for i in range(units):
        kind = _KINDS[i % len(_KINDS)]
        node = iri(entity_id(kind, f"实体{i}"))
        g.add_node(node, kind=kind, label=f"实体{i}“名称”", aliases=[f"简称{i}", f"别名{i}"],
                   mentioned_in=sorted({articles[i % n_articles], articles[(i * 7) % n_articles]}))
        art = articles[i % n_articles]
        ev = {"article": art, "start": i % 900, "end": i % 900 + 40,
              "text": f"第{i}句：某单位承建某项目，总投资{i}万元。", "role": None, "rule": "bench"}
        g.add_edge(node, divisions[i % len(divisions)], key=_RELS[kind], rel=_RELS[kind],
                   evidence=[ev])
    return g


def _build_corpus_graph(copies: int, pkl: Path) -> None:
    """(In the child process.) ``kg build`` of ``copies`` copies of corpus/, its graph pickled to ``pkl``."""
    import kg.run.build

    with tempfile.TemporaryDirectory(prefix="kg-bench-corpus-") as tmp:
        src = sorted(p for p in (ROOT / "corpus").iterdir() if p.is_file())
        for i in range(copies):
            for path in src:
                shutil.copyfile(path, Path(tmp, f"{i:05d}_{path.name}"))
        graphs = []

        def keep_graph(graph: nx.MultiDiGraph, out_dir: Path, jobs: int = 1) -> list[Path]:
            graphs.append(graph)  # the benchmark times the exports itself
            return []

        kg.run.build.write_exports = keep_graph
        kg.run.build.build([tmp], Path(tmp, "out"), workers=2, cache=False, progress=False,
                       on_skip=lambda msg: print(msg, file=sys.stderr))
    with open(pkl, "wb") as fh:
        pickle.dump(graphs[0], fh, protocol=pickle.HIGHEST_PROTOCOL)


def corpus_graph(copies: int) -> nx.MultiDiGraph:
    """The graph ``kg build --workers 2`` builds from ``copies`` copies of corpus/ (in a child process)."""
    with tempfile.TemporaryDirectory(prefix="kg-bench-graph-") as tmp:
        pkl = Path(tmp, "graph.pkl")
        subprocess.run([sys.executable, __file__, "--_build-corpus-graph", str(copies), str(pkl)],
                       check=True)
        with open(pkl, "rb") as fh:
            return pickle.load(fh)


# -- measuring ---------------------------------------------------------------------

def _rss() -> int:
    """Resident memory of this process now (bytes)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _reset_peak() -> None:
    """Start the kernel's peak resident memory of this process (VmHWM) again from now (Linux)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _peak_rss() -> int:
    """Peak resident memory of this process (bytes): VmHWM, else ru_maxrss."""
    try:
        with open("/proc/self/status") as fh:
            return int(next(line for line in fh if line.startswith("VmHWM:")).split()[1]) * 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _trim() -> None:
    """Hand the memory malloc holds free back to the system (glibc), so that
    growth is not hidden by reused pages freed before the fork."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _timed(fn: Callable[[], object]) -> float:
    """Wall seconds of ``fn()`` in this process (as ``kg build`` runs a single-process export)."""
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _in_child(fn: Callable[[], object]) -> tuple[float, int]:
    """Run ``fn`` in a forked child: (wall seconds, peak extra RSS in bytes)."""
    # trimmed here too: the child's high-water mark starts at the resident
    # memory it was forked with, free malloc pages included
    _trim()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            os.close(read)
            _trim()
            _reset_peak()
            start = _rss()
            t0 = time.perf_counter()
            fn()
            seconds = time.perf_counter() - t0
            peak = max(_peak_rss(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
            os.write(write, f"{seconds} {peak - start}".encode())
        except BaseException:  # noqa: BLE001 - reported by the parent
            import traceback
            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as fh:
        text = fh.read()
    _, status = os.waitpid(pid, 0)
    if status or not text:
        raise RuntimeError(f"benchmark child failed (status {status})")
    seconds, extra = text.split()
    return float(seconds), int(extra)


def _exports(graph: nx.MultiDiGraph, out: Path, rdflib: bool) -> list[tuple[str, Callable[[], object]]]:
    import pyoxigraph as ox

    from kg.export.bundle import write_all
    from kg.export.graphml import write_graphml
    from kg.export.html import write_html
    from kg.export.jsonld import write_jsonld
    from kg.export.neo4j import write_neo4j_csv
    from kg.export.ntriples import write_ntriples
    from kg.export.quads import Lit, iter_quads, to_rdf
    from kg.export.trig import write_trig
    from kg.export.turtle import write_turtle

    def oxigraph() -> bytes:
        def term(t):
            if isinstance(t, Lit):
                if t.lang:
                    return ox.Literal(t.lex, language=t.lang)
                return ox.Literal(t.lex, datatype=ox.NamedNode(t.datatype) if t.datatype else None)
            return ox.NamedNode(t)
        triples = [ox.Triple(term(s), term(p), term(o)) for s, p, o, _ in iter_quads(graph)]
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)

    rows = [
        ("Turtle", lambda: write_turtle(graph, out / "graph.ttl")),
        ("N-Triples", lambda: write_ntriples(graph, out / "graph.nt")),
        ("TriG", lambda: write_trig(graph, out / "graph.trig")),
        ("JSON-LD", lambda: write_jsonld(graph, out / "graph.jsonld")),
        ("GraphML", lambda: write_graphml(graph, out / "graph.graphml")),
        ("Neo4j CSV + LadybugDB script", lambda: write_neo4j_csv(graph, out / "neo4j")),
        ("HTML", lambda: write_html(graph, out / "graph.html")),
        ("write_all, jobs=1 (every file)", lambda: write_all(graph, out / "all1", jobs=1)),
        ("write_all, jobs=2 (every file)", lambda: write_all(graph, out / "all2", jobs=2)),
        ("pyoxigraph N-Triples (unsorted, ref.)", oxigraph),
    ]
    if rdflib:
        rows.append(("rdflib to_rdf + serialize (ref.)",
                     lambda: to_rdf(graph).serialize(format="turtle")))
    return rows


def bench(name: str, graph: nx.MultiDiGraph, repeat: int, rdflib: bool) -> None:
    """Print the markdown table of every export of ``graph``."""
    with tempfile.TemporaryDirectory(prefix="kg-bench-out-") as tmp:
        out = Path(tmp)
        rows = _exports(graph, out, rdflib)
        results = []
        n = 0
        # memory first, each export in a fresh child that shares the graph (the
        # timed runs here leave freed memory that a later child would reuse)
        extras = [_in_child(fn)[1] for _, fn in rows]
        for (label, fn), extra in zip(rows, extras):
            seconds = [_timed(fn) for _ in range(1 if "rdflib" in label else repeat)]
            if label == "N-Triples":
                with open(out / "graph.nt", "rb") as fh:
                    n = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
            results.append((label, seconds, extra))
    print(f"\n### {name}: {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges, "
          f"{n:,} triples\n")
    print(f"load average after: {os.getloadavg()[0]:.2f}; median of {repeat} runs "
          "(one for rdflib); extra RSS from a forked child\n")
    print(f"| {'export':<38} | {'seconds':>8} | {'triples/s':>11} | {'peak extra RSS':>14} | runs (s) |")
    print(f"| {'-' * 38} | {'-' * 7}: | {'-' * 10}: | {'-' * 13}: | -------- |")
    for label, seconds, extra in results:
        median = statistics.median(seconds)
        print(f"| {label:<38} | {median:8.3f} | {n / median:>11,.0f} | {extra / 2**20:>11.0f} MB | "
              + " ".join(f"{s:.3f}" for s in seconds) + " |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--triples", type=int, default=1_000_000,
                        help="size of the synthetic graph (0: none)")
    parser.add_argument("--corpus-copies", type=int, default=0,
                        help="also the graph kg build makes of this many copies of corpus/")
    parser.add_argument("--graph", type=Path, help="also this pickled graph")
    parser.add_argument("--keep-graph", type=Path,
                        help="pickle the --corpus-copies graph here, for --graph next time")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-rdflib", action="store_true", help="skip the slow rdflib writer")
    parser.add_argument("--_build-corpus-graph", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._build_corpus_graph:
        copies, pkl = args._build_corpus_graph
        _build_corpus_graph(int(copies), Path(pkl))
        return 0

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    if args.triples:
        bench(f"synthetic graph (--triples {args.triples:,})", synthetic_graph(args.triples),
              args.repeat, not args.no_rdflib)
    if args.corpus_copies:
        t0 = time.perf_counter()
        graph = corpus_graph(args.corpus_copies)
        print(f"\n(kg build of {args.corpus_copies} copies of corpus/: {time.perf_counter() - t0:.0f} s)")
        if args.keep_graph:
            with open(args.keep_graph, "wb") as fh:
                pickle.dump(graph, fh, protocol=pickle.HIGHEST_PROTOCOL)
        bench(f"{args.corpus_copies} copies of corpus/ (kg build)", graph, args.repeat, not args.no_rdflib)
        del graph
    if args.graph:
        with open(args.graph, "rb") as fh:
            graph = pickle.load(fh)
        bench(str(args.graph), graph, args.repeat, not args.no_rdflib)
    return 0


if __name__ == "__main__":
    sys.exit(main())
