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

from itertools import chain

import numpy
from spacy.attrs import IDX, ORTH, SPACY, TAG
from spacy.language import Language
from spacy.tokens import Doc, SpanGroup

from kg.names import Candidate, Context, TokenTags, find_all
from kg.nlp.retokenize import split_tokens
from kg.nlp.tokenizer import MAX_WORDS, add_project_words, resources

__all__ = ["SPANS_KEY", "DETAILS_KEY", "CandidateTagger", "to_spans", "candidates_of"]

#: The key of the candidates in ``doc.spans``.
SPANS_KEY = "kg_candidates"
#: The key, in that span group's ``attrs``, of what each candidate holds beyond its span.
DETAILS_KEY = "details"

# What the component reads of each token (one array, no Token objects).
_TOKEN_ATTRS = [ORTH, IDX, SPACY, TAG]


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
        self._space_orths: tuple[int, ...] = ()  # ORTH hashes of the whitespace tokens seen
        self._tags = _TagStrings()

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.match(doc))
        return doc

    def match(self, doc: Doc) -> list[Candidate]:
        """The candidate names of ``doc`` (offsets into ``doc.text``), as the finders return them."""
        text, ctx = self.context(doc)
        return find_all(text, ctx)

    def set_annotations(self, doc: Doc, candidates: list[Candidate]) -> None:
        """Store ``candidates`` in ``doc.spans[SPANS_KEY]`` (see :func:`to_spans`)."""
        to_spans(doc, candidates)

    def context(self, doc: Doc) -> tuple[str, Context]:
        """The doc's text and the naming context of its tokens, read from ``doc.to_array``.

        Iterating a Doc makes one Python ``Token`` per token (and ``doc.text``
        does it again); here the columns of one array are mapped through
        per-process tables keyed by ORTH hash (a hash is the same string in
        every vocab), with ``map`` and numpy and no Python loop per token.
        A token ends where the next one starts, less its trailing space.
        Whitespace tokens are left out of the context; the tags are the
        tokenizer's ``token.tag_``, looked up only when a rule asks.
        """
        array = doc.to_array(_TOKEN_ATTRS)
        orth, spacy, tag = array[:, 0], array[:, 2], array[:, 3]
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
            starts, ends, tag = starts[words], ends[words], tag[words]
        self._tags.strings = doc.vocab.strings
        return text, Context(self.lexicon, self.matcher, starts.tolist(), ends.tolist(),
                             TokenTags(tag.tolist(), self._tags))

    def _learn(self, doc: Doc, orths: list[int]) -> None:
        """Add the text and whitespace-ness of unseen ORTH hashes to the tables."""
        texts = self._texts
        missing = set(orths).difference(texts)
        if len(texts) + len(missing) > MAX_WORDS:
            texts = self._texts = {}
            self._space_orths = ()
            missing = set(orths)
        strings = doc.vocab.strings
        spaces = []
        for orth in missing:
            word = texts[orth] = strings[orth]
            if word.isspace():  # spaCy's IS_SPACE
                spaces.append(orth)
        if spaces:
            self._space_orths = tuple(sorted(set(self._space_orths).union(spaces)))


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
