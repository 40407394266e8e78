"""GraphML export (networkx's writer) for Gephi, yEd, Cytoscape and ``apoc.import.graphml``.

The networkx graph as it is: nodes keyed by IRI, one edge per relation with
the relation as edge id, attributes as in :mod:`kg.graph`.  GraphML values
are scalars, so list and dict attributes (``aliases``, ``mentioned_in``,
``evidence``, ``investment_evidence``) are written as JSON text (keys sorted,
UTF-8); ``investment`` is a ``double``; a missing value (``None``) is left
out.

XML 1.0 cannot carry most C0 control characters, not even as character
references, so in plain string values they (and U+FFFE/U+FFFF) are written
as U+FFFD (the JSON text of list values escapes them, so lists keep them); a CR is
written as ``&#13;`` because an XML parser turns a literal CR into LF.
Everything else, markup characters included, round-trips exactly through
``networkx.read_graphml``.

The file is what ``networkx.write_graphml_xml`` writes for
:func:`to_graphml_graph` (ElementTree, pretty-printed), but streamed by
:func:`iter_graphml_text`, which does what ElementTree does (escapes,
indentation, ``<x />`` for empty elements, key ids in order of first use,
key elements in reverse order); graphs it does not cover (values of other
types than str/int/float/bool, node ids that the XML clean-up would change)
go through networkx's writer, which builds the whole tree.

Elements whose attributes have the same names and value types share a plan
(:func:`_plan`), and a run of them is written a batch at a time, column by
column in C loops (:func:`_batch_text`: ``map`` of ``str`` or of the JSON
encoder over a column of values, then one ``str.join`` of the markup and the
texts): no Python loop runs per element (but over a column that holds an
empty string, written ``<data … />``).  A batch with text to escape, a
list too long for one piece or a value that fails goes element by element
instead (:func:`_general_texts`), which escapes, writes long lists in pieces
and raises the error of the first element that has one.
"""
from __future__ import annotations

__all__ = ["NotStreamable", "to_graphml_graph", "serialize_graphml", "iter_graphml_text", "json_pieces",
           "write_graphml"]

import itertools
import json
import operator
import os
import re
from collections.abc import Callable, Iterable, Iterator
from json.encoder import c_make_encoder, encode_basestring
from pathlib import Path
from typing import Any, NamedTuple

import networkx as nx

from kg.export.atomic import atomic_writer, gc_paused
from kg.export.graphml_tree import SURROGATE, XML_ILLEGAL, serialize_graphml, to_graphml_graph, xml_text


# -- streamed -------------------------------------------------------------------

_NS_GRAPHML = "http://graphml.graphdrawing.org/xmlns"
_NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA = "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"
# networkx's GraphML types of the Python types _attributes leaves (exact types: bool is no int here)
_XML_TYPES = {str: "string", int: "long", float: "double", bool: "boolean"}
_CHUNK = 1 << 20  # characters per write, about
_ITEMS = 256  # list items per json.dumps call


class NotStreamable(Exception):
    """The graph needs networkx's writer: values of other types than str/int/float/bool, or
    node ids the XML clean-up would change (:func:`write_graphml` then uses it)."""


def _xml_type(name: str, value_type: type) -> str:
    # the type of _attributes(...)[name] for a value of this type, without building the value
    if name == "investment":
        return "double"
    if issubclass(value_type, (list, tuple, dict)):
        return "string"
    xml_type = _XML_TYPES.get(value_type)
    if xml_type is None:
        raise NotStreamable
    return xml_type


def _cdata(text: str) -> str:
    # xml.etree.ElementTree._escape_cdata, then CR as in serialize_graphml
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _attrib(text: str) -> str:
    # xml.etree.ElementTree._escape_attrib: what _cdata escapes, then these
    # (no escape brings in a character escaped after it)
    text = _cdata(text)
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text


def _json_encoder() -> Callable[[Any, int], list[str]]:
    """A function ``encode(value, 0)`` whose pieces join to ``json.dumps(value,
    ensure_ascii=False, sort_keys=True)``, made for one export.

    json.dumps is mostly Python around the C encoder it makes for each call
    (two thirds of its time on an evidence list); this makes that encoder
    once, with what json.dumps passes it (a markers dict for its check for
    circular references, ``JSONEncoder.default`` for its error).  A new one
    per export: an error leaves entries in the markers dict.
    """
    try:
        return c_make_encoder({}, json.JSONEncoder().default, encode_basestring, None, ": ", ", ",
                              True, False, True)
    except TypeError:  # c_make_encoder is None (no _json accelerator) or takes other arguments
        return lambda value, _level: [json.dumps(value, ensure_ascii=False, sort_keys=True)]


def _json_dumps(encode: Callable[[Any, int], list[str]] | None = None) -> Callable[[Any], str]:
    """A function equal to ``json.dumps(value, ensure_ascii=False, sort_keys=True)``, from
    ``encode`` (default: a new :func:`_json_encoder`)."""
    encode = encode or _json_encoder()
    return lambda value: "".join(encode(value, 0))


def json_pieces(value: Any, dumps: Callable[[Any], str] | None = None) -> Iterator[str]:
    """``json.dumps(value, ensure_ascii=False, sort_keys=True)`` in pieces (how list values are written).

    A list or tuple goes a slice of items at a time (an edge's evidence
    list can be megabytes of JSON): json joins items with ``", "`` and
    encodes each as on its own, so the pieces join to the same text.
    ``dumps``: the export's :func:`_json_dumps`.
    """
    dumps = dumps or _json_dumps()
    if not isinstance(value, (list, tuple)) or len(value) <= _ITEMS:
        yield dumps(value)
        return
    yield "["
    for i in range(0, len(value), _ITEMS):
        text = dumps(value[i:i + _ITEMS])
        yield (", " + text[1:-1]) if i else text[1:-1]
    yield "]"


# What xml_text or _cdata changes (or refuses): text without any of these is written as it is.
_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# What _attrib changes besides those.
_ATTRIB_ONLY = '"\n\t'


def _plain(text: str) -> bool:
    """Whether ``text`` holds none of the characters of ``_SPECIAL`` (so is written as it is).

    Those are ``&<>`` and characters that are not printable (controls,
    surrogates, U+FFFE/U+FFFF; ``str.isprintable`` is also false for some
    others, such as U+3000, and then the regular expression decides):
    ``isprintable`` and three ``in`` scans take half the time of the search.
    """
    if text.isprintable():
        return "&" not in text and "<" not in text and ">" not in text
    return not _SPECIAL.search(text)


# How a value becomes text (see _plan).
_STRING, _JSON, _INVESTMENT, _SCALAR = range(4)
# The opening tag of an element up to each of its id attributes (already escaped), by scope.
_ID_PIECES = {"node": ('    <node id="',), "edge": ('    <edge source="', '" target="', '" id="')}
_BATCH = 1024  # elements per _batch_text call, at most
_BATCH_CHARS = 1 << 17  # characters per _batch_text call, about: sets the next call's count of elements


class _Plan(NamedTuple):
    """How to write the elements whose attributes have the same names and value types (:func:`_plan`)."""

    steps: tuple[tuple[str, int, str, str], ...]  # (name, how, opening, empty) per <data> child
    lists: tuple[bool, ...]  # per step: its values are lists or tuples (long ones go in pieces)
    values: Callable[[dict], tuple]  # attributes -> the steps' values, in order
    id_pieces: tuple[str, ...]  # _ID_PIECES of the scope
    opened: str  # the end of the opening tag: '">', or '" />' and a newline without steps
    tag: str


def _getter(names: list[str]) -> Callable[[dict], tuple]:
    """A function: a dict -> the tuple of its values of ``names`` (``operator.itemgetter``, which gives
    no tuple for one name)."""
    if len(names) == 1:
        name = names[0]
        return lambda data: (data[name],)
    return operator.itemgetter(*names) if names else lambda data: ()


def _plan(names: tuple, types: tuple, scope: str, keys: dict[tuple[str, str, str], str]) -> _Plan:
    """How to write an element (``scope`` ``"node"`` or ``"edge"``) whose attributes have
    these names and these types of values (in the same order).

    ``steps``: ``(name, how, opening, empty)`` per attribute written, in
    name order: ``None`` values are left out, ``how`` says how the value
    becomes text, ``opening`` and ``empty`` are its ``<data>`` tag with and
    without text.  New keys get the next id, as networkx gives them in
    order of first use; raises NotStreamable for a graph networkx's writer
    must write.
    """
    steps, lists = [], []
    for name, value_type in sorted(zip(names, types)):
        if value_type is type(None):
            continue
        if type(name) is not str:
            raise NotStreamable
        key = keys.setdefault((name, _xml_type(name, value_type), scope), f"d{len(keys)}")
        how = (_INVESTMENT if name == "investment" else _JSON if issubclass(value_type, (list, tuple, dict))
               else _STRING if value_type is str else _SCALAR)
        steps.append((name, how, f'\n      <data key="{key}">', f'\n      <data key="{key}" />'))
        lists.append(issubclass(value_type, (list, tuple)))
    return _Plan(tuple(steps), tuple(lists), _getter([step[0] for step in steps]), _ID_PIECES[scope],
                 '">' if steps else '" />\n', scope)


class _Plans(dict):
    """``(names, value types)`` of attributes -> their :func:`_plan`, made on first use.

    Elements are looked up in their order, so new keys get their ids in
    order of first use.
    """

    def __init__(self, scope: str, keys: dict[tuple[str, str, str], str]) -> None:
        super().__init__()
        self.scope, self.keys = scope, keys

    def __missing__(self, signature: tuple[tuple, tuple]) -> _Plan:
        plan = self[signature] = _plan(*signature, self.scope, self.keys)
        return plan

    def of(self, datas: list[dict[str, Any]]) -> list[_Plan]:
        """The plan of each of ``datas`` (signatures made and looked up in C loops: map, not a for)."""
        types = map(tuple, map(map, itertools.repeat(type), map(dict.values, datas)))
        return list(map(self.__getitem__, zip(map(tuple, datas), types)))


def _children(data: dict[str, Any], plan: tuple[tuple, ...], dumps: Callable[[Any], str]) -> str | None:
    """The ``<data>`` children of an element, indented as networkx's pretty-printer does.

    The same text as ``_attributes`` gives; ``None`` if a value is a list
    too long to write in one piece (see :func:`_element_pieces`).
    """
    out = []
    special = _SPECIAL.search
    for name, how, opening, empty in plan:
        value = data[name]
        if how == _STRING:
            if not value:
                out.append(empty)
                continue
            if special(value):
                value = _cdata(xml_text(value))
        elif how == _JSON:
            if len(value) > _ITEMS and isinstance(value, (list, tuple)):
                return None
            value = dumps(value)
            if special(value):
                value = _cdata(xml_text(value))
        elif how == _INVESTMENT:
            value = _cdata(str(float(value)))
        else:
            value = _cdata(str(value))
        out.append(opening + value + "</data>")
    return "".join(out)


def _element_pieces(open_tag: str, tag: str, data: dict[str, Any], plan: tuple[tuple, ...],
                    dumps: Callable[[Any], str]) -> Iterator[str]:
    """The text of an element whose :func:`_children` are ``None``: a long list
    value is escaped and yielded piece by piece (:func:`json_pieces`);
    ``xml_text`` and ``_cdata`` replace single characters, so they work the
    same on pieces (and leave a :func:`_plain` piece as it is)."""
    yield f"    {open_tag}>"
    for step in plan:
        _, how, opening, _ = step
        value = data[step[0]]
        if how == _JSON and isinstance(value, (list, tuple)) and len(value) > _ITEMS:
            yield opening
            for piece in json_pieces(value, dumps):
                yield piece if _plain(piece) else _cdata(xml_text(piece))
            yield "</data>"
        else:
            yield _children(data, (step,), dumps)
    yield f"\n    </{tag}>\n"


def _general_texts(plan: _Plan, ids: Iterable[tuple[str, ...]], datas: Iterable[dict[str, Any]],
                   dumps: Callable[[Any], str]) -> Iterator[str]:
    """The text of each element (its id attributes escaped, its attributes), value by value
    (:func:`_children`), in pieces for long lists: the general path."""
    for element_ids, data in zip(ids, datas):
        open_tag = "".join(itertools.chain.from_iterable(zip(plan.id_pieces, element_ids)))
        open_tag = open_tag.removeprefix("    ") + '"'
        children = _children(data, plan.steps, dumps)
        if children is None:
            yield from _element_pieces(open_tag, plan.tag, data, plan.steps, dumps)
        elif children:
            yield f"    {open_tag}>{children}\n    </{plan.tag}>\n"
        else:
            yield f"    {open_tag} />\n"


class _Slow(Exception):
    """The elements need the general path (:func:`_general_texts`)."""


def _batch_text(plan: _Plan, ids: list[list[str]], datas: list[dict[str, Any]],
                encode: Callable[[Any, int], list[str]]) -> str:
    """The text of elements that share ``plan``, made column by column in C loops.

    ``ids``: a column of escaped text per id attribute; ``datas``: the
    elements' attributes; ``encode``: the export's :func:`_json_encoder`.
    The values are taken out as columns; each column becomes text at once
    (``map(str, …)``, the JSON encoder mapped over it), and the document's
    text of all elements is one ``str.join`` of the pieces: constant markup
    (``itertools.repeat``) interleaved with the columns.  An empty str
    value makes a ``<data … />`` (its markup pieces become columns too).

    Raises _Slow if a list is too long for one piece (``_ITEMS``) or a
    text is not :func:`_plain` (the general path escapes it, or raises for
    a lone surrogate); any error of a conversion goes out as it is.
    """
    repeat = itertools.repeat
    pieces: list[Iterable[str]] = []  # per piece of an element, in order: its text in each element
    for piece, column in zip(plan.id_pieces, ids):
        pieces += (repeat(piece), column)
    pieces.append(repeat(plan.opened))
    texts = []  # the columns that can hold characters to escape
    columns = zip(*map(plan.values, datas))  # the values of each step
    for (_, how, opening, empty), is_list, column in zip(plan.steps, plan.lists, columns):
        if how == _STRING:
            text = column
            texts.append(text)
            if "" in column:
                pieces += ([opening if value else empty for value in column], text,
                           ["</data>" if value else "" for value in column])
                continue
        elif how == _JSON:
            if is_list and max(map(len, column)) > _ITEMS:
                raise _Slow
            text = list(map("".join, map(encode, column, repeat(0))))
            texts.append(text)
        elif how == _INVESTMENT:
            text = list(map(str, map(float, column)))  # (digits, "inf", "nan", ".-+e": nothing to escape)
        else:
            text = list(map(str, column))  # of an int, float or bool
        pieces += (repeat(opening), text, repeat("</data>"))
    if not _plain("".join(itertools.chain.from_iterable(texts))):
        raise _Slow
    if plan.steps:
        pieces.append(repeat(f"\n    </{plan.tag}>\n"))
    return "".join(itertools.chain.from_iterable(zip(*pieces)))


def _element_texts(plans: list[_Plan], ids: list[list[str]], datas: list[dict[str, Any]]) -> Iterator[str]:
    """The text of elements in order, a batch of elements of one plan at a time.

    A batch is written by :func:`_batch_text`, or, if it raises (_Slow, or
    an error of a value), by the general path, :func:`_general_texts`,
    which escapes what needs it and raises the error of the first element
    that has one, as the general path alone would.  Batches hold about
    ``_BATCH_CHARS`` characters (the count of elements of the next batch
    is set from the size of the last one), and fewer elements after a
    batch that needed the general path, so that text to escape here and
    there does not send every batch down the general path.
    """
    encode = _json_encoder()
    start, count = 0, 64
    for plan, run in itertools.groupby(plans):
        stop = start + len(list(run))
        while start < stop:
            end = min(stop, start + count)
            batch_ids = [column[start:end] for column in ids]
            try:
                text = _batch_text(plan, batch_ids, datas[start:end], encode)
            except Exception:  # noqa: BLE001 - the general path raises it again, in element order
                encode = _json_encoder()  # (an error leaves entries in the old one's markers)
                yield from _general_texts(plan, zip(*batch_ids), datas[start:end], _json_dumps(encode))
                count = max(1, count // 4)
            else:
                yield text
                count = max(1, min(_BATCH, 2 * count, (end - start) * _BATCH_CHARS // max(1, len(text))))
            start = end


class _Attribs(dict):
    """str -> its text in an attribute (:func:`_attrib`), memoised (edge keys repeat)."""

    def __missing__(self, text: str) -> str:
        attrib = self[text] = _attrib(text)
        return attrib


def iter_graphml_text(graph: nx.MultiDiGraph) -> Iterator[str]:
    """Text of the GraphML document of ``graph`` in pieces of about a megabyte, streamed.

    The text of :func:`serialize_graphml` (the file needs ``encode("utf-8",
    "xmlcharrefreplace")``, as :func:`write_graphml` does).  Raises
    :class:`NotStreamable` before yielding anything for a graph only
    networkx's writer covers.
    """
    node_data = graph.nodes
    nodes = sorted(node_data)
    # (head, tail, key, data) sorted by (head, tail, key), which no two edges share
    edges = sorted(graph.edges(keys=True, data=True))
    keys: dict[tuple[str, str, str], str] = {}
    # Node ids must be str that xml_text leaves as they are.  If one is not, the
    # checks node by node (which raise) give the error of the first node that
    # fails a check, its id's or an attribute's, as networkx would.  (Printable
    # text holds none of the characters xml_text changes or refuses: a quick check first.)
    ids = "".join(nodes) if all(type(key) is str for key in nodes) else None
    if ids is None or not ids.isprintable() and (SURROGATE.search(ids) or XML_ILLEGAL.search(ids)):
        for key in nodes:
            if type(key) is not str or xml_text(key) != key:
                raise NotStreamable
            data = node_data[key]
            _plan(tuple(data), tuple(map(type, data.values())), "node", keys)
    node_datas = list(map(node_data.__getitem__, nodes))
    heads, tails, rels, edge_datas = map(list, zip(*edges)) if edges else ([], [], [], [])
    node_plans = _Plans("node", keys).of(node_datas)
    edge_plans = _Plans("edge", keys).of(edge_datas)
    head = [f"<?xml version='1.0' encoding='utf-8'?>\n"
            f'<graphml xmlns="{_NS_GRAPHML}" xmlns:xsi="{_NS_XSI}" xsi:schemaLocation="{_SCHEMA}">']
    for (name, xml_type, scope), key_id in reversed(keys.items()):
        head.append(f'<key id="{key_id}" for="{scope}" attr.name="{_attrib(name)}" '
                    f'attr.type="{xml_type}" />')
    if not nodes:
        yield "\n  ".join(head) + '\n  <graph edgedefault="directed" />\n</graphml>\n'
        return
    yield "\n  ".join(head) + '\n  <graph edgedefault="directed">\n'

    # id attributes: node ids rarely need escaping (one check of them all)
    node_ids = nodes
    if not _plain(ids) or any(map(ids.__contains__, _ATTRIB_ONLY)):
        attribs = dict(zip(nodes, map(_attrib, nodes)))
        node_ids, heads, tails = (list(map(attribs.__getitem__, column)) for column in (nodes, heads, tails))
    # edge keys: memoised for str, not others (1 and True are one dict key, two texts)
    rel_attribs = _Attribs()
    rels = [rel_attribs[rel] if rel.__class__ is str else _attrib(str(rel)) for rel in rels]
    # texts joined into chunks of about _CHUNK characters: a count of
    # elements would not bound them (one edge can carry megabytes of evidence)
    batch: list[str] = []
    size = 0
    for text in itertools.chain(_element_texts(node_plans, [node_ids], node_datas),
                                _element_texts(edge_plans, [heads, tails, rels], edge_datas)):
        batch.append(text)
        size += len(text)
        if size >= _CHUNK:
            yield "".join(batch)
            batch, size = [], 0
    yield "".join(batch) + "  </graph>\n</graphml>\n"


def write_graphml(graph: nx.MultiDiGraph, path: str | os.PathLike[str]) -> Path:
    """Write the GraphML export of ``graph`` to ``path`` atomically, streamed element by element."""
    # the garbage collector paused (see gc_paused): the edge list, the plans and
    # the batches are many small objects
    with gc_paused():
        try:
            chunks = iter_graphml_text(graph)
            first = next(chunks)
        except NotStreamable:
            with atomic_writer(path, "binary") as fh:
                fh.write(serialize_graphml(graph))
            return Path(path)
        with atomic_writer(path, "binary") as fh:
            # as ElementTree writes it: characters UTF-8 cannot carry as references
            fh.write(first.encode("utf-8", "xmlcharrefreplace"))
            for chunk in chunks:
                fh.write(chunk.encode("utf-8", "xmlcharrefreplace"))
    return Path(path)
