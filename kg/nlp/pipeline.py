"""The project's spaCy pipeline: ``spacy.blank("zh")``, the jieba tokenizer
(:mod:`kg.nlp.tokenizer`) and the ``kg_candidates`` component, which puts
every candidate name into ``doc.spans``.

The component runs the naming rules of :mod:`kg.names` and stores the
candidates (ambiguous ones too) in ``doc.spans["kg_candidates"]`` with the
candidate division ids in ``span.kb_id_`` (``|``-joined).
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from itertools import accumulate

import numpy
import spacy
from spacy.attrs import IDX, ORTH, SPACY
from spacy.language import Language
from spacy.tokens import Doc

from kg.names import Candidate, Context, TokenTags, find_all
from kg.nlp import segmenter
from kg.nlp.tokenizer import MAX_WORDS, add_project_words, pop_words, resources

__all__ = ["make_nlp", "tag", "candidates_of", "SPANS_KEY", "CandidateTagger"]

SPANS_KEY = "kg_candidates"

# What the candidate component reads of each token (one array, no Token objects).
_TOKEN_ATTRS = [ORTH, IDX, SPACY]

if not Doc.has_extension("kg_candidates"):
    Doc.set_extension("kg_candidates", default=None)


@Language.factory("kg_candidates", default_config={"gazetteer_path": "", "patterns_dir": ""})
def make_candidates_component(nlp: Language, name: str, gazetteer_path: str, patterns_dir: str):
    return CandidateTagger(gazetteer_path, patterns_dir)


class CandidateTagger:
    """spaCy component: every candidate name of every type into ``doc.spans``."""

    def __init__(self, gazetteer_path: str = "", patterns_dir: str = "") -> None:
        add_project_words(gazetteer_path, patterns_dir)
        self.gazetteer, self.lexicon, self.matcher = resources(gazetteer_path, patterns_dir)
        # the tags of jieba's dictionary file, the same for every dictionary made from it
        self.tags = segmenter.word_tags()
        # per-process tables of the words seen: ORTH hash -> text, ORTH hash -> jieba tag or ""
        self._texts: dict[int, str] = {}
        self._tags: dict[int, str] = {}
        self._space_orths: tuple[int, ...] = ()  # ORTH hashes of the whitespace tokens seen
        self._tag_of = _TagOf(self.tags)

    def __call__(self, doc: Doc) -> Doc:
        candidates = self.match(doc)
        self.set_annotations(doc, candidates)
        return doc

    def context(self, doc: Doc) -> Context:
        return self._read(doc)[1]

    def match(self, doc: Doc) -> list[Candidate]:
        text, ctx = self._read(doc)
        return find_all(text, ctx)

    def _read(self, doc: Doc) -> tuple[str, Context]:
        """The doc's text and the naming context of its tokens.

        For a Doc straight from :class:`JiebaTokenizer` they come from the
        words and spaces it was made of (:meth:`_read_words`); any other Doc
        is read back (:meth:`_read_array`).
        """
        made = pop_words(doc)
        # (a component that retokenized the Doc since would have changed its length)
        if made is not None and made[2] == len(doc):
            return self._read_words(made[0], made[1], made[3])
        return self._read_array(doc)

    def _read_words(self, text: str, words: list[str], blank: list[tuple[int, int]]) -> tuple[str, Context]:
        """:meth:`_read_array` from the segmenter's words of a Doc (the same text and context).

        The words tile the text, and the Doc's tokens other than whitespace
        are its words other than whitespace, at the same offsets (the
        tokenizer only makes whitespace words trailing spaces or merges
        them), so a word ends where the next one starts.  Tags are looked
        up by word when asked.  ``blank``: the runs of whitespace words.
        """
        bounds = list(accumulate(map(len, words), initial=0))
        starts, ends = bounds[:-1], bounds[1:]
        if blank:  # drop them: few, so by slices between them
            starts, ends, words = _without(blank, starts, ends, words)
        return text, Context(self.lexicon, self.matcher, starts, ends, TokenTags(words, self._tag_of))

    def _read_array(self, doc: Doc) -> tuple[str, Context]:
        """The doc's text and the naming context of its tokens, read from ``doc.to_array``.

        Iterating a Doc makes one Python ``Token`` per token (and ``doc.text``
        does it again); here the columns of one array are mapped through
        per-process tables keyed by ORTH hash (a hash is the same string in
        every vocab), with ``map`` and numpy and no Python loop per token.
        A token ends where the next one starts, less its trailing space.
        """
        array = doc.to_array(_TOKEN_ATTRS)
        orth, spacy = array[:, 0], array[:, 2]
        orths = orth.tolist()
        try:
            pieces = list(map(self._texts.__getitem__, orths))
        except KeyError:
            self._learn(doc, orths)  # (may start new tables)
            pieces = list(map(self._texts.__getitem__, orths))
        for i in numpy.flatnonzero(spacy).tolist():  # a trailing space (rare in Chinese text)
            pieces[i] += " "
        text = "".join(pieces)
        starts = array[:, 1]
        ends = numpy.empty_like(starts)
        if len(ends):
            ends[:-1] = starts[1:] - spacy[:-1]
            ends[-1] = len(text) - spacy[-1]
        spaces = self._space_orths
        if spaces:  # drop whitespace tokens (a few kinds: a comparison per kind beats numpy.isin)
            if len(spaces) <= 16:
                words = orth != spaces[0]
                for space in spaces[1:]:
                    words &= orth != space
            else:
                words = ~numpy.isin(orth, numpy.array(spaces, dtype=numpy.uint64))
            orth, starts, ends = orth[words], starts[words], ends[words]
        return text, Context(self.lexicon, self.matcher, starts.tolist(), ends.tolist(),
                             TokenTags(orth.tolist(), self._tags))

    def _learn(self, doc: Doc, orths: list[int]) -> None:
        """Add the text, jieba tag and whitespace-ness of unseen ORTH hashes to the tables."""
        texts, tags = self._texts, self._tags
        missing = set(orths).difference(texts)
        if len(texts) + len(missing) > MAX_WORDS:
            # new tables (a context made before keeps the old tags table)
            texts, tags = self._texts, self._tags = {}, {}
            self._space_orths = ()
            missing = set(orths)
        strings = doc.vocab.strings
        spaces = []
        for orth in missing:
            word = texts[orth] = strings[orth]
            tags[orth] = self.tags.get(word, "")
            if word.isspace():  # spaCy's IS_SPACE
                spaces.append(orth)
        if spaces:
            self._space_orths = tuple(sorted(set(self._space_orths).union(spaces)))

    def set_annotations(self, doc: Doc, candidates: list[Candidate]) -> None:
        doc._.kg_candidates = candidates
        spans = []
        for c in candidates:
            span = doc.char_span(c.start, c.end, label=c.type, kb_id="|".join(c.division_ids),
                                 alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans[SPANS_KEY] = spans


def _without(runs: list[tuple[int, int]], *columns: list) -> list[list]:
    """``columns`` without the rows of ``runs`` (``(start, end)`` each, in order; a few)."""
    out = []
    for column in columns:
        kept = []
        pos = 0
        for i, j in runs:
            kept += column[pos:i]
            pos = j
        kept += column[pos:]
        out.append(kept)
    return out


class _TagOf:
    """jieba's tag of a word, ``""`` for a word without one (a table for :class:`TokenTags`)."""

    __slots__ = ("tags",)

    def __init__(self, tags: dict[str, str]) -> None:
        self.tags = tags

    def __getitem__(self, word: str) -> str:
        return self.tags.get(word, "")


@functools.lru_cache(maxsize=4)
def make_nlp(gazetteer_path: str = "", patterns_dir: str = "", compiled: bool = True) -> Language:
    """The project's spaCy pipeline: blank Chinese + jieba + ``kg_candidates``.

    ``compiled=False`` segments with Python jieba instead of the compiled
    one; the tokens are the same (see :mod:`kg.nlp.segmenter`).
    """
    add_project_words(gazetteer_path, patterns_dir)
    tokenizer = {"@tokenizers": "kg.jieba_tokenizer.v1", "gazetteer_path": gazetteer_path,
                 "patterns_dir": patterns_dir, "compiled": compiled}
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": tokenizer}})
    nlp.add_pipe("kg_candidates", config={"gazetteer_path": gazetteer_path, "patterns_dir": patterns_dir})
    return nlp


def tag(texts: Iterable[str], nlp: Language | None = None) -> list[Doc]:
    """Run the pipeline over texts."""
    nlp = nlp or make_nlp()
    return list(nlp.pipe(texts))


def candidates_of(doc: Doc) -> list[Candidate]:
    """The exact candidate records of a tagged doc (offsets into ``doc.text``)."""
    return list(doc._.kg_candidates or [])
