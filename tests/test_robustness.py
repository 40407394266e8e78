"""Bad input end to end: the build never crashes on a file and never loses work.

* bad files: readable ones are processed (encoding detected), unreadable ones
  are named in one ``skipped X: reason`` line each, the summary counts them,
  ``--strict`` turns a skip into a non-zero exit, and there is never a
  traceback;
* bad options: one ``error: …`` line and a non-zero exit;
* determinism: byte-identical exports across runs, ``PYTHONHASHSEED``,
  worker counts and the order of the inputs.
"""
from __future__ import annotations

import contextlib
import io
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import DCTERMS, RDF, RDFS

import kg.run.build
import kg.run.document
from kg.cli import main
from kg.corpus import read_document
from kg.ids import KG_NS

from support import benchmark

ROOT = Path(__file__).resolve().parents[1]
KG = Namespace(KG_NS)
PROV = Namespace("http://www.w3.org/ns/prov#")

NEWS = """左权县召开新闻发布会

本报讯 近日，左权县交通运输管理局实施左权县西关街提质改造工程。该局负责人张建国表示，工程年内完工。

(李明)
"""
# The same page in traditional characters (as a Taiwan or Hong Kong site would print it).
NEWS_TRADITIONAL = """左權縣召開新聞發布會

本報訊 近日，左權縣交通運輸管理局實施左權縣西關街提質改造工程。該局負責人張建國表示，工程年內完工。

(李明)
"""
# Half- and full-width punctuation mixed as scraped pages have them.
NEWS_MIXED = ("晋城市水利局推进丹河治理\r\n\r\n本报讯(记者 王芳)近日,晋城市水利局实施晋城市丹河治理工程;"
              "总投资3亿元.该局局长赵强说:\"年底完工!\"项目由晋城市水利局承担，位于晋城市。\r\n")
AGENCY = "左权县交通运输管理局"
PROJECT = "左权县西关街提质改造工程"

# Files that are text: processed.  name -> bytes
READABLE = {
    "gbk.txt": NEWS.encode("gbk"),
    "gb18030.txt": (NEWS + "生僻字𠀀𪚥。\n").encode("gb18030"),
    "utf16le_bom.txt": b"\xff\xfe" + NEWS.encode("utf-16-le"),
    "utf16be_bom.txt": b"\xfe\xff" + NEWS.encode("utf-16-be"),
    "utf8_bom.txt": b"\xef\xbb\xbf" + NEWS.replace("\n", "\r\n").encode("utf-8"),
    "traditional_utf8.txt": NEWS_TRADITIONAL.encode("utf-8"),
    "traditional_big5.txt": NEWS_TRADITIONAL.encode("big5"),
    "mixed_width.txt": NEWS_MIXED.encode("utf-8"),
    "not_news.py": b"import os\n\nprint('hello, world')\n" * 40,
    "not_news.csv": "名称,数量\n左权,1\n\"a,b\",2\n".encode("utf-8") * 20,
    "not_news.html": b"<html><script>alert(1)</script><p onerror=x>text</p></html>\n",
    "one_character.txt": "县".encode("utf-8"),
}
# Files that are not: skipped.  name -> (bytes, reason as it appears after "skipped <path>: ")
UNREADABLE = {
    "empty.txt": (b"", "empty file"),
    "blank.txt": (" \r\n\t\u3000\n".encode("utf-8"), "empty file"),
    "bom_only.txt": (b"\xef\xbb\xbf", "empty file"),
    "image.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "not text (binary)"),
    "archive.gz": (b"\x1f\x8b\x08\x00" + bytes(random.Random(7).randrange(256) for _ in range(4000)),
                   "not text (binary)"),
    "utf16_without_bom.txt": (NEWS.encode("utf-16-le"), "not text (binary)"),
    "controls.txt": (bytes(range(1, 9)) * 50 + b"abc", "not text (binary)"),
    "undecodable.txt": (b"\x80\x80 \xff\xfe\xfd", "not text (undecodable as UTF-8, UTF-16, GB18030 or Big5)"),
    "truncated_utf16.txt": (b"\xff\xfe" + NEWS.encode("utf-16-le")[:-1], "not text (undecodable as UTF-16-LE"),
}


def run_cli(*args: str) -> tuple[int, str, str]:
    """``kg …`` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def kg_subprocess(*args: str, env: dict[str, str] | None = None, timeout: float = 300,
                  preexec: list[str] | None = None) -> subprocess.CompletedProcess:
    cmd = [*(preexec or []), sys.executable, "-m", "kg.cli", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))


def _assert_one_line_error(code: int, err: str, *needles: str) -> None:
    assert code != 0
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {err!r}"
    assert lines[0].startswith("error: "), lines[0]
    assert "kg kg" not in lines[0]  # the help hint names a real command
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def _skip_lines(err: str) -> dict[str, str]:
    """``{path: reason}`` of the ``skipped <path>: <reason>`` lines; every stderr line must be one."""
    assert "Traceback" not in err
    out = {}
    for line in err.strip().splitlines():
        m = re.fullmatch(r"skipped (.+?): (.+)", line)
        assert m, f"unexpected stderr line {line!r}"
        assert m[1] not in out, f"{m[1]} reported twice"
        out[m[1]] = m[2]
    return out


def _sources(ttl: Path) -> dict[str, list]:
    """dcterms:source file name -> its article nodes, from a Turtle export."""
    g = Graph().parse(ttl)
    out: dict[str, list] = {}
    for art, src in g.subject_objects(DCTERMS.source):
        out.setdefault(str(src), []).append(art)
    return out


def _check_evidence(g: Graph, texts: dict[str, str]) -> int:
    """Every reified statement's offsets cut its evidence out of the decoded source file."""
    n = 0
    for s in g.subjects(RDF.type, RDF.Statement):
        article = g.value(s, PROV.wasDerivedFrom)
        source = str(g.value(article, DCTERMS.source))
        start, end = int(g.value(s, KG.start)), int(g.value(s, KG.end))
        text = texts[source]
        assert 0 <= start < end <= len(text)
        assert text[start:end] == str(g.value(s, KG.evidence)), (source, start, end)
        n += 1
    return n


# --------------------------------------------------------------------------
# Bad files


@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("bad") / "corpus"
    corpus.mkdir()
    for name, data in READABLE.items():
        (corpus / name).write_bytes(data)
    for name, (data, _) in UNREADABLE.items():
        (corpus / name).write_bytes(data)
    # a directory whose name looks like a file: its files are corpus files
    (corpus / "folder.txt").mkdir()
    (corpus / "folder.txt" / "inner.txt").write_text(NEWS.replace("李明", "王强"), encoding="utf-8")
    # hidden files and folders are not corpus files
    (corpus / ".hidden.txt").write_bytes(b"\x00\x01")
    (corpus / ".git").mkdir()
    (corpus / ".git" / "HEAD").write_bytes(b"\x00ref")
    return corpus


@pytest.fixture(scope="module")
def bad_build(bad_corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("bad_out")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KG_CACHE_DIR", str(out / "cache"))
        code, stdout, stderr = run_cli("build", bad_corpus, "--out", out / "exports")
    return code, stdout, stderr, out / "exports"


def test_unreadable_files_are_named_once_each_with_their_reason(bad_corpus, bad_build):
    code, stdout, stderr, _ = bad_build
    assert code == 0
    skipped = _skip_lines(stderr)
    assert set(skipped) == {str(bad_corpus / name) for name in UNREADABLE}
    for name, (_, reason) in UNREADABLE.items():
        assert skipped[str(bad_corpus / name)].startswith(reason), name
    # the summary counts them
    assert re.search(rf"\bskipped {len(UNREADABLE)}\b", stdout), stdout
    assert re.search(rf"\bbuilt {len(READABLE) + 1} documents\b", stdout), stdout


def test_readable_files_are_all_processed(bad_build):
    *_, out = bad_build
    sources = _sources(out / "graph.ttl")
    # dcterms:source is the path relative to the corpus folder (DESIGN.md; issue 17 item 7)
    assert set(sources) == set(READABLE) | {"folder.txt/inner.txt"}


@pytest.mark.parametrize("name", ["gbk.txt", "gb18030.txt", "utf16le_bom.txt", "utf16be_bom.txt",
                                  "utf8_bom.txt", "folder.txt/inner.txt", "traditional_utf8.txt",
                                  "traditional_big5.txt"])
def test_news_in_every_encoding_yields_its_entities(bad_build, name):
    """Traditional characters are tagged in simplified form: the same entities as the simplified page."""
    *_, out = bad_build
    g = Graph().parse(out / "graph.ttl")
    articles = {a for a, src in g.subject_objects(DCTERMS.source) if str(src) == name}
    assert articles
    for label in (AGENCY, PROJECT, "左权县"):
        node = next(g.subjects(RDFS.label, Literal(label, lang="zh")))
        assert articles & set(g.objects(node, KG.mentionedIn)), f"{label} not found in {name}"


def test_evidence_offsets_index_the_decoded_files(bad_corpus, bad_build):
    *_, out = bad_build
    texts = {p.relative_to(bad_corpus).as_posix(): read_document(p).text for p in bad_corpus.rglob("*")
             if p.is_file() and p.name in READABLE or p.name == "inner.txt"}
    g = Graph().parse(out / "graph.ttl")
    assert _check_evidence(g, texts) >= 10
    # traditional pages keep their own characters in the evidence
    evidence = {str(o) for o in g.objects(None, KG.evidence)}
    assert any("左權縣交通運輸管理局" in e for e in evidence)


def test_encodings_are_detected(bad_corpus):
    expected = {"gbk.txt": "gb18030", "gb18030.txt": "gb18030", "utf16le_bom.txt": "utf-16-le",
                "utf16be_bom.txt": "utf-16-be", "utf8_bom.txt": "utf-8-sig",
                "traditional_utf8.txt": "utf-8", "traditional_big5.txt": "big5"}
    for name, encoding in expected.items():
        doc = read_document(bad_corpus / name)
        assert doc.encoding == encoding, name
        assert doc.text.replace("\r\n", "\n").startswith(NEWS_TRADITIONAL[:4] if "trad" in name else NEWS[:4])


def test_mixed_width_punctuation_is_processed(bad_build):
    *_, out = bad_build
    g = Graph().parse(out / "graph.ttl")
    labels = {str(o) for o in g.objects(None, RDFS.label)}
    assert {"晋城市水利局", "晋城市丹河治理工程"} <= labels


def test_strict_turns_skips_into_a_non_zero_exit(bad_corpus, tmp_path):
    code, stdout, stderr = run_cli("build", bad_corpus, "--out", tmp_path / "o", "--strict")
    assert code != 0
    assert len(_skip_lines(stderr)) == len(UNREADABLE)
    assert (tmp_path / "o" / "graph.ttl").exists()  # the build itself finished
    good = tmp_path / "good"
    good.mkdir()
    (good / "a.txt").write_bytes(READABLE["gbk.txt"])
    assert run_cli("build", good, "--out", tmp_path / "o2", "--strict")[0] == 0


def test_special_files_never_block_or_crash(tmp_path):
    """FIFOs (in a folder and named), broken links, sockets are skipped in one line each."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(NEWS, encoding="utf-8")
    os.mkfifo(corpus / "pipe_in_folder")
    os.mkfifo(tmp_path / "named_pipe.txt")
    (corpus / "broken_link.txt").symlink_to(tmp_path / "nowhere.txt")
    (corpus / "loop").mkdir()
    (corpus / "loop" / "up").symlink_to(corpus, target_is_directory=True)  # not followed
    run = kg_subprocess("build", corpus, tmp_path / "named_pipe.txt", "--out", tmp_path / "o",
                        env=dict(os.environ), timeout=240)
    assert run.returncode == 0, run.stderr
    skipped = _skip_lines(run.stderr)
    assert skipped == {
        str(corpus / "pipe_in_folder"): "not a regular file (a FIFO)",
        str(tmp_path / "named_pipe.txt"): "not a regular file (a FIFO)",
        str(corpus / "broken_link.txt"): "cannot read (broken symbolic link)",
    }
    assert "built 1 documents" in run.stdout


def _without_read_permission() -> list[str] | None:
    """A command prefix under which file permissions apply (root bypasses them)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    probe = subprocess.run([setpriv, "--bounding-set=-dac_override,-dac_read_search", "true"],
                           capture_output=True)
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"] if probe.returncode == 0 else None


def test_permission_denied_file_and_output_directory(tmp_path):
    prefix = _without_read_permission()
    if prefix is None:
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(NEWS, encoding="utf-8")
    secret = corpus / "secret.txt"
    secret.write_text(NEWS, encoding="utf-8")
    secret.chmod(0)
    env = dict(os.environ, KG_CACHE_DIR=str(tmp_path / "cache"))
    run = kg_subprocess("build", corpus, "--out", tmp_path / "o", env=env, preexec=prefix)
    assert run.returncode == 0, run.stderr
    assert _skip_lines(run.stderr) == {str(secret): "cannot read (Permission denied)"}

    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    run = kg_subprocess("build", corpus, "--out", locked / "exports", env=env, preexec=prefix)
    _assert_one_line_error(run.returncode, run.stderr, str(locked / "exports"), "not writable")
    locked.chmod(0o755)


def test_a_file_that_vanishes_mid_run_is_skipped(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a.txt", "b.txt"):
        (corpus / name).write_text(NEWS, encoding="utf-8")
    listed = kg.run.build.list_corpus

    def list_then_delete(paths, on_skip=None):
        files = listed(paths, on_skip)
        (corpus / "a.txt").unlink()  # gone after it was listed
        return files

    monkeypatch.setattr(kg.run.build, "list_corpus", list_then_delete)
    code, stdout, stderr = run_cli("build", corpus, "--out", tmp_path / "o")
    assert code == 0
    assert _skip_lines(stderr) == {str(corpus / "a.txt"): "cannot read (no such file)"}
    assert "built 1 documents" in stdout


def test_a_document_the_pipeline_fails_on_is_skipped(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(NEWS, encoding="utf-8")
    (corpus / "b.txt").write_text(NEWS.replace("李明", "王强"), encoding="utf-8")
    real = kg.run.document.process_document

    def flaky(doc, *args, **kwargs):
        if doc.source == "a.txt":
            raise ValueError("a bug\nover two lines")
        return real(doc, *args, **kwargs)

    monkeypatch.setattr(kg.run.document, "process_document", flaky)
    code, stdout, stderr = run_cli("build", corpus, "--out", tmp_path / "o")
    assert code == 0
    reason = _skip_lines(stderr)[str(corpus / "a.txt")]
    assert "ValueError: a bug over two lines" in reason
    assert "built 1 documents" in stdout and "skipped 1" in stdout


def test_files_with_the_same_name_in_two_folders(tmp_path):
    """Paths in the corpus folder identify articles (issue 17 item 7): both page1.txt are built, apart."""
    corpus = tmp_path / "corpus"
    for day in ("2024-01-01", "2024-01-02"):
        (corpus / day).mkdir(parents=True)
    (corpus / "2024-01-01" / "page1.txt").write_text(NEWS, encoding="utf-8")
    (corpus / "2024-01-02" / "page1.txt").write_text(NEWS_MIXED, encoding="utf-8")
    code, stdout, stderr = run_cli("build", corpus, "--out", tmp_path / "o", "--strict")
    assert code == 0 and stderr == "" and "built 2 documents" in stdout
    g = Graph().parse(tmp_path / "o" / "graph.ttl")
    sources = {str(g.value(a, DCTERMS.source)): str(a) for a in g.subjects(RDF.type, KG.Article)}
    assert set(sources) == {"2024-01-01/page1.txt", "2024-01-02/page1.txt"}
    assert sources["2024-01-01/page1.txt"].endswith("/article/2024-01-01~page1-1")
    assert sources["2024-01-02/page1.txt"].endswith("/article/2024-01-02~page1-1")
    labels = {str(o) for o in g.objects(None, RDFS.label)}
    assert AGENCY in labels and "晋城市水利局" in labels  # each file's own facts


def test_the_same_path_in_two_corpus_folders_is_skipped_once(tmp_path):
    """Two corpus folders given together, each with page1.txt at its root: one source, the second skipped."""
    for day, text in (("a", NEWS), ("b", NEWS_MIXED)):
        (tmp_path / day).mkdir()
        (tmp_path / day / "page1.txt").write_text(text, encoding="utf-8")
    code, stdout, stderr = run_cli("build", tmp_path / "a", tmp_path / "b", "--out", tmp_path / "o")
    assert code == 0
    (reason,) = _skip_lines(stderr).values()
    assert "same path in its corpus folder (page1.txt)" in reason and str(tmp_path / "a") in reason
    assert "built 1 documents" in stdout


@pytest.mark.parametrize("command", ["review", "html"])
def test_review_and_html_build_files_with_the_same_name_too(tmp_path, command):
    corpus = tmp_path / "corpus"
    for day in ("2024-01-01", "2024-01-02"):
        (corpus / day).mkdir(parents=True)
    (corpus / "2024-01-01" / "page1.txt").write_text(NEWS, encoding="utf-8")
    (corpus / "2024-01-02" / "page1.txt").write_text(NEWS_MIXED, encoding="utf-8")
    args = ("review", corpus, "--out", tmp_path / "r") if command == "review" else (
        "html", "--corpus", corpus, "--articles", "--out", tmp_path / "g.html")
    code, stdout, stderr = run_cli(*args)
    assert code == 0 and stderr == ""
    if command == "review":
        assert "skipped 0" in stdout
        assert {"2024-01-01~page1-1.html", "2024-01-02~page1-1.html"} <= {p.name for p in (tmp_path / "r").iterdir()}
    else:
        page = (tmp_path / "g.html").read_text(encoding="utf-8")
        assert "2024-01-01/page1.txt" in page and "2024-01-02/page1.txt" in page


def test_exports_inside_the_corpus_are_not_read_back(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(NEWS, encoding="utf-8")
    out = corpus / "exports"
    code, stdout, stderr = run_cli("build", corpus, "--out", out)
    assert code == 0 and "built 1 documents" in stdout
    first = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    code, stdout, stderr = run_cli("build", corpus, "--out", out)
    assert code == 0 and "built 1 documents" in stdout and not stderr.strip()
    assert {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()} == first


def test_empty_corpus_is_an_error_and_keeps_previous_exports(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(NEWS, encoding="utf-8")
    out = tmp_path / "o"
    assert run_cli("build", corpus, "--out", out)[0] == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    (corpus / "a.txt").unlink()
    (corpus / ".DS_Store").write_bytes(b"\x00")
    code, _, err = run_cli("build", corpus, "--out", out)
    _assert_one_line_error(code, err, str(corpus), "no corpus files")

    (corpus / "a.txt").write_bytes(b"")  # only unreadable files: nothing to build
    code, _, err = run_cli("build", corpus, "--out", out)
    assert code != 0
    lines = err.strip().splitlines()
    assert lines[0] == f"skipped {corpus / 'a.txt'}: empty file"
    assert len(lines) == 2 and lines[1].startswith("error: no readable corpus file")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


# --------------------------------------------------------------------------
# A 20 MB line


@pytest.mark.slow
def test_a_single_20_mb_line_is_processed(tmp_path):
    """A page without any line break: processed in pieces, offsets exact.

    Base64 junk with a news sentence every 30,000 characters: the sentence
    must be found in every piece of the line, far from its start.  Its time
    against the size (linear): ``benchmarks/long_line.py``.
    """
    sentence = "左权县交通运输管理局实施左权县西关街提质改造工程。"
    line = benchmark("long_line").single_line_page(20 * 2**20, sentence)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "huge.txt").write_text(line, encoding="utf-8")
    assert "\n" not in line and (corpus / "huge.txt").stat().st_size >= 20 * 2**20
    run = kg_subprocess("build", corpus, "--out", tmp_path / "o",
                        env=dict(os.environ, KG_CACHE_DIR=str(tmp_path / "cache")), timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    g = Graph().parse(tmp_path / "o" / "graph.ttl")
    evidence = [(int(g.value(s, KG.start)), int(g.value(s, KG.end)), str(g.value(s, KG.evidence)))
                for s in g.subjects(RDF.type, RDF.Statement)]
    assert evidence
    for start, end, text in evidence:
        assert line[start:end] == text
    # found all along the line, not only in its first pieces
    assert max(start for start, _, _ in evidence) > len(line) * 0.9


# --------------------------------------------------------------------------
# Bad options


def _graph(tmp_path: Path) -> Path:
    ttl = tmp_path / "graph.ttl"
    ttl.write_text("@prefix kg: <https://w3id.org/shanxi-kg/ontology#> .\n", encoding="utf-8")
    return ttl


BAD_OPTIONS = {
    "missing corpus": (["build", "{tmp}/nope", "--out", "{tmp}/o"], ["nope", "no such file"]),
    "one of two corpus paths missing": (["build", "{tmp}/corpus", "{tmp}/nope", "--out", "{tmp}/o"], ["nope"]),
    "out is a file": (["build", "{tmp}/corpus", "--out", "{tmp}/corpus/a.txt"], ["a.txt", "directory"]),
    "out under a file": (["build", "{tmp}/corpus", "--out", "{tmp}/corpus/a.txt/sub"], ["sub", "not writable"]),
    "out on a read-only file system": (["build", "{tmp}/corpus", "--out", "/proc/kg-exports"], ["/proc/kg-exports"]),
    "workers 0": (["build", "{tmp}/corpus", "--workers", "0"], ["--workers"]),
    "unknown option": (["build", "--frobnicate"], ["--frobnicate"]),
    "gold missing": (["eval", "--gold", "{tmp}/nope.jsonl", "--graph", "{graph}"], ["nope.jsonl"]),
    "gold not json": (["eval", "--gold", "{tmp}/corpus/a.txt", "--graph", "{graph}"], ["a.txt:1"]),
    "gold binary": (["eval", "--gold", "{tmp}/bin.jsonl", "--graph", "{graph}"], ["bin.jsonl"]),
    "gold record incomplete": (["eval", "--gold", "{tmp}/partial.jsonl", "--graph", "{graph}"],
                               ["partial.jsonl:2"]),
    "gold is a directory": (["eval", "--gold", "{tmp}/corpus", "--graph", "{graph}"], ["corpus"]),
    "graph missing": (["eval", "--gold", "{tmp}/ok.jsonl", "--graph", "{tmp}/nope.ttl"], ["nope.ttl"]),
    "graph malformed": (["eval", "--gold", "{tmp}/ok.jsonl", "--graph", "{tmp}/bad.ttl"], ["bad.ttl"]),
    "query malformed": (["query", "SELECT ?x WHERE { ?x", "--graph", "{graph}"], ["query"]),
    "query injection": (["query", "'); DROP TABLE x; --", "--graph", "{graph}"], []),
    "query file missing": (["query", "{tmp}/nope.rq", "--graph", "{graph}"], ["nope.rq"]),
    "query file binary": (["query", "{tmp}/bin.rq", "--graph", "{graph}"], ["bin.rq"]),
    "query graph missing": (["query", "SELECT * WHERE { ?s ?p ?o }", "--graph", "{tmp}/nope.ttl"], ["nope.ttl"]),
    "query graph malformed": (["query", "SELECT * WHERE { ?s ?p ?o }", "--graph", "{tmp}/bad.ttl"], ["bad.ttl"]),
}


@pytest.mark.parametrize("case", list(BAD_OPTIONS))
def test_bad_options_fail_with_one_line(tmp_path, case):
    args, needles = BAD_OPTIONS[case]
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text(NEWS, encoding="utf-8")
    (tmp_path / "bin.jsonl").write_bytes(b"\xff\xfe\x00\x01garbage")
    (tmp_path / "bin.rq").write_bytes(b"\xff\xfe\x00\x01garbage")
    (tmp_path / "ok.jsonl").write_text('{"doc": "a.txt", "city": "晋中市", "entities": [], '
                                       '"relations": [], "attributes": []}\n', encoding="utf-8")
    (tmp_path / "partial.jsonl").write_text((tmp_path / "ok.jsonl").read_text(encoding="utf-8")
                                            + '{"doc": "b.txt"}\n', encoding="utf-8")
    (tmp_path / "bad.ttl").write_text('<a> <b> "unterminated .\n', encoding="utf-8")
    graph = _graph(tmp_path)
    argv = [a.replace("{tmp}", str(tmp_path)).replace("{graph}", str(graph)) for a in args]
    code, _, err = run_cli(*argv)
    _assert_one_line_error(code, err, *needles)
    if args[0] == "build":
        assert not (tmp_path / "o").exists()  # nothing created for a build that cannot run


# --------------------------------------------------------------------------
# Determinism


def _tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


@pytest.mark.slow
def test_exports_are_byte_identical_across_runs_seeds_workers_and_input_order(tmp_path):
    files = {p.name: p.read_bytes() for p in sorted((ROOT / "corpus").glob("*.txt"))}
    files.update({"gbk.txt": READABLE["gbk.txt"], "traditional_big5.txt": READABLE["traditional_big5.txt"],
                  "mixed_width.txt": READABLE["mixed_width.txt"], "empty.txt": b""})
    forward, backward = tmp_path / "forward", tmp_path / "backward"
    for folder, names in ((forward, sorted(files)), (backward, sorted(files, reverse=True))):
        folder.mkdir()
        for name in names:  # created in opposite orders: directory listings differ
            (folder / name).write_bytes(files[name])

    def build(out: str, args: list[str], seed: str) -> dict[str, bytes]:
        env = dict(os.environ, PYTHONHASHSEED=seed, KG_CACHE_DIR=str(tmp_path / f"cache-{out}"))
        run = kg_subprocess("build", *args, "--out", tmp_path / out, env=env)
        assert run.returncode == 0, run.stderr
        return _tree(tmp_path / out)

    reference = build("a", [str(forward)], "0")
    assert "graph.ttl" in reference and len(reference) >= 2
    assert build("b", [str(forward)], "0") == reference, "two identical runs differ"
    reversed_files = [str(backward / n) for n in sorted(files, reverse=True)]
    assert build("c", reversed_files, "4242") == reference, "input order or hash seed changes the exports"
    assert build("d", [str(backward), "--workers", "2"], "1") == reference, \
        "two workers give other exports than one"
