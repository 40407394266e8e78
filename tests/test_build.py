"""kg.run: documents from bytes, stage timings, and byte-identical builds
whatever the number of workers, the input order or the hash seed."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.corpus import document_from_bytes, read_document as load_document
from kg.run import STAGES
from kg.run.build import BuildSummary, build, iter_results
from kg.run.document import process_document
from kg.errors import InputError

from support import CORPUS, copy_corpus, same_exports


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    """Three seed documents, one GB18030 copy under another name, and a binary file."""
    return copy_corpus(tmp_path_factory.mktemp("corpus"), 3, {
        "gbk_copy.txt": CORPUS[3].read_text(encoding="utf-8").encode("gb18030"),
        "broken.bin": b"\x00\x01\x02binary"})


@pytest.fixture(scope="module")
def serial_build(small_corpus, tmp_path_factory) -> tuple[Path, BuildSummary]:
    out = tmp_path_factory.mktemp("serial")
    return out, build([small_corpus], out, workers=1, on_skip=lambda msg: None)


def test_document_from_bytes_equals_load_document():
    for path in CORPUS:
        assert document_from_bytes(path.read_bytes(), path) == load_document(path)


def test_document_from_bytes_rejects_binary():
    with pytest.raises(InputError, match="x.bin"):
        document_from_bytes(b"\x00\x00abc", "dir/x.bin")


def test_timings_cover_every_stage_and_do_not_change_the_result():
    doc = load_document(CORPUS[0])
    timings: dict[str, float] = {}
    assert process_document(doc, timings=timings) == process_document(doc)
    assert set(timings) == set(STAGES) and all(t >= 0 for t in timings.values())


def test_iter_results_keeps_the_document_text():
    summary = BuildSummary()
    results = list(iter_results(CORPUS[:1], summary))
    assert results[0].document.text == CORPUS[0].read_text(encoding="utf-8")
    assert summary.documents == 1 and summary.articles == len(results[0].document.articles)


def test_serial_build_summary(serial_build):
    _out, summary = serial_build
    assert summary.documents == 4 and summary.cached == 0
    assert len(summary.skipped) == 1 and "broken.bin" in summary.skipped[0]
    assert summary.chars > 0 and summary.entities > 0


def test_two_workers_build_the_same_bytes(small_corpus, serial_build, tmp_path):
    out = tmp_path / "out"
    summary = build([small_corpus], out, workers=2, on_skip=lambda msg: None)
    assert (summary.documents, summary.articles, summary.skipped) == (
        serial_build[1].documents, serial_build[1].articles, serial_build[1].skipped)
    same_exports(serial_build[0], out)


def test_input_order_does_not_matter(small_corpus, serial_build, tmp_path):
    files = sorted(small_corpus.iterdir(), reverse=True)
    out = tmp_path / "out"
    build([str(f) for f in files], out, workers=2, on_skip=lambda msg: None)
    same_exports(serial_build[0], out)


@pytest.mark.slow
@pytest.mark.parametrize("seed", ["1", "4242"])
def test_hash_seed_does_not_matter(small_corpus, serial_build, tmp_path, seed):
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONHASHSEED=seed)
    subprocess.run([sys.executable, "-m", "kg.cli", "build", str(small_corpus), "--out", str(out),
                    "--workers", "2", "--no-cache"], check=True, env=env, cwd=tmp_path, capture_output=True)
    same_exports(serial_build[0], out)


def test_progress_bar_goes_to_stderr(small_corpus, tmp_path, capsys):
    build([small_corpus], tmp_path / "out", progress=True, on_skip=lambda msg: None)
    captured = capsys.readouterr()
    assert "doc/s" in captured.err and "chars/s" in captured.err
    assert "doc/s" not in captured.out


def test_cli_flags(small_corpus, serial_build, tmp_path, capsys):
    from kg.cli import main

    out = tmp_path / "out"
    assert main(["build", str(small_corpus), "--out", str(out), "--workers", "2",
                 "--cache-dir", str(tmp_path / "cache")]) == 0
    same_exports(serial_build[0], out)
    assert main(["build", str(small_corpus), "--out", str(out), "--scheduler", "tcp://127.0.0.1:1"]) == 1
    assert "--scheduler needs --engine dask" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["build", "--workers", "0"])
    assert exc.value.code == 2
