"""spaCy Chinese pipeline: jieba segmentation that keeps gazetteer names whole,
and a component that puts every candidate name into ``doc.spans``.

``spacy.blank("zh")`` with the jieba segmenter; every division name and short
form, and the domain compounds of agency names, are added to jieba's
dictionary *before* the pipeline is used, so that they stay one token.  The
``kg_candidates`` component runs the naming rules of :mod:`kg.names` and
stores the candidates (ambiguous ones too) in ``doc.spans["kg_candidates"]``
with the candidate division ids in ``span.kb_id_`` (``|``-joined).
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.names import Candidate, Context, DivisionMatcher, find_all

__all__ = ["make_nlp", "tag", "candidates_of", "SPANS_KEY"]

SPANS_KEY = "kg_candidates"

if not Doc.has_extension("kg_candidates"):
    Doc.set_extension("kg_candidates", default=None)


@functools.lru_cache(maxsize=2)
def _resources(gazetteer_path: str, patterns_dir: str):
    from kg.gazetteer import load_gazetteer
    from kg.lexicon import load_lexicon

    gazetteer = load_gazetteer(gazetteer_path or None)
    lexicon = load_lexicon(patterns_dir or None)
    return gazetteer, lexicon, DivisionMatcher(gazetteer)


@functools.lru_cache(maxsize=2)
def _prepare_jieba(gazetteer_path: str, patterns_dir: str) -> None:
    """Add gazetteer names and domain compounds to jieba's dictionary (once)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    gazetteer, lexicon, matcher = _resources(gazetteer_path, patterns_dir)
    for surface in sorted(matcher.surfaces):
        division_ids, _short = matcher.surfaces[surface]
        levels = {gazetteer.get(i).level for i in division_ids}
        if levels & {"province", "prefecture", "county", "township", "zone"}:
            jieba.add_word(surface, freq=2000, tag="ns")
    # domain compounds, abbreviated body names (住建局, 卫健委) and position titles,
    # so that 区住建局局长 splits as 区/住建局/局长 and the rules see those words
    words = set(lexicon.words("agency", "domain_compounds"))
    words |= set(lexicon.table("abbreviations", "agency"))
    words |= {t for t in lexicon.words("person", "titles") if len(t) >= 2}
    for word in sorted(words):
        jieba.add_word(word, freq=2000, tag="n")


@Language.factory("kg_candidates", default_config={"gazetteer_path": "", "patterns_dir": ""})
def make_candidates_component(nlp: Language, name: str, gazetteer_path: str, patterns_dir: str):
    return CandidateTagger(gazetteer_path, patterns_dir)


class CandidateTagger:
    """spaCy component: every candidate name of every type into ``doc.spans``."""

    def __init__(self, gazetteer_path: str = "", patterns_dir: str = "") -> None:
        _prepare_jieba(gazetteer_path, patterns_dir)
        self.gazetteer, self.lexicon, self.matcher = _resources(gazetteer_path, patterns_dir)
        import jieba.posseg

        self.tags = jieba.posseg.dt.word_tag_tab

    def __call__(self, doc: Doc) -> Doc:
        candidates = self.match(doc)
        self.set_annotations(doc, candidates)
        return doc

    def context(self, doc: Doc) -> Context:
        starts, ends, pos = set(), set(), {}
        for token in doc:
            if token.is_space:
                continue
            s, e = token.idx, token.idx + len(token.text)
            starts.add(s)
            ends.add(e)
            pos[(s, e)] = self.tags.get(token.text, "")
        return Context(self.lexicon, self.matcher, frozenset(starts), frozenset(ends), pos)

    def match(self, doc: Doc) -> list[Candidate]:
        return find_all(doc.text, self.context(doc))

    def set_annotations(self, doc: Doc, candidates: list[Candidate]) -> None:
        doc._.kg_candidates = candidates
        spans = []
        for c in candidates:
            span = doc.char_span(c.start, c.end, label=c.type, alignment_mode="expand")
            if span is None:
                continue
            span = Span(doc, span.start, span.end, label=c.type, kb_id="|".join(c.division_ids))
            spans.append(span)
        doc.spans[SPANS_KEY] = spans


@functools.lru_cache(maxsize=2)
def make_nlp(gazetteer_path: str = "", patterns_dir: str = "") -> Language:
    """The project's spaCy pipeline: blank Chinese + jieba + ``kg_candidates``."""
    import spacy

    _prepare_jieba(gazetteer_path, patterns_dir)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.add_pipe("kg_candidates", config={"gazetteer_path": gazetteer_path, "patterns_dir": patterns_dir})
    return nlp


def tag(texts: Iterable[str], nlp: Language | None = None) -> list[Doc]:
    """Run the pipeline over texts."""
    nlp = nlp or make_nlp()
    return list(nlp.pipe(texts))


def candidates_of(doc: Doc) -> list[Candidate]:
    """The exact candidate records of a tagged doc (offsets into ``doc.text``)."""
    return list(doc._.kg_candidates or [])
