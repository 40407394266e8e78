"""Reading RDF: the one reader of the graph files the exports write.

``kg eval`` reads a graph's triples (:func:`iter_triples`, by pyoxigraph or
rdflib), ``kg query`` loads it into a SPARQL store (:func:`load_store`,
:func:`load_dataset`), ``kg html --graph`` reads it back into the networkx
graph (:mod:`kg.export.from_rdf`, over :func:`parse_rdflib` and
:func:`rdflib_triples`).  They share the syntaxes (by file extension: Turtle,
N-Triples, TriG, N-Quads, JSON-LD, RDF/XML), the reading of files with
named graphs as the union of their graphs, and one plain form of the terms:
an IRI is a ``str``, a blank node ``"_:id"``, a literal a :class:`Lit`.
Failures are :class:`GraphError` naming the file.

Reading a graph never reaches anything but that file (:func:`check_graph`,
run by every reader before a parser sees the bytes):

* it must be a regular file: a FIFO would block the reader forever, a device
  never ends;
* JSON-LD whose ``@context`` or ``@import`` names a document (``http://…``,
  ``file://…``) is refused: rdflib would fetch it, so reading a shared graph
  would be a request to any server, or the read of any local file, that the
  graph names.  Inline contexts (the exports write one) are read;
* RDF/XML (and TriX) that declares DTD entities is refused: both parsers
  expand entities without a limit, and ten nested ones turn a 1 kB file into
  gigabytes ("billion laughs").  Entity *declarations* are refused, not only
  nested ones: even one flat entity used a million times multiplies the file.

rdflib's parsers also run :func:`offline`, a guard that turns any network
connection attempted from that thread into an error.

pyoxigraph and rdflib are imported when a graph is first read (each takes
a few tenths of a second, and a command needs one of them at most).
"""
from __future__ import annotations

__all__ = ["GraphError", "Lit", "Term", "BACKENDS", "rdflib_syntax", "oxigraph_syntax", "parse_rdflib",
           "rdflib_triples", "iter_triples", "load_store", "load_dataset", "check_graph", "offline",
           "NetworkRefused", "graph_file"]

import contextlib
import json
import os
import stat
import sys
import threading
import warnings
import xml.parsers.expat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from kg import vocab
from kg.errors import KGError
from kg.textsafe import terminal_safe

#: The readers of :func:`iter_triples`.
BACKENDS = ("oxigraph", "rdflib")

# rdflib's syntaxes with named graphs: read into a Dataset, as the union of its graphs
_QUAD_SYNTAXES = ("trig", "nquads", "trix")
# Longest error detail kept in a message (a parser may quote a whole document).
_DETAIL_MAX = 300


class GraphError(KGError):
    """A graph file is missing, cannot be parsed, or is refused (see the module docstring)."""


class NetworkRefused(KGError):
    """Code running under :func:`offline` tried to reach the network."""


class Lit(NamedTuple):
    """A literal: lexical form, datatype IRI (``xsd:string``/``rdf:langString`` when
    it has none), language tag or ``None``."""

    lexical: str
    datatype: str
    language: str | None


#: A term: an IRI as it is, a blank node as ``"_:id"``, a literal as a :class:`Lit`.
Term = str | Lit


def _detail(exc: BaseException) -> str:
    detail = " ".join(str(exc).split())
    return terminal_safe(detail if len(detail) <= _DETAIL_MAX else detail[:_DETAIL_MAX] + "…")


def _shown(path: str | os.PathLike[str]) -> str:
    """A file name for a message: control characters (a newline, ESC) as visible escapes."""
    return terminal_safe(os.fspath(path))


# -- nothing but the graph file -------------------------------------------------------------

#: Audit events of a connection attempt (socket, DNS, urllib: rdflib's fetches go through them).
_NETWORK_EVENTS = frozenset({"socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
                             "socket.gethostbyaddr", "socket.sendto", "socket.sendmsg", "urllib.Request"})
_offline = threading.local()
_hook_lock = threading.Lock()
_hooked = False


def _audit(event: str, args: tuple) -> None:
    if event in _NETWORK_EVENTS and getattr(_offline, "depth", 0):
        # the address: the URL of a urllib request, the address of a socket call, the host of a lookup
        where = args[1] if event.startswith(("socket.connect", "socket.send")) and len(args) > 1 else args[0]
        raise NetworkRefused(f"kg never reaches the network while reading a graph or running a query "
                             f"({event} {terminal_safe(where)!s:.80})")


@contextlib.contextmanager
def offline() -> Iterator[None]:
    """Within this block, any network connection the current thread attempts raises :class:`NetworkRefused`.

    A second line of defence behind the checks of the query text and of the
    graph file: rdflib reaches the network through ``socket`` and
    ``urllib``, whose audit events an audit hook (installed once, for the
    process; audit hooks cannot be removed) turns into an error.  Other
    threads are not affected.  Code outside Python (pyoxigraph's own HTTP
    client) raises no audit event: the query text is checked for that.
    """
    global _hooked
    with _hook_lock:
        if not _hooked:
            sys.addaudithook(_audit)
            _hooked = True
    _offline.depth = getattr(_offline, "depth", 0) + 1
    try:
        yield
    finally:
        _offline.depth -= 1


_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"))


def graph_file(path: str | os.PathLike[str], missing: str = "no such graph file; run 'kg build' first or "
                "pass --graph") -> Path:
    """``path`` once ``stat`` (which opens nothing) shows a regular file; :class:`GraphError` otherwise."""
    file = Path(path)
    try:
        info = os.stat(file)
    except (FileNotFoundError, NotADirectoryError):
        raise GraphError(f"{_shown(file)}: {missing}") from None
    except OSError as exc:
        raise GraphError(f"{_shown(file)}: cannot read the graph ({exc.strerror})") from exc
    if stat.S_ISDIR(info.st_mode):
        raise GraphError(f"{_shown(file)}: is a directory; pass the graph's file (graph.ttl)")
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a file")
        raise GraphError(f"{_shown(file)}: not a regular file ({kind})")
    return file


def _jsonld_reference(doc: Any) -> str | None:
    """The first ``@context`` or ``@import`` of a JSON-LD document that names a document to load."""
    todo = [doc]
    while todo:  # iterative: a deeply nested document must not exhaust the stack
        node = todo.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("@context", "@import"):
                    for ref in value if isinstance(value, list) else [value]:
                        if isinstance(ref, str):
                            return ref
                if isinstance(value, (dict, list)):
                    todo.append(value)
        elif isinstance(node, list):
            todo.extend(n for n in node if isinstance(n, (dict, list)))
    return None


def _check_jsonld(text: str, where: str) -> None:
    try:
        doc = json.loads(text)
    except RecursionError:
        raise GraphError(f"{where}JSON-LD nested too deeply") from None
    except ValueError as exc:
        raise GraphError(f"{where}cannot parse the graph as json-ld: {_detail(exc)}") from exc
    ref = _jsonld_reference(doc)
    if ref is not None:
        raise GraphError(f"{where}remote JSON-LD context {terminal_safe(ref)!s:.200} is not loaded (kg never "
                         "fetches while reading a graph); inline the context in the file")


class _Prolog(Exception):
    """The XML prolog ended (the root element starts) or declared an entity."""

    def __init__(self, entity: str | None = None) -> None:
        super().__init__(entity)
        self.entity = entity


def _check_xml(chunks: Iterator[bytes], where: str) -> None:
    """Refuse DTD entity declarations; reads the prolog only (it ends where the root element starts)."""
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def declared(name: str, *_: Any) -> None:
        raise _Prolog(name)

    def root(*_: Any) -> None:
        raise _Prolog()

    parser.EntityDeclHandler = declared
    parser.UnparsedEntityDeclHandler = declared
    parser.StartElementHandler = root
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Prolog as end:
        if end.entity is not None:
            raise GraphError(f"{where}DTD entity declarations are not allowed in RDF/XML (entity expansion: "
                             f"<!ENTITY {terminal_safe(end.entity)!s:.40} …>); remove the DOCTYPE") from None
    except xml.parsers.expat.ExpatError:
        pass  # malformed XML: the parser that reads the graph says where


def _file_chunks(file: Path, size: int = 1 << 16) -> Iterator[bytes]:
    with open(file, "rb") as fh:
        while chunk := fh.read(size):
            yield chunk


def check_graph(syntax: str, *, path: str | os.PathLike[str] | None = None, data: str | None = None) -> None:
    """Refuse a graph that would make a parser read anything but itself (see the module docstring).

    ``syntax`` is rdflib's name of the syntax (``json-ld``, ``xml``, ``trix``,
    …; pyoxigraph's names in lower case work too: ``rdf/xml``).  Give the
    file ``path`` or the text ``data``.  Raises :class:`GraphError` naming the file.
    """
    syntax = syntax.lower()
    where = f"{_shown(path)}: " if path is not None else ""
    if syntax in ("json-ld", "jsonld", "json"):
        if data is None:
            try:
                data = Path(path).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise GraphError(f"{where}cannot read the graph ({_detail(exc)})") from exc
        _check_jsonld(data, where)
    elif syntax in ("xml", "rdf/xml", "rdfxml", "application/rdf+xml", "trix"):
        try:
            _check_xml(_file_chunks(Path(path)) if data is None else iter([data.encode("utf-8")]), where)
        except OSError as exc:
            raise GraphError(f"{where}cannot read the graph ({_detail(exc)})") from exc


# -- syntaxes and parsers ----------------------------------------------------------------------

def rdflib_syntax(path: str | os.PathLike[str]) -> str | None:
    """rdflib's name of the syntax of a file, from its name (``turtle``, ``nt``, ``trig``, ``json-ld`` …), or None."""
    from rdflib.util import guess_format  # heavy: see the module docstring

    file = Path(path)
    return guess_format(file.name) or ("json-ld" if file.suffix == ".jsonld" else None)


def oxigraph_syntax(path: str | os.PathLike[str]) -> Any:
    """pyoxigraph's ``RdfFormat`` of a file, from its extension (any case), or None."""
    import pyoxigraph as ox  # heavy: see the module docstring

    return ox.RdfFormat.from_extension(Path(path).suffix.lstrip(".").lower())


def parse_rdflib(data: str | None = None, *, path: str | os.PathLike[str] | None = None,
                 format: str = "turtle") -> Any:
    """An rdflib graph of RDF text ``data`` or of the file ``path``, in syntax ``format``.

    Syntaxes with named graphs (the TriG export: one graph per article) go
    into a ``Dataset`` read as the union of its graphs, the others into a
    ``Graph``.  The input is checked first (:func:`check_graph`) and parsed
    :func:`offline`.  A failure is a :class:`GraphError` (``path: cannot
    parse the graph as …``).
    """
    import rdflib  # heavy: see the module docstring

    if path is not None:
        path = graph_file(path)
    check_graph(format, path=path, data=data)
    store = rdflib.Dataset(default_union=True) if format in _QUAD_SYNTAXES else rdflib.Graph()
    with warnings.catch_warnings(), offline():
        # rdflib's own Dataset code calls its deprecated Dataset.default_context.
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            if path is not None:
                store.parse(str(path), format=format)
            else:
                store.parse(data=data, format=format)
        except Exception as exc:  # rdflib raises many unrelated types for bad input
            where = f"{_shown(path)}: " if path is not None else ""
            raise GraphError(f"{where}cannot parse the graph as {format}: {_detail(exc)}") from exc
    return store


def rdflib_triples(graph: Any) -> Iterator[tuple[Term, str, Term]]:
    """The triples of an rdflib graph (of :func:`parse_rdflib`) as plain terms, each once."""
    import rdflib  # heavy: see the module docstring

    def term(t: Any) -> Term:
        if isinstance(t, rdflib.Literal):
            if t.datatype is not None:
                datatype = str(t.datatype)
            else:
                datatype = vocab.RDF + "langString" if t.language else vocab.XSD + "string"
            return Lit(str(t), datatype, t.language)
        if isinstance(t, rdflib.BNode):
            return "_:" + str(t)
        return str(t)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # (as in parse_rdflib)
        for s, p, o in graph.triples((None, None, None)):
            yield term(s), str(p), term(o)


def _oxigraph_triples(path: Path) -> Iterator[tuple[Term, str, Term]]:
    import pyoxigraph as ox  # heavy: see the module docstring

    fmt = oxigraph_syntax(path) or ox.RdfFormat.TURTLE
    check_graph(fmt.name, path=path)

    def term(t: Any) -> Term:
        if isinstance(t, ox.NamedNode):
            return t.value
        if isinstance(t, ox.BlankNode):
            return "_:" + t.value
        if isinstance(t, ox.Literal):
            return Lit(t.value, t.datatype.value, t.language)
        return str(t)  # RDF-star quoted triples: never an entity of the contract

    try:
        for q in ox.parse(path=path, format=fmt):
            yield term(q.subject), q.predicate.value, term(q.object)
    except (SyntaxError, ValueError, OSError) as exc:
        raise GraphError(f"{_shown(path)}: cannot parse the graph as {fmt.name}: {_detail(exc)}") from exc


def iter_triples(path: str | os.PathLike[str], backend: str = "oxigraph") -> Iterator[tuple[Term, str, Term]]:
    """The triples of a graph file as plain terms (the union of its graphs, if it has named ones).

    ``backend`` is ``"oxigraph"`` (fast; a triple of several graphs may come
    more than once) or ``"rdflib"`` (each triple once); a file whose
    extension names no syntax is read as Turtle.  Raises :class:`GraphError`
    for a directory, a missing, refused (:func:`check_graph`) or unparsable
    file, and for anything but a regular file (a FIFO would block).
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    path = graph_file(path, missing="graph file not found; build the graph first or pass --graph")
    if backend == "oxigraph":
        return _oxigraph_triples(path)
    return rdflib_triples(parse_rdflib(path=path, format=rdflib_syntax(path) or "turtle"))


def load_store(path: str | os.PathLike[str]) -> Any:
    """A pyoxigraph ``Store`` holding the RDF file ``path`` (syntax by extension; the default graph alone).

    The file is checked first (:func:`check_graph`).
    """
    import pyoxigraph as ox  # heavy: see the module docstring

    file = graph_file(path)
    fmt = oxigraph_syntax(file)
    if fmt is None:
        raise GraphError(f"{_shown(file)}: unknown RDF file extension {terminal_safe(file.suffix)!r}; use .ttl, "
                         ".nt, .trig, .nq, .jsonld or .rdf")
    check_graph(fmt.name, path=file)
    store = ox.Store()
    try:
        store.load(path=str(file), format=fmt)
    except (SyntaxError, ValueError, OSError) as exc:
        raise GraphError(f"{_shown(file)}: cannot load as {fmt.name}: {_detail(exc)}") from exc
    return store


def load_dataset(path: str | os.PathLike[str]) -> Any:
    """An rdflib ``Dataset`` (default graph: the union of all graphs) holding the RDF file ``path``.

    The file is checked first (:func:`check_graph`) and parsed :func:`offline`.
    """
    import rdflib  # heavy: see the module docstring

    file = graph_file(path)
    fmt = rdflib_syntax(file) or "turtle"
    check_graph(fmt, path=file)
    ds = rdflib.Dataset(default_union=True)
    with offline():
        try:
            ds.parse(file, format=fmt)
        except Exception as exc:  # rdflib's parsers raise many unrelated types
            raise GraphError(f"{_shown(file)}: cannot load as {fmt}: {_detail(exc)}") from exc
    return ds
