"""Reports on a built graph: scores against gold, SPARQL answers, pages for review.

* ``kg eval``: :mod:`~kg.report.evaluate` (the whole evaluation in one
  place), over :mod:`~kg.report.gold` (the gold annotations),
  :mod:`~kg.report.predictions` (what the graph predicts, read by
  :mod:`kg.rdfio`), :mod:`~kg.report.matching` (one-to-one matching and
  counts), :mod:`~kg.report.analysis` (misses and false hits by cause),
  :mod:`~kg.report.formatting` (table, Markdown, JSON) and the records of
  :mod:`~kg.report.scores`;
* ``kg query``: :mod:`~kg.report.query` (SPARQL 1.1 over an export);
* ``kg review``: :mod:`~kg.report.review` (each article as HTML with its
  entities and relations).
"""
