"""The two SPARQL engines behind ``kg query``: pyoxigraph (the default) and rdflib.

Both run a :class:`~kg.report.query.sparql.Prepared` query with the
predeclared prefixes over the default graph as the union of all graphs,
and give the same :class:`Solutions`: plain :class:`Value` terms, rows as
they come (never all of them at once).  Every failure of an engine, while
parsing or while the rows are read (rdflib evaluates lazily: a bad
``REGEX`` pattern fails at the first row it meets), is one
:class:`~kg.errors.QueryError` line: a malformed query names its line and
column in the query as written.
"""
from __future__ import annotations

__all__ = ["Value", "QueryResult", "Solutions", "ENGINES", "load", "check_syntax", "solutions", "failure"]

import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kg import vocab
from kg.errors import KGError, QueryError
from kg.rdfio import load_dataset, load_store
from kg.report.query.sparql import PREFIXES, Prepared
from kg.textsafe import terminal_safe

ENGINES = ("oxigraph", "rdflib")
_XSD = vocab.XSD
_RDF_LANGSTRING = vocab.RDF + "langString"
_DETAIL_MAX = 300
# pyoxigraph's syntax errors: "error at 3:17: expected one of A, B, ['0'..='9'], …"
_OX_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
# what stays of an "expected one of" list: keywords and short punctuation, not character classes
_EXPECTED = re.compile(r"[A-Za-z]+|'[^'\s\\]{1,3}'|\"[^\"\s\\]{1,3}\"")
# pyparsing's position suffix: "  (at char 17), (line:1, col:18)"
_PP_POSITION = re.compile(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)\s*$")


@dataclass(frozen=True, order=True)
class Value:
    """One RDF term of a result, as in the SPARQL JSON results format.

    ``kind`` is ``"uri"``, ``"literal"`` or ``"bnode"``; ``datatype`` is set
    for typed literals other than ``xsd:string``, ``lang`` for language-tagged
    ones.
    """

    kind: str
    value: str
    datatype: str | None = None
    lang: str | None = None

    def to_json(self) -> dict[str, str]:
        out = {"type": self.kind, "value": self.value}
        if self.lang:
            out["xml:lang"] = self.lang
        elif self.datatype:
            out["datatype"] = self.datatype
        return out

    @classmethod
    def from_json(cls, binding: dict[str, str]) -> Value:
        """From one binding of SPARQL JSON results (``typed-literal`` of SPARQL 1.0 too)."""
        kind = binding["type"]
        if kind == "typed-literal":
            kind = "literal"
        datatype = binding.get("datatype")
        if datatype in ("", _XSD + "string", _RDF_LANGSTRING):
            datatype = None
        return cls(kind, binding["value"], datatype, binding.get("xml:lang") or None)


@dataclass(frozen=True)
class QueryResult:
    """Result of a query: ``variables`` and ``rows`` (``None`` = unbound).

    An ASK query has ``boolean`` set and no rows; CONSTRUCT and DESCRIBE
    give rows of ``subject``, ``predicate``, ``object``.
    """

    variables: tuple[str, ...]
    rows: tuple[tuple[Value | None, ...], ...]
    boolean: bool | None = None


@dataclass(frozen=True)
class Solutions:
    """What a query answers, as it comes: ``variables`` and an iterator of ``rows``, or ``boolean`` (ASK)."""

    variables: tuple[str, ...]
    rows: Iterator[tuple[Value | None, ...]]
    boolean: bool | None = None


def _one_line(text: object) -> str:
    detail = " ".join(str(text).split())
    return terminal_safe(detail if len(detail) <= _DETAIL_MAX else detail[:_DETAIL_MAX] + "…")


def _condensed(expected: str) -> str:
    """An engine's "expected one of …" list without its character classes, at most eight items."""
    if not expected.startswith("expected one of "):
        return expected
    # (SERVICE is refused before an engine runs: never suggest it)
    items = [item for item in expected[len("expected one of "):].split(", ")
             if _EXPECTED.fullmatch(item) and item != "SERVICE"]
    if not items:
        return "unexpected text"
    return "expected one of " + ", ".join(items[:8]) + (", …" if len(items) > 8 else "")


def _not_control(exc: BaseException) -> BaseException:
    """``exc``, unless it is Ctrl-C, an exit or a generator's close, which go on as they are.

    The engines' failures are caught as ``BaseException``: a panic inside
    pyoxigraph surfaces as pyo3's ``PanicException``, which is not an ``Exception``.
    """
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
        raise exc
    return exc


def failure(prepared: Prepared, exc: BaseException) -> KGError:
    """The one-line error of an engine's exception (kg's own errors pass as they are)."""
    if isinstance(exc, KGError):
        return exc
    if isinstance(exc, re.error):
        pattern = exc.pattern.decode("utf-8", "replace") if isinstance(exc.pattern, bytes) else exc.pattern
        return QueryError(f"invalid regular expression {terminal_safe(repr(pattern))} in REGEX: {exc.msg}")
    if isinstance(exc, SyntaxError):  # pyoxigraph
        m = _OX_POSITION.match(str(exc))
        if m:
            return prepared.malformed(int(m.group(1)), int(m.group(2)), _condensed(m.group(3)))
        return prepared.malformed(None, None, str(exc))
    if type(exc).__name__ in ("ParseException", "ParseSyntaxException"):  # rdflib's parser (pyparsing)
        detail = _PP_POSITION.sub("", str(exc))
        return prepared.malformed(getattr(exc, "lineno", None), getattr(exc, "col", None),
                                  detail[:1].lower() + detail[1:])
    if type(exc).__name__ == "PanicException":  # pyo3: a bug inside pyoxigraph
        return QueryError(f"query failed: the engine stopped on an internal error ({_one_line(exc)}); "
                          "try --engine rdflib")
    if isinstance(exc, RecursionError):
        return QueryError("query failed: nested too deeply for the engine")
    if isinstance(exc, MemoryError):
        return QueryError("query failed: out of memory")
    return QueryError(f"query failed: {_one_line(exc) or type(exc).__name__}")


def load(graph: Any, engine: str) -> Any:
    """The engine's store of ``graph``: a file name is read (:mod:`kg.rdfio`), a loaded store is kept."""
    if engine not in ENGINES:
        raise QueryError(f"unknown SPARQL engine {engine!r}; use oxigraph or rdflib")
    if isinstance(graph, (str, os.PathLike)):
        return load_store(graph) if engine == "oxigraph" else load_dataset(graph)
    return graph


def check_syntax(prepared: Prepared, engine: str) -> None:
    """Parse the query with ``engine``, reading no graph: a malformed query fails before any loading."""
    try:
        if engine == "oxigraph":
            import pyoxigraph as ox  # heavy, and only the engine that runs is imported

            ox.Store().query(prepared.text, prefixes=PREFIXES, use_default_graph_as_union=True)
        else:
            _rdflib_query(prepared)
    except BaseException as exc:  # the engines raise SyntaxError, pyparsing's errors and more
        raise failure(prepared, _not_control(exc)) from exc


def _rdflib_query(prepared: Prepared) -> Any:
    from rdflib.plugins.sparql import prepareQuery  # heavy, and only the engine that runs is imported

    return prepareQuery(prepared.text, initNs=PREFIXES)


def _guarded(prepared: Prepared, rows: Iterator[tuple[Value | None, ...]]) -> Iterator[tuple[Value | None, ...]]:
    try:
        yield from rows
    except BaseException as exc:  # raised while the rows are read: SERVICE replies, REGEX, anything
        raise failure(prepared, _not_control(exc)) from exc


def solutions(prepared: Prepared, graph: Any, engine: str = "oxigraph") -> Solutions:
    """Run ``prepared`` over ``graph`` (a file name or the engine's loaded store, see :func:`load`)."""
    store = load(graph, engine)
    try:
        if engine == "oxigraph":
            return _oxigraph(prepared, store)
        return _rdflib(prepared, store)
    except BaseException as exc:  # the engines raise SyntaxError, pyparsing's errors and more
        raise failure(prepared, _not_control(exc)) from exc


def _from_oxigraph(term: Any) -> Value | None:
    import pyoxigraph as ox  # heavy, and only the engine that runs is imported

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return Value("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return Value("bnode", term.value)
    if isinstance(term, ox.Literal):
        return Value.from_json({"type": "literal", "value": term.value,
                                "datatype": term.datatype.value, "xml:lang": term.language or ""})
    raise QueryError(f"unsupported term in result: {terminal_safe(repr(term))}")


def _oxigraph(prepared: Prepared, store: Any) -> Solutions:
    import pyoxigraph as ox  # heavy, and only the engine that runs is imported

    result = store.query(prepared.text, prefixes=PREFIXES, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryBoolean):
        return Solutions((), iter(()), bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = tuple(v.value for v in result.variables)
        rows = (tuple(_from_oxigraph(row[v]) for v in variables) for row in result)
        return Solutions(variables, _guarded(prepared, rows))
    rows = ((_from_oxigraph(t.subject), _from_oxigraph(t.predicate), _from_oxigraph(t.object)) for t in result)
    return Solutions(("subject", "predicate", "object"), _guarded(prepared, rows))


def _from_rdflib(term: Any) -> Value | None:
    import rdflib  # heavy, and only the engine that runs is imported

    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return Value("uri", str(term))
    if isinstance(term, rdflib.BNode):
        return Value("bnode", str(term))
    return Value.from_json({"type": "literal", "value": str(term),
                            "datatype": str(term.datatype) if term.datatype else "",
                            "xml:lang": term.language or ""})


def _rdflib_rows(result: Any) -> Iterator[tuple[Value | None, ...]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's Dataset calls its own deprecated API
        for row in result:
            yield tuple(_from_rdflib(t) for t in row)


def _rdflib(prepared: Prepared, dataset: Any) -> Solutions:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # (as in _rdflib_rows)
        result = dataset.query(_rdflib_query(prepared))
    if result.type == "ASK":
        return Solutions((), iter(()), bool(result.askAnswer))
    if result.type == "SELECT":
        return Solutions(tuple(str(v) for v in result.vars), _guarded(prepared, _rdflib_rows(result)))
    return Solutions(("subject", "predicate", "object"), _guarded(prepared, _rdflib_rows(result)))
