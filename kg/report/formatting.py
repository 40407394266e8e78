"""Scores and errors of an evaluation as text: an aligned table, Markdown, JSON."""
from __future__ import annotations

__all__ = ["format_report", "format_errors", "to_markdown", "to_dict", "to_json", "score_rows", "score_cells"]

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from kg.report.analysis import ERROR_CAUSES, EvalError, iter_errors
from kg.report.scores import DocEval, EvalResult, Score
from kg.textsafe import terminal_safe


def _rows(result: EvalResult) -> list[tuple[str, Score]]:
    rows = list(result.entities_by_type.items())
    rows.append(("entities", result.entities))
    rows.extend(result.relations_by_rel.items())
    rows.append(("relations", result.relations))
    rows.append(("investment", result.investment))
    return rows


def _doc_rows(d: DocEval) -> list[tuple[str, Score]]:
    return [("entities", d.entities.score), ("relations", d.relations.score),
            ("investment", d.attributes.score)]


def _ratio(num: float, denominator: int) -> str:
    return f"{num:.3f}" if denominator else "-"


def _cells(s: Score) -> tuple[str, ...]:
    return (
        _ratio(s.precision, s.tp + s.fp),
        _ratio(s.recall, s.tp + s.fn),
        _ratio(s.f1, s.tp + s.fp + s.fn),
        str(s.tp), str(s.fp), str(s.fn),
    )


def score_rows(result: EvalResult) -> list[tuple[str, Score]]:
    """The rows of the summary table: each type, ``entities``, each relation, ``relations``, ``investment``."""
    return _rows(result)


def score_cells(s: Score) -> tuple[str, ...]:
    """The cells of a row: P, R, F1 (``-`` when undefined), TP, FP, FN."""
    return _cells(s)


def _header(result: EvalResult) -> list[str]:
    lines = [f"gold: {len(result.docs)} document(s)"
             + (f" from {terminal_safe(result.gold_path)}" if result.gold_path else "")
             + (f"; graph: {terminal_safe(result.graph_path)}" if result.graph_path else "")]
    if result.missing_docs:
        lines.append(f"note: {len(result.missing_docs)} gold document(s) have no article in "
                     f"the graph (scored as all misses): {', '.join(map(terminal_safe, result.missing_docs))}")
    return lines


def format_report(result: EvalResult) -> str:
    """A fixed-width table: per type, per relation, investment, then per document.

    A ``-`` stands for a ratio whose denominator is zero.
    """
    width = max([len(label) for label, _ in _rows(result)]
                + [len(terminal_safe(d.doc)) + 2 for d in result.docs] + [len("per document")]) + 2

    def line(label: str, cells: Sequence[str]) -> str:
        return label.ljust(width) + "".join(c.rjust(8) for c in cells)

    heads = ("P", "R", "F1", "TP", "FP", "FN")
    out = _header(result) + ["", line("", heads)]
    for label, s in _rows(result):
        out.append(line(label, _cells(s)))
        if label in ("Person", "entities", "worksFor", "relations", "investment"):
            out.append("")
    out.append(line("per document", heads))
    for d in result.docs:
        out.append(terminal_safe(d.doc) + ("" if d.in_graph else "  (not in the graph)"))
        out.extend(line("  " + label, _cells(s)) for label, s in _doc_rows(d))
    return "\n".join(out) + "\n"


def to_markdown(result: EvalResult) -> str:
    """The scores as Markdown tables (``| | P | R | F1 | TP | FP | FN |``), for the README."""
    heads = "| | P | R | F1 | TP | FP | FN |\n|---|---:|---:|---:|---:|---:|---:|"

    def row(label: str, s: Score) -> str:
        return f"| {label} | " + " | ".join(_cells(s)) + " |"

    out = [heads]
    for label, s in _rows(result):
        bold = label in ("entities", "relations", "investment")
        out.append(row(f"**{label}**" if bold else label, s))
    out += ["", heads]
    for d in result.docs:
        out.extend(row(f"`{d.doc}` {label}", s) for label, s in _doc_rows(d))
    return "\n".join(out) + "\n"


def _score_dict(s: Score) -> dict[str, Any]:
    return {"precision": round(s.precision, 4), "recall": round(s.recall, 4),
            "f1": round(s.f1, 4), "tp": s.tp, "fp": s.fp, "fn": s.fn}


def to_dict(result: EvalResult, *, errors: bool = False) -> dict[str, Any]:
    """The scores (and with ``errors=True`` the tagged errors) as plain data."""
    out: dict[str, Any] = {
        "gold": result.gold_path,
        "graph": result.graph_path,
        "documents": len(result.docs),
        "missing_documents": list(result.missing_docs),
        "entities": {"by_type": {t: _score_dict(s) for t, s in result.entities_by_type.items()},
                     "all": _score_dict(result.entities)},
        "relations": {"by_rel": {r: _score_dict(s) for r, s in result.relations_by_rel.items()},
                      "all": _score_dict(result.relations)},
        "investment": _score_dict(result.investment),
        "per_document": [
            {"doc": d.doc, "in_graph": d.in_graph,
             **{label: _score_dict(s) for label, s in _doc_rows(d)}}
            for d in result.docs
        ],
    }
    if errors:
        out["errors"] = [
            {"doc": e.doc, "layer": e.layer, "kind": e.kind, "cause": e.cause,
             "item": list(e.item), "detail": e.detail}
            for e in iter_errors(result)
        ]
    return out


def to_json(result: EvalResult, *, errors: bool = False, indent: int | None = 2) -> str:
    """:func:`to_dict` as JSON text (UTF-8 names kept readable)."""
    return json.dumps(to_dict(result, errors=errors), ensure_ascii=False, indent=indent)


def _fmt_item(e: EvalError) -> str:
    if e.layer == "entity":
        return f"{e.item[0]} {e.item[1]}"
    if e.layer == "relation":
        return f"{e.item[0]} -{e.item[1]}-> {e.item[2]}"
    return f"{e.item[0]} {e.item[1]}={e.item[2]}"


def format_errors(errors: EvalResult | Iterable[EvalError]) -> str:
    """Errors grouped by (layer, kind, cause): a count table, then each group's list.

    Accepts an :class:`EvalResult` (its :func:`iter_errors`) or any errors.
    """
    items = list(iter_errors(errors) if isinstance(errors, EvalResult) else errors)
    if not items:
        return "no errors\n"
    order = {(layer, kind, cause): n
             for n, (layer, kind, cause) in enumerate(
                 (layer, kind, cause)
                 for layer, kinds in ERROR_CAUSES.items()
                 for kind, causes in kinds.items() for cause in causes)}
    groups: dict[tuple[str, str, str], list[EvalError]] = defaultdict(list)
    for e in items:
        groups[(e.layer, e.kind, e.cause)].append(e)
    keys = sorted(groups, key=lambda k: (list(ERROR_CAUSES).index(k[0]) if k[0] in ERROR_CAUSES
                                         else len(ERROR_CAUSES),
                                         -len(groups[k]), order.get(k, len(order))))
    per_layer: dict[str, int] = defaultdict(int)
    for e in items:
        if e.kind != "TP":
            per_layer[e.layer] += 1
    notes = sum(1 for e in items if e.kind == "TP")
    out = [f"errors: {sum(per_layer.values())} ("
           + ", ".join(f"{layer} {n}" for layer, n in per_layer.items()) + ")"
           + (f"; notes: {notes}" if notes else ""), "",
           f"{'layer':<10}{'kind':<6}{'cause':<17}{'count':>6}"]
    out += [f"{layer:<10}{kind:<6}{cause:<17}{len(groups[(layer, kind, cause)]):>6}"
            for layer, kind, cause in keys]
    for key in keys:
        layer, kind, cause = key
        out += ["", f"{layer} {kind} {cause} ({len(groups[key])})"]
        for e in sorted(groups[key], key=lambda e: (e.doc, e.item)):
            # names and sentences from the gold file and the graph: shown, never obeyed, by a terminal
            out.append(f"  {terminal_safe(e.doc)}  {terminal_safe(_fmt_item(e))}"
                       + (f"  [{terminal_safe(e.detail)}]" if e.detail else ""))
    return "\n".join(out) + "\n"
