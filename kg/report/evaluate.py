"""Score a built graph against gold annotations.

The task and its scoring are defined in ``docs/annotation.md`` ("How kg eval scores a graph"): one
gold record per corpus file; per document, on sets, an entity is
``(type, name)``, a relation ``(head, rel, tail)``, an attribute
``(entity, attr, value)``; a predicted name matches a gold entity if it equals
its name or one of its aliases after removing spaces and the quote marks
“”「」《》".  Matching is one-to-one (a maximum bipartite matching per document
and layer), so two predicted nodes that both match one gold entity give one
TP and one FP.  Scores are micro-averaged over documents.

Pure core, thin I/O shell (as ``networkx.readwrite``); this module is the
whole of it in one place:

- :func:`load_gold` (:mod:`kg.report.gold`) reads the gold JSONL,
  :func:`load_predictions` (:mod:`kg.report.predictions`) reads the graph
  (the graph contract, ``ontology/kg.ttl``) into per-document predictions;
- :func:`score_documents` (:mod:`kg.report.matching`) matches and counts;
  :func:`evaluate` does all three; the records are in :mod:`kg.report.scores`;
- :func:`format_report`, :func:`to_markdown`, :func:`to_json`
  (:mod:`kg.report.formatting`) render scores, :func:`iter_errors`
  (:mod:`kg.report.analysis`) and :func:`format_errors` explain them.

Nothing here prints; the CLI (``kg eval``) does.

>>> normalize_name(' 《河曲 县》 ')
'河曲县'
>>> Score(tp=3, fp=1, fn=1).f1
0.75
"""
from __future__ import annotations

__all__ = [
    "SCORED_RELATIONS",
    "ATTRIBUTES",
    "ERROR_CAUSES",
    "GraphError",
    "GoldEntity",
    "GoldRelation",
    "GoldAttribute",
    "GoldDoc",
    "Predicted",
    "Score",
    "Matching",
    "DocEval",
    "EvalResult",
    "EvalError",
    "normalize_name",
    "load_gold",
    "load_predictions",
    "score_documents",
    "evaluate",
    "iter_errors",
    "format_report",
    "format_errors",
    "to_markdown",
    "to_dict",
    "to_json",
]

import os

from kg.rdfio import GraphError
from kg.safeio import check_regular_file
from kg.report.analysis import ERROR_CAUSES, EvalError, iter_errors
from kg.report.formatting import format_errors, format_report, to_dict, to_json, to_markdown
from kg.report.gold import load_gold
from kg.report.matching import score_documents
from kg.report.predictions import load_predictions
from kg.report.scores import (ATTRIBUTES, SCORED_RELATIONS, DocEval, EvalResult, GoldAttribute, GoldDoc, GoldEntity,
                              GoldRelation, Matching, Predicted, Score, normalize_name)


def evaluate(gold_path: str | os.PathLike[str], graph_path: str | os.PathLike[str], *,
             backend: str = "oxigraph") -> EvalResult:
    """Score the graph at ``graph_path`` against the gold JSONL at ``gold_path``.

    The single entry point of ``kg eval``; raises :class:`~kg.errors.GoldError`
    or :class:`GraphError` (both :class:`~kg.errors.KGError`).
    """
    gold = load_gold(gold_path)
    if os.path.exists(graph_path):  # a missing graph is the reader's own message
        check_regular_file(graph_path, GraphError)  # a FIFO or a device is refused, never opened
    predictions = load_predictions(graph_path, backend=backend)
    return score_documents(gold, predictions, gold_path=str(gold_path), graph_path=str(graph_path))
