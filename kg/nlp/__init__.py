"""The NLP layer: jieba segmentation and the spaCy pipeline (the only stage that imports spaCy).

* :mod:`~kg.nlp.segmenter`: a compiled jieba (rjieba) giving Python jieba's
  own tokens, and the project's jieba dictionary;
* :mod:`~kg.nlp.tokenizer`: the spaCy tokenizer over it, with gazetteer
  names and domain compounds kept whole;
* :mod:`~kg.nlp.pipeline`: ``make_nlp`` and the ``kg_candidates`` component
  running the naming rules of :mod:`kg.names`.
"""
