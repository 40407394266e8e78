"""Matching predictions to gold, one to one (a maximum bipartite matching per document and
layer), and counting true and false positives."""
from __future__ import annotations

__all__ = ["Names", "entity_names", "score_documents"]

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import networkx as nx

from kg.report.scores import DocEval, EvalResult, GoldDoc, GoldEntity, GoldRelation, Matching, Predicted, normalize_name


class Names:
    """Name lookup in one gold document: the names each gold name stands for."""

    def __init__(self, gold: GoldDoc) -> None:
        self.by_name: dict[str, list[GoldEntity]] = defaultdict(list)
        by_alias: dict[str, list[GoldEntity]] = defaultdict(list)
        for e in gold.entities:
            self.by_name[normalize_name(e.name)].append(e)
            for a in e.aliases:
                by_alias[normalize_name(a)].append(e)
        self.by_alias = by_alias
        self.all: set[str] = set(self.by_name) | set(by_alias)
        for r in gold.relations:
            self.all |= {normalize_name(r.head), normalize_name(r.tail)}
        for a in gold.attributes:
            self.all.add(normalize_name(a.entity))

    def names(self, name: str) -> tuple[str, frozenset[str]]:
        """(canonical key, all names) for a name used in a relation or attribute.

        The aliases of the gold entity with that name count too; a name that is
        no entity's name but exactly one entity's alias stands for that entity.
        """
        key = normalize_name(name)
        ents = self.by_name.get(key) or []
        if not ents and len(self.by_alias.get(key, ())) == 1:
            ents = self.by_alias[key]
            key = normalize_name(ents[0].name)
        names = {key}
        for e in ents:
            names.add(normalize_name(e.name))
            names.update(normalize_name(a) for a in e.aliases)
        return key, frozenset(names)


def entity_names(e: GoldEntity) -> frozenset[str]:
    return frozenset({normalize_name(e.name), *(normalize_name(a) for a in e.aliases)})


def _name_weight(name: str, key: str, names: frozenset[str]) -> int:
    """2 for the canonical name, 1 for an alias, 0 for no match."""
    n = normalize_name(name)
    return 2 if n == key else 1 if n in names else 0


def _match(preds: Sequence[Any], golds: Sequence[Any],
           edges: Iterable[tuple[int, int, int]]) -> Matching:
    """Maximum one-to-one matching over ``(pred index, gold index, weight)`` edges.

    Among the matchings of maximum size, the one of maximum weight is chosen,
    so canonical names win over aliases when both could match.
    """
    graph = nx.Graph()
    graph.add_weighted_edges_from((("p", i), ("g", j), w) for i, j, w in edges)
    pairs: dict[int, int] = {}
    for component in nx.connected_components(graph):
        if len(component) == 2:  # the common case: one prediction, one gold item
            matched = [tuple(sorted(component))]
        else:
            matched = nx.max_weight_matching(graph.subgraph(component), maxcardinality=True)
        for u, v in matched:
            (_, i), (_, j) = (u, v) if u[0] == "p" else (v, u)
            pairs[i] = j
    matched_gold = set(pairs.values())
    return Matching(
        tuple((preds[i], golds[j]) for i, j in sorted(pairs.items())),
        tuple(p for i, p in enumerate(preds) if i not in pairs),
        tuple(g for j, g in enumerate(golds) if j not in matched_gold),
    )


def _dedup(items: Iterable[tuple[Any, ...]], name_slots: Sequence[int]) -> list[tuple[Any, ...]]:
    """Sorted items, one per normalized form (scoring is on sets of names)."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for item in sorted(items, key=lambda t: tuple(str(x) for x in t)):
        key = tuple(normalize_name(x) if k in name_slots else x for k, x in enumerate(item))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _name_index(named: Iterable[tuple[Any, str, frozenset[str]]]
                ) -> dict[tuple[Any, str], list[tuple[int, int]]]:
    """``(key, name) -> [(gold index, weight)]`` for every name of every gold item."""
    index: dict[tuple[Any, str], list[tuple[int, int]]] = defaultdict(list)
    for j, (key, canonical, names) in enumerate(named):
        for n in names:
            index[(key, n)].append((j, 2 if n == canonical else 1))
    return index


def _score_doc(gold: GoldDoc, predicted: Predicted | None) -> DocEval:
    in_graph = predicted is not None
    predicted = predicted or Predicted(gold.doc)
    names = Names(gold)

    golds_e = list(gold.entities)
    preds_e = _dedup(predicted.entities, (1,))
    index_e = _name_index((e.type, normalize_name(e.name), entity_names(e)) for e in golds_e)
    edges_e = [(i, j, w) for i, (t, n) in enumerate(preds_e)
               for j, w in index_e.get((t, normalize_name(n)), ())]

    golds_r = _dedup_gold_relations(
        sorted(set(gold.relations), key=lambda r: (r.head, r.rel, r.tail, r.evidence)))
    preds_r = _dedup(predicted.relations, (0, 2))
    tails = [names.names(r.tail) for r in golds_r]
    index_r = _name_index((r.rel, *names.names(r.head)) for r in golds_r)
    edges_r = [(i, j, wh + wt) for i, (h, rel, t) in enumerate(preds_r)
               for j, wh in index_r.get((rel, normalize_name(h)), ())
               for wt in [_name_weight(t, *tails[j])] if wt]

    golds_a = list(dict.fromkeys(gold.attributes))
    preds_a = _dedup(predicted.attributes, (0,))
    index_a = _name_index((a.attr, *names.names(a.entity)) for a in golds_a)
    edges_a = [(i, j, w) for i, (n, attr, value) in enumerate(preds_a)
               for j, w in index_a.get((attr, normalize_name(n)), ())
               if golds_a[j].value == value]

    return DocEval(
        gold.doc, gold, predicted, in_graph,
        _match(preds_e, golds_e, edges_e),
        _match(preds_r, golds_r, edges_r),
        _match(preds_a, golds_a, edges_a),
    )


def _dedup_gold_relations(rels: Sequence[GoldRelation]) -> list[GoldRelation]:
    """One gold relation per (head, rel, tail): relations are scored as sets."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for r in rels:
        key = (normalize_name(r.head), r.rel, normalize_name(r.tail))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def score_documents(gold: Sequence[GoldDoc], predictions: Mapping[str, Predicted], *,
                    gold_path: str = "", graph_path: str = "") -> EvalResult:
    """Match predictions against each gold document (documents not in gold are ignored)."""
    return EvalResult(tuple(_score_doc(g, predictions.get(g.doc)) for g in gold),
                      str(gold_path), str(graph_path))
