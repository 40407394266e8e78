"""TriG export: the default graph (entities, articles, relations), then one named graph per article
(the mentions pointing to it and the statements derived from it)."""
from __future__ import annotations

__all__ = ["iter_trig_bytes", "generate_trig", "serialize_trig", "write_trig"]

import bisect
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import networkx as nx

from kg.export import blocks
from kg.export.blocks import as_lines, as_text, prefix_text, write_chunks
from kg.export.index import GraphIndex, subject_index
from kg.export.quads import MENTIONED, PREFIXES, STATEMENT_NS
from kg.export.terms import Encoder
from kg.export.turtle import TurtleBlocks, subject_blocks


def _braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _coalesced(chunks: Iterable[list[bytes] | bytes], size: int = blocks.BATCH) -> Iterator[list[bytes]]:
    """``chunks`` gathered into lists of ``size`` pieces or more (fewer, larger writes);
    a list that long already goes on as it is (so no list grows past twice ``size``)."""
    batch: list[bytes] = []
    for chunk in chunks:
        if isinstance(chunk, list):
            if len(chunk) >= size:  # a batch already
                if batch:
                    yield batch
                    batch = []
                yield chunk
                continue
            batch += chunk
        else:
            batch.append(chunk)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def iter_trig_bytes(graph: nx.MultiDiGraph | GraphIndex,
                    prefixes: Mapping[str, str] | None = None) -> Iterator[list[bytes]]:
    """The TriG export as :func:`write_trig` writes it: lists of UTF-8 pieces,
    streamed (memory stays bounded).  ``graph``: a networkx graph or its
    :class:`~kg.export.index.GraphIndex`."""
    # an article's graph is small: its pieces are joined with the next ones'
    return _coalesced(_trig_pieces(graph, prefixes))


def _trig_chunks(graph: nx.MultiDiGraph | GraphIndex,
                 prefixes: Mapping[str, str] | None = None) -> Iterator[str]:
    return as_text(iter_trig_bytes(graph, prefixes))


def _trig_pieces(graph: nx.MultiDiGraph | GraphIndex,
                 prefixes: Mapping[str, str] | None = None) -> Iterator[list[bytes] | bytes]:
    """The pieces of the TriG export: the default graph, then one graph per article.

    The default graph is written like the Turtle export (:func:`subject_blocks`,
    entities without their mentions).  An article's graph is small (a few
    statements and mentions, tens of thousands of graphs in a large corpus):
    the blocks of its statements are made by one ``map`` over the subjects,
    its mentions are one joined text (:func:`_mention_text`), and the pieces
    of many graphs go out in one list; a graph of more than :data:`kg.export.blocks.BATCH`
    subjects, or of other subjects than statements of one evidence, is
    written by :func:`subject_blocks` as the default graph is.
    """
    prefixes = dict(sorted((prefixes or PREFIXES).items()))
    index = subject_index(graph)
    enc = Encoder(prefixes)
    yield prefix_text(prefixes).encode("utf-8")
    # The default graph in braces, not bare: raptor's TriG parser (rapper
    # 2.0.15) accepts only triples inside a graph block.
    bare = index.bare_iris(enc.namespaces)
    mention = f"\n        {enc.verb(MENTIONED)} "
    turtle_blocks = TurtleBlocks(index, enc, "    ")
    statement, statement_block = index.statement, turtle_blocks.statement
    batch = blocks.BATCH
    out: list[bytes] = []
    for name, subjects, mentions in index.graphs():
        if name is None:  # the default graph (first)
            if out:
                yield out
                out = []
            yield b"\n{\n"
            yield from subject_blocks(index, enc, subjects, name, "    ", turtle_blocks)
            yield b"}\n"
            continue
        name_text = enc.iri(name)
        out.append(f"\n{name_text} {{\n".encode("utf-8"))
        # mentions before the statements, the statements, the mentions after them
        tail = f"{mention}{name_text} .\n"
        i = bisect.bisect_left(mentions, STATEMENT_NS) if mentions else 0
        for j in range(0, i, batch):
            out.append(_mention_text(mentions[j:min(i, j + batch)], tail, bare, enc))
        recipes = list(map(statement, subjects)) if len(subjects) <= batch else [None]
        if None not in recipes:
            if len(out) + len(subjects) > batch:
                yield out
                out = []
            out += map(statement_block, subjects, recipes)
        else:
            if out:
                yield out
                out = []
            yield from subject_blocks(index, enc, subjects, name, "    ", turtle_blocks)
        for j in range(i, len(mentions), batch):
            out.append(_mention_text(mentions[j:j + batch], tail, bare, enc))
        out.append(b"}\n")
        if len(out) >= batch:
            yield out
            out = []
    if out:
        yield out


def _mention_text(entities: list[str], tail: str, bare: bool, enc: Encoder) -> bytes:
    """The blocks of ``entities`` (at least one) in an article's graph: their
    ``kg:mentionedIn`` (``tail``), joined in C (no loop here)."""
    if bare:
        return ("\n    <" + (">" + tail + "\n    <").join(entities) + ">" + tail).encode("utf-8")
    return "".join(map(("\n    {}" + _braces(tail)).format, map(enc.iri, entities))).encode("utf-8")


def generate_trig(graph: nx.MultiDiGraph | GraphIndex, prefixes: Mapping[str, str] | None = None) -> Iterator[str]:
    """Lines (without newline) of the canonical TriG of ``graph``.

    The default graph (the first ``{ … }`` block) holds entities, articles
    and direct relations; each article has a named graph, named by the
    article's IRI, with the ``kg:mentionedIn`` triples pointing to it and
    the reified statements derived from it.  Graphs in IRI order, each laid
    out like :func:`generate_turtle`; the union of all graphs is the graph
    of the Turtle export.  ``graph``: a networkx graph or its
    :class:`~kg.export.index.GraphIndex`.
    """
    yield from as_lines(_trig_chunks(graph, prefixes))


def serialize_trig(graph: nx.MultiDiGraph | GraphIndex, prefixes: Mapping[str, str] | None = None) -> str:
    """Canonical TriG text of ``graph`` (see :func:`generate_trig`)."""
    return "".join(_trig_chunks(graph, prefixes))


def write_trig(graph: nx.MultiDiGraph, path: str | os.PathLike[str]) -> Path:
    """Write the TriG export (one named graph per article) of ``graph`` to ``path`` atomically, streamed."""
    return write_chunks(path, iter_trig_bytes(graph))
