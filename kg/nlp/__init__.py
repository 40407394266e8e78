"""The NLP layer: jieba segmentation and the spaCy pipeline (the only stage that imports spaCy).

* :mod:`~kg.nlp.segmenter`: a compiled jieba (rjieba) giving Python jieba's
  own tokens, and the project's jieba dictionary;
* :mod:`~kg.nlp.tokenizer`: the spaCy tokenizer over it, with gazetteer
  names and domain compounds kept whole and jieba's tags in ``token.tag_``;
* :mod:`~kg.nlp.candidates`: the ``kg_candidates`` component, running the
  naming rules of :mod:`kg.names` into ``doc.spans["kg_candidates"]``;
* :mod:`~kg.nlp.entities`: the ``kg_resolve`` component, resolving those
  candidates (:mod:`kg.resolve`) into ``doc.ents`` with the entities' IRIs;
* :mod:`~kg.nlp.retokenize`: splitting a token where a name starts or ends inside it;
* :mod:`~kg.nlp.pipeline`: the pipeline of all of them (``kg.load_nlp()``).
"""
