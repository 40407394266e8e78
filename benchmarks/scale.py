"""Scale benchmark: throughput per stage and end to end, peak memory, export speed.

Usage::

    python benchmarks/scale.py [--sizes 1 10 100] [--workers 1 2] [--repeat 3] [--dask] [--memory-mb 100] [--json FILE]

Makes synthetic corpora of 1×, 10× and 100× ``corpus/`` (every file copied
under varied names, in a temporary directory) and measures, in one run:

* **floors**: read + decode + one regular expression over the text
  (``read+regex``), and spaCy ``blank("zh")`` with jieba segmenting the same
  article texts (``spaCy+jieba``), with the project's words in jieba's
  dictionary as in a build;
* **per stage** (in this process, 10× corpus, median of ``--repeat``): reading
  and splitting, normalisation, segmentation (the compiled jieba tokenizer
  making spaCy Docs), candidate names (``kg_candidates``), resolution,
  relations, graph building, and the Turtle export in triples/s;
* **end to end**: ``kg build --no-cache --workers N`` in a fresh process for
  each size and N, wall time including start-up, chars/s, the speed-up over
  one worker, the seconds and triples/s of writing every export, and peak RSS
  of the driver (and its peak before the exports, while it holds the graph)
  and of one worker, and the peak memory of all the build's processes
  together (their proportional set sizes, sampled every 0.2 s:
  :class:`TreeMemory`); checks that every
  N writes the same bytes; then a warm rebuild from the per-document cache
  and, with ``--dask``, ``--engine dask`` on a 2-worker LocalCluster;
* **memory at scale** (``--memory-mb 100``): a corpus of about that many MB
  of files built with the most workers, for the peak RSS target.

The machine's load average is printed with the results: other processes on
a shared machine slow wall-clock figures (per-stage figures use CPU time of
this process and are less sensitive).
"""
from __future__ import annotations

import argparse
import filecmp
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.corpus import is_documentation  # noqa: E402  (the checkout's kg, after the path)

_RSS_WRAPPER = """
import resource, sys, time
import kg.run.build
from kg.cli import main
def peak_kb():
    # VmHWM: ru_maxrss would carry over the peak of the process that started this one
    # (Linux keeps it across exec), here the benchmark holding a loaded pipeline
    try:
        with open("/proc/self/status") as fh:
            return int(next(l for l in fh if l.startswith("VmHWM:")).split()[1])
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
seen = {}
write_exports = kg.run.build.write_exports
def measured(graph, out_dir, *args, **kwargs):  # the driver's peak while it holds the graph, before the exports
    seen["graph"] = peak_kb()
    t0 = time.perf_counter()
    try:
        return write_exports(graph, out_dir, *args, **kwargs)
    finally:
        seen["export"] = time.perf_counter() - t0
kg.run.build.write_exports = measured
rc = main(sys.argv[1:])
me = peak_kb()
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"@@rss {me} {kids} {seen.get('graph', 0)} {seen.get('export', 0.0)}", file=sys.stderr)
sys.exit(rc)
"""


def make_corpus(base: Path, copies: int, name: str | None = None) -> Path:
    """``copies`` copies of every news file of corpus/ under varied names (not its documentation,
    SOURCES.md, which kg build skips and whose characters would inflate chars/s)."""
    out = base / (name or f"corpus_{copies}x")
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(p for p in (ROOT / "corpus").iterdir() if not is_documentation(p.name)):
        data = path.read_bytes()
        for i in range(copies):
            (out / f"{i:05d}_{path.name}").write_bytes(data)
    return out


def corpus_chars(corpus: Path) -> int:
    return sum(len(p.read_text(encoding="utf-8")) for p in corpus.iterdir())


def median_rate(units: float, fn, repeat: int, clock=time.process_time) -> float:
    times = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return units / max(statistics.median(times), 1e-9)


def floors(corpus: Path, repeat: int) -> dict[str, float]:
    import spacy

    from kg.corpus import read_document as load_document
    from kg.corpus import normalize
    from kg.nlp import segmenter
    from kg.nlp.tokenizer import add_project_words

    files = sorted(corpus.iterdir())
    chars = corpus_chars(corpus)
    han = re.compile(r"[\u4e00-\u9fff]+")

    def read_regex():
        for f in files:
            han.findall(f.read_bytes().decode("utf-8"))

    add_project_words("", "")  # the project's words in Python jieba's own dictionary, as a build has them
    segmenter.python_jieba()
    jieba_nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    texts = []
    for f in files:
        doc = load_document(f)
        texts += [normalize(doc.text, a.start, a.end)[0] for a in doc.articles]
    tchars = sum(map(len, texts))

    def jieba_docs():
        for t in texts:
            jieba_nlp.make_doc(t)

    return {"read+regex": median_rate(chars, read_regex, repeat),
            "spaCy+jieba": median_rate(tchars, jieba_docs, repeat)}


def stages(corpus: Path, repeat: int) -> tuple[dict[str, float], dict[str, float]]:
    """chars/s of every stage, and the export figures (triples, triples/s)."""
    from kg.corpus import read_document as load_document
    from kg.run import STAGES
    from kg.run.build import write_exports
    from kg.run.document import process_document
    from kg.run.engine import slim
    from kg.export.quads import iter_quads
    from kg.export.turtle import write_turtle
    from kg.knowledge.gazetteer import load_gazetteer
    from kg.graph import build_graph
    from kg.nlp.pipeline import make_nlp

    nlp = make_nlp()
    files = sorted(corpus.iterdir())
    chars = corpus_chars(corpus)
    divisions = load_gazetteer().divisions
    process_document(load_document(files[0]), nlp)  # warm caches
    runs: dict[str, list[float]] = {s: [] for s in ("read+split", *STAGES, "graph")}
    results = []
    for _ in range(repeat):
        timings: dict[str, float] = {}
        t0 = time.process_time()
        docs = [load_document(f) for f in files]
        runs["read+split"].append(time.process_time() - t0)
        results = [slim(process_document(d, nlp, timings=timings)) for d in docs]
        for s in STAGES:
            runs[s].append(timings[s])
        t0 = time.process_time()
        graph = build_graph(results, divisions)
        runs["graph"].append(time.process_time() - t0)
    rates = {s: chars / max(statistics.median(v), 1e-9) for s, v in runs.items()}
    per_doc = sum(statistics.median(runs[s]) for s in ("read+split", *STAGES, "graph"))
    rates["all stages (1 process)"] = chars / per_doc

    triples = sum(1 for _ in iter_quads(graph))
    with tempfile.TemporaryDirectory() as tmp:
        ttl = median_rate(triples, lambda: write_turtle(graph, Path(tmp) / "g.ttl"), repeat)
        every = median_rate(triples, lambda: write_exports(graph, Path(tmp)), 1)
    return rates, {"triples": triples, "turtle triples/s": ttl, "all exports triples/s": every}


class TreeMemory(threading.Thread):
    """The peak, over samples every ``interval`` seconds, of the memory of a
    process and all its descendants together (Linux).

    Each process counts its proportional set size (``Pss`` of
    ``/proc/PID/smaps_rollup``: a page shared by k processes counts 1/k in
    each), so pages a forked worker shares with the driver count once; where
    ``smaps_rollup`` is missing, its resident set size (which counts shared
    pages in every process).  Sampled, so a peak shorter than the interval
    can be missed; the memory of a build grows and falls over seconds.
    """

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self._done = threading.Event()

    def run(self) -> None:
        while True:
            self.peak_kb = max(self.peak_kb, tree_kb(self.pid))
            if self._done.wait(self.interval):
                return

    def stop(self) -> int:
        """Stop sampling; the peak in kB."""
        self._done.set()
        self.join()
        return self.peak_kb


def _descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    stat = fh.read()
            except OSError:
                continue
            ppid = int(stat[stat.rfind(b")") + 2:].split()[1])  # the field after the state
            parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        kids = parents.get(todo.pop(), [])
        out += kids
        todo += kids
    return out


def _process_kb(pid: int) -> int:
    for path, field in ((f"/proc/{pid}/smaps_rollup", b"Pss:"), (f"/proc/{pid}/status", b"VmRSS:")):
        try:
            with open(path, "rb") as fh:
                for line in fh:
                    if line.startswith(field):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


def tree_kb(pid: int) -> int:
    """The memory of ``pid`` and its descendants now, in kB (see :class:`TreeMemory`)."""
    return sum(_process_kb(p) for p in [pid, *_descendants(pid)])


def kg_build(corpus: Path, out: Path, *extra: str) -> dict[str, float]:
    cmd = [sys.executable, "-c", _RSS_WRAPPER, "build", str(corpus), "--out", str(out), *extra]
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, text=True)
        sampler = TreeMemory(proc.pid)
        sampler.start()
        returncode = proc.wait()
        wall = time.perf_counter() - t0
        tree = sampler.stop()
        err.seek(0)
        stderr = err.read()
    if returncode != 0:
        raise SystemExit(f"kg build failed:\n{stderr}")
    me, kids, graph, export = re.search(r"@@rss (\d+) (\d+) (\d+) ([0-9.]+)", stderr).groups()
    with open(out / "graph.nt", "rb") as fh:  # N-Triples: one line per triple
        triples = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    return {"wall": wall, "rss_main_mb": int(me) / 1024, "rss_worker_mb": int(kids) / 1024,
            "rss_graph_mb": int(graph) / 1024, "export_s": float(export), "triples": triples,
            "tree_mb": tree / 1024}


def same_output(a: Path, b: Path) -> bool:
    names = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    differ = [str(n) for n in names if not filecmp.cmp(a / n, b / n, shallow=False)]
    if differ:
        print(f"{b.name} differs from {a.name}: {', '.join(differ)}", file=sys.stderr)
    return not differ


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dask", action="store_true", help="also time --engine dask on the largest corpus")
    ap.add_argument("--memory-mb", type=float, default=0,
                    help="also build a corpus of about this many MB of files with the most workers "
                         "(peak memory at scale; 100 for the 100 MB target)")
    ap.add_argument("--json", help="write the figures to this file too")
    args = ap.parse_args(argv)

    report: dict = {"load_before": os.getloadavg(), "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="kg-scale-") as tmp:
        base = Path(tmp)
        corpora = {k: make_corpus(base, k) for k in args.sizes}
        ref = corpora[10] if 10 in corpora else corpora[max(corpora)]
        report["floors"] = floors(ref, args.repeat)
        report["stages"], report["export"] = stages(ref, args.repeat)

        e2e = []
        for k, corpus in corpora.items():
            chars = corpus_chars(corpus)
            outs = {}
            for n in args.workers:
                outs[n] = base / f"out_{k}_{n}"
                m = kg_build(corpus, outs[n], "--no-cache", "--workers", str(n))
                e2e.append({"size": k, "chars": chars, "workers": n, "engine": "local", **m,
                            "chars_per_s": chars / m["wall"]})
            first = outs[args.workers[0]]
            e2e[-1]["same_bytes_as_1_worker"] = all(same_output(first, o) for o in outs.values())
        biggest = max(corpora)
        chars = corpus_chars(corpora[biggest])
        cache = base / "cache"
        kg_build(corpora[biggest], base / "fill", "--cache-dir", str(cache))
        m = kg_build(corpora[biggest], base / "warm", "--cache-dir", str(cache))
        e2e.append({"size": biggest, "chars": chars, "workers": 1, "engine": "local, warm cache", **m,
                    "chars_per_s": chars / m["wall"],
                    "same_bytes_as_1_worker": same_output(base / f"out_{biggest}_{args.workers[0]}", base / "warm")})
        if args.dask:
            m = kg_build(corpora[biggest], base / "dask", "--no-cache", "--engine", "dask", "--workers", "2")
            e2e.append({"size": biggest, "chars": chars, "workers": 2, "engine": "dask LocalCluster", **m,
                        "chars_per_s": chars / m["wall"],
                        "same_bytes_as_1_worker": same_output(base / f"out_{biggest}_{args.workers[0]}",
                                                              base / "dask")})
        if args.memory_mb:
            size = sum(p.stat().st_size for p in (ROOT / "corpus").iterdir() if not is_documentation(p.name))
            copies = max(1, round(args.memory_mb * 1e6 / size))
            corpus = make_corpus(base, copies)
            chars = corpus_chars(corpus)
            n = max(args.workers)
            m = kg_build(corpus, base / "memory", "--no-cache", "--workers", str(n))
            e2e.append({"size": copies, "chars": chars, "workers": n, "engine": f"local, {copies * size / 1e6:.0f} MB",
                        **m, "chars_per_s": chars / m["wall"]})
            shutil.rmtree(corpus)
        report["end_to_end"] = e2e
    report["load_after"] = os.getloadavg()

    print(format_report(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


def format_report(r: dict) -> str:
    f = r["floors"]
    lines = [f"machine: {r['cpus']} CPUs; load average before {r['load_before'][0]:.1f}, "
             f"after {r['load_after'][0]:.1f}", "",
             "| stage (10× corpus, 1 process, CPU time) | chars/s |", "| --- | ---: |"]
    lines += [f"| floor: read + regex | {f['read+regex']:,.0f} |",
              f"| floor: spaCy blank zh + jieba segmentation | {f['spaCy+jieba']:,.0f} |"]
    lines += [f"| {name} | {rate:,.0f} |" for name, rate in r["stages"].items()]
    x = r["export"]
    lines += ["", f"export: {x['triples']:,} triples; Turtle {x['turtle triples/s']:,.0f} triples/s; "
                  f"all exports {x['all exports triples/s']:,.0f} triples/s", "",
              "| corpus | chars | engine | workers | wall s | chars/s | speed-up | × spaCy+jieba | "
              "× read+regex | export s (triples/s) | peak RSS driver MB (before exports) | peak RSS worker MB | "
              "peak PSS all processes MB | same bytes |",
              "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    one = {row["size"]: row["chars_per_s"] for row in r["end_to_end"] if row["workers"] == 1
           and row["engine"] == "local"}
    for row in r["end_to_end"]:
        speedup = f"{row['chars_per_s'] / one[row['size']]:.2f}×" if row["size"] in one else "–"
        worker = f"{row['rss_worker_mb']:,.0f}" if row["rss_worker_mb"] else "–"  # (no worker process)
        same = row.get("same_bytes_as_1_worker")
        lines.append(
            f"| {row['size']}× | {row['chars']:,} | {row['engine']} | {row['workers']} | {row['wall']:.1f} | "
            f"{row['chars_per_s']:,.0f} | {speedup} | {row['chars_per_s'] / f['spaCy+jieba']:.2f} | "
            f"{row['chars_per_s'] / f['read+regex']:.4f} | "
            f"{row['export_s']:.1f} ({row['triples'] / max(row['export_s'], 1e-9):,.0f}) | "
            f"{row['rss_main_mb']:,.0f} ({row['rss_graph_mb']:,.0f}) | "
            f"{worker} | {row['tree_mb']:,.0f} | {'' if same is None else ('yes' if same else 'NO')} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
