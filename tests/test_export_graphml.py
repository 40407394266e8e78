"""GraphML export: the batched fast path writes what networkx's writer writes.

:func:`kg.export.graphml.write_graphml` writes most elements a batch at a
time, column by column (``_batch_text``), and sends a batch with text to
escape, an empty string, a long list or a failing value to the general
path; these tests hold both to ``serialize_graphml`` (networkx's
ElementTree writer), byte for byte, on hostile text in every slot.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kg.export.graphml as graphml
from kg.errors import ExportError
from kg.export.graphml import serialize_graphml, write_graphml

NASTY = ["", "&", "<b>", "a > b", '"q"', "\r", "\r\n", "\n", "\t", "\x00", "\x01", "\x1f", "\x7f",
         "\ufffe", "\uffff", "\ud800", "\udfff", "\u3000", "\u2028", "\u0085", "\ufeff", "\\", "\\u0000",
         "]]>", "&amp;", "{", "}", "%s", "左权县", "𠀀"]
texts = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=3)), max_size=4).map("".join)


def written(graph: nx.MultiDiGraph) -> bytes:
    """The bytes write_graphml writes for ``graph``."""
    with tempfile.TemporaryDirectory() as tmp:
        return write_graphml(graph, Path(tmp, "g.graphml")).read_bytes()


def assert_as_networkx(graph: nx.MultiDiGraph) -> None:
    """write_graphml writes what networkx's writer writes, or both raise the same ExportError."""
    try:
        expected = serialize_graphml(graph)
    except ExportError as exc:
        with pytest.raises(ExportError) as info:
            written(graph)
        assert str(info.value) == str(exc)
        return
    assert written(graph) == expected


def test_plain_finds_every_character_to_escape():
    every = "".join(map(chr, range(0x110000)))
    special = graphml._SPECIAL.findall(every)
    assert len(special) == len("&<>\r") + 29 + 2 + 2048  # C0 controls but TAB, LF, CR; U+FFFE/F; surrogates
    # _plain checks printable text for these three only
    assert [c for c in special if c.isprintable()] == ["&", "<", ">"]
    assert not any(map(graphml._plain, special))
    # every other character is plain, printable or not
    assert graphml._plain(graphml._SPECIAL.sub("", every))


def _graph(labels: list[str], aliases: list[list[str]], sentences: list[str],
           ids: list[str]) -> nx.MultiDiGraph:
    """Nodes of a few shapes (so batches of several elements), edges with evidence."""
    g = nx.MultiDiGraph()
    for i, label in enumerate(labels):
        key = f"n{i:03d}{ids[i % len(ids)] if ids else ''}"
        g.add_node(key, kind="Agency", label=label, aliases=aliases[i % len(aliases)] if aliases else [],
                   mentioned_in=["a1", "a2"][: i % 3])
    nodes = list(g.nodes)
    for i, text in enumerate(sentences):
        ev = {"article": "a1", "start": i, "end": i + 1, "text": text, "role": None if i % 2 else text,
              "rule": "r"}
        key = f"worksFor{ids[i % len(ids)] if ids else ''}{i % 3}"  # (str keys: they are sorted)
        g.add_edge(nodes[i % len(nodes)], nodes[(i * 7) % len(nodes)], key=key, rel="worksFor",
                   evidence=[ev] * (i % 4))
    return g


@settings(max_examples=150, deadline=None)
@given(st.lists(texts, min_size=1, max_size=12), st.lists(st.lists(texts, max_size=3), max_size=3),
       st.lists(texts, max_size=8), st.lists(st.sampled_from(["", "&", '"', "\t", "\n", "<", "x"]),
                                             max_size=3))
def test_batches_write_what_networkx_writes_for_any_text(labels, aliases, sentences, ids):
    graph = _graph(labels, aliases, sentences, ids)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(graphml, "_BATCH_CHARS", 200)  # batches of a few elements
        assert_as_networkx(graph)
    assert_as_networkx(graph)


@pytest.mark.parametrize("batch_chars", [1, 300, 1 << 17])
def test_a_large_graph_with_text_to_escape_here_and_there(monkeypatch, batch_chars):
    """Plain batches, batches that go the general path, empty strings, long lists, other key types."""
    monkeypatch.setattr(graphml, "_BATCH_CHARS", batch_chars)
    g = nx.MultiDiGraph()
    for i in range(1500):
        data = {"kind": "Article", "label": f"标题{i}" if i % 41 else "", "title": f"t{i}",
                "start": i, "end": i + 1.5, "date": None if i % 5 else "2024-01-01"}
        if i % 97 == 0:
            data["title"] = "R&D <x>"
        if i % 211 == 0:
            data["label"] = "a\x01b\rc"
        if i % 7 == 0:
            data.update(kind="Project", investment=str(i * 1000), aliases=[f"别名{i}"] * (i % 3),
                        mentioned_in=[f"doc{j}" for j in range(i % 300)])
        g.add_node(f"https://w3id.org/shanxi-kg/id/n/{i:05d}", **data)
    nodes = list(g.nodes)
    for i in range(1200):
        evidence = [{"article": nodes[j % 1500], "start": j, "end": j + 2,
                     "text": f"第{j}句，“引号”。", "role": None, "rule": "r1"}
                    for j in range(i % 5 if i % 101 else 300)]
        key = "worksFor" if i % 13 else (i if i % 2 else True)
        g.add_edge(nodes[i], nodes[(i * 31) % 1500], key=key, rel="worksFor", evidence=evidence,
                   flag=bool(i % 2))
    assert_as_networkx(g)


def test_the_error_of_the_first_element_that_has_one():
    """A lone surrogate in one element, a value JSON cannot encode in the next: the surrogate's
    error, as networkx's writer gives it (the batch fails, the general path raises it again)."""
    g = nx.MultiDiGraph()
    g.add_node("a", label="x\ud800y", aliases=["ok"])
    g.add_node("b", label="fine", aliases=[{1, 2}])
    with pytest.raises(ExportError, match="lone surrogate"):
        serialize_graphml(g)
    assert_as_networkx(g)
    g.nodes["a"]["label"] = "x"
    with pytest.raises(TypeError):
        written(g)


def test_node_ids_that_need_escaping_in_attributes():
    g = nx.MultiDiGraph()
    for key in ['a"b', "c&d", "e\tf", "g\nh", "i<j>", "plain"]:
        g.add_node(key, label=key)
    g.add_edge('a"b', "c&d", key='k"&', evidence=[])
    g.add_edge("plain", "e\tf", key=3, evidence=[])
    assert_as_networkx(g)
