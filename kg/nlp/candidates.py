"""The ``kg_candidates`` component: every candidate name of every type, as spans of the Doc.

The component runs the naming rules of :mod:`kg.names` (pure functions over
text, no spaCy) on the Doc's text and tokens, and stores what they return,
ambiguous and overlapping candidates too, in ``doc.spans["kg_candidates"]``
(:data:`SPANS_KEY`), like spaCy's ``SpanRuler``: ``__call__`` is
:meth:`CandidateTagger.match` then :meth:`CandidateTagger.set_annotations`.

One :class:`~kg.names.Candidate` is one ``Span`` of that group, in the order
the finders returned them:

* ``span.start_char`` / ``span.end_char``: the candidate's offsets (a token a
  name starts or ends inside is split there first, :mod:`kg.nlp.retokenize`,
  so the span is exact);
* ``span.label_``: its type (``Division``, ``Agency``, ``Organization``,
  ``Project``, ``Person``);
* ``span.id_``: the rule that found it (``gazetteer``, ``title-name`` …, as
  spaCy's ``SpanRuler`` puts a pattern's id there);
* ``span.kb_id_``: for a division, every gazetteer id the name may denote,
  ``|``-joined (城区 is a district of several cities: the resolver chooses);
  empty for the other types.

What a Candidate holds beyond those has no slot on a Span: a short form, the
jurisdiction prefix inside a name, a person's title, a name assembled from
the text.  It is kept in the group's own ``attrs`` (serialised with the Doc
by spaCy), under :data:`DETAILS_KEY`: one entry per span, ``None`` or a dict
of the fields that differ from their defaults (``{"title": "局长"}``).
:func:`to_spans` and :func:`candidates_of` convert one way and back, and
``candidates_of(nlp(text))`` gives exactly the records the finders returned.
"""
from __future__ import annotations

from itertools import accumulate, chain

import numpy
from spacy.attrs import ORTH, SPACY, TAG
from spacy.language import Language
from spacy.tokens import Doc, SpanGroup

from kg.names import Candidate, Context, TokenTags, find_all
from kg.nlp import segmenter
from kg.nlp.retokenize import split_tokens
from kg.nlp.tokenizer import MAX_WORDS, add_project_words, blank_runs, resources

__all__ = ["SPANS_KEY", "DETAILS_KEY", "CandidateTagger", "to_spans", "candidates_of"]

#: The key of the candidates in ``doc.spans``.
SPANS_KEY = "kg_candidates"
#: The key, in that span group's ``attrs``, of what each candidate holds beyond its span.
DETAILS_KEY = "details"

# What the component reads of each token (one array, no Token objects).
_TOKEN_ATTRS = [ORTH, SPACY, TAG]


@Language.factory("kg_candidates", default_config={"gazetteer_path": "", "patterns_dir": ""})
def make_candidates_component(nlp: Language, name: str, gazetteer_path: str, patterns_dir: str):
    return CandidateTagger(gazetteer_path, patterns_dir)


class CandidateTagger:
    """spaCy component: every candidate name of every type into ``doc.spans["kg_candidates"]``.

    ``gazetteer_path`` and ``patterns_dir``: the data to use (``""`` for the
    project's own, under ``ontology/``).
    """

    def __init__(self, gazetteer_path: str = "", patterns_dir: str = "") -> None:
        add_project_words(gazetteer_path, patterns_dir)
        self.gazetteer, self.lexicon, self.matcher = resources(gazetteer_path, patterns_dir)
        # per-process tables of the tokens seen: ORTH hash -> text; TAG hash -> tag
        self._texts: dict[int, str] = {}
        self._tags = _TagStrings()
        # the tags of jieba's dictionary file, the same for every dictionary made from it
        self._dictionary_tags = _DictionaryTags(segmenter.word_tags())

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.match(doc))
        return doc

    def match(self, doc: Doc) -> list[Candidate]:
        """The candidate names of ``doc`` (offsets into ``doc.text``), as the finders return them."""
        text, ctx = self.context(doc)
        return find_all(text, ctx)

    def match_words(self, text: str, words: list[str]) -> list[Candidate]:
        """:meth:`match` of the Doc the tokenizer makes of ``text``, from the segmenter's words
        (:meth:`kg.nlp.tokenizer.JiebaTokenizer.segment`) without making that Doc.

        The build's way (:mod:`kg.run.document`): it needs the candidates,
        not the Doc, and making the Doc with its tags took about a tenth of
        its time per document.  The tags are those the tokenizer gives the
        tokens (jieba's dictionary tag of each word).
        """
        return find_all(text, self._context(words, words, self._dictionary_tags))

    def set_annotations(self, doc: Doc, candidates: list[Candidate]) -> None:
        """Store ``candidates`` in ``doc.spans[SPANS_KEY]`` (see :func:`to_spans`)."""
        to_spans(doc, candidates)

    def context(self, doc: Doc) -> tuple[str, Context]:
        """The doc's text and the naming context of its tokens (their offsets and ``token.tag_``).

        Read from one ``doc.to_array`` (iterating a Doc makes one Python
        ``Token`` per token, and ``doc.text`` does it again): the tokens'
        texts come from a per-process table keyed by ORTH hash (a hash is the
        same string in every vocab), and a trailing space becomes a word of
        its own, so that the words tile the text as the segmenter's do.
        """
        array = doc.to_array(_TOKEN_ATTRS)
        orths = array[:, 0].tolist()
        try:
            words = list(map(self._texts.__getitem__, orths))
        except KeyError:
            self._learn(doc, orths)
            words = list(map(self._texts.__getitem__, orths))
        tags = array[:, 2].tolist()
        trailing = numpy.flatnonzero(array[:, 1]).tolist()
        if trailing:  # (rare in Chinese text)
            words, tags = _with_spaces(trailing, words, tags)
        self._tags.strings = doc.vocab.strings
        return "".join(words), self._context(words, tags, self._tags)

    def _context(self, words: list[str], keys: list, table) -> Context:
        """The naming context of words that tile a text: the words but whitespace, each
        tagged ``table[key]`` (looked up only when a rule asks for that word's tag)."""
        bounds = list(accumulate(map(len, words), initial=0))
        starts, ends = bounds[:-1], bounds[1:]
        runs = blank_runs(words)
        if runs:  # few: drop them by slices between them
            starts, ends, keys = _without(runs, starts, ends, keys)
        return Context(self.lexicon, self.matcher, starts, ends, TokenTags(keys, table))

    def _learn(self, doc: Doc, orths: list[int]) -> None:
        """Add the text of unseen ORTH hashes to the table (a new table past :data:`MAX_WORDS`)."""
        missing = set(orths).difference(self._texts)
        if len(self._texts) + len(missing) > MAX_WORDS:
            self._texts = {}
            missing = set(orths)
        strings = doc.vocab.strings
        self._texts.update((orth, strings[orth]) for orth in missing)


def _with_spaces(after: list[int], words: list[str], tags: list[int]) -> tuple[list[str], list[int]]:
    """``words`` with a ``" "`` word (no tag) after each index in ``after`` (in order; a few)."""
    out_words: list[str] = []
    out_tags: list[int] = []
    pos = 0
    for i in after:
        out_words += words[pos:i + 1]
        out_words.append(" ")
        out_tags += tags[pos:i + 1]
        out_tags.append(0)
        pos = i + 1
    out_words += words[pos:]
    out_tags += tags[pos:]
    return out_words, out_tags


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


class _DictionaryTags:
    """jieba's tag of a word, ``""`` for a word without one: what the tokenizer puts in ``token.tag_``."""

    __slots__ = ("tags",)

    def __init__(self, tags: dict[str, str]) -> None:
        self.tags = tags

    def __getitem__(self, word: str) -> str:
        return self.tags.get(word, "")


class _TagStrings(dict):
    """TAG hash -> tag string, filled from the StringStore of the Doc being read (0: no tag)."""

    __slots__ = ("strings",)

    def __init__(self) -> None:
        super().__init__({0: ""})
        self.strings = None

    def __missing__(self, key: int) -> str:
        value = self[key] = self.strings[key]
        return value


def to_spans(doc: Doc, candidates: list[Candidate]) -> SpanGroup:
    """``candidates`` (offsets into ``doc.text``) as ``doc.spans[SPANS_KEY]``, which it returns.

    Tokens a candidate starts or ends inside are split first.  A candidate
    whose edge no token boundary can mark (the trailing space of a token)
    gets the span of the tokens around it, and its own offsets among its
    details.
    """
    split_tokens(doc, chain.from_iterable((c.start, c.end) for c in candidates))
    spans = []
    details = []
    for c in candidates:
        kb_id = "|".join(c.division_ids)
        span = doc.char_span(c.start, c.end, label=c.type, kb_id=kb_id, span_id=c.rule)
        if span is None:
            span = doc.char_span(c.start, c.end, label=c.type, kb_id=kb_id, span_id=c.rule,
                                 alignment_mode="expand")
        extra = {}
        if (span.start_char, span.end_char) != (c.start, c.end):
            extra["start"], extra["end"] = c.start, c.end
        if c.short:
            extra["short"] = True
        if c.juris is not None:
            extra["juris"] = list(c.juris)
        if c.title is not None:
            extra["title"] = c.title
        if c.name is not None:
            extra["name"] = c.name
        spans.append(span)
        details.append(extra or None)
    doc.spans[SPANS_KEY] = SpanGroup(doc, name=SPANS_KEY, attrs={DETAILS_KEY: details}, spans=spans)
    return doc.spans[SPANS_KEY]


def candidates_of(doc: Doc) -> list[Candidate]:
    """The candidates stored in ``doc.spans[SPANS_KEY]``, as the records the finders returned.

    ``[]`` for a Doc the component has not seen.  Raises ``ValueError``
    when the group was changed after the component set it (its spans and
    their details no longer pair up).
    """
    if SPANS_KEY not in doc.spans:
        return []
    group = doc.spans[SPANS_KEY]
    details = group.attrs.get(DETAILS_KEY)
    if details is None or len(details) != len(group):
        raise ValueError(f"doc.spans[{SPANS_KEY!r}] was changed after the kg_candidates component set it")
    text = doc.text
    out = []
    for span, extra in zip(group, details):
        extra = extra or {}
        start = extra.get("start", span.start_char)
        end = extra.get("end", span.end_char)
        juris = extra.get("juris")
        out.append(Candidate(start, end, span.label_, text[start:end], span.id_,
                             division_ids=tuple(span.kb_id_.split("|")) if span.kb_id_ else (),
                             short=extra.get("short", False), juris=tuple(juris) if juris is not None else None,
                             title=extra.get("title"), name=extra.get("name")))
    return out
