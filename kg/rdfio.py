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

pyoxigraph and rdflib are imported when a graph is first read (each takes
a few tenths of a second, and a command needs one of them at most).
"""
from __future__ import annotations

__all__ = ["GraphError", "Lit", "Term", "BACKENDS", "rdflib_syntax", "oxigraph_syntax", "parse_rdflib",
           "rdflib_triples", "iter_triples", "load_store", "load_dataset"]

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from kg import vocab
from kg.errors import KGError

#: The readers of :func:`iter_triples`.
BACKENDS = ("oxigraph", "rdflib")

# rdflib's syntaxes with named graphs: read into a Dataset, as the union of its graphs
_QUAD_SYNTAXES = ("trig", "nquads", "trix")
# Longest error detail kept in a message (a parser may quote a whole document).
_DETAIL_MAX = 300


class GraphError(KGError):
    """A graph file is missing or cannot be parsed."""


class Lit(NamedTuple):
    """A literal: lexical form, datatype IRI (``xsd:string``/``rdf:langString`` when
    it has none), language tag or ``None``."""

    lexical: str
    datatype: str
    language: str | None


#: A term: an IRI as it is, a blank node as ``"_:id"``, a literal as a :class:`Lit`.
Term = str | Lit


def _detail(exc: BaseException) -> str:
    detail = str(exc)
    return detail if len(detail) <= _DETAIL_MAX else detail[:_DETAIL_MAX] + "…"


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
    ``Graph``.  A failure is a :class:`GraphError` (``path: cannot parse the
    graph as …``).
    """
    import rdflib  # heavy: see the module docstring

    store = rdflib.Dataset(default_union=True) if format in _QUAD_SYNTAXES else rdflib.Graph()
    with warnings.catch_warnings():
        # rdflib's own Dataset code calls its deprecated Dataset.default_context.
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            if path is not None:
                store.parse(str(path), format=format)
            else:
                store.parse(data=data, format=format)
        except Exception as exc:  # rdflib raises many unrelated types for bad input
            where = f"{path}: " if path is not None else ""
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
        raise GraphError(f"{path}: cannot parse the graph as {fmt.name}: {_detail(exc)}") from exc


def iter_triples(path: str | os.PathLike[str], backend: str = "oxigraph") -> Iterator[tuple[Term, str, Term]]:
    """The triples of a graph file as plain terms (the union of its graphs, if it has named ones).

    ``backend`` is ``"oxigraph"`` (fast; a triple of several graphs may come
    more than once) or ``"rdflib"`` (each triple once); a file whose
    extension names no syntax is read as Turtle.  Raises :class:`GraphError`
    for a directory, a missing or an unparsable file.
    """
    path = Path(path)
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    if path.is_dir():
        raise GraphError(f"{path}: is a directory; pass the graph's Turtle file")
    if not path.exists():
        raise GraphError(f"{path}: graph file not found; build the graph first or pass --graph")
    if backend == "oxigraph":
        return _oxigraph_triples(path)
    return rdflib_triples(parse_rdflib(path=path, format=rdflib_syntax(path) or "turtle"))


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _existing(path: str | os.PathLike[str]) -> Path:
    file = Path(path)
    if not file.is_file():
        raise GraphError(f"{file}: no such graph file; run 'kg build' first or pass --graph")
    return file


def load_store(path: str | os.PathLike[str]) -> Any:
    """A pyoxigraph ``Store`` holding the RDF file ``path`` (syntax by extension; the default graph alone)."""
    import pyoxigraph as ox  # heavy: see the module docstring

    file = _existing(path)
    fmt = oxigraph_syntax(file)
    if fmt is None:
        raise GraphError(f"{file}: unknown RDF file extension {file.suffix!r}; use .ttl, .nt, "
                         ".trig, .nq, .jsonld or .rdf")
    store = ox.Store()
    try:
        store.load(path=str(file), format=fmt)
    except (SyntaxError, ValueError, OSError) as exc:
        raise GraphError(f"{file}: cannot load as {fmt.name}: {_one_line(exc)}") from exc
    return store


def load_dataset(path: str | os.PathLike[str]) -> Any:
    """An rdflib ``Dataset`` (default graph: the union of all graphs) holding the RDF file ``path``."""
    import rdflib  # heavy: see the module docstring

    file = _existing(path)
    fmt = rdflib_syntax(file) or "turtle"
    ds = rdflib.Dataset(default_union=True)
    try:
        ds.parse(file, format=fmt)
    except Exception as exc:  # rdflib's parsers raise many unrelated types
        raise GraphError(f"{file}: cannot load as {fmt}: {_one_line(exc)}") from exc
    return ds
