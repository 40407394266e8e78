"""The subject index the RDF writers work from: subjects in order, and where each one's triples come from.

:class:`GraphIndex` indexes a networkx knowledge graph without holding its
triples (the writers generate each subject's triples when they write it);
:class:`QuadIndex` indexes any quads (rdflib graphs take this path).
:func:`subject_index` gives the index of either.
"""
from __future__ import annotations

__all__ = ["Pair", "ALL", "QuadIndex", "GraphIndex", "subject_index"]

import bisect
import hashlib
import operator
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import networkx as nx
from rdflib import Graph, Literal, URIRef

from kg.errors import ExportError
from kg.export.quads import (STATEMENT_NS, TYPE, Lit, Quad, Term, article_quads, decimal_literal, entity_own_quads,
                             statement_node, statement_quads)
from kg.export.terms import IRI_FORBIDDEN, SURROGATE, Memo
from kg.ids import KG_NS

_NO_NODE = object()  # no node key: before the first edge

# -- subjects and their triples -------------------------------------------------
#
# The writers work subject by subject.  A triple of a subject is a tuple
# ``(predicate, 0, IRI, "", "")`` or ``(predicate, 1, lexical form, datatype or
# "", language or "")``: sorted, these tuples are in the order of the
# writers (by predicate, then IRIs before literals, literals by text), except
# that rdf:type goes first (:func:`_ordered`).  With the named graph as a sixth
# element such a tuple is a quad of the subject.

Pair = tuple[str, int, Any, str, str]
ALL = object()  # every graph: the triples of the Turtle export
# A relation named like one of an entity's own kg: predicates would mix IRIs
# and literals under one predicate: such heads take the general path.
_OWN_NAMES = frozenset({"mentionedIn", "level", "adcode", "investment"})


def _quad(p: str, o: Term, g: str | None) -> tuple:
    if isinstance(o, Lit):
        return (p, 1, o.lex, o.datatype or "", o.lang or "", g)
    return (p, 0, o, "", "", g)


def _ordered(pairs: Iterable[Pair]) -> list[Pair]:
    """The distinct pairs in the writers' order: rdf:type first, then as sorted."""
    out = sorted(set(pairs))
    i = bisect.bisect_left(out, (TYPE,))
    if i and i < len(out) and out[i][0] == TYPE:
        j = bisect.bisect_left(out, (TYPE, 2))
        out = out[i:j] + out[:i] + out[j:]
    return out


class QuadIndex:
    """Subjects and their quads, from any quads (rdflib graphs take this path)."""

    def __init__(self, quads: Iterable[Quad]) -> None:
        self._quads: dict[str, list[tuple]] = {}
        for s, p, o, g in quads:
            self._quads.setdefault(s, []).append(_quad(p, o, g))
        self.subjects = sorted(self._quads)
        self.relations: dict[str, list] = {}  # none known: entity() is always None

    def statement(self, s: str) -> None:
        return None

    def article(self, s: str) -> None:
        return None

    def entity(self, s: str) -> None:
        return None

    def bare_iris(self, namespaces: tuple[str, ...]) -> bool:
        return False

    def subject_quads(self, s: str) -> list[tuple]:
        return self._quads[s]

    def pairs(self, s: str, g: Any = ALL) -> list[Pair]:
        quads = self._quads[s]
        if g is ALL:
            return _ordered(q[:5] for q in quads)
        return _ordered(q[:5] for q in quads if q[5] == g)

    def graphs(self) -> list[tuple[str | None, list[str], list[str]]]:
        by_graph: dict[str | None, set[str]] = {}
        for s, quads in self._quads.items():
            for q in quads:
                by_graph.setdefault(q[5], set()).add(s)
        return [(g, sorted(by_graph[g]), []) for g in sorted(by_graph, key=lambda g: (g is not None, g or ""))]


class GraphIndex:
    """Subjects of the triples of a networkx knowledge graph, and where their triples come from.

    Building it costs one pass over the edges and evidences (the IRI of every
    reified statement is a SHA-1); it holds the sorted subjects and, per
    statement, the evidences it comes from, never the triples themselves:
    the writers generate each subject's triples when they write it, so memory
    stays at a few references per subject.  Most statements come from one
    evidence; the writers fill those in from a template instead of sorting
    their triples (:meth:`statement`).
    """

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        # statement IRI -> the recipe of its one evidence, written from a
        # template (:meth:`statement`), or None for statements of several
        # evidences and those whose IRI is a node's too, whose recipes are in
        # _many: IRI -> [recipes].  A recipe is (subject, rel, object, evidence,
        # tail key) and the evidence's text, role, rule, article, start, end:
        # read here, in the order the graph holds them, not when the writers
        # get to the statement in IRI order (a cache miss or two each).
        self._one: dict[str, tuple] = {}
        self._many: dict[str, list[tuple]] = {}
        # head -> [(predicate, tail)] of the direct relation triples
        self.relations: dict[Any, list[tuple[str, Any]]] = {}
        one, sha1 = self._one, hashlib.sha1
        nodes = graph.nodes
        relations, own_names, predicates = self.relations, _OWN_NAMES, Memo(lambda rel: KG_NS + rel)
        general = set()  # heads of a relation named like an entity's own predicate
        # the loop inlines _add (it runs once per evidence); edges come grouped by head
        last_head, head_relations = _NO_NODE, []
        for head, tail, rel, data in graph.edges(keys=True, data=True):
            if head != last_head:
                last_head, head_relations = head, relations.setdefault(head, [])
            rel = data.get("rel", rel)
            head_relations.append((predicates[rel], tail))
            if rel in own_names:
                general.add(head)
            for ev in data.get("evidence", ()):
                article, start, end = ev["article"], ev["start"], ev["end"]
                digest = sha1(f"{head}|{rel}|{tail}|{article}|{start}|{end}".encode("utf-8"))
                s = f"{STATEMENT_NS}{digest.hexdigest()[:16]}"  # as statement_node
                recipe = (head, rel, tail, ev, tail, ev["text"], ev.get("role"), ev.get("rule"),
                          article, start, end)
                if one.setdefault(s, recipe) is not recipe:
                    self._share(s, recipe)
        # Entities that are nothing else (not a statement; no relation named
        # like one of their own predicates), written by entity_block from
        # (kind, label, aliases, mentions, investment, relations, data), read
        # here for the same reason as the recipes; articles that are nothing
        # else (no relations, not a statement).
        entities: dict[Any, tuple] = {}
        articles: dict[Any, Mapping[str, Any]] = {}
        for key, data in nodes(data=True):
            kind = data.get("kind")
            if kind == "Article":
                if key not in relations:
                    articles[key] = data
                continue
            investment = data.get("investment")
            if investment is not None:
                for ev in data.get("investment_evidence", ()):
                    self._add(key, "investment", decimal_literal(ev["value"]), ev, ev["value"])
            if kind is not None and "label" in data and key not in general:
                entities[key] = (kind, data["label"], data.get("aliases"), data.get("mentioned_in"),
                                 investment, relations.get(key), data)
        subjects = list(nodes)
        subjects += one
        if not one.keys().isdisjoint(nodes):
            for s in one.keys() & set(nodes):  # a statement IRI that is a node
                self._share(s)
                entities.pop(s, None)
                articles.pop(s, None)
            subjects = list(set(subjects))
        subjects.sort()
        self.subjects = subjects
        self._node_graphs: dict[Any, dict[Any, list[Pair]]] = {}
        self.statement = one.get
        self._articles, self.article = articles, articles.get
        self._entities, self.entity = entities, entities.get
        self._bare: dict[tuple[str, ...], bool] = {}

    def _add(self, subject: str, rel: str, obj: Term, ev: Mapping[str, Any], tail_key: str) -> None:
        article, start, end = ev["article"], ev["start"], ev["end"]
        s = statement_node(subject, rel, tail_key, article, start, end)
        recipe = (subject, rel, obj, ev, tail_key, ev["text"], ev.get("role"), ev.get("rule"),
                  article, start, end)
        if self._one.setdefault(s, recipe) is not recipe:
            self._share(s, recipe)

    def _share(self, s: str, recipe: tuple | None = None) -> None:
        """Statement ``s`` takes the general path (from :meth:`recipes`); add ``recipe`` to it."""
        recipes = self._many.setdefault(s, [])
        first = self._one[s]
        if first is not None:
            recipes.append(first)
            self._one[s] = None  # kept as a subject, no longer from a template
        if recipe is not None:
            recipes.append(recipe)

    def recipes(self, s: str) -> list[tuple]:
        """The evidences statement ``s`` comes from (empty if ``s`` is no statement)."""
        recipe = self._one.get(s)
        return [recipe] if recipe is not None else self._many.get(s, [])

    def statement(self, s: str) -> tuple | None:  # replaced by a dict lookup in __init__
        """The one evidence ``s`` is the statement of, or ``None`` (several, or not a statement)."""
        return self._one.get(s)

    def bare_iris(self, namespaces: tuple[str, ...]) -> bool:
        """Whether every node is an IRI written ``<iri>``: allowed in RDF, under none of ``namespaces``."""
        bare = self._bare.get(namespaces)
        if bare is None:
            nodes = self.graph.nodes
            try:
                text = "".join(nodes)
            except TypeError:  # not all strings
                bare = False
            else:
                bare = not (IRI_FORBIDDEN.search(text) or SURROGATE.search(text)
                            or any(map(operator.methodcaller("startswith", namespaces), nodes)))
            self._bare[namespaces] = bare
        return bare

    def article(self, s: str) -> Mapping[str, Any] | None:  # replaced by a dict lookup in __init__
        """The data of article ``s`` if it has no other triples, else ``None``."""
        return self._articles.get(s)

    def entity(self, s: Any) -> tuple | None:  # replaced by a dict lookup in __init__
        """The record of entity ``s`` (see ``__init__``) if the entity fast path can write it, else ``None``."""
        return self._entities.get(s)

    def subject_quads(self, s: Any) -> list[tuple]:
        """Every quad of subject ``s`` (the quads of :func:`iter_quads` with this subject)."""
        out = []
        if s in self.graph:
            data = self.graph.nodes[s]
            quads = (article_quads(s, data) if data.get("kind") == "Article"
                     else entity_own_quads(s, data))
            out = [_quad(p, o, g) for _, p, o, g in quads]
            for p, tail in self.relations.get(s, ()):
                out.append((p, 0, tail, "", "", None))
        for subject, rel, obj, ev, tail_key, *_ in self.recipes(s):
            out.extend(_quad(p, o, g) for _, p, o, g in statement_quads(subject, rel, obj, ev, tail_key))
        return out

    def pairs(self, s: Any, g: Any = ALL) -> list[Pair]:
        """The triples of ``s`` (in graph ``g``) in the writers' order."""
        if g is ALL:
            return _ordered(q[:5] for q in self.subject_quads(s))
        if s not in self.graph:
            return _ordered(q[:5] for q in self.subject_quads(s) if q[5] == g)
        # A node has triples in the default graph and in the graph of every
        # article that mentions it: group them once.
        groups = self._node_graphs.get(s)
        if groups is None:
            grouped: dict[Any, list[Pair]] = {}
            for q in self.subject_quads(s):
                grouped.setdefault(q[5], []).append(q[:5])
            groups = self._node_graphs[s] = {name: _ordered(p) for name, p in grouped.items()}
        return groups.pop(g, [])

    def graphs(self) -> list[tuple[str | None, list[str], list[str]]]:
        """``(graph name, subjects, mentions)`` of the TriG export: the default graph first, then by IRI.

        ``mentions`` are entities whose one triple in the graph is their
        ``kg:mentionedIn`` (written in bulk), the ``subjects`` all others.
        When ``mentions`` is not empty, the subjects are statements, whose
        IRIs all start with ``STATEMENT_NS`` and no mention's does.
        """
        nodes = self.graph.nodes
        split = (self._many.keys().isdisjoint(nodes)  # no statement IRI is a node's
                 and not any(map(operator.methodcaller("startswith", STATEMENT_NS), nodes)))
        mentions: dict[str, list[Any]] = {}
        statements: dict[str, list[str]] = {}
        for key, data in nodes(data=True):
            if data.get("kind") != "Article":
                for article in data.get("mentioned_in", ()):
                    group = mentions.get(article)
                    if group is None:
                        mentions[article] = [key]
                    else:
                        group.append(key)
        for s, recipe in self._one.items():
            if recipe is not None:
                statements.setdefault(recipe[8], []).append(s)
        for s, recipes in self._many.items():  # no statement is in both
            for article in {recipe[8] for recipe in recipes}:
                statements.setdefault(article, []).append(s)
        out: list[tuple[str | None, list[str], list[str]]] = []
        if nodes:
            # the nodes in order: self.subjects without the statements
            out.append((None, list(filter(nodes.__contains__, self.subjects)), []))
        for name in sorted(mentions.keys() | statements.keys()):
            if split:
                # each statement once per graph already; an entity may list an article twice
                out.append((name, sorted(statements.get(name, ())), sorted(set(mentions.get(name, ())))))
            else:
                out.append((name, sorted({*statements.get(name, ()), *mentions.get(name, ())}), []))
        return out


def _from_rdflib(rdf: Graph) -> Iterator[Quad]:
    """Quads (all in the default graph) of an rdflib graph; blank nodes are refused."""
    for triple in rdf:
        out = []
        for term in triple:
            if isinstance(term, Literal):
                out.append(Lit(str(term), str(term.datatype) if term.datatype else None,
                               term.language or None))
            elif isinstance(term, URIRef):
                out.append(str(term))
            else:
                raise ExportError(f"cannot write {term!r}: the export uses no blank nodes")
        yield out[0], out[1], out[2], None


def subject_index(graph: nx.MultiDiGraph | Graph | GraphIndex | QuadIndex) -> GraphIndex | QuadIndex:
    """The subject index of a networkx or rdflib graph (an index is returned as it is)."""
    if isinstance(graph, (GraphIndex, QuadIndex)):
        return graph
    if isinstance(graph, Graph):
        return QuadIndex(_from_rdflib(graph))
    return GraphIndex(graph)
