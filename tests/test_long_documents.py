"""Documents longer than PART_CHARS: processed in parts, with offsets, articles and cache as for whole ones."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, RDF

import kg.run.build
from kg.corpus import read_document
from kg.ids import KG_NS
from kg.run.build import build
from kg.run.engine import available_cpus, split_document

ROOT = Path(__file__).resolve().parents[1]
KG = Namespace(KG_NS)
PROV = Namespace("http://www.w3.org/ns/prov#")
PART = 6_000  # characters: the bundled corpus in one file makes a dozen parts


@pytest.fixture(scope="module")
def long_file(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("long") / "corpus"
    corpus.mkdir()
    pages = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    (corpus / "all.txt").write_text("\n\n".join(pages), encoding="utf-8")
    return corpus


def test_parts_cover_the_text_and_cut_at_articles(long_file):
    doc = read_document(long_file / "all.txt")
    parts = list(split_document(doc, "all.txt", PART))
    assert len(parts) > 3 and all(p.parts == len(parts) for p in parts)
    assert "".join(p.text for p in parts) == doc.text  # the whole text, in order, once
    starts = {a.start for a in doc.articles}
    for p in parts:
        assert p.base == 0 or p.base in starts  # no article here is longer than a part: cut at articles
        assert len(p.text) <= PART or not any(p.base < s < p.base + len(p.text) for s in starts)
        assert p.articles == tuple(a for a in doc.articles if a.start < p.base + len(p.text) and a.end > p.base)
    assert {a for p in parts for a in p.articles} == set(doc.articles)


def test_an_article_longer_than_a_part_is_cut_between_chunks():
    from kg.records import Article, Document

    text = ("某县召开会议。" * 400 + "\n") * 30  # one article of 84,030 characters
    doc = Document("x.txt", text, "utf-8", (Article("x-1", "x.txt", 0, len(text), ""),))
    parts = list(split_document(doc, "x.txt", 20_000))
    assert len(parts) >= 5 and "".join(p.text for p in parts) == text
    assert all(len(p.text) <= 20_000 for p in parts)
    assert all(p.articles == doc.articles for p in parts)  # each part holds a piece of the one article


def _check(out: Path, text: str) -> tuple[set, int]:
    """Article nodes (iri, source, start, end) and the number of statements; every evidence cuts the text."""
    g = Graph().parse(out / "graph.ttl")
    n = 0
    for s in g.subjects(RDF.type, RDF.Statement):
        start, end = int(g.value(s, KG.start)), int(g.value(s, KG.end))
        assert text[start:end] == str(g.value(s, KG.evidence))
        n += 1
    articles = {(str(a), str(g.value(a, DCTERMS.source)), int(g.value(a, KG.start)), int(g.value(a, KG.end)))
                for a in g.subjects(RDF.type, KG.Article)}
    return articles, n


def test_a_long_document_builds_in_parts_like_a_whole_one(long_file, tmp_path, monkeypatch):
    text = read_document(long_file / "all.txt").text
    whole = build([long_file], tmp_path / "whole", on_skip=pytest.fail)
    monkeypatch.setattr(kg.run.build, "PART_CHARS", PART)
    parted = build([long_file], tmp_path / "parts", on_skip=pytest.fail)
    assert (parted.documents, parted.articles, parted.chars) == (whole.documents, whole.articles, whole.chars) \
        == (1, len(read_document(long_file / "all.txt").articles), len(text))
    articles, statements = _check(tmp_path / "parts", text)
    assert articles == _check(tmp_path / "whole", text)[0]  # the same article records, whatever the parts
    assert statements > 100


def test_parts_are_cached_and_a_bad_part_entry_is_processed_again(long_file, tmp_path, monkeypatch):
    monkeypatch.setattr(kg.run.build, "PART_CHARS", PART)
    cache = tmp_path / "cache"
    first = build([long_file], tmp_path / "a", cache=True, cache_dir=cache, on_skip=pytest.fail)
    notes: list[str] = []
    again = build([long_file], tmp_path / "b", cache=True, cache_dir=cache, on_skip=pytest.fail,
                  on_note=notes.append)
    assert again.cached == 1 and notes == []
    assert (again.documents, again.articles, again.chars) == (first.documents, first.articles, first.chars)
    for name in ("graph.ttl", "graph.nt", "neo4j/relationships.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    entries = sorted(cache.rglob("*.pkl"), key=lambda p: p.stat().st_size)
    bad = entries[-1]  # the largest: a part's result
    data = bytearray(bad.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad.write_bytes(bytes(data))
    third = build([long_file], tmp_path / "c", cache=True, cache_dir=cache, on_skip=pytest.fail,
                  on_note=notes.append)
    assert len(notes) == 1 and bad.name in notes[0] and "checksum mismatch" in notes[0]
    assert third.cached == 0  # the document was processed again, every part
    for name in ("graph.ttl", "graph.nt", "neo4j/relationships.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "c" / name).read_bytes()


def test_parts_spread_over_workers_give_the_same_bytes(long_file, tmp_path, monkeypatch):
    monkeypatch.setattr(kg.run.build, "PART_CHARS", PART)
    build([long_file], tmp_path / "one", on_skip=pytest.fail)
    summary = build([long_file], tmp_path / "two", workers=2, on_skip=pytest.fail, on_note=lambda msg: None)
    assert summary.documents == 1
    assert summary.workers == min(2, available_cpus())  # one file, but parts for two workers
    for name in ("graph.ttl", "graph.nt", "graph.trig", "graph.jsonld", "neo4j/relationships.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
