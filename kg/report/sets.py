"""Several gold sets at once: ``kg eval --gold A --gold B [--graph GA --graph GB]``.

Each gold file is scored on its own (:func:`kg.report.evaluate.evaluate`), and
the sets are added up into a total, micro-averaged over every gold document
of every set (a set of forty documents weighs eight times one of five).  Each
set is scored against one graph: the same ``--graph`` for all, or one
``--graph`` per ``--gold``, paired in the order given (the seeds' gold with
the bundled corpus's graph, another corpus's gold with its own graph).

Output, in every format, is one part per set (the same table, Markdown or
JSON as a single ``--gold`` gives) and the total: in text and Markdown a
table with each set's P / R / F1 side by side and the total's P / R / F1 and
counts; in JSON ``{"sets": [...], "total": {...}}``.

>>> from kg.report.scores import Score
>>> _set_names(["eval/corpus.jsonl", "gold/dev.jsonl", "other/dev.jsonl"])
['corpus', 'dev', 'dev (3)']
>>> _cells(Score(tp=3, fp=1, fn=1), counts=False)
('0.750', '0.750', '0.750')
"""
from __future__ import annotations

__all__ = ["pair_graphs", "evaluate_sets", "total_of", "format_sets", "sets_to_markdown", "sets_to_json"]

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kg.errors import KGError
from kg.report.evaluate import evaluate
from kg.report.formatting import format_errors, format_report, score_cells, score_rows, to_dict, to_markdown
from kg.report.scores import EvalResult, Score

_BOLD = ("entities", "relations", "investment")


def pair_graphs(golds: Sequence[str], graphs: Sequence[str]) -> list[tuple[str, str]]:
    """``(gold, graph)`` pairs: one graph for every gold file, or one graph per gold file in order.

    >>> pair_graphs(["a.jsonl", "b.jsonl"], ["g.ttl"])
    [('a.jsonl', 'g.ttl'), ('b.jsonl', 'g.ttl')]
    >>> pair_graphs(["a.jsonl", "b.jsonl"], ["ga.ttl", "gb.ttl"])
    [('a.jsonl', 'ga.ttl'), ('b.jsonl', 'gb.ttl')]
    """
    if len(graphs) == 1:
        return [(gold, graphs[0]) for gold in golds]
    if len(graphs) != len(golds):
        raise KGError(f"{len(golds)} --gold and {len(graphs)} --graph: give --graph once (for every gold "
                      "file) or once per --gold, in the same order")
    return list(zip(golds, graphs))


def evaluate_sets(pairs: Sequence[tuple[str | os.PathLike[str], str | os.PathLike[str]]], *,
                  backend: str = "oxigraph") -> list[EvalResult]:
    """Score each ``(gold, graph)`` pair with :func:`kg.report.evaluate.evaluate`, in order."""
    return [evaluate(gold, graph, backend=backend) for gold, graph in pairs]


def total_of(results: Sequence[EvalResult]) -> EvalResult:
    """Every set's documents in one result: its scores are the micro-average over all of them."""
    return EvalResult(tuple(d for r in results for d in r.docs))


def _set_names(gold_paths: Sequence[str]) -> list[str]:
    """Column names of the sets: each gold file's stem, numbered when two are the same."""
    names: list[str] = []
    for n, path in enumerate(gold_paths, 1):
        stem = Path(path).stem or f"set {n}"
        names.append(stem if stem not in names else f"{stem} ({n})")
    return names


def _cells(s: Score, *, counts: bool = True) -> tuple[str, ...]:
    cells = score_cells(s)
    return cells if counts else cells[:3]


def _side_by_side(results: Sequence[EvalResult], *, per_set: tuple[str, ...] = ("P", "R", "F1")
                  ) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Column heads and rows of the comparison: each set's ``per_set`` columns (of P, R, F1),
    then the total's P R F1 TP FP FN."""
    names = _set_names([r.gold_path for r in results])
    heads = [f"{name} {h}" for name in names for h in per_set]
    heads += ["total P", "total R", "total F1", "TP", "FP", "FN"]
    columns = [("P", "R", "F1").index(h) for h in per_set]
    set_rows = [dict(score_rows(r)) for r in results]
    rows = []
    for label, total in score_rows(total_of(results)):
        cells = [_cells(by_label[label], counts=False)[i] for by_label in set_rows for i in columns]
        rows.append((label, cells + list(_cells(total))))
    return heads, rows


def _total_line(results: Sequence[EvalResult]) -> str:
    docs = sum(len(r.docs) for r in results)
    return f"total: {len(results)} gold sets, {docs} documents (micro-averaged over all of them)"


def format_sets(results: Sequence[EvalResult], *, errors: bool = False) -> str:
    """Text: each set's report (and errors), then the side-by-side table with the total."""
    if len(results) == 1:
        return format_report(results[0]) + (("\n\n" + format_errors(results[0])) if errors else "")
    parts = []
    for n, result in enumerate(results, 1):
        part = f"== gold set {n} of {len(results)} ==\n" + format_report(result)
        if errors:
            part += "\n" + format_errors(result)
        parts.append(part)
    heads, rows = _side_by_side(results, per_set=("F1",))  # each set's P and R are in its own table
    width = max(len(label) for label, _ in rows) + 2
    cell = max(8, max(len(h) for h in heads) + 2)
    lines = [f"== {_total_line(results)} ==", "",
             "".ljust(width) + "".join(h.rjust(cell) for h in heads)]
    for label, cells in rows:
        lines.append(label.ljust(width) + "".join(c.rjust(cell) for c in cells))
        if label in ("Person", "entities", "worksFor", "relations"):
            lines.append("")
    parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def sets_to_markdown(results: Sequence[EvalResult], *, errors: bool = False) -> str:
    """Markdown: the side-by-side table first (the README's), then each set's tables under a heading.

    With ``errors``, each set's error list follows (as text: it is for reading, not for a page).
    """
    if len(results) == 1:
        return to_markdown(results[0]) + (("\n\n" + format_errors(results[0])) if errors else "")
    heads, rows = _side_by_side(results)
    out = ["| | " + " | ".join(heads) + " |", "|---|" + "---:|" * len(heads)]
    for label, cells in rows:
        shown = f"**{label}**" if label in _BOLD else label
        out.append(f"| {shown} | " + " | ".join(cells) + " |")
    out.append("")
    out.append(f"{_total_line(results)}.")
    for name, result in zip(_set_names([r.gold_path for r in results]), results):
        out += ["", f"#### {name}: `{result.gold_path}` on `{result.graph_path}`", "", to_markdown(result).rstrip("\n")]
        if errors:
            out += ["", format_errors(result).rstrip("\n")]
    return "\n".join(out) + "\n"


def sets_to_json(results: Sequence[EvalResult], *, errors: bool = False, indent: int | None = 2) -> str:
    """JSON: one set alone as :func:`kg.report.formatting.to_dict` gives it; several as
    ``{"sets": [each set's dict], "total": {...}}`` (the total without per-document rows)."""
    if len(results) == 1:
        data: Any = to_dict(results[0], errors=errors)
    else:
        total = to_dict(total_of(results))
        for key in ("gold", "graph", "missing_documents", "per_document"):
            del total[key]
        total["sets"] = len(results)
        data = {"sets": [to_dict(r, errors=errors) for r in results], "total": total}
    return json.dumps(data, ensure_ascii=False, indent=indent)
