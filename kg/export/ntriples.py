"""N-Triples export: each triple once, lines sorted by code point (the canonical N-Triples form)."""
from __future__ import annotations

__all__ = ["iter_ntriples_bytes", "generate_ntriples", "serialize_ntriples", "write_ntriples"]

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import Graph

from kg.export.blocks import (as_lines, as_text, iter_blocks, make_article_block, ntriples_order,
                              ntriples_statement, write_chunks)
from kg.export.entities import make_entity_block
from kg.export.index import GraphIndex, QuadIndex, subject_index
from kg.export.terms import Encoder


def _ntriples_blocks(index: GraphIndex | QuadIndex) -> Iterator[list[bytes]]:
    """The lines of each subject as UTF-8, in lists of :data:`BATCH` subjects.

    Entities and statements are joined from encoded pieces: N-Triples repeats
    the subject on every line, and encoding the text as a whole took a
    sixth of the time of the export.
    """
    enc = Encoder(None)
    iri, literal = enc.iri, enc.literal
    entity, statement, article = index.entity, index.statement, index.article
    entity_block = make_entity_block(index, enc, True)
    statement_block = ntriples_statement(index, enc)
    article_block = make_article_block(index, enc, True)

    def general_block(s: Any) -> bytes:
        lines = sorted({f"{iri(p)} {iri(x) if k == 0 else literal(x, dt, lang)}"
                        for p, k, x, dt, lang, _ in index.subject_quads(s)})
        head = iri(s) + " "
        return (head + (" .\n" + head).join(lines) + " .\n").encode("utf-8")

    # Lines sorted by code point: "<s>" texts never are prefixes of one
    # another, so that is subjects by "<s>", then each subject's lines.
    yield from iter_blocks(ntriples_order(index.subjects), statement, statement_block, entity, entity_block,
                       article, article_block, general_block)


def _ntriples_chunks(graph: nx.MultiDiGraph | Graph | GraphIndex | QuadIndex) -> Iterator[str]:
    return as_text(_ntriples_blocks(subject_index(graph)))


def generate_ntriples(graph: nx.MultiDiGraph | Graph | GraphIndex | QuadIndex) -> Iterator[str]:
    """Lines (without newline) of the canonical N-Triples of ``graph``.

    Each triple once, lines sorted by code point (which is UTF-8 byte order,
    so ``LC_ALL=C sort`` agrees); full IRIs, UTF-8 text, and the escapes of
    the RDF canonical N-Triples form.  ``graph``: a networkx or rdflib graph,
    or a subject index of one (:mod:`kg.export.index`).
    """
    yield from as_lines(_ntriples_chunks(graph))


def serialize_ntriples(graph: nx.MultiDiGraph | Graph | GraphIndex | QuadIndex) -> str:
    """Canonical N-Triples text of ``graph`` (see :func:`generate_ntriples`)."""
    return "".join(_ntriples_chunks(graph))


def write_ntriples(graph: nx.MultiDiGraph | Graph, path: str | os.PathLike[str]) -> Path:
    """Write the N-Triples export of ``graph`` to ``path`` atomically, streamed."""
    # the index is built inside write_chunks (with the garbage collector paused)
    return write_chunks(path, iter_ntriples_bytes(graph))


def iter_ntriples_bytes(graph: nx.MultiDiGraph | Graph | GraphIndex | QuadIndex) -> Iterator[list[bytes]]:
    """The N-Triples export as :func:`write_ntriples` writes it: lists of UTF-8
    subject blocks, at most ``2 * kg.export.blocks.BATCH`` a list (memory stays
    bounded).  ``graph``: as for :func:`generate_ntriples`."""
    yield from _ntriples_blocks(subject_index(graph))
