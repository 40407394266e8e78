"""spaCy tokenizer: jieba's words, with the gazetteer's names and the domain compounds kept whole.

Every division name and short form, and the domain compounds of agency
names, are added to jieba's dictionary (:func:`add_project_words`) *before*
the tokenizer is used, so that they stay one token.  The tokenizer
(``kg.jieba_tokenizer.v1`` in spaCy's tokenizer registry, found through the
``spacy_tokenizers`` entry point, so a saved pipeline loads with plain
``spacy.load``) cuts with :class:`kg.nlp.segmenter.FastJieba`, a compiled
jieba that gives jieba's own tokens from that same dictionary at several
times its speed (``compiled = false`` in the config selects Python jieba
itself).

What the tokenizer knows of a word beyond its text goes into the ``Doc``
it makes, in spaCy's own slots: ``token.tag_`` is the word's part-of-speech
tag in jieba's dictionary file (``""`` for a word the file lacks: the
project's own words, numbers, punctuation, whitespace), which the naming
rules read (:mod:`kg.nlp.candidates`); whitespace is ``token.is_space`` and
``token.whitespace_`` as spaCy makes them.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator

import numpy
import spacy
from spacy.attrs import TAG
from spacy.language import Language
from spacy.tokens import Doc

from kg.knowledge.gazetteer import load_gazetteer
from kg.knowledge.lexicon import load_lexicon
from kg.names import DivisionMatcher
from kg.nlp import segmenter

__all__ = ["JiebaTokenizer", "create_jieba_tokenizer", "resources", "add_project_words",
           "words_and_spaces", "blank_runs", "MAX_WORDS"]

# Bound of the per-process word tables (a corpus has far fewer distinct tokens).
MAX_WORDS = 1_000_000


@functools.lru_cache(maxsize=2)
def resources(gazetteer_path: str, patterns_dir: str):
    gazetteer = load_gazetteer(gazetteer_path or None)
    lexicon = load_lexicon(patterns_dir or None)
    return gazetteer, lexicon, DivisionMatcher(gazetteer)


@functools.cache
def add_project_words(gazetteer_path: str, patterns_dir: str) -> None:
    """Add gazetteer names and domain compounds to jieba's dictionary (once per pair).

    Added to :mod:`kg.nlp.segmenter`'s dictionary, which hands them to Python
    jieba when that is used (:func:`_prepare_jieba`).
    """
    gazetteer, lexicon, matcher = resources(gazetteer_path, patterns_dir)
    words = []
    for surface in sorted(matcher.surfaces):
        division_ids, _short = matcher.surfaces[surface]
        levels = {gazetteer.get(i).level for i in division_ids}
        if levels & {"province", "prefecture", "county", "township", "zone"}:
            words.append((surface, 2000, "ns"))
    # domain compounds, abbreviated body names (住建局, 卫健委) and position titles,
    # so that 区住建局局长 splits as 区/住建局/局长 and the rules see those words
    compounds = set(lexicon.words("agency", "domain_compounds"))
    compounds |= set(lexicon.table("abbreviations", "agency"))
    compounds |= {t for t in lexicon.words("person", "titles") if len(t) >= 2}
    words += [(word, 2000, "n") for word in sorted(compounds)]
    segmenter.add_words(words)


def _prepare_jieba(gazetteer_path: str, patterns_dir: str) -> None:
    """The project's words in Python jieba's own dictionary (``jieba.cut``, spaCy's jieba segmenter)."""
    add_project_words(gazetteer_path, patterns_dir)
    segmenter.python_jieba()


def _compiled_jieba():
    """The :class:`~kg.nlp.segmenter.FastJieba` of the project's dictionary (see :func:`kg.nlp.segmenter.compiled`)."""
    return segmenter.compiled()


class JiebaTokenizer:
    """spaCy tokenizer: jieba's words (gazetteer names whole), compiled or not.

    Makes the same ``Doc`` as spaCy's own ``ChineseTokenizer`` with
    ``segmenter = "jieba"`` (same words, same whitespace tokens and trailing
    spaces) after adding the project's words to jieba's dictionary.
    """

    def __init__(self, vocab, gazetteer_path: str = "", patterns_dir: str = "", compiled: bool = True) -> None:
        add_project_words(gazetteer_path, patterns_dir)
        if not compiled:
            _prepare_jieba(gazetteer_path, patterns_dir)
        self.vocab = vocab
        self.compiled = compiled
        self._orth_table: dict[str, int] = {}  # word -> ORTH hash, for the words seen
        self._tag_table: dict[str, int] = {}  # word -> hash of its jieba tag, for the words seen
        if compiled:
            _compiled_jieba()  # build it now rather than on the first text

    def __call__(self, text: str) -> Doc:
        words, spaces = words_and_spaces(self.segment(text), text)
        doc = Doc(self.vocab, words=self._orths(words), spaces=spaces)
        # one column for all tokens: Doc(tags=...) would cost as much again as the Doc
        doc.from_array(_TAG_ATTRS, self._tags(words))
        return doc

    def segment(self, text: str) -> list[str]:
        """jieba's words of ``text`` (they tile it, whitespace words included)."""
        return _compiled_jieba().cut(text) if self.compiled else _python_cut(text)

    def _orths(self, words: list[str]) -> list[int] | list[str]:
        """The words as ORTH hashes (the same Doc, made ~4x faster).

        ``Doc(words=strings)`` hashes every string through the StringStore;
        with hashes it only looks the lexemes up.  The hashes come from a
        per-tokenizer table; unseen words are added to the StringStore first,
        as making their lexemes would.  Inside a memory zone (transient
        strings) the words are passed as they are.
        """
        if self.vocab.in_memory_zone:
            return words
        table = self._orth_table
        orths = list(map(table.get, words))
        if None in orths:
            missing = set(words).difference(table)
            if len(table) + len(missing) > MAX_WORDS:
                table.clear()
                missing = set(words)
            add = self.vocab.strings.add
            for word in missing:
                table[word] = add(word)
            orths = list(map(table.__getitem__, words))
        return orths

    def _tags(self, words: list[str]) -> numpy.ndarray:
        """The hash of each word's jieba tag (``token.tag``; 0, the empty tag, for a word without one).

        A per-tokenizer table as in :meth:`_orths`; inside a memory zone the
        hashes are not kept (a tag added there is forgotten after it).
        """
        table = self._tag_table
        if self.vocab.in_memory_zone:
            table = {}
        try:
            hashes = list(map(table.__getitem__, words))
        except KeyError:
            tags = segmenter.word_tags()
            if len(table) + len(words) > MAX_WORDS:
                table.clear()
            add = self.vocab.strings.add
            for word in set(words).difference(table):
                tag = tags.get(word, "")
                table[word] = add(tag) if tag else 0
            hashes = list(map(table.__getitem__, words))
        return numpy.array(hashes, dtype=numpy.uint64)

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    # The tokenizer has no state of its own (its dictionary is rebuilt from the
    # gazetteer and patterns named in the config), so serialization is empty.
    def to_bytes(self, **kwargs) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs) -> "JiebaTokenizer":
        return self

    def to_disk(self, path, **kwargs) -> None:
        return None

    def from_disk(self, path, **kwargs) -> "JiebaTokenizer":
        return self


_TAG_ATTRS = [TAG]


def _python_cut(text: str) -> list[str]:
    return [w for w in segmenter.python_jieba().cut(text, cut_all=False) if w]


@spacy.registry.tokenizers("kg.jieba_tokenizer.v1")
def create_jieba_tokenizer(gazetteer_path: str = "", patterns_dir: str = "",
                           compiled: bool = True) -> Callable[[Language], JiebaTokenizer]:
    def make(nlp: Language) -> JiebaTokenizer:
        return JiebaTokenizer(nlp.vocab, gazetteer_path, patterns_dir, compiled)

    return make


def words_and_spaces(words: list[str], text: str) -> tuple[list[str], list[bool]]:
    """spaCy's ``util.get_words_and_spaces`` for words that tile ``text`` exactly.

    Whitespace tokens are dropped, one ``" "`` after a word becomes that word's
    trailing space, and any other whitespace between two words becomes one
    token of its own: the same words and spaces as spaCy's function (which
    searches the rest of the text for every word, quadratic in the length of
    an article).  Only the runs of whitespace words (paragraph breaks, the
    spaces of a title) need work, so the words between them are copied in
    slices; words that hold a ``" "`` without being whitespace go through the
    general loop.
    """
    if sum(map(len, words)) != len(text):
        raise ValueError("the words do not tile the text")
    runs = blank_runs(words)
    joined = ["".join(words[i:j]) for i, j in runs]
    if " " in text and text.count(" ") != sum(w.count(" ") for w in joined):
        return _words_and_spaces_loop(words, text)
    if not runs:
        return words, [False] * len(words)
    out: list[str] = []
    spaces: list[bool] = []
    pos = 0  # words before pos are in out
    for (i, j), run in zip(runs, joined):
        out += words[pos:i]
        spaces += [False] * (i - pos)
        if i and run[0] == " ":  # the space after a word is that word's trailing space
            spaces[-1] = True
            run = run[1:]
        if run:
            out.append(run)
            spaces.append(False)
        pos = j
    out += words[pos:]
    spaces += [False] * (len(words) - pos)
    return out, spaces


def blank_runs(words: list[str]) -> list[tuple[int, int]]:
    """The ``(start, end)`` of every maximal run of whitespace words (``str.isspace``)."""
    blank = list(map(str.isspace, words))
    runs = []
    n = len(blank)
    i = blank.index(True) if True in blank else n
    while i < n:
        j = i + 1
        while j < n and blank[j]:
            j += 1
        runs.append((i, j))
        try:
            i = blank.index(True, j)
        except ValueError:
            break
    return runs


def _words_and_spaces_loop(words: list[str], text: str) -> tuple[list[str], list[bool]]:
    """:func:`words_and_spaces` word by word (for words holding a ``" "`` of their own)."""
    out: list[str] = []
    spaces: list[bool] = []
    n = len(text)
    pos = 0  # end of the last word or space consumed
    at = 0  # start of the current word in text
    for word in words:
        start = at
        at += len(word)
        if word.isspace():
            continue
        if start > pos:
            out.append(text[pos:start])
            spaces.append(False)
        out.append(word)
        pos = at
        if pos < n and text[pos] == " ":
            spaces.append(True)
            pos += 1
        else:
            spaces.append(False)
    if pos < n:
        out.append(text[pos:])
        spaces.append(False)
    return out, spaces
