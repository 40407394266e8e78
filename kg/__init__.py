"""kg: a knowledge-graph builder for Shanxi local-government news."""

__version__ = "0.1.0"


# -- the spaCy pipeline ------------------------------------------------------------------

def load_nlp(gazetteer_path=None, patterns_dir=None):
    """The project's spaCy pipeline: a ``Doc`` of a text carries its candidate names and resolved entities.

    ``spacy.blank("zh")`` with the jieba tokenizer (gazetteer names kept whole,
    ``token.tag_`` = jieba's part-of-speech tag), then two components:

    * ``kg_candidates``: every candidate name, overlapping and ambiguous ones
      too, in ``doc.spans["kg_candidates"]`` (``span.label_`` the type,
      ``span.id_`` the naming rule, ``span.kb_id_`` the ``|``-joined gazetteer
      ids a division name may denote);
    * ``kg_resolve``: the names resolved to entities in ``doc.ents``
      (``ent.label_`` the type, ``ent.kb_id_`` the entity's IRI, the node
      ``kg build`` makes of it), and every mention, nested ones too (the county
      in a county bureau's name), in ``doc.spans["kg_mentions"]``.

    The text is resolved as a file holding only that text would be (``kg build``
    resolves all the articles of a file together, and first normalises the text:
    traditional characters, page-layout line breaks).  ``gazetteer_path`` and
    ``patterns_dir`` name other data than the project's own ``ontology/``.
    Each call makes a new pipeline.  ``nlp.to_disk(path)`` saves it, and plain
    ``spacy.load(path)`` loads it again in any process where this package is
    installed (its parts are registered with spaCy through entry points).

    >>> import kg
    >>> nlp = kg.load_nlp()
    >>> doc = nlp("小店区住建局局长李红梅到太原市第五中学检查供暖工作。")
    >>> [(ent.text, ent.label_) for ent in doc.ents]
    [('小店区住建局', 'Agency'), ('李红梅', 'Person'), ('太原市第五中学', 'Organization')]
    >>> doc.ents[0].kb_id_  # 小店区住房和城乡建设局
    'https://w3id.org/shanxi-kg/id/agency/d3a9c7cc0379ed20'
    >>> [(span.text, span.kb_id_) for span in doc.spans["kg_mentions"] if span.label_ == "Division"]
    [('小店区', 'https://w3id.org/shanxi-kg/id/division/140105')]
    >>> [(span.text, span.label_, span.id_) for span in doc.spans["kg_candidates"]][:2]
    [('小店区住建局', 'Agency', 'agency-suffix'), ('小店区', 'Division', 'gazetteer')]
    """
    from kg.nlp.pipeline import new_nlp  # here: `import kg` (kg --help, kg eval) never loads spaCy

    return new_nlp(str(gazetteer_path or ""), str(patterns_dir or ""))
