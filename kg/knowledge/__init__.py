"""Knowledge kept as data under ``ontology/``, loaded and validated once.

* :mod:`kg.knowledge.gazetteer`: the administrative divisions (``divisions.tsv``),
  with the one answer to "is X within Y" (:meth:`~kg.knowledge.gazetteer.Gazetteer.within`);
* :mod:`kg.knowledge.lexicon`: the naming grammar (``patterns/*.toml``);
* :mod:`kg.knowledge.money`: how amounts of money are written, and their value;
* :mod:`kg.knowledge.jio`: jionlp's tables, imported quietly;
* :mod:`kg.knowledge.gazetteer_build` (``python -m kg.knowledge.gazetteer_build``)
  generates ``divisions.tsv`` from the sources :mod:`kg.knowledge.gazetteer_sources` reads.
"""
