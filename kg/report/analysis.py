"""Error analysis: every miss and false hit of an evaluation, with its likely cause."""
from __future__ import annotations

__all__ = ["ERROR_CAUSES", "EvalError", "iter_errors"]

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kg.report.matching import Names, entity_names
from kg.report.scores import DocEval, EvalResult, normalize_name

#: Causes :func:`iter_errors` can give, per layer, in the order they are tried.
ERROR_CAUSES = {
    "entity": {
        "FN": ("type", "boundary", "missed"),
        "FP": ("duplicate", "type", "boundary", "spurious"),
        "TP": ("alias",),
    },
    "relation": {
        "FN": ("missing-entity", "wrong-rel", "wrong-tail", "wrong-head", "missed"),
        "FP": ("duplicate", "spurious-entity", "wrong-rel", "wrong-tail", "wrong-head", "spurious"),
    },
    "attribute": {
        "FN": ("missing-entity", "wrong-value", "missed"),
        "FP": ("duplicate", "spurious-entity", "wrong-value", "spurious"),
    },
}


@dataclass(frozen=True, slots=True)
class EvalError:
    """One miss (FN) or false hit (FP), with the likely cause.

    ``item`` is ``(type, name)``, ``(head, rel, tail)`` or ``(entity, attr, value)``;
    ``detail`` names the prediction or gold item the cause points at.
    """

    doc: str
    layer: str  # "entity" | "relation" | "attribute"
    kind: str  # "FN" | "FP" ("TP" for the opt-in "alias" notes)
    cause: str
    item: tuple[str, ...]
    detail: str = ""


def _overlaps(a: str, b: str) -> bool:
    """Boundary overlap of two names: containment, or an end of one is the start of the other."""
    if not a or not b or a == b:
        return False
    if a in b or b in a:
        return True
    # A shifted span shares at least two characters at the join (one shared
    # character, such as a trailing 县 or 市, says nothing).
    return any(a[-k:] == b[:k] or b[-k:] == a[:k] for k in range(2, min(len(a), len(b))))


def _fmt_value(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _entity_errors(d: DocEval, aliases: bool) -> Iterator[EvalError]:
    m = d.entities
    fps = [(p, normalize_name(p[1])) for p in m.false_positives]
    matched = {g: p for p, g in m.pairs}
    for g in m.false_negatives:
        names = entity_names(g)
        item = (g.type, g.name)
        other_type = next((p for p, n in fps if p[0] != g.type and n in names), None)
        boundary = other_type or next(
            (p for p, n in fps if p[0] == g.type and any(_overlaps(n, x) for x in names)), None)
        if other_type:
            yield EvalError(d.doc, "entity", "FN", "type", item,
                            f"predicted as {other_type[0]}: {other_type[1]}")
        elif boundary:
            yield EvalError(d.doc, "entity", "FN", "boundary", item, f"predicted {boundary[1]}")
        else:
            yield EvalError(d.doc, "entity", "FN", "missed", item)
    golds = [(g, entity_names(g)) for g in d.gold.entities]
    for p, n in fps:
        same = next((g for g, names in golds if g.type == p[0] and n in names), None)
        other = same or next((g for g, names in golds if g.type != p[0] and n in names), None)
        boundary = same or other or next(
            (g for g, names in golds if g.type == p[0] and any(_overlaps(n, x) for x in names)),
            None)
        if same:
            # Unmatched while a match exists: a maximum matching gave ``same``
            # to another prediction.
            yield EvalError(d.doc, "entity", "FP", "duplicate", p,
                            f"{same.name} already matched by {matched[same][1]}")
        elif other:
            yield EvalError(d.doc, "entity", "FP", "type", p, f"gold {other.type}: {other.name}")
        elif boundary:
            yield EvalError(d.doc, "entity", "FP", "boundary", p, f"gold {boundary.name}")
        else:
            yield EvalError(d.doc, "entity", "FP", "spurious", p)
    if aliases:
        for p, g in m.pairs:
            if normalize_name(p[1]) != normalize_name(g.name):
                yield EvalError(d.doc, "entity", "TP", "alias", p, f"canonical name {g.name}")


_NEAR_MISSES = ("wrong-rel", "wrong-tail", "wrong-head")


def _near_miss(h: str, rel: str, t: str, gold_rel: str, hn: frozenset[str],
               tn: frozenset[str]) -> str:
    """How predicted ``(h, rel, t)`` misses a gold relation named ``hn``/``tn``; "" if unrelated."""
    if (rel != gold_rel and h in hn and t in tn) or (h in tn and t in hn):
        return "wrong-rel"  # same pair, other or reversed relation
    if rel == gold_rel and h in hn and t not in tn:
        return "wrong-tail"
    if rel == gold_rel and t in tn and h not in hn:
        return "wrong-head"
    return ""


def _closest(candidates: Iterable[tuple[str, Any]]) -> tuple[str, Any]:
    """The (cause, other) of the first cause in :data:`_NEAR_MISSES` order; ("", None) if none."""
    best: tuple[str, Any] = ("", None)
    for cause, other in candidates:
        if cause and (not best[0] or _NEAR_MISSES.index(cause) < _NEAR_MISSES.index(best[0])):
            best = (cause, other)
    return best


def _relation_errors(d: DocEval, names: Names, predicted_names: set[str]) -> Iterator[EvalError]:
    m = d.relations
    fps = [(p, p[1], normalize_name(p[0]), normalize_name(p[2])) for p in m.false_positives]
    matched = {g: p for p, g in m.pairs}
    for g in m.false_negatives:
        item = (g.head, g.rel, g.tail)
        (_, hn), (_, tn) = names.names(g.head), names.names(g.tail)
        missing = [f"{end} {name}" for end, name, ns in (("head", g.head, hn), ("tail", g.tail, tn))
                   if not ns & predicted_names]
        if missing:
            yield EvalError(d.doc, "relation", "FN", "missing-entity", item,
                            "not predicted: " + ", ".join(missing))
            continue
        cause, hit = _closest((_near_miss(h, rel, t, g.rel, hn, tn), p) for p, rel, h, t in fps)
        yield EvalError(d.doc, "relation", "FN", cause or "missed", item,
                        f"predicted {' '.join(hit)}" if hit else "")
    golds = [(g, names.names(g.head)[1], names.names(g.tail)[1])
             for g in [*(g for _, g in m.pairs), *m.false_negatives]]
    for p, rel, h, t in fps:
        dup = next((g for g, hn, tn in golds if g.rel == rel and h in hn and t in tn), None)
        if dup:
            yield EvalError(d.doc, "relation", "FP", "duplicate", p,
                            f"{dup.head} {dup.rel} {dup.tail} already matched by "
                            + " ".join(matched[dup]))
            continue
        unknown = [f"{end} {name}" for end, name, n in (("head", p[0], h), ("tail", p[2], t))
                   if n not in names.all]
        if unknown:
            yield EvalError(d.doc, "relation", "FP", "spurious-entity", p,
                            "no gold entity: " + ", ".join(unknown))
            continue
        cause, hit = _closest((_near_miss(h, rel, t, g.rel, hn, tn), g) for g, hn, tn in golds)
        yield EvalError(d.doc, "relation", "FP", cause or "spurious", p,
                        f"gold {hit.head} {hit.rel} {hit.tail}" if hit else "")


def _attribute_errors(d: DocEval, names: Names, predicted_names: set[str]) -> Iterator[EvalError]:
    m = d.attributes
    fps: list[tuple[str, str, Decimal]] = list(m.false_positives)
    matched = {g: p for p, g in m.pairs}
    for g in m.false_negatives:
        item = (g.entity, g.attr, _fmt_value(g.value))
        _, ns = names.names(g.entity)
        wrong = [p for p in fps if p[1] == g.attr and normalize_name(p[0]) in ns]
        if not ns & predicted_names:
            yield EvalError(d.doc, "attribute", "FN", "missing-entity", item,
                            f"not predicted: {g.entity}")
        elif wrong:
            yield EvalError(d.doc, "attribute", "FN", "wrong-value", item,
                            f"predicted {_fmt_value(wrong[0][2])}")
        else:
            yield EvalError(d.doc, "attribute", "FN", "missed", item)
    golds = [(g, names.names(g.entity)[1]) for g in d.gold.attributes]
    for p in fps:
        item = (p[0], p[1], _fmt_value(p[2]))
        n = normalize_name(p[0])
        dup = [g for g, ns in golds if g.attr == p[1] and g.value == p[2] and n in ns]
        wrong = [g for g, ns in golds if g.attr == p[1] and g.value != p[2] and n in ns]
        if dup:
            g = dup[0]
            yield EvalError(d.doc, "attribute", "FP", "duplicate", item,
                            f"{g.entity} already matched by {matched[g][0]}"
                            if g in matched else "")
        elif n not in names.all:
            yield EvalError(d.doc, "attribute", "FP", "spurious-entity", item,
                            f"no gold entity: {p[0]}")
        elif wrong:
            yield EvalError(d.doc, "attribute", "FP", "wrong-value", item,
                            f"gold {_fmt_value(wrong[0].value)}")
        else:
            yield EvalError(d.doc, "attribute", "FP", "spurious", item)


def iter_errors(result: EvalResult, *, aliases: bool = False) -> Iterator[EvalError]:
    """Every FN and FP of every document, tagged with a likely cause.

    A cause that blames a miss (FN) on some prediction uses only predictions
    that are themselves false hits; a cause that explains a false hit (FP) may
    point at any gold item.  Causes are tried in the order of
    :data:`ERROR_CAUSES`.  Entities: ``type`` (same name, other type),
    ``boundary`` (same type, one name contains the other or they overlap at an
    end by two or more characters), ``duplicate`` (the gold entity it matches was
    matched by another prediction), ``missed`` / ``spurious``.  Relations:
    ``missing-entity`` (no predicted entity carries the head's or tail's names),
    ``spurious-entity`` (the head or tail is no gold name), ``wrong-rel`` (same
    pair, other or reversed relation), ``wrong-tail``/``wrong-head`` (same rel and
    head/tail), ``duplicate``, ``missed``/``spurious``.  Attributes:
    ``missing-entity``, ``spurious-entity``, ``wrong-value``, ``duplicate``,
    ``missed``/``spurious``.

    With ``aliases=True`` also yields ``TP``/``alias`` notes: true positives whose
    label is an alias rather than the canonical name (a resolution to-do, not
    an error of the score).
    """
    for d in result.docs:
        names = Names(d.gold)
        predicted_names = {normalize_name(n) for _, n in d.predicted.entities}
        yield from _entity_errors(d, aliases)
        yield from _relation_errors(d, names, predicted_names)
        yield from _attribute_errors(d, names, predicted_names)
