"""The text of a SPARQL query, read before any engine sees it.

A small lexer (strings, IRIs and comments are single tokens, so a keyword
inside them is never taken for one) gives every token with its position.
:func:`prepare` reads from it, in both engines' place and with the same
messages:

* what the query does: an update (``INSERT``, ``DELETE``, ``DROP`` …) is
  refused as such (the engines would call it malformed);
* ``SERVICE`` (federation: the engines send the query to any server it
  names) and ``FROM`` / ``FROM NAMED`` (dataset clauses: rdflib loads the
  IRI, ``file:///…`` included) are refused: ``kg query`` reads ``--graph``
  and nothing else, so a shared ``.rq`` file can be neither a request
  forgery nor a file read.  No option turns them on;
* prefixes that are used but not declared: the graph's prefixes
  (:data:`PREFIXES`) are predeclared, and a query's own ``PREFIX`` wins;
* ``--bind NAME=VALUE`` (:func:`bind_term` says how a value is read): it
  replaces the query's ``VALUES ?NAME { … }`` (the default a shipped query
  declares), or else binds ``?NAME`` for the whole ``WHERE`` clause.

Positions (line and column, in characters) are those of the query as
written, also when a binding changed the text the engines run.
"""
from __future__ import annotations

__all__ = ["PREFIXES", "Token", "Prepared", "tokenize", "prepare", "bind_term", "parse_binding", "UPDATES"]

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass

from kg import vocab
from kg.errors import QueryError
from kg.textsafe import terminal_safe

#: Prefixes every query may use without declaring them: those of the exports
#: (:data:`kg.vocab.PREFIXES`) and of the ontology's alignments (``ontology/kg.ttl``).
PREFIXES: dict[str, str] = dict(sorted({
    **vocab.PREFIXES,
    "foaf": "http://xmlns.com/foaf/0.1/",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
}.items()))

#: First keywords of the SPARQL 1.1 update operations.
UPDATES = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})
_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})

# Character classes of the SPARQL 1.1 grammar (section 19.8).
_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
         "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = rf"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = rf"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_IRI = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_STRING = (r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\""
           r"|'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\"")
_TOKEN = re.compile(rf"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>{_STRING})
  | (?P<iri>{_IRI})
  | (?P<var>[?$][{_U}0-9][{_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*)
  | (?P<bnode>_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)
  | (?P<pname>(?:{_PREFIX})?:(?:{_LOCAL})?)
  | (?P<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
  | (?P<number>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>\^\^|&&|\|\||<=|>=|!=|.)
""", re.VERBOSE | re.DOTALL)

# What --bind reads as a term written in SPARQL (bind_term).
_LITERAL = re.compile(rf"(?:{_STRING})(?:@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*|\^\^(?:{_IRI}|(?:{_PREFIX})?:(?:{_LOCAL})?))?",
                      re.DOTALL)
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_PNAME = re.compile(rf"({_PREFIX})?:(?:{_LOCAL})?")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^<>\"{}|^`\\\x00-\x20]+|urn:[^<>\"{}|^`\\\x00-\x20]+")
_VARNAME = re.compile(rf"[?$]?([{_U}0-9][{_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*)")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind (``word``, ``var``, ``iri``, ``pname``, ``string``, ``punct`` …), text and offset."""

    kind: str
    text: str
    start: int

    @property
    def keyword(self) -> str:
        """The upper-case word, if this is a bare word (keywords are case-insensitive), else ``""``."""
        return self.text.upper() if self.kind == "word" else ""


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, without white space and comments (anything unknown is one ``punct`` character)."""
    return [Token(m.lastgroup, m.group(), m.start()) for m in _TOKEN.finditer(text)
            if m.lastgroup not in ("ws", "comment")]


@dataclass(frozen=True)
class Prepared:
    """A query ready for an engine: ``text`` (bindings applied) and what :func:`prepare` found.

    ``source`` is the query as written, ``origin`` the file it came from (or
    ``None``), ``form`` its keyword (``SELECT`` …), ``edits`` the changes of
    the bindings as ``(start, end, new length)`` in ``source``.
    """

    text: str
    source: str
    origin: str | None = None
    form: str = "SELECT"
    edits: tuple[tuple[int, int, int], ...] = ()

    def position(self, line: int, column: int) -> tuple[int, int]:
        """Line and column (1-based) in ``source`` of a position the engines report in ``text``."""
        offset = _offset(self.text, line, column)
        delta = 0  # how much longer the text is than the source, before the current edit
        for start, end, length in self.edits:
            if offset < start + delta:
                break
            if offset < start + delta + length:
                return _line_column(self.source, start)  # inside what a binding wrote: its place
            delta += length - (end - start)
        return _line_column(self.source, offset - delta)

    def malformed(self, line: int | None, column: int | None, detail: str) -> QueryError:
        """The one-line error of a query an engine could not parse, at a position of ``text``."""
        where = f"{terminal_safe(self.origin)}: " if self.origin else ""
        detail = terminal_safe(" ".join(detail.split()))
        if line is None or column is None:
            return QueryError(f"{where}malformed SPARQL query: {detail}")
        line, column = self.position(line, column)
        return QueryError(f"{where}malformed SPARQL query at line {line}, column {column}"
                          f"{_context(self.source, line, column)}: {detail}")


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer(r"\r\n|\n|\r", text)]


def _offset(text: str, line: int, column: int) -> int:
    starts = _line_starts(text)
    line = min(max(line, 1), len(starts))
    return min(starts[line - 1] + max(column, 1) - 1, len(text))


def _line_column(text: str, offset: int) -> tuple[int, int]:
    starts = _line_starts(text)
    index = bisect.bisect_right(starts, offset) - 1
    return index + 1, offset - starts[index] + 1


def _context(text: str, line: int, column: int) -> str:
    """``, after "…"`` (the text before the position on its line), or ``, before "…"`` at a line's start."""
    starts = _line_starts(text) + [len(text)]
    current = text[starts[line - 1]:starts[line]].rstrip("\r\n")
    before = current[:column - 1].strip()
    if before:
        return f', after "{terminal_safe(before[-24:])}"'
    after = current[column - 1:].strip()
    return f', before "{terminal_safe(after[:24])}"' if after else ""


def _error(prepared: Prepared, token: Token, message: str) -> QueryError:
    line, column = _line_column(prepared.source, token.start)
    where = f"{terminal_safe(prepared.origin)}: " if prepared.origin else ""
    return QueryError(f"{where}{message} (line {line}, column {column})")


def _next(tokens: list[Token], i: int) -> str:
    return terminal_safe(tokens[i + 1].text[:80]) if i + 1 < len(tokens) else ""


def prepare(text: str, bindings: Mapping[str, str] | None = None, origin: str | None = None) -> Prepared:
    """Check a query (module docstring) and apply ``bindings`` (variable name → value as given to ``--bind``).

    Raises
    ------
    QueryError
        An update, ``SERVICE``, ``FROM``, an undeclared prefix, or a binding
        that does not fit the query; the message names the place.
    """
    source = Prepared(text, text, origin)
    tokens = tokenize(text)
    declared, i = set(PREFIXES), 0
    while i < len(tokens) and tokens[i].keyword in ("PREFIX", "BASE"):
        if tokens[i].keyword == "PREFIX" and i + 1 < len(tokens) and tokens[i + 1].kind == "pname":
            declared.add(tokens[i + 1].text.partition(":")[0])
        i += 3 if tokens[i].keyword == "PREFIX" else 2
    form_at = i
    form = tokens[i].keyword if i < len(tokens) else ""
    if form in UPDATES:
        what = f"{form} {tokens[i + 1].keyword}" if i + 1 < len(tokens) and tokens[i + 1].keyword else form
        raise _error(source, tokens[i], f"SPARQL updates ({what}) are not supported: kg query only reads the graph")
    for j, token in enumerate(tokens):
        if token.kind == "punct" and token.text in "\"'":
            raise _error(source, token, "malformed SPARQL query: a string is not closed on its line")
        if token.keyword == "SERVICE":
            target = _next(tokens, j + 1) if _next(tokens, j).upper() == "SILENT" else _next(tokens, j)
            raise _error(source, token, f"SERVICE {target} is not allowed: kg query never reaches the network "
                                        "(federated queries are not supported)")
        if token.keyword == "FROM":
            named = _next(tokens, j).upper() == "NAMED"
            target = _next(tokens, j + 1) if named else _next(tokens, j)
            raise _error(source, token, f"FROM {'NAMED ' if named else ''}{target} is not allowed: kg query reads "
                                        "only --graph FILE (dataset clauses are not supported)")
        if token.kind == "pname" and token.text.partition(":")[0] not in declared:
            prefix = terminal_safe(token.text.partition(":")[0])
            raise _error(source, token, f"unknown prefix {prefix}: (declare it with PREFIX {prefix}: <…>; "
                                        f"predeclared: {', '.join(PREFIXES)})")
    source = Prepared(text, text, origin, form if form in _FORMS else "SELECT")
    return _bind(source, tokens, form_at, dict(bindings), declared) if bindings else source


# -- --bind -------------------------------------------------------------------------------------

def parse_binding(text: str) -> tuple[str, str]:
    """``(name, value)`` of ``NAME=VALUE`` (a leading ``?`` or ``$`` of the name is dropped)."""
    name, sep, value = text.partition("=")
    m = _VARNAME.fullmatch(name.strip())
    if not sep or m is None:
        raise QueryError(f"--bind {terminal_safe(text)!r}: expected NAME=VALUE, NAME a variable of the query")
    return m.group(1), value


def bind_term(value: str, prefixes: set[str] | frozenset[str] = frozenset(PREFIXES)) -> str:
    """The SPARQL term ``--bind NAME=VALUE`` binds, written as SPARQL.

    * ``<IRI>``, a prefixed name of a declared prefix (``kg:Agency``), or a
      URL (``http://…``, ``https://…``, ``urn:…``): that IRI;
    * a SPARQL literal as written (``"长治.txt"``, ``"x"@en``,
      ``"5"^^xsd:string``), a number (``12``, ``-3.5``, ``1e6``), ``true``,
      ``false``: that literal;
    * any other text: a string literal, tagged ``@zh`` when it holds a Han
      character (the graph's names, titles and evidence are ``"…"@zh``;
      levels and file names are plain strings).

    >>> [bind_term(v) for v in ("左权县", "county", "kg:Agency", "https://example.org/x", "-5", '"a"@en')]
    ['"左权县"@zh', '"county"', 'kg:Agency', '<https://example.org/x>', '-5', '"a"@en']
    """
    if re.fullmatch(_IRI, value) or _LITERAL.fullmatch(value) or _NUMBER.fullmatch(value) \
            or value in ("true", "false"):
        return value
    m = _PNAME.fullmatch(value)
    if m and (m.group(1) or "") in prefixes:
        return value
    if _URL.fullmatch(value):
        return f"<{value}>"
    literal = '"' + "".join(_ESCAPES.get(c, c) for c in value) + '"'
    return literal + "@zh" if _HAN.search(value) else literal


def _values_blocks(tokens: list[Token], name: str) -> list[tuple[int, int]]:
    """The inside of every ``VALUES ?name { … }`` (one variable) as ``(start, end)`` offsets."""
    blocks = []
    for i, token in enumerate(tokens[:-2]):
        if token.keyword == "VALUES" and tokens[i + 1].kind == "var" and tokens[i + 1].text[1:] == name \
                and tokens[i + 2].text == "{":
            close = next((t for t in tokens[i + 3:] if t.text == "}"), None)
            if close is not None:
                blocks.append((tokens[i + 2].start + 1, close.start))
    return blocks


def _where_start(source: Prepared, tokens: list[Token], form_at: int, name: str) -> int:
    """The offset right after the ``{`` that opens the query's WHERE clause."""
    i = form_at + 1
    if source.form == "CONSTRUCT" and i < len(tokens):
        if tokens[i].keyword == "WHERE":
            raise _error(source, tokens[form_at], f"--bind {name}: CONSTRUCT WHERE {{ … }} has no place for a "
                                                  "binding; write the template: CONSTRUCT { … } WHERE { … }")
        depth = 0
        for i in range(i, len(tokens)):  # skip the template
            depth += {"{": 1, "}": -1}.get(tokens[i].text, 0)
            if depth == 0:
                break
        i += 1
    parens = 0
    for token in tokens[i:]:
        parens += {"(": 1, ")": -1}.get(token.text, 0)
        if token.text == "{" and parens == 0:
            return token.start + 1
    raise _error(source, tokens[form_at], f"--bind {name}: the query has no WHERE clause to bind it in")


def _bind(source: Prepared, tokens: list[Token], form_at: int, bindings: dict[str, str],
          declared: set[str]) -> Prepared:
    variables = {t.text[1:] for t in tokens if t.kind == "var"}
    edits: list[tuple[int, int, str]] = []
    for name, value in sorted(bindings.items()):
        if name not in variables:
            raise QueryError(f"--bind {terminal_safe(name)}: the query has no variable ?{terminal_safe(name)}"
                             + (f" (its variables: {', '.join('?' + v for v in sorted(variables))})"
                                if variables else ""))
        term = bind_term(value, declared)
        blocks = _values_blocks(tokens, name)
        if blocks:
            edits += [(start, end, f" {term} ") for start, end in blocks]
        else:
            at = _where_start(source, tokens, form_at, name)
            edits.append((at, at, f" VALUES ?{name} {{ {term} }}"))
    edits.sort(key=lambda e: (e[0], e[1]))
    parts, last = [], 0
    for start, end, new in edits:
        parts += [source.source[last:start], new]
        last = end
    parts.append(source.source[last:])
    return Prepared("".join(parts), source.source, source.origin, source.form,
                    tuple((start, end, len(new)) for start, end, new in edits))
