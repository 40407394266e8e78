"""The facts table: every fact read from the text as one row of a CSV file a spreadsheet opens.

``facts.csv`` answers "who does what, where, for how much, says which
sentence" without a query: one row per relation found in text and per
attribute (an investment), with both ends' names and types, the article's
title, the source file, the evidence sentence and its offsets.

Columns (:data:`FACT_COLUMNS`)
    ``head``, ``head_type``: the canonical name and the type (``Division``,
    ``Agency``, ``Organization``, ``Project``, ``Person``) of the subject;
    ``relation``: the ``kg:`` local name of the relation (``administers``,
    ``locatedIn``, ``subOrganizationOf``, ``undertakes``, ``worksFor``,
    ``partOf``) or of the attribute (``investment``);
    ``tail``, ``tail_type``: the other end (empty for an attribute);
    ``value``: the investment in yuan (a plain decimal number) for
    ``investment``, the role title (董事长) for ``worksFor`` where the text
    gives one, else empty;
    ``article_title``, ``source``: the article's title and its file (path
    relative to the corpus root);
    ``evidence``, ``start``, ``end``: the sentence the fact was read from and
    its character offsets in the source file (``text[start:end]``).
Rows
    one per evidence: a fact stated in two sentences has two rows.  Relations
    without evidence (the ``partOf`` hierarchy from the gazetteer) are not
    facts read from text and have no row; the other exports carry them.
    Rows are in reading order: by source file, offsets, relation, then the
    names and IRIs, so the same graph gives the same bytes.
Format
    UTF-8 with a byte-order mark (Excel then reads the Chinese text as
    UTF-8), RFC 4180: CRLF line ends, fields quoted when they hold a comma,
    a quote or a line break, quotes doubled.  Every text cell passes through
    :func:`kg.export.csvsafe.safe_cell`, so a cell that would start a
    spreadsheet formula (``=``, ``+``, ``-``, ``@``, tab, CR) starts with an
    apostrophe instead; numbers are written as they are.
"""
from __future__ import annotations

__all__ = ["FACT_COLUMNS", "ATTRIBUTE_RELATIONS", "iter_fact_rows", "write_facts_csv"]

import csv
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx

from kg.export.atomic import atomic_writer
from kg.export.csvsafe import safe_cell

#: The header of ``facts.csv``.
FACT_COLUMNS = ("head", "head_type", "relation", "tail", "tail_type", "value", "article_title", "source",
                "evidence", "start", "end")
#: Node attributes written as facts (the ``relation`` column holds the attribute's name).
ATTRIBUTE_RELATIONS = ("investment",)
_BOM = "\ufeff"
_ROWS_PER_WRITE = 2000


def _sort_text(value: Any) -> str:
    return "" if value is None else str(value)


def iter_fact_rows(graph: nx.MultiDiGraph) -> Iterator[tuple[Any, ...]]:
    """The rows of ``facts.csv`` (values in :data:`FACT_COLUMNS` order, before cell neutralisation), in order.

    Text values are ``str`` (``""`` where there is none); ``start`` and
    ``end`` are the offsets as the graph holds them (``int``).

    >>> g = nx.MultiDiGraph()
    >>> a = "https://w3id.org/shanxi-kg/id/article/a-1"
    >>> g.add_node(a, kind="Article", label="标题", title="标题", source="a.txt", start=0, end=20)
    >>> g.add_node("o", kind="Organization", label="某公司", aliases=[], mentioned_in=[a])
    >>> g.add_node("p", kind="Project", label="某工程", aliases=[], mentioned_in=[a], investment="1000",
    ...            investment_evidence=[{"article": a, "start": 0, "end": 9, "text": "投资1000元建某工程。",
    ...                                  "role": None, "rule": "r", "value": "1000"}])
    >>> _ = g.add_edge("o", "p", key="undertakes", rel="undertakes",
    ...                evidence=[{"article": a, "start": 10, "end": 18, "text": "某公司承建某工程。", "role": None,
    ...                           "rule": "r"}])
    >>> for row in iter_fact_rows(g):
    ...     print(row)
    ('某工程', 'Project', 'investment', '', '', '1000', '标题', 'a.txt', '投资1000元建某工程。', 0, 9)
    ('某公司', 'Organization', 'undertakes', '某工程', 'Project', '', '标题', 'a.txt', '某公司承建某工程。', 10, 18)
    """
    nodes = graph.nodes
    articles: dict[Any, tuple[str, str]] = {}  # article IRI -> (source, title)

    def article(key: Any) -> tuple[str, str]:
        found = articles.get(key)
        if found is None:
            data = nodes[key] if key in nodes else {}
            found = articles[key] = (_sort_text(data.get("source")),
                                     _sort_text(data.get("title") or data.get("label")))
        return found

    # (sort key, evidence, head, relation, tail): the key holds references to
    # strings the graph already has, so a large graph's rows cost a tuple each
    facts: list[tuple[tuple, dict[str, Any], Any, str, Any]] = []
    for head, tail, rel, data in graph.edges(keys=True, data=True):
        rel = data.get("rel", rel)
        head_label = _sort_text(nodes[head].get("label"))
        tail_label = _sort_text(nodes[tail].get("label"))
        for ev in data.get("evidence", ()):
            source = article(ev["article"])[0]
            value = _sort_text(ev.get("role"))
            facts.append(((source, ev["start"], ev["end"], rel, head_label, str(head), tail_label, str(tail),
                           value), ev, head, rel, tail))
    for key, data in graph.nodes(data=True):
        for attr in ATTRIBUTE_RELATIONS:
            for ev in data.get(f"{attr}_evidence", ()):
                source = article(ev["article"])[0]
                value = _sort_text(ev.get("value", data.get(attr)))
                facts.append(((source, ev["start"], ev["end"], attr, _sort_text(data.get("label")), str(key),
                               "", "", value), ev, key, attr, None))
    facts.sort(key=lambda fact: fact[0])
    for (source, start, end, _, head_label, _, tail_label, _, value), ev, head, rel, tail in facts:
        title = article(ev["article"])[1]
        yield (head_label, _sort_text(nodes[head].get("kind")), rel, tail_label,
               "" if tail is None else _sort_text(nodes[tail].get("kind")), value, title, source,
               _sort_text(ev.get("text")), start, end)


def _cell(value: Any) -> Any:
    return safe_cell(value) if isinstance(value, str) else value


def write_facts_csv(graph: nx.MultiDiGraph, path: str | os.PathLike[str]) -> Path:
    """Write ``facts.csv`` (see the module docstring) to ``path`` atomically.

    Examples
    --------
    >>> import tempfile
    >>> g = nx.MultiDiGraph()
    >>> p = write_facts_csv(g, os.path.join(tempfile.mkdtemp(), "facts.csv"))
    >>> p.read_bytes()[:20]
    b'\\xef\\xbb\\xbfhead,head_type,re'
    """
    with atomic_writer(path) as fh:
        fh.write(_BOM)
        # csv's minimal quoting with "\r\n" line ends quotes every field that
        # holds a comma, a quote, a CR or an LF (RFC 4180)
        writer = csv.writer(fh, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(FACT_COLUMNS)
        batch: list[tuple[Any, ...]] = []
        for row in iter_fact_rows(graph):
            batch.append(tuple(map(_cell, row)))
            if len(batch) >= _ROWS_PER_WRITE:
                writer.writerows(batch)
                batch = []
        writer.writerows(batch)
    return Path(path)
