"""write_all: every export, all-or-nothing, the same bytes in one process or several.

Also checks the fast paths of the streamed writers against their general
paths: statement and article templates against sorted triples, the JSON-LD
text against ``json.dumps`` of :func:`to_jsonld`, the GraphML text against
networkx's writer.
"""
from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kg.export.folderlock as folderlock
from kg.errors import ExportError
from kg.export import bundle
from kg.export.folderlock import TEMP_FILE
from kg.export.bundle import write_all
from kg.export.graphml import iter_graphml_text, json_pieces, serialize_graphml
from kg.export.jsonld import serialize_jsonld, to_jsonld
from kg.export.index import GraphIndex, QuadIndex
from kg.export.ntriples import iter_ntriples_bytes, serialize_ntriples
from kg.export.quads import iter_quads
from kg.export.trig import serialize_trig
from kg.export.turtle import iter_turtle_bytes, serialize_turtle
from kg.graph import build_graph

from support import make_sample_graph, page_json

NAMES = ["graph.ttl", "graph.html", "graph.nt", "graph.trig", "graph.jsonld", "graph.graphml",
         "neo4j/nodes.csv", "neo4j/relationships.csv", "neo4j/ladybug.cypher", "facts.csv"]
needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="no fork start method here")


@pytest.fixture(autouse=True)
def _fresh_cleanup_state(monkeypatch):
    monkeypatch.setattr(folderlock, "_CLEANED", set())


def _files(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*"))
            if p.is_file()}


def _temp_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if TEMP_FILE.match(p.name))


def _general(index: GraphIndex) -> GraphIndex:
    """The same index with the template fast paths turned off."""
    index.statement = {}.get
    index.article = {}.get
    index.entity = {}.get
    return index


def _hostile() -> nx.MultiDiGraph:
    """Text that needs escaping everywhere, shared statement nodes, an article with a relation."""
    g = make_sample_graph()
    art = next(n for n, d in g.nodes(data=True) if d["kind"] == "Article")
    g.nodes[art]["title"] = 'a "title"\r\n<b>&\x01\u2028'
    g.nodes[art]["date"] = "2024-02-30"
    head, tail, key, data = next(iter(g.edges(keys=True, data=True)))
    ev = dict(data["evidence"][0], role="chief;\t\\", rule='r"1')
    data["evidence"] = data["evidence"] + [ev, dict(ev, rule="r2")]  # one statement, two rules
    g.add_edge(art, tail, key="partOf", rel="partOf", evidence=[])
    return g


def _long() -> nx.MultiDiGraph:
    """The hostile graph with evidence lists and mention lists longer than the writers' slices."""
    g = _hostile()
    texts = ['a "b"\r\n<c>&\x01\u2028', "]], [{", "\\u003c/script>", "é\ufffe\t", ", "]
    for head, tail, key, data in g.edges(keys=True, data=True):
        evs = data["evidence"] or [{"article": head, "start": 0, "end": 1, "text": ""}]
        data["evidence"] = [dict(evs[i % len(evs)], start=i, end=i + 1, text=texts[i % len(texts)])
                            for i in range(2100 + len(key))]
    articles = [n for n, d in g.nodes(data=True) if d["kind"] == "Article"]
    for node, data in g.nodes(data=True):
        if data["kind"] != "Article":
            data["mentioned_in"] = articles * 700
            break
    return g


GRAPHS = {"empty": lambda: build_graph([], {}), "sample": make_sample_graph, "hostile": _hostile,
          "long": _long}


# --------------------------------------------------------------------------
# fast paths = general paths


@pytest.mark.parametrize("name", GRAPHS)
def test_templates_write_what_sorting_the_triples_writes(name):
    graph = GRAPHS[name]()
    for serialize in (serialize_turtle, serialize_ntriples, serialize_trig, serialize_jsonld):
        fast = serialize(GraphIndex(graph))
        assert fast == serialize(_general(GraphIndex(graph))), serialize.__name__


@pytest.mark.parametrize("name", GRAPHS)
def test_graph_index_writes_what_the_quads_write(name):
    graph = GRAPHS[name]()
    quads = QuadIndex(iter_quads(graph))
    for serialize in (serialize_turtle, serialize_ntriples, serialize_trig):
        assert serialize(GraphIndex(graph)) == serialize(quads), serialize.__name__


@pytest.mark.parametrize("name", GRAPHS)
def test_jsonld_text_is_json_dumps_of_the_document(name):
    graph = GRAPHS[name]()
    expected = json.dumps(to_jsonld(graph), ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    assert serialize_jsonld(graph) == expected


@pytest.mark.parametrize("name", GRAPHS)
def test_streamed_graphml_is_what_networkx_writes(name):
    graph = GRAPHS[name]()
    assert "".join(iter_graphml_text(graph)).encode("utf-8") == serialize_graphml(graph)


@pytest.mark.parametrize("value", [[], [1], ("a", None), list(range(600)),
                                   [{"text": t, "b": [t, 1.5]} for t in ['"<&>\r\u2028', "], [", "\ud7ff"] * 300],
                                   {"b": [1, 2], "a": "x"}, "plain"])
def test_json_pieces_join_to_json_dumps(value):
    assert "".join(json_pieces(value)) == json.dumps(value, ensure_ascii=False, sort_keys=True)


def test_long_lists_are_written_in_bounded_pieces(monkeypatch):
    """Evidence lists go out a slice at a time, the same text as written whole."""
    import kg.export.graphml as graphml
    import kg.export.page_data as page
    import kg.export.jsonld as jsonld
    import kg.export.blocks as blocks
    graph = _long()
    expected = {"graphml": "".join(iter_graphml_text(graph)),
                "html": "".join(page.streamed_page_data(graph)),
                "jsonld": serialize_jsonld(graph),
                "ttl": serialize_turtle(graph), "nt": serialize_ntriples(graph)}
    assert expected["html"] == page_json(page.to_page_data(graph))
    for module, name in [(graphml, "_CHUNK"), (jsonld, "_CHARS"), (blocks, "_BATCH_BYTES")]:
        monkeypatch.setattr(module, name, 5_000)
    monkeypatch.setattr(page, "_ITEMS_PER_CHUNK", 500)  # (list items and evidences per piece)
    chunks = {"graphml": list(iter_graphml_text(graph)), "html": list(page.streamed_page_data(graph)),
              "jsonld": list(jsonld.iter_jsonld_text(graph)),
              "ttl": [b"".join(c) if isinstance(c, list) else c for c in iter_turtle_bytes(graph)],
              "nt": [b"".join(c) for c in iter_ntriples_bytes(GraphIndex(graph))]}
    for name, pieces in chunks.items():
        text = "".join(p.decode("utf-8") if isinstance(p, bytes) else p for p in pieces)
        assert text == expected[name], name
        assert len(text) > 500_000, name
        if name in ("graphml", "html", "jsonld"):  # (RDF batches also hold up to _BATCH small blocks)
            assert max(map(len, pieces)) < 250_000, name  # one node record: its mention ids


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=12), st.text(max_size=12), st.text(max_size=12))
def test_streamed_writers_equal_general_paths_for_any_text(label, sentence, title):
    graph = make_sample_graph()
    node = next(n for n, d in graph.nodes(data=True) if d["kind"] != "Article")
    art = next(n for n, d in graph.nodes(data=True) if d["kind"] == "Article")
    graph.nodes[node]["label"] = label
    graph.nodes[art]["title"] = title
    for *_, data in graph.edges(keys=True, data=True):
        data["evidence"] = [dict(ev, text=sentence) for ev in data["evidence"]]
    try:
        expected = {f: f(_general(GraphIndex(graph))) for f in (serialize_turtle, serialize_ntriples)}
    except ExportError:
        with pytest.raises(ExportError):
            serialize_turtle(GraphIndex(graph))
        return
    for f, text in expected.items():
        assert f(GraphIndex(graph)) == text
    assert serialize_jsonld(graph) == json.dumps(to_jsonld(graph), ensure_ascii=False, sort_keys=True,
                                                 indent=1) + "\n"
    try:
        old = serialize_graphml(graph)
    except ExportError:
        return
    assert "".join(iter_graphml_text(graph)).encode("utf-8", "xmlcharrefreplace") == old


# --------------------------------------------------------------------------
# write_all


def test_write_all_writes_every_export_in_order(tmp_path):
    paths = write_all(make_sample_graph(), tmp_path)
    assert [str(p.relative_to(tmp_path)) for p in paths] == NAMES
    assert all(p.is_file() for p in paths)
    assert _temp_files(tmp_path) == []


@needs_fork
@pytest.mark.parametrize("name", GRAPHS)
def test_write_all_bytes_do_not_depend_on_jobs(tmp_path, name):
    graph = GRAPHS[name]()
    outputs = {}
    for jobs in (1, 2, 5):
        out = tmp_path / str(jobs)
        paths = write_all(graph, out, jobs=jobs)
        assert [str(p.relative_to(out)) for p in paths] == NAMES
        outputs[jobs] = _files(out)
    assert outputs[1] == outputs[2] == outputs[5]
    assert sorted(outputs[1]) == sorted(NAMES)


def _failing(monkeypatch, path: str, exc: BaseException) -> None:
    def fail(ctx, dest):
        raise exc
    monkeypatch.setattr(bundle, "EXPORTS", tuple(
        dataclasses.replace(e, write=fail) if e.path == path else e for e in bundle.EXPORTS))


@pytest.mark.parametrize("jobs", [1, pytest.param(2, marks=needs_fork)])
@pytest.mark.parametrize("failing", ["graph.ttl", "graph.graphml", "neo4j/ladybug.cypher"])
def test_a_failing_export_changes_nothing(tmp_path, monkeypatch, jobs, failing):
    write_all(make_sample_graph(), tmp_path)
    before = _files(tmp_path)
    _failing(monkeypatch, failing, ExportError(f"cannot write {failing}: disk on fire"))
    with pytest.raises(ExportError, match=f"^cannot write {failing}: disk on fire$"):
        write_all(_hostile(), tmp_path, jobs=jobs)
    assert _files(tmp_path) == before
    assert _temp_files(tmp_path) == []


# the export a forked worker writes first (write_all hands out the largest first,
# one to each worker as it is forked, then the calling process takes the next)
_WORKERS_FIRST = max(bundle.EXPORTS, key=lambda e: e.cost).path


@needs_fork
def test_the_calling_process_writes_a_share_and_the_workers_the_rest(tmp_path, monkeypatch):
    """jobs=2: this process and one forked worker; each export written once, by one of them."""
    record = tmp_path / "who"
    record.mkdir()

    def noting(export):
        def write(ctx, dest):
            (record / export.path.replace("/", "_")).write_text(str(os.getpid()))
            return export.write(ctx, dest)
        return dataclasses.replace(export, write=write)

    monkeypatch.setattr(bundle, "EXPORTS", tuple(noting(e) for e in bundle.EXPORTS))
    write_all(make_sample_graph(), tmp_path / "out", jobs=2)
    pids = {p.name: int(p.read_text()) for p in record.iterdir()}
    assert len(pids) == len(NAMES)
    assert pids[_WORKERS_FIRST.replace("/", "_")] != os.getpid()
    assert os.getpid() in pids.values() and len(set(pids.values())) == 2
    assert _temp_files(tmp_path) == []


@needs_fork
def test_other_errors_of_a_worker_arrive_as_they_were(tmp_path, monkeypatch):
    _failing(monkeypatch, _WORKERS_FIRST, KeyError("kind"))
    with pytest.raises(KeyError, match="kind") as info:
        write_all(make_sample_graph(), tmp_path, jobs=2)
    assert "KeyError" in str(info.value.__cause__)  # the worker's traceback
    assert _temp_files(tmp_path) == []


@needs_fork
def test_a_worker_that_dies_is_an_export_error(tmp_path, monkeypatch):
    write_all(make_sample_graph(), tmp_path)
    before = _files(tmp_path)

    def die(ctx, dest):
        with open(dest.with_name(".x"), "w"):  # noqa: PTH123 - any file, then a hard exit
            pass
        os._exit(3)
    monkeypatch.setattr(bundle, "EXPORTS", tuple(
        dataclasses.replace(e, write=die) if e.path == _WORKERS_FIRST else e for e in bundle.EXPORTS))
    with pytest.raises(ExportError, match="export worker process died .*exit status 3"):
        write_all(_hostile(), tmp_path, jobs=2)
    (tmp_path / ".x").unlink()
    assert _files(tmp_path) == before
    assert _temp_files(tmp_path) == []


def test_unwritable_output_is_an_export_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    for jobs in (1, 2):
        with pytest.raises(ExportError, match="cannot write .*file"):
            write_all(make_sample_graph(), blocker / "out", jobs=jobs)
    assert _temp_files(tmp_path) == []
