"""JSON-LD export: the triples of the Turtle export as one ``@graph`` with a context.

The document is plain, deterministic JSON (keys sorted, nodes in ``@id``
order, values in the order of the Turtle export), readable by any JSON-LD
1.1 processor (rdflib, pyoxigraph, pyld, jsonld.js)::

    {"@context": {"kg": "https://w3id.org/shanxi-kg/ontology#", "rdfs": …, …},
     "@graph": [{"@id": "https://w3id.org/shanxi-kg/id/agency/…",
                 "@type": ["kg:Agency"],
                 "rdfs:label": [{"@language": "zh", "@value": "晋城市水利局"}],
                 "kg:administers": [{"@id": "https://w3id.org/shanxi-kg/id/division/140400"}],
                 …}, …]}

Every property value is an array, even a single one, so code reading the
JSON needs no "one or many" case.  Integers are JSON numbers (JSON-LD reads
them as ``xsd:integer``); decimals and dates keep their lexical form with an
``@type``, so no value passes through a float.

The file is the text of ``json.dumps(to_jsonld(graph), ensure_ascii=False,
sort_keys=True, indent=1)`` plus a newline, but written node by node: the
text of each node is put together from strings encoded by :mod:`json`'s C
string encoder (json's indenting encoder is pure Python and slow), from the
subject index of :mod:`kg.export.index`, so no document-sized structure is
ever built.  As in the RDF writers, entities and statements of one evidence
(nearly every node) are written from their records without sorting their
triples, in UTF-8 pieces.
"""
from __future__ import annotations

__all__ = ["CONTEXT", "to_jsonld", "iter_jsonld_text", "serialize_jsonld", "write_jsonld"]

import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import ExportError
from kg.export.atomic import atomic_writer, gc_paused
from kg.export.blocks import ARTICLE_FIELDS, STATEMENT_FIELDS
from kg.export.index import ALL, GraphIndex, subject_index
from kg.export.quads import ZH, Lit, Term, date_literal, decimal_literal, iter_quads
from kg.export.terms import Memo
from kg.ids import KG_NS
from kg.vocab import PREFIXES

#: The ``@context``: the prefixes of the Turtle export (kg, rdf, rdfs, skos, prov, dcterms, xsd, owl).
CONTEXT: dict[str, str] = dict(sorted(PREFIXES.items()))

_TYPE = PREFIXES["rdf"] + "type"
_LABEL, _ALT = PREFIXES["rdfs"] + "label", PREFIXES["skos"] + "altLabel"
_MENTIONED, _LEVEL, _ADCODE, _INVESTMENT = (KG_NS + name for name in ("mentionedIn", "level", "adcode",
                                                                      "investment"))
_STATEMENT = PREFIXES["rdf"] + "Statement"
_XSD_INTEGER = PREFIXES["xsd"] + "integer"
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_CANONICAL_INT = re.compile(r"^(0|-?[1-9][0-9]*)$")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _compact(iri: str) -> str:
    for prefix, ns in CONTEXT.items():
        if iri.startswith(ns) and _LOCAL.match(iri[len(ns):]):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _value(term: Term) -> Any:
    if not isinstance(term, Lit):
        return {"@id": term}
    if _SURROGATE.search(term.lex):
        raise ExportError(f"literal {term.lex[:40]!r}… holds a lone surrogate, which JSON-LD "
                          "cannot carry; fix the decoding of the source file")
    if term.lang:
        return {"@language": term.lang, "@value": term.lex}
    if term.datatype is None:
        return term.lex
    if term.datatype == _XSD_INTEGER and _CANONICAL_INT.match(term.lex):
        return int(term.lex)
    return {"@type": _compact(term.datatype), "@value": term.lex}


def _order(term: Term) -> tuple:
    # the object order of the Turtle export: IRIs, then literals by text
    if isinstance(term, Lit):
        return (1, term.lex, term.datatype or "", term.lang or "")
    return (0, term, "", "")


def to_jsonld(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """The JSON-LD document (a dict) of a knowledge graph; see the module docstring."""
    nodes: dict[str, dict[str, set[Term]]] = {}
    for s, p, o, _ in iter_quads(graph):
        nodes.setdefault(s, {}).setdefault(p, set()).add(o)
    out = []
    for s in sorted(nodes):
        obj: dict[str, Any] = {"@id": s}
        for p, objects in nodes[s].items():
            ordered = sorted(objects, key=_order)
            if p == _TYPE:
                obj["@type"] = [_compact(o) for o in ordered]
            else:
                obj[_compact(p)] = [_value(o) for o in ordered]
        out.append(obj)
    return {"@context": dict(CONTEXT), "@graph": out}


# -- streamed text ------------------------------------------------------------------
#
# json.dumps(..., indent=1) puts a node of "@graph" at two spaces, its keys at
# three, the items of a value list at four and the members of a value
# object at five.

_BATCH = 1500  # nodes per write
_CHARS = 1 << 20  # about, characters per write


# an @zh literal's JSON text is _ZH_OPEN + encode_basestring(lex) + _ZH_CLOSE (_Values.literal)
_ZH_OPEN = '{\n     "@language": ' + encode_basestring(ZH) + ',\n     "@value": '
_ZH_CLOSE = "\n    }"
_ZH_OPEN_UTF8, _ZH_CLOSE_UTF8 = _ZH_OPEN.encode("utf-8"), _ZH_CLOSE.encode("utf-8")


class _Values:
    """Terms → the JSON text of their value (:func:`_value`) inside a node; IRIs and integers memoised."""

    def __init__(self) -> None:
        self._iris = Memo(lambda iri: '{\n     "@id": ' + encode_basestring(iri) + "\n    }")
        self.iri = self._iris.__getitem__
        self._ints = Memo(self._integer)
        self.integer = self._ints.__getitem__
        self._compact = Memo(lambda iri: encode_basestring(_compact(iri)))
        self.compact = self._compact.__getitem__

    def literal(self, lex: str, datatype: str | None, lang: str | None) -> str:
        if _SURROGATE.search(lex):
            _value(Lit(lex, datatype, lang))  # raises the ExportError
        if lang:
            return ('{\n     "@language": ' + encode_basestring(lang) + ',\n     "@value": '
                    + encode_basestring(lex) + "\n    }")
        if not datatype:
            return encode_basestring(lex)
        if datatype == _XSD_INTEGER and _CANONICAL_INT.match(lex):
            return repr(int(lex))
        return ('{\n     "@type": ' + self.compact(datatype) + ',\n     "@value": '
                + encode_basestring(lex) + "\n    }")

    def _integer(self, n: Any) -> str:
        return self.literal(str(int(n)), _XSD_INTEGER, None)

    def zh(self, text: str) -> str:
        return self.literal(text, None, ZH)

    def term(self, term: Term) -> str:
        return self.literal(*term) if isinstance(term, Lit) else self.iri(term)


def _key(predicate: str) -> str:
    return "@type" if predicate == _TYPE else _compact(predicate)


def _node_text(keys: list[tuple[str, str]]) -> str:
    """A node from ``(key, JSON text of its value)``; keys sorted as json's ``sort_keys``."""
    keys.sort(key=lambda kv: kv[0])
    return "  {\n" + ",\n".join(f"   {encode_basestring(k)}: {v}" for k, v in keys) + "\n  }"


# field -> predicate, for a statement and for an article
_FIELDS = {**STATEMENT_FIELDS, **ARTICLE_FIELDS}


class _Templates(dict):
    """``%``-templates of a block, keyed by the fields present (``tuple(values)``)."""

    def __init__(self, build: Callable[[list[tuple[str, str]]], str]) -> None:
        super().__init__()
        self.build = build

    def __missing__(self, fields: tuple[str, ...]) -> str:
        text = self[fields] = self.build([(f, _FIELDS[f]) for f in fields if f != "S"])
        return text


def _templates() -> _Templates:
    def build(fields: list[tuple[str, str]]) -> str:
        keys = [("@id", "%(S)s")] + [(_key(p), f"[\n    %({f})s\n   ]") for f, p in fields]
        return _node_text([(k.replace("%", "%%"), v) for k, v in keys])
    return _Templates(build)


def _article_values(values: _Values, s: str, data: Mapping[str, Any]) -> dict[str, str]:
    """Values of the template of an article without other triples (see kg.export.blocks)."""
    out = {"S": encode_basestring(s), "type": values.compact(KG_NS + "Article"),
           "title": values.zh(data.get("title") or data.get("label") or ""),
           "source": values.literal(data["source"], None, None),
           "start": values.integer(data["start"]), "end": values.integer(data["end"])}
    if data.get("date"):
        out["date"] = values.term(date_literal(data["date"]))
    return out


# A statement's keys as json's sort_keys orders them; "@id" comes first and
# "@type" (always rdf:Statement) second, both before any "kg:" key.
_STATEMENT_KEY_ORDER = ("end", "evidence", "role", "rule", "start", "derived", "object", "predicate",
                        "subject")


def _statement_block(values: _Values) -> Callable[[str, tuple], bytes]:
    """The text (UTF-8) of a statement of one evidence from its recipe (see kg.export.index.GraphIndex).

    Statements are half the subjects of a graph: each is one ``%`` of a
    template (one per combination of role and rule) with positional values,
    most of them memoised, instead of a dict of values per statement.
    Values are made in the order the general path made them, so a bad one
    raises the same error.
    """
    def template(role: bool, rule: bool) -> bytes:
        fields = [f for f in _STATEMENT_KEY_ORDER if (role or f != "role") and (rule or f != "rule")]
        type_ = values.compact(_STATEMENT).replace("%", "%%")
        keys = ([("@id", "%s"), ("@type", f"[\n    {type_}\n   ]")]
                + [(_key(STATEMENT_FIELDS[f]).replace("%", "%%"), "[\n    %s\n   ]") for f in fields])
        if [k for k, _ in keys] != sorted(k for k, _ in keys):  # block() passes values in this order
            raise AssertionError("_STATEMENT_KEY_ORDER is not the order of the statement's keys")
        return _node_text(keys).encode("utf-8")

    templates = {(role, rule): template(role, rule) for role in (False, True) for rule in (False, True)}
    iri, integer = Memo(lambda x: values.iri(x).encode("utf-8")), Memo(lambda n: values.integer(n).encode())
    term, zh = values.term, values.zh
    predicates = Memo(lambda rel: iri[KG_NS + rel])
    # titles and rule names repeat
    roles = Memo(lambda role: zh(role).encode("utf-8"))
    rules = Memo(lambda rule: values.literal(rule, None, None).encode("utf-8"))

    def block(s: str, recipe: tuple) -> bytes:
        subject, rel, obj, _, _, text, role, rule, article, start, end = recipe
        subject, predicate = iri[subject], predicates[rel]
        obj = iri[obj] if obj.__class__ is str else term(obj).encode("utf-8")
        derived = iri[article]
        try:  # (JSON leaves a lone surrogate as it is, and UTF-8 cannot carry it)
            evidence = _ZH_OPEN_UTF8 + encode_basestring(text).encode("utf-8") + _ZH_CLOSE_UTF8
        except UnicodeEncodeError:
            zh(text)  # raises the ExportError of the lone surrogate
            raise
        start, end = integer[start], integer[end]
        values_ = (encode_basestring(s).encode("utf-8"), end, evidence)
        if role:
            values_ += (roles[role],)
        if rule:
            values_ += (rules[rule],)
        return templates[bool(role), bool(rule)] % (values_ + (start, derived, obj, predicate, subject))

    return block


def _entity_block(values: _Values) -> Callable[[str, tuple], bytes]:
    """The text (UTF-8) of an entity from its record (see :class:`kg.export.index.GraphIndex`).

    What the general path writes from the entity's sorted triples, built
    from the record instead: its keys are fixed but for its relations, and
    each key's values are all IRIs or all literals of one kind, so sorting
    them alone gives :func:`_order`.  Values are checked in the order the
    general path meets them (the decimal when the triples are built, then
    the literals by predicate IRI), so a bad value raises the same error.
    """
    iri = Memo(lambda x: values.iri(x).encode("utf-8")).__getitem__
    zh, literal = values.zh, values.literal
    label, alt = _key(_LABEL), _key(_ALT)

    def key(predicate: str) -> tuple[str, bytes]:
        # the key (what the keys sort by) and the text that opens its value list;
        # every key but rdfs:label and skos:altLabel sorts before them (kg: or full IRIs)
        name = _key(predicate)
        if not name < label < alt:
            raise AssertionError(f"{name} does not sort before {label}")
        return name, f"   {encode_basestring(name)}: [\n    ".encode("utf-8")

    types = Memo(lambda kind: (",\n   " + encode_basestring("@type") + ": [\n    "
                                + values.compact(KG_NS + kind) + "\n   ]").encode("utf-8"))
    (mentioned, mentioned_open), (level, level_open), (adcode, adcode_open), (invested, invested_open) = (
        key(p) for p in (_MENTIONED, _LEVEL, _ADCODE, _INVESTMENT))
    rel_keys = Memo(key)
    sep, close = b",\n    ", b"\n   ]"
    # the last keys as text, encoded at once: @zh literals joined in C
    label_open = f"   {encode_basestring(label)}: [\n    {_ZH_OPEN}"
    alt_open = f"{_ZH_CLOSE}\n   ],\n   {encode_basestring(alt)}: [\n    {_ZH_OPEN}"
    zh_sep, end = f"{_ZH_CLOSE},\n    {_ZH_OPEN}", f"{_ZH_CLOSE}\n   ]\n  }}"
    opening = '  {\n   "@id": '

    def block(s: str, record: tuple) -> bytes:
        kind, text, aliases, articles, investment, rels, data = record
        # (key, text) of each key after "@id" and "@type" but rdfs:label and skos:altLabel, sorted below
        keys = []
        if investment is not None:  # the general path makes the decimal first
            keys.append((invested, invested_open + values.term(decimal_literal(investment)).encode("utf-8") + close))
        if aliases:
            aliases = sorted(set(aliases)) if len(aliases) > 1 else aliases
            last = (label_open + encode_basestring(text)
                    + alt_open + zh_sep.join(map(encode_basestring, aliases)) + end)
        else:
            last = label_open + encode_basestring(text) + end
        try:  # (JSON leaves a lone surrogate as it is, and UTF-8 cannot carry it)
            last = last.encode("utf-8")
        except UnicodeEncodeError:
            for lex in [text, *(aliases or ())]:
                zh(lex)  # raises the ExportError of the first lone surrogate
            raise
        if kind == "Division":
            for name, opening_, attr in ((adcode, adcode_open, "adcode"), (level, level_open, "level")):
                if data.get(attr):
                    keys.append((name, opening_ + literal(data[attr], None, None).encode("utf-8") + close))
        if articles:
            articles = sorted(set(articles)) if len(articles) > 1 else articles
            keys.append((mentioned, mentioned_open + sep.join(map(iri, articles)) + close))
        if rels:
            if len(rels) == 1:
                name, opening_ = rel_keys[rels[0][0]]
                keys.append((name, opening_ + iri(rels[0][1]) + close))
            else:
                tails: dict[str, set] = {}
                for p, tail in rels:
                    tails.setdefault(p, set()).add(tail)
                for p, objects in tails.items():
                    name, opening_ = rel_keys[p]
                    keys.append((name, opening_ + sep.join(map(iri, sorted(objects))) + close))
        keys.sort()  # by key: keys differ, so the texts are never compared
        keys.append((label, last))
        return b"".join(((opening + encode_basestring(s)).encode("utf-8"), types[kind], b",\n",
                         b",\n".join([text for _, text in keys])))

    return block


def _node_texts(index: GraphIndex, values: _Values) -> Iterator[bytes]:
    """The text (UTF-8) of each node of ``@graph``, in order."""
    templates = _templates()
    statement, article = index.statement, index.article
    statement_block, entity, entity_block = _statement_block(values), index.entity, _entity_block(values)
    for s in index.subjects:
        recipe = statement(s)
        if recipe is not None:
            yield statement_block(s, recipe)
            continue
        record = entity(s)
        if record is not None:
            yield entity_block(s, record)
            continue
        data = article(s)
        if data is not None:
            filled = _article_values(values, s, data)
            yield (templates[tuple(filled)] % filled).encode("utf-8")
            continue
        groups: dict[str, list[str]] = {}
        for p, k, x, dt, lang in index.pairs(s, ALL):
            if p == _TYPE:
                text = values.compact(x) if k == 0 else encode_basestring(_compact(Lit(x)))
            else:
                text = values.iri(x) if k == 0 else values.literal(x, dt or None, lang or None)
            groups.setdefault(p, []).append(text)
        keys = [("@id", encode_basestring(s))]
        keys += [(_key(p), "[\n    " + ",\n    ".join(texts) + "\n   ]") for p, texts in groups.items()]
        yield _node_text(keys).encode("utf-8")


def _jsonld_bytes(graph: nx.MultiDiGraph | GraphIndex) -> Iterator[bytes]:
    """The document as UTF-8, in pieces of about :data:`_CHARS` bytes (joined from the
    encoded texts of the nodes: encoding the whole text took a tenth of the time)."""
    index = subject_index(graph)
    empty = json.dumps({"@context": CONTEXT, "@graph": []}, ensure_ascii=False, sort_keys=True, indent=1)
    head, tail = empty[:-len("]\n}")], b"\n ]\n}\n"
    if not index.subjects:
        yield (empty + "\n").encode("utf-8")
        return
    yield (head + "\n").encode("utf-8")
    # batches bounded by size too: an entity mentioned in tens of
    # thousands of articles is megabytes of text, and such entities sort together
    # (the separator goes before a batch: a batch ending with the last node is no special case)
    batch: list[bytes] = []
    size = 0
    sep = b""
    for text in _node_texts(index, _Values()):
        batch.append(text)
        size += len(text)
        if len(batch) >= _BATCH or size >= _CHARS:
            yield sep + b",\n".join(batch)
            batch, size, sep = [], 0, b",\n"
    yield (sep + b",\n".join(batch) if batch else b"") + tail


def iter_jsonld_text(graph: nx.MultiDiGraph | GraphIndex) -> Iterator[str]:
    """The text of :func:`serialize_jsonld` in pieces of a bounded size, streamed node by node."""
    for chunk in _jsonld_bytes(graph):
        yield chunk.decode("utf-8")


def serialize_jsonld(graph: nx.MultiDiGraph) -> str:
    """JSON-LD text: UTF-8, keys sorted, one-space indent, ending in a newline."""
    return "".join(iter_jsonld_text(graph))


def write_jsonld(graph: nx.MultiDiGraph, path: str | os.PathLike[str]) -> Path:
    """Write the JSON-LD export of ``graph`` to ``path`` atomically, streamed node by node."""
    # the index is built inside the block, with the garbage collector paused (see gc_paused)
    with gc_paused(), atomic_writer(path, "binary") as fh:
        for chunk in _jsonld_bytes(graph):
            fh.write(chunk)
    return Path(path)
