"""Turtle export: canonical Turtle of the graph (subjects in IRI order, one predicate–object pair per line).

Why our own writers
-------------------
rdflib's ``longturtle`` is sorted, but its literal escaping is not safe for
untrusted text: it puts raw control characters into the file, and a
multi-line string ending in backslash + quote comes out as an escaped
backslash followed by four quotes, which ends the literal one quote early
(rdflib reads it back; raptor's ``rapper`` rightly rejects it).  It is also
slow: about 40 k triples/s, a minute for a million triples.  The writers here
escape every literal per the Turtle/N-Triples grammar (``ECHAR`` for tab,
backspace, LF, CR, form feed, quote and backslash; ``\\uXXXX`` for every other
C0 control and DEL; the one-line string form only), write full IRIs for
instances and prefixed names for the vocabularies, and sort everything, so the
bytes depend only on the set of triples, never on ``PYTHONHASHSEED``.  They
work on plain tuples and never build rdflib terms, which makes them the fast
path (see ``benchmarks/export_speed.py``); given an rdflib graph instead of a
networkx one, they write the very same bytes for the same triples.
"""
from __future__ import annotations

__all__ = ["TurtleBlocks", "subject_blocks", "iter_turtle_bytes", "generate_turtle", "serialize_turtle",
           "write_turtle"]

import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import Graph

from kg.export.blocks import (as_lines, as_text, iter_blocks, make_article_block, prefix_text, turtle_statement,
                              write_chunks)
from kg.export.entities import make_entity_block
from kg.export.index import ALL, GraphIndex, QuadIndex, subject_index
from kg.export.quads import MENTIONED, PREFIXES
from kg.export.terms import Encoder


class TurtleBlocks:
    """The fast-path block writers (UTF-8) of one Turtle or TriG export (built
    once: a TriG export writes thousands of graphs)."""

    def __init__(self, index: GraphIndex | QuadIndex, enc: Encoder, indent: str = "") -> None:
        self.statement = turtle_statement(index, enc, indent)
        self.article = make_article_block(index, enc, False, indent)
        self.entity = make_entity_block(index, enc, False, indent, mentions=True)
        self.entity_without_mentions = make_entity_block(index, enc, False, indent, mentions=False)


def subject_blocks(index: GraphIndex | QuadIndex, enc: Encoder, subjects: Iterable[Any],
                    g: Any = ALL, indent: str = "", blocks: TurtleBlocks | None = None) -> Iterator[list[bytes]]:
    """Turtle text (UTF-8) of each subject: a blank line, the subject, then one
    predicate–object pair per line (``rdf:type`` first, then in order);
    yielded in lists of :data:`BATCH` subjects (see :func:`write_chunks`)."""
    if blocks is None:
        blocks = TurtleBlocks(index, enc, indent)
    statement_block = blocks.statement
    sep = f" ;\n{indent}    "
    verb, iri, literal = enc.verb, enc.iri, enc.literal
    entity, statement = index.entity, index.statement
    if g is ALL or g is None:
        article, article_block = index.article, blocks.article
        entity_block = blocks.entity if g is ALL else blocks.entity_without_mentions
    else:
        # no article is in a named graph, and an entity has one triple there: its mention
        article, article_block = {}.get, None
        mention = f"\n{indent}    {verb(MENTIONED)} {iri(g)} .\n".encode()
        start = f"\n{indent}".encode()
        entity_block = lambda s, data: start + enc.iri_bytes(s) + mention  # noqa: E731

    def general_block(s: Any) -> bytes:
        lines = [f"{verb(p)} {iri(x) if k == 0 else literal(x, dt, lang)}"
                 for p, k, x, dt, lang in index.pairs(s, g)]
        return (f"\n{indent}{iri(s)}\n{indent}    " + sep.join(lines) + " .\n").encode("utf-8")

    return iter_blocks(subjects, statement, statement_block, entity, entity_block, article, article_block,
                   general_block)


def iter_turtle_bytes(graph: nx.MultiDiGraph | Graph | GraphIndex | QuadIndex,
                      prefixes: Mapping[str, str] | None = None) -> Iterator[list[bytes] | bytes]:
    """The Turtle export as :func:`write_turtle` writes it: UTF-8 pieces, streamed.

    First the prefix lines, then lists of subject blocks, at most
    ``2 * kg.export.blocks.BATCH`` blocks a list, so memory stays bounded
    whatever the size of the graph.  ``graph`` is a networkx or rdflib graph
    or its subject index (:func:`kg.export.index.subject_index`).
    """
    prefixes = dict(sorted((prefixes or PREFIXES).items()))
    index = subject_index(graph)
    enc = Encoder(prefixes)
    yield prefix_text(prefixes).encode("utf-8")
    yield from subject_blocks(index, enc, index.subjects)


def _turtle_chunks(graph: nx.MultiDiGraph | Graph | GraphIndex | QuadIndex,
                   prefixes: Mapping[str, str] | None = None) -> Iterator[str]:
    return as_text(iter_turtle_bytes(graph, prefixes))


def generate_turtle(graph: nx.MultiDiGraph | Graph | GraphIndex | QuadIndex,
                    prefixes: Mapping[str, str] | None = None) -> Iterator[str]:
    """Lines (without newline) of the canonical Turtle of ``graph``.

    ``graph`` is a networkx knowledge graph (the fast path, no rdflib terms
    are built) or an rdflib graph; the same triples give the same lines.  A
    subject index of either (:mod:`kg.export.index`) is taken as it is.
    Subjects in IRI order, ``rdf:type`` first, then predicates and objects in
    order; one predicate–object pair per line.
    """
    yield from as_lines(_turtle_chunks(graph, prefixes))


def serialize_turtle(graph: nx.MultiDiGraph | Graph | GraphIndex | QuadIndex, prefixes: Mapping[str, str] | None = None) -> str:
    """Canonical Turtle text of ``graph`` (see :func:`generate_turtle`)."""
    return "".join(_turtle_chunks(graph, prefixes))


def write_turtle(graph: nx.MultiDiGraph | Graph, path: str | os.PathLike[str]) -> Path:
    """Write the Turtle export of ``graph`` (networkx or rdflib) to ``path`` atomically, streamed.

    The bytes depend only on the graph's content: two runs, with any
    ``PYTHONHASHSEED``, write identical files.
    """
    return write_chunks(path, iter_turtle_bytes(graph))
