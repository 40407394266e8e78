"""Processing one document: every per-document stage, in order, in this process.

``process_document`` normalises the document's articles (:mod:`kg.corpus`),
runs the steps of the spaCy pipeline over them (segmentation and candidate
names: :mod:`kg.nlp`, :mod:`kg.names`), resolves the candidates
(:mod:`kg.resolve`) and relates the mentions (:mod:`kg.relations`), and
returns a picklable :class:`~kg.records.DocResult`.  Documents are
independent, so results of parts of a corpus merge by union in
:func:`kg.graph.build_graph`.

This module imports spaCy and jieba; the engines import it only in the
process that runs documents (:mod:`kg.run.engine`).
"""
from __future__ import annotations

import time
from contextlib import contextmanager

from kg.corpus import iter_chunks, normalize, to_simplified
from kg.knowledge.gazetteer import load_gazetteer
from kg.knowledge.jio import tra2sim_chars  # the table to_simplified applies
from kg.knowledge.lexicon import load_lexicon
from kg.nlp.pipeline import make_nlp
from kg.records import Document, DocResult
from kg.relations import relate_document
from kg.resolve import ArticleText, resolve_document

__all__ = ["process_document", "as_simplified", "warm_up"]


@contextmanager
def _timed(timings: dict[str, float] | None, stage: str):
    if timings is None:
        yield
        return
    t0 = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - t0


def process_document(doc: Document, nlp=None, gazetteer=None, lexicon=None, *,
                     timings: dict[str, float] | None = None, simplified: str | None = None) -> DocResult:
    """Tag, resolve and relate one document.

    ``timings``, when given, accumulates the seconds spent in each of
    :data:`kg.run.STAGES` (for benchmarks).  ``simplified`` is the text to
    tag, when the caller decided it (a part of a long document, see
    :class:`kg.run.engine.PartTask`); by default ``to_simplified(doc.text)``.
    """
    gazetteer = gazetteer or load_gazetteer()
    lexicon = lexicon or load_lexicon()
    nlp = nlp or make_nlp()
    texts = []
    with _timed(timings, "normalize"):
        # traditional characters are tagged in simplified form (same length, same offsets);
        # evidence is still cut from doc.text
        text = to_simplified(doc.text) if simplified is None else simplified
        for a in doc.articles:
            # an over-long article (a page without layout) goes in pieces: bounded cost per piece
            for start, end in iter_chunks(text, a.start, a.end):
                norm, index = normalize(text, start, end)
                # the OffsetMap itself: a tuple of it would hold one Python int per
                # character (36 bytes each; 1.3 GB for a 100 MB file)
                texts.append(ArticleText(a, norm, index))
    # The pipeline's own steps, without what only a reader of a Doc needs: the
    # tokenizer's segmentation and the candidate component's matching of its words,
    # but not the spaCy Doc made of them nor the spans (kg.nlp.candidates: match_words);
    # resolution then takes the whole document at once (its home city is the file's),
    # where the kg_resolve component sees one Doc.
    segment = nlp.tokenizer.segment
    tagger = nlp.get_pipe("kg_candidates")
    pairs = []
    for at in texts:
        with _timed(timings, "segment"):
            words = segment(at.text)
        with _timed(timings, "candidates"):
            pairs.append((at, tagger.match_words(at.text, words)))
    with _timed(timings, "resolve"):
        resolutions, entities, city = resolve_document(pairs, gazetteer, lexicon)
    with _timed(timings, "relations"):
        return relate_document(doc, resolutions, entities, city, gazetteer, lexicon)


def as_simplified(text: str, traditional: bool) -> str:
    """``text`` in simplified characters if ``traditional`` (the decision :func:`to_simplified` takes on a whole text).

    For a part of a long document, whose whole text decided.
    """
    if not traditional:
        return text
    return text.translate(tra2sim_chars())


def warm_up() -> None:
    """Load the pipeline (spaCy, jieba, gazetteer, patterns) in this process."""
    make_nlp()
