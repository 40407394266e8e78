"""kg.run.cache: incremental builds equal full rebuilds; a stale cache is never read."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import kg.run.engine
from kg.run.build import build
from kg.run.cache import DocCache, default_cache_dir, pipeline_fingerprint
from kg.records import Document, DocResult

from support import CORPUS, ROOT, same_exports


@pytest.fixture
def counted(monkeypatch) -> list[str]:
    """Paths of the documents the engine actually processes."""
    seen: list[str] = []
    run = kg.run.engine.run_task

    def counting(task):
        seen.append(Path(task.path).name)
        return run(task)

    monkeypatch.setattr(kg.run.engine, "run_task", counting)
    return seen


def quiet(msg: str) -> None:
    pass


def test_adding_documents_processes_only_those(tmp_path, counted):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    for path in CORPUS[:2]:
        shutil.copy(path, corpus / path.name)
    first = build([corpus], tmp_path / "a", cache=True, cache_dir=cache)
    assert first.cached == 0 and sorted(counted) == [p.name for p in CORPUS[:2]]

    counted.clear()
    shutil.copy(CORPUS[2], corpus / CORPUS[2].name)
    second = build([corpus], tmp_path / "b", cache=True, cache_dir=cache)
    assert counted == [CORPUS[2].name]
    assert second.cached == 2 and second.documents == 3
    assert second.chars == sum(len(p.read_text(encoding="utf-8")) for p in CORPUS[:3])

    # identical to a full rebuild without any cache
    build([corpus], tmp_path / "full", cache=False)
    same_exports(tmp_path / "full", tmp_path / "b")

    counted.clear()
    third = build([corpus], tmp_path / "c", cache=True, cache_dir=cache)
    assert counted == [] and third.cached == 3
    same_exports(tmp_path / "full", tmp_path / "c")


def test_changed_or_renamed_document_is_processed_again(tmp_path, counted):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    (corpus / "a.txt").write_text(CORPUS[0].read_text(encoding="utf-8"), encoding="utf-8")
    build([corpus], tmp_path / "a", cache=True, cache_dir=cache)
    counted.clear()
    (corpus / "a.txt").write_text(CORPUS[1].read_text(encoding="utf-8"), encoding="utf-8")
    build([corpus], tmp_path / "b", cache=True, cache_dir=cache)
    assert counted == ["a.txt"]
    counted.clear()
    (corpus / "a.txt").rename(corpus / "b.txt")  # the name is part of the result (article ids)
    build([corpus], tmp_path / "c", cache=True, cache_dir=cache)
    assert counted == ["b.txt"]
    build([corpus], tmp_path / "full")
    same_exports(tmp_path / "full", tmp_path / "c")


def test_stale_entries_are_never_read(tmp_path):
    """A different pipeline (rules, data, code, version) has another fingerprint."""
    old = DocCache(tmp_path, fingerprint="0" * 64)
    new = DocCache(tmp_path)
    assert new.fingerprint == pipeline_fingerprint() != old.fingerprint
    stale = DocResult(Document("a.txt", "", "utf-8"))
    old.put(old.key("a.txt", b"x"), stale, 1)
    assert old.get(old.key("a.txt", b"x")) == (stale, 1)
    assert new.key("a.txt", b"x") != old.key("a.txt", b"x")
    assert new.get(new.key("a.txt", b"x")) is None


def test_fingerprint_covers_the_ontology_data():
    import kg.run.cache

    assert any((ROOT / "ontology").rglob("*.toml"))
    pipeline_fingerprint.cache_clear()
    try:
        before = pipeline_fingerprint()
        original = kg.run.cache.ONTOLOGY_DIR
        kg.run.cache.ONTOLOGY_DIR = ROOT / "tests"  # any other data gives another fingerprint
        pipeline_fingerprint.cache_clear()
        assert pipeline_fingerprint() != before
    finally:
        kg.run.cache.ONTOLOGY_DIR = original
        pipeline_fingerprint.cache_clear()


def test_corrupt_entries_are_misses(tmp_path):
    """A corrupt entry is a miss, named in one message and removed (issue 16 item 4)."""
    said: list[str] = []
    cache = DocCache(tmp_path, on_corrupt=said.append)
    key = cache.key("a.txt", b"x")
    cache.put(key, DocResult(Document("a.txt", "", "utf-8")), 1)
    path = next(tmp_path.rglob(f"{key}.pkl"))
    good = path.read_bytes()
    path.write_bytes(good[:-5])
    assert cache.get(key, label="processing a.txt again") is None
    assert not path.exists() and len(said) == 1 and path.name in said[0] and "a.txt again" in said[0]
    path.write_bytes(b"not a cache file")
    assert cache.get(key) is None and not path.exists()
    flipped = bytearray(good)
    flipped[-3] ^= 0x01  # the pickle still loads, as another value: only the checksum sees it
    path.write_bytes(bytes(flipped))
    assert cache.get(key) is None and "checksum" in said[-1]
    other = cache.key("b.txt", b"x")  # an entry under the wrong key is not trusted
    cache.path(other).parent.mkdir(exist_ok=True)
    cache.path(other).write_bytes(good)
    assert cache.get(other) is None
    path.write_bytes(good)
    assert cache.get(key)[1] == 1 and len(said) == 4


def test_corrupt_cache_does_not_change_the_build(tmp_path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    shutil.copy(CORPUS[0], corpus / CORPUS[0].name)
    build([corpus], tmp_path / "a", cache=True, cache_dir=cache)
    for entry in cache.rglob("*.pkl"):
        entry.write_bytes(b"garbage")
    summary = build([corpus], tmp_path / "b", cache=True, cache_dir=cache)
    assert summary.cached == 0
    same_exports(tmp_path / "a", tmp_path / "b")


def test_default_directory_is_outside_the_repository(monkeypatch, tmp_path):
    monkeypatch.delenv("KG_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "shanxi-kg"
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "kg"))
    assert default_cache_dir() == tmp_path / "kg"
    monkeypatch.delenv("KG_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert ROOT not in default_cache_dir().resolve().parents


def test_skipped_files_are_not_cached(tmp_path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    (corpus / "x.bin").write_bytes(b"\x00\x01")
    shutil.copy(CORPUS[0], corpus / CORPUS[0].name)
    for cached in (0, 1):
        summary = build([corpus], tmp_path / "out", cache=True, cache_dir=cache, on_skip=quiet)
        assert summary.documents == 1 and len(summary.skipped) == 1 and summary.cached == cached
    assert len(list(cache.rglob("*.pkl"))) == 1
