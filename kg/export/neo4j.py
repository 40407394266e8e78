"""Property-graph export: Neo4j's bulk-import CSV, and a LadybugDB load script.

Two files, loaded by ``neo4j-admin database import full`` as they are::

    neo4j-admin database import full --nodes=nodes.csv --relationships=relationships.csv \\
        --array-delimiter=";" --multiline-fields=true neo4j

``nodes.csv``
    one row per entity and article.  Header
    ``iri:ID,:LABEL,label,aliases:string[],level,adcode,investment:double,title,source,start_offset:int,end_offset:int,date``:
    the IRI of the RDF export is the node id (stored as property ``iri``),
    the label is the kind (``Division``, ``Agency``, ``Organization``,
    ``Project``, ``Person``, ``Article``).
``relationships.csv``
    one row per relation (``:TYPE`` is its ``kg:`` local name, e.g.
    ``administers``) and per mention (``mentionedIn``, entity → article).
    Header ``:START_ID,:END_ID,:TYPE,evidence:string[],evidence_articles:string[],evidence_starts:int[],evidence_ends:int[],roles:string[],rules:string[]``;
    the arrays are aligned, one element per evidence (sentence, article IRI,
    offsets, role title, rule), in the graph's evidence order; ``roles`` and
    ``rules`` are left out (null) when no evidence has one.

Quoting: every string field is quoted and inner quotes doubled (RFC 4180),
so commas, quotes and line breaks in untrusted text survive; a missing value
is an empty, unquoted field, which Neo4j and LadybugDB read as null.  We do
not use :mod:`csv`'s writer: with ``"\\n"`` line ends its minimal quoting
leaves a lone CR unquoted (a reader then splits the record), and its
"quote non-numeric" mode cannot write a null.  Arrays are joined with ``;``
(Neo4j's ``--array-delimiter``), which has no escape: a ``;`` *inside* an
array element is written as the full-width ``；`` (U+FF1B) that Chinese text
uses anyway.  Scalars (``label``, ``title``) are exact, but for one mark:

Spreadsheet formulas: people open these files in spreadsheets too, and a
spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@``.  So a
text cell that would start a formula (or starts with an apostrophe) is
written with one leading apostrophe (:func:`kg.export.csvsafe.safe_cell`;
for an array, the cell's start is its first element's).  Both importers read
such a cell as text like any other; the load script of LadybugDB takes the
apostrophe off again (``regexp_replace(x, "^'", "")``), so the database
holds the exact text.  ``neo4j-admin`` cannot change a value while it
imports: after an import into Neo4j, the properties that can hold such text
(:data:`MARKED_PROPERTIES`) are restored by the statements
:func:`neo4j_unmark_statements` gives (the README lists them).  IRIs, kinds,
levels, codes, dates, offsets and rule names never start so.

:func:`ladybug_script` writes the Cypher that creates the schema and loads
both files into LadybugDB (a Kùzu fork, which needs one table per node
label and typed relationship tables).
"""
from __future__ import annotations

__all__ = [
    "MARKED_PROPERTIES",
    "neo4j_unmark_statements",
    "NODE_COLUMNS",
    "RELATIONSHIP_COLUMNS",
    "ARRAY_DELIMITER",
    "iter_node_rows",
    "iter_relationship_rows",
    "generate_csv",
    "ladybug_script",
    "write_nodes_csv",
    "write_relationships_csv",
    "write_ladybug_script",
    "write_neo4j_csv",
]

import operator
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import ExportError
from kg.export.atomic import atomic_write, atomic_writer
from kg.export.csvsafe import MARK, safe_cell
from kg.ids import ID_NS

#: Neo4j's default array delimiter, also passed explicitly in the README command.
ARRAY_DELIMITER = ";"
_FULLWIDTH_SEMICOLON = "\uff1b"

#: ``(header, graph attribute)`` of ``nodes.csv``; the header carries Neo4j's types.
NODE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("iri:ID", "iri"), (":LABEL", "kind"), ("label", "label"), ("aliases:string[]", "aliases"),
    ("level", "level"), ("adcode", "adcode"), ("investment:double", "investment"),
    ("title", "title"), ("source", "source"), ("start_offset:int", "start"), ("end_offset:int", "end"),
    ("date", "date"),
)
#: ``(header, name, evidence key)`` of ``relationships.csv``; ``name`` is the
#: column's name in :func:`ladybug_script`.
RELATIONSHIP_COLUMNS: tuple[tuple[str, str, str], ...] = (
    (":START_ID", "start_id", ""), (":END_ID", "end_id", ""), (":TYPE", "type", ""),
    ("evidence:string[]", "evidence", "text"), ("evidence_articles:string[]", "evidence_articles", "article"),
    ("evidence_starts:int[]", "evidence_starts", "start"),
    ("evidence_ends:int[]", "evidence_ends", "end"),
    ("roles:string[]", "roles", "role"), ("rules:string[]", "rules", "rule"),
)
_MENTIONED_IN = "mentionedIn"
# Properties of each LadybugDB node table (Neo4j needs no schema).
_ENTITY_PROPS = ("label", "aliases")
_KIND_PROPS = {"Article": ("label", "title", "source", "start_offset", "end_offset", "date"),
               "Division": _ENTITY_PROPS + ("level", "adcode"),
               "Project": _ENTITY_PROPS + ("investment",)}
# LadybugDB column types of the header types above.
_LADYBUG_TYPES = {"string": "STRING", "int": "INT64", "double": "DOUBLE",
                  "string[]": "STRING[]", "int[]": "INT64[]"}


class _Number(str):
    """A decimal kept as its exact text but written unquoted (``investment:double``)."""


def _array_item(value: Any) -> str:
    return ("" if value is None else str(value)).replace(ARRAY_DELIMITER, _FULLWIDTH_SEMICOLON)


def _field(value: Any) -> str:
    """One CSV field: strings quoted (quotes doubled), numbers bare, null empty."""
    if value is None:
        return ""
    if isinstance(value, _Number):
        return str(value)
    if isinstance(value, bool):  # bool is an int; the graph has none, refuse to guess
        raise ExportError(f"cannot write boolean {value!r} to CSV")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        if not value:
            return ""
        value = ARRAY_DELIMITER.join(_array_item(v) for v in value)
    return '"' + safe_cell(str(value)).replace('"', '""') + '"'


def iter_node_rows(graph: nx.MultiDiGraph) -> Iterator[list[Any]]:
    """Rows of ``nodes.csv`` (values in :data:`NODE_COLUMNS` order), sorted by IRI."""
    for key in sorted(graph.nodes):
        data = graph.nodes[key]
        row: list[Any] = []
        for _, attr in NODE_COLUMNS:
            value = key if attr == "iri" else data.get(attr)
            if attr == "investment" and value is not None:
                value = _Number(value)
            row.append(value if value != [] else None)
        yield row


def iter_relationship_rows(graph: nx.MultiDiGraph) -> Iterator[list[Any]]:
    """Rows of ``relationships.csv``, sorted by (start, type, end)."""
    rows: list[list[Any]] = []
    for head, tail, rel, data in graph.edges(keys=True, data=True):
        evidence = data.get("evidence", ())
        row: list[Any] = [head, tail, data.get("rel", rel)]
        for _, _, key in RELATIONSHIP_COLUMNS[3:]:
            # An evidence without role or rule keeps its place in the arrays
            # ("chief;" is two roles); an array of nothing but empty strings
            # cannot be told from an empty one in this format, so it is null.
            values = ["" if ev.get(key) is None else ev[key] for ev in evidence]
            row.append(values if any(v != "" for v in values) else None)
        rows.append(row)
    for key, data in graph.nodes(data=True):
        for article in data.get("mentioned_in", ()):
            rows.append([key, article, _MENTIONED_IN] + [None] * (len(RELATIONSHIP_COLUMNS) - 3))
    rows.sort(key=lambda r: (r[0], r[2], r[1]))
    return iter(rows)


def generate_csv(header: Iterable[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """Lines (without newline) of a CSV file quoted as described in the module docstring."""
    yield ",".join(header)
    for row in rows:
        yield ",".join(_field(v) for v in row)


def _write_lines(path: Path, lines: Iterable[str], batch: int = 5000) -> Path:
    """Write ``lines`` (each ending in a newline once written) atomically, a batch per write."""
    with atomic_writer(path) as fh:
        chunk: list[str] = []
        for line in lines:
            chunk.append(line)
            if len(chunk) >= batch:
                fh.write("\n".join(chunk) + "\n")
                chunk = []
        if chunk:
            fh.write("\n".join(chunk) + "\n")
    return path


# -- the files' lines, fast ----------------------------------------------------------
#
# What generate_csv writes for iter_node_rows and iter_relationship_rows,
# without a row of values and a _field call per value: a str is quoted
# inline (as _field quotes it), other values still go through _field, and
# the text of every node id is made once.


def _quoted(value: str) -> str:
    """``_field`` of a str (the class itself, not a subclass such as _Number)."""
    return '"' + safe_cell(value).replace('"', '""') + '"'


class _Fields(dict):
    """Values -> their CSV field (:func:`_field`), memoised for node ids, relation types and articles."""

    def __missing__(self, value: Any) -> str:
        if value.__class__ is not str:  # not kept: 1 == 1.0 == True are one dict key, three fields
            return _field(value)
        text = self[value] = _quoted(value)
        return text


def _node_lines(graph: nx.MultiDiGraph) -> Iterator[str]:
    """``generate_csv`` of the header and :func:`iter_node_rows` of ``nodes.csv``."""
    yield ",".join(h for h, _ in NODE_COLUMNS)
    attrs = [attr for _, attr in NODE_COLUMNS]
    iri, investment = attrs.index("iri"), attrs.index("investment")
    node_data = graph.nodes
    for key in sorted(node_data):
        values = list(map(node_data[key].get, attrs))
        values[iri] = key
        if values[investment] is not None:
            values[investment] = _Number(values[investment])
        # what iter_node_rows and _field make of each value, a str quoted here
        yield ",".join([_quoted(v) if v.__class__ is str
                        else "" if v is None else _field(v if v != [] else None) for v in values])


def _array_field(values: list[Any]) -> str:
    """``_field`` of a non-empty list (an array column)."""
    return _quoted(ARRAY_DELIMITER.join([("" if v is None else str(v)).replace(ARRAY_DELIMITER,
                                                                               _FULLWIDTH_SEMICOLON)
                                         for v in values]))


def _single_field(value: Any) -> str:
    """The field of an array column of one evidence whose value is ``value`` (see iter_relationship_rows)."""
    if value is None:
        return ""
    return _array_field([value]) if value != "" else ""


class _SingleFields(dict):
    """Values -> :func:`_single_field`, memoised for str and None (articles, rules, roles repeat).

    Not for numbers: 1, 1.0 and True are one dict key but three fields.
    """

    def __missing__(self, value: Any) -> str:
        text = _single_field(value)
        if value.__class__ is str or value is None:
            self[value] = text
        return text


# The evidence keys of the array columns, in column order (_relationship_lines writes them so).
_EVIDENCE_KEYS = ("text", "article", "start", "end", "role", "rule")
if tuple(key for *_, key in RELATIONSHIP_COLUMNS[3:]) != _EVIDENCE_KEYS:
    raise AssertionError("_EVIDENCE_KEYS are not the evidence keys of RELATIONSHIP_COLUMNS")


def _relationship_lines(graph: nx.MultiDiGraph) -> Iterator[str]:
    """``generate_csv`` of the header and :func:`iter_relationship_rows` of ``relationships.csv``."""
    # (start, type, end, attributes of the edge or None for a mention), sorted by
    # the first three as iter_relationship_rows sorts its rows; the lines are
    # made as they are written, not all held at once
    rows: list[tuple[Any, Any, Any, dict[str, Any] | None]] = []
    append = rows.append
    for head, tail, rel, data in graph.edges(keys=True, data=True):
        append((head, data.get("rel", rel), tail, data))
    for key, data in graph.nodes(data=True):
        for article in data.get("mentioned_in", ()):
            append((key, _MENTIONED_IN, article, None))
    rows.sort(key=operator.itemgetter(0, 1, 2))  # stable, as iter_relationship_rows' sort

    fields, single = _Fields(), _SingleFields()
    mention = "," + fields[_MENTIONED_IN] + "," * (len(RELATIONSHIP_COLUMNS) - 3)
    yield ",".join(h for h, *_ in RELATIONSHIP_COLUMNS)
    for head, rel, tail, data in rows:
        if data is None:
            yield fields[head] + "," + fields[tail] + mention
            continue
        evidence = data.get("evidence", ())
        if len(evidence) == 1:  # most relations: the arrays of one value each
            text, article, start, end, role, rule = map(evidence[0].get, _EVIDENCE_KEYS)
            # offsets are ints, whose field is their digits quoted
            start = f'"{start}"' if start.__class__ is int else _single_field(start)
            end = f'"{end}"' if end.__class__ is int else _single_field(end)
            yield (f"{fields[head]},{fields[tail]},{fields[rel]},{_single_field(text)},"
                   f"{single[article]},{start},{end},{single[role]},{single[rule]}")
        else:
            line = [fields[head], fields[tail], fields[rel]]
            for key in _EVIDENCE_KEYS:
                # as iter_relationship_rows: an array of nothing but empty strings is null
                values = ["" if ev.get(key) is None else ev[key] for ev in evidence]
                line.append(_array_field(values) if any(v != "" for v in values) else "")
            yield ",".join(line)


def _unmarked(name: str) -> str:
    """Cypher (LadybugDB) for the text of column ``name`` without the mark of :func:`safe_cell`.

    A regular expression, not ``CASE WHEN … STARTS WITH …``: LadybugDB
    0.x evaluates that ``CASE`` inside ``LOAD … WHERE`` against the wrong
    rows (each row got the value of the row before it).
    """
    return f"regexp_replace({name}, {_cypher_string('^' + MARK)}, '')"


def _text_properties(columns: Iterable[str]) -> list[tuple[str, bool]]:
    """``(property, is an array)`` of the text columns among Neo4j headers ``columns``."""
    out = []
    for header in columns:
        name, _, type_ = header.partition(":")
        if name and type_ in ("", "string", "string[]"):
            out.append((name, type_ == "string[]"))
    return out


#: Text properties (node properties, then relationship properties) that can
#: hold a cell :func:`safe_cell` marked: every text column but the ids.
MARKED_PROPERTIES: tuple[tuple[str, ...], tuple[str, ...]] = (
    tuple(name for name, _ in _text_properties(h for h, _ in NODE_COLUMNS)),
    tuple(name for name, _ in _text_properties(h for h, *_ in RELATIONSHIP_COLUMNS)))


def neo4j_unmark_statements() -> list[str]:
    """Cypher statements (Neo4j 5) that take the mark of :func:`safe_cell` off every
    text property after ``neo4j-admin database import``, so the database holds
    the exact text (LadybugDB's load script does this as it loads).

    >>> print(neo4j_unmark_statements()[0])
    MATCH (n) WHERE n.label STARTS WITH "'" SET n.label = substring(n.label, 1);
    """
    out = []
    for pattern, var, headers in (("(n)", "n", [h for h, _ in NODE_COLUMNS]),
                                  ("()-[r]->()", "r", [h for h, *_ in RELATIONSHIP_COLUMNS])):
        for name, array in _text_properties(headers):
            p = f"{var}.{name}"
            if array:  # the cell's start is the first element's
                out.append(f'MATCH {pattern} WHERE {p}[0] STARTS WITH "{MARK}" '
                           f"SET {p} = [substring({p}[0], 1)] + {p}[1..];")
            else:
                out.append(f'MATCH {pattern} WHERE {p} STARTS WITH "{MARK}" SET {p} = substring({p}, 1);')
    return out


def _kind_prefix(kind: str) -> str:
    # kg.ids puts the kind into every IRI (…/id/agency/…); LadybugDB's COPY
    # of a relationship table needs the endpoint tables, and reads them here.
    return f"{ID_NS}{kind.lower()}/"


def _cypher_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def ladybug_script(graph: nx.MultiDiGraph, nodes_csv: str = "nodes.csv",
                   relationships_csv: str = "relationships.csv") -> str:
    """Cypher statements that load the two CSV files into an empty LadybugDB database.

    One node table per label (primary key ``iri``), one relationship table
    per type with the ``FROM … TO …`` pairs that occur in the graph, and a
    ``COPY … FROM (LOAD WITH HEADERS … WHERE …)`` per table and pair.  File
    names are used as given (LadybugDB resolves relative names against the
    working directory).

    Raises
    ------
    ExportError
        A node IRI does not follow :mod:`kg.ids` (``…/id/<kind>/…``).
    """
    nodes = graph.nodes
    kinds = sorted({d["kind"] for _, d in nodes(data=True)})
    prefixes = {kind: _kind_prefix(kind) for kind in kinds}
    for key, data in nodes(data=True):
        if not key.startswith(prefixes[data["kind"]]):
            raise ExportError(f"node {key} is a {data['kind']} but its IRI does not start "
                              f"with {_kind_prefix(data['kind'])}; build ids with kg.ids")
    pairs: dict[str, set[tuple[str, str]]] = {}
    kind_of = dict(nodes(data="kind"))  # one lookup per edge end, not a node view's
    for head, tail, rel, data in graph.edges(keys=True, data=True):
        pairs.setdefault(data.get("rel", rel), set()).add((kind_of[head], kind_of[tail]))
    for key, data in nodes(data=True):
        if data.get("mentioned_in"):
            pairs.setdefault(_MENTIONED_IN, set()).add((data["kind"], "Article"))

    def columns(spec: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        # (`name`, LadybugDB type) from (Neo4j header, name); ":LABEL" etc. are strings
        return [(f"`{name}`", _LADYBUG_TYPES.get(header.partition(":")[2], "STRING"))
                for header, name in spec]

    # Node columns are named as in Neo4j (the property name before the type).
    node_cols = columns((h, h.partition(":")[0] or "kind") for h, _ in NODE_COLUMNS)
    rel_cols = columns((h, n) for h, n, _ in RELATIONSHIP_COLUMNS)
    rel_props = rel_cols[3:]

    def load(cols: list[tuple[str, str]], path: str) -> str:
        # Arrays are read as text and split below, the way Neo4j splits them.
        return ("LOAD WITH HEADERS (" + ", ".join(f"{n} {'STRING' if t.endswith('[]') else t}"
                                                  for n, t in cols)
                + f") FROM {_cypher_string(path)} (header=true, parallel=false, quote='\"', escape='\"')")

    load_nodes, load_rels = load(node_cols, nodes_csv), load(rel_cols, relationships_csv)

    def value(name: str, type_: str) -> str:
        if type_ == "STRING[]":
            return f"string_split({_unmarked(name)}, {_cypher_string(ARRAY_DELIMITER)})"
        if type_ == "INT64[]":
            return f"CAST(string_split({name}, {_cypher_string(ARRAY_DELIMITER)}) AS INT64[])"
        return _unmarked(name) if type_ == "STRING" else name

    out = []
    def props(kind: str) -> list[tuple[str, str]]:
        wanted = {f"`{p}`" for p in _KIND_PROPS.get(kind, _ENTITY_PROPS)}
        return [(n, t) for n, t in node_cols if n in wanted]

    for kind in kinds:
        out.append(f"CREATE NODE TABLE {kind}(`iri` STRING PRIMARY KEY, "
                   + ", ".join(f"{n} {t}" for n, t in props(kind)) + ");")
    for rel in sorted(pairs):
        pair_text = ", ".join(f"FROM {a} TO {b}" for a, b in sorted(pairs[rel]))
        prop_text = "".join(f", {n} {t}" for n, t in rel_props) if rel != _MENTIONED_IN else ""
        out.append(f"CREATE REL TABLE {rel}({pair_text}{prop_text});")
    for kind in kinds:
        out.append(f"COPY {kind} FROM ({load_nodes} WHERE `kind` = {_cypher_string(kind)} RETURN `iri`, "
                   + ", ".join(value(n, t) for n, t in props(kind)) + ");")
    for rel in sorted(pairs):
        multi = len(pairs[rel]) > 1
        for a, b in sorted(pairs[rel]):
            returned = ", ".join(["`start_id`", "`end_id`"] + ([value(n, t) for n, t in rel_props]
                                                           if rel != _MENTIONED_IN else []))
            options = f" (from={_cypher_string(a)}, to={_cypher_string(b)})" if multi else ""
            out.append(f"COPY {rel} FROM ({load_rels} WHERE `type` = {_cypher_string(rel)} "
                       f"AND `start_id` STARTS WITH {_cypher_string(_kind_prefix(a))} "
                       f"AND `end_id` STARTS WITH {_cypher_string(_kind_prefix(b))} "
                       f"RETURN {returned}){options};")
    return "\n".join(out) + "\n"


def write_neo4j_csv(graph: nx.MultiDiGraph, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write ``nodes.csv``, ``relationships.csv`` and ``ladybug.cypher`` into ``out_dir``.

    Each file is written atomically (and streamed); the bytes depend only on the graph.
    """
    out = Path(out_dir)
    return [write_nodes_csv(graph, out / "nodes.csv"),
            write_relationships_csv(graph, out / "relationships.csv"),
            write_ladybug_script(graph, out / "ladybug.cypher")]


def write_nodes_csv(graph: nx.MultiDiGraph, path: str | os.PathLike[str]) -> Path:
    """Write ``nodes.csv`` (:data:`NODE_COLUMNS`) to ``path`` atomically."""
    return _write_lines(Path(path), _node_lines(graph))


def write_relationships_csv(graph: nx.MultiDiGraph, path: str | os.PathLike[str]) -> Path:
    """Write ``relationships.csv`` (:data:`RELATIONSHIP_COLUMNS`) to ``path`` atomically."""
    return _write_lines(Path(path), _relationship_lines(graph))


def write_ladybug_script(graph: nx.MultiDiGraph, path: str | os.PathLike[str]) -> Path:
    """Write :func:`ladybug_script` (for ``nodes.csv`` and ``relationships.csv``) to ``path`` atomically."""
    return atomic_write(path, ladybug_script(graph))
