"""The ``kg_resolve`` component: the candidate names of a Doc resolved to entities, in ``doc.ents``.

It reads the candidates ``kg_candidates`` stored (:func:`kg.nlp.candidates.candidates_of`),
resolves them with the resolution stage itself (:func:`kg.resolve.resolve_document`,
the Doc as a document of one article) and writes the mentions, each as a span
with the same three slots, to ``doc.spans["kg_mentions"]`` (:data:`MENTIONS_KEY`:
all of them, nested ones too, as ``kg build`` counts them) and to ``doc.ents``
(those not inside a longer one):

* ``ent.label_``: the entity's type (``Division``, ``Agency``, ``Organization``,
  ``Project``, ``Person``);
* ``ent.kb_id_``: the entity's IRI (:func:`kg.ids.iri` of its id), the node
  ``kg build`` makes of it: ``https://w3id.org/shanxi-kg/id/division/140722``;
* ``ent.id_``: the rule that resolved it (``gazetteer``, ``home-reference`` …).

``__call__`` is :meth:`EntityResolver.resolve` then
:meth:`EntityResolver.set_annotations`.  A mention that starts or ends
inside a token gets that token split (:mod:`kg.nlp.retokenize`).  Mentions
nest: the county in 某县民政局, the school in 某小学综合楼项目; ``doc.ents``
cannot, so of overlapping mentions it keeps the longer
(``spacy.util.filter_spans``).  The ents the Doc had before are replaced.

``kg build`` resolves every article of a file together (the home city is
the file's); this component sees one Doc, so a text resolves here as a file
holding only that text would.
"""
from __future__ import annotations

from itertools import chain

from spacy.language import Language
from spacy.tokens import Doc, SpanGroup
from spacy.util import filter_spans

from kg.ids import iri
from kg.nlp.candidates import candidates_of
from kg.nlp.retokenize import split_tokens
from kg.nlp.tokenizer import add_project_words, resources
from kg.records import Article
from kg.resolve import ArticleText, Resolved, resolve_document

__all__ = ["EntityResolver", "MENTIONS_KEY", "ARTICLE_ID"]

#: The key of every resolved mention in ``doc.spans`` (``doc.ents``: those not nested in another).
MENTIONS_KEY = "kg_mentions"

#: The article id a Doc's mentions get (the Doc is resolved as a document of one article).
ARTICLE_ID = "doc-1"


@Language.factory("kg_resolve", default_config={"gazetteer_path": "", "patterns_dir": ""})
def make_resolve_component(nlp: Language, name: str, gazetteer_path: str, patterns_dir: str):
    return EntityResolver(gazetteer_path, patterns_dir)


class EntityResolver:
    """spaCy component: resolved entities into ``doc.ents`` (``label_`` type, ``kb_id_`` IRI).

    ``gazetteer_path`` and ``patterns_dir``: the data to use (``""`` for the
    project's own); the same as the ``kg_candidates`` component's.
    """

    def __init__(self, gazetteer_path: str = "", patterns_dir: str = "") -> None:
        add_project_words(gazetteer_path, patterns_dir)
        self.gazetteer, self.lexicon, _matcher = resources(gazetteer_path, patterns_dir)

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.resolve(doc))
        return doc

    def resolve(self, doc: Doc) -> list[Resolved]:
        """The mentions of ``doc``'s candidates resolved to entities (offsets into ``doc.text``)."""
        text = doc.text
        article = ArticleText(Article(ARTICLE_ID, "", 0, len(text), ""), text, range(len(text)))
        resolutions, _entities, _city = resolve_document([(article, candidates_of(doc))],
                                                         self.gazetteer, self.lexicon)
        # as the relation stage takes them: a division inside a name is part of that name
        return [m for m in resolutions[0].mentions if not m.in_name]

    def set_annotations(self, doc: Doc, mentions: list[Resolved]) -> None:
        """Write ``mentions`` to ``doc.spans[MENTIONS_KEY]``, and those not inside a longer one to ``doc.ents``."""
        split_tokens(doc, chain.from_iterable((m.start, m.end) for m in mentions))
        spans = []
        for m in mentions:
            span = doc.char_span(m.start, m.end, label=m.type, kb_id=iri(m.entity_id), span_id=m.rule,
                                 alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans[MENTIONS_KEY] = SpanGroup(doc, name=MENTIONS_KEY, spans=spans)
        doc.ents = filter_spans(spans)
