"""The benchmarks measure what they say they measure."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from support import benchmark

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_export_memory_is_what_the_export_allocates_not_what_was_freed_before():
    """export_speed's "peak extra RSS" of a forked child: memory malloc still
    held from objects freed before the fork is no part of it (it was, as the
    child's peak started at the resident memory it was forked with)."""
    script = textwrap.dedent("""
        import sys
        sys.path.insert(0, sys.argv[1])
        import export_speed
        junk = [bytes(4000) for _ in range(60_000)]  # about 240 MB through malloc
        keep = junk[::8]  # every eighth kept: the free pages between them stay with malloc
        del junk
        nothing = export_speed._in_child(lambda: None)[1]
        block = export_speed._in_child(lambda: bytearray(b"x") * (100 << 20))[1]
        print(nothing >> 20, block >> 20)
    """)
    out = subprocess.run([sys.executable, "-c", script, str(ROOT / "benchmarks")],
                         capture_output=True, text=True, check=True).stdout
    nothing, block = map(int, out.split())
    assert nothing < 20
    assert 95 <= block < 130


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="reads /proc/PID/smaps_rollup (Linux)")
def test_tree_memory_counts_a_forked_childs_shared_pages_once():
    """scale.py's "peak PSS all processes": a process and its children summed,
    pages shared after a fork counted once, pages of their own in each."""
    scale = benchmark("scale")

    def peak(code: str) -> int:
        proc = subprocess.Popen([sys.executable, "-c", code])
        sampler = scale.TreeMemory(proc.pid, interval=0.05)
        sampler.start()
        proc.wait()
        return sampler.stop() >> 10  # MB

    # both processes wait until the child is done (the parent reaps it)
    shared = peak("import os, time\nx = bytearray(b'x') * (200 << 20)\n"
                  "if os.fork() == 0:\n    time.sleep(1.0)\n    os._exit(0)\nos.wait()")
    own = peak("import os, time\nchild = os.fork() == 0\nx = bytearray(b'x') * (200 << 20)\n"
               "time.sleep(1.0)\nos._exit(0) if child else os.wait()")
    assert 200 <= shared < 300
    assert 400 <= own < 500


def test_turtle_benchmark_times_both_writers_on_one_graph(capsys):
    """benchmarks/turtle_vs_rdflib.py runs and prints both figures and their ratio."""
    assert benchmark("turtle_vs_rdflib").main(["--triples", "300", "--repeat", "1", "--min-speedup", "0"]) == 0
    out = capsys.readouterr().out
    assert "rdflib serialize(turtle)" in out and "serialize_turtle" in out and "speed-up" in out


def test_long_line_benchmark_builds_each_size(capsys):
    """benchmarks/long_line.py runs kg build on its one-line page and prints its time per size."""
    long_line = benchmark("long_line")
    page = long_line.single_line_page(100_000)
    assert "\n" not in page and len(page.encode("utf-8")) >= 100_000 and long_line.SENTENCE in page
    assert long_line.main(["--sizes", "0.05"]) == 0
    out = capsys.readouterr().out
    assert "s/MiB" in out and "slowest build" in out


def test_the_doc_path_benchmark_runs_the_same_stages_with_a_doc(nlp):
    """benchmarks/doc_path.py's Doc ways make each article's Doc (and its spans) and give
    the build's result: the figures compare one computation done two ways."""
    from kg.corpus import split_articles
    from kg.records import Document
    from kg.run.document import process_document

    doc_path = benchmark("doc_path")
    text = doc_path.WARM_UP + "\n\n" + "平遥县水利局实施柳溪河治理工程。局长王建国到现场检查。"
    doc = Document("t.txt", text, "utf-8", split_articles(text, "t.txt"))
    made = []
    way = doc_path.DocPath(nlp, spans=True)
    make_doc = way.make_doc
    way.make_doc = lambda t: made.append(make_doc(t)) or made[-1]
    assert process_document(doc, nlp=way) == process_document(doc, nlp=nlp)
    assert made and all(d.spans["kg_candidates"] for d in made)
