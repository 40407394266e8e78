"""RDF terms as canonical text: escaping by the Turtle/N-Triples grammar, IRIs, the term encoder.

Every literal is escaped per the grammar (``ECHAR`` for tab, backspace, LF,
CR, form feed, quote and backslash; ``\\uXXXX`` for every other C0 control
and DEL; the one-line string form only); instances are written as full IRIs,
the vocabularies as prefixed names (see :mod:`kg.export.turtle` for why the
project has its own writers).
"""
from __future__ import annotations

__all__ = ["EOL", "AT_ZH", "IRI_FORBIDDEN", "SURROGATE", "SPECIAL", "escape_string", "Memo", "Encoder"]

import re
from collections.abc import Mapping
from typing import Any

from kg.errors import ExportError
from kg.export.quads import TYPE, XSD_INTEGER, XSD_STRING, ZH, Lit, Term, int_literal

EOL = " .\n"  # the end of a triple
AT_ZH = f'"@{ZH}'  # the end of a literal @zh

_ECHAR = {"\t": "\\t", "\b": "\\b", "\n": "\\n", "\r": "\\r", "\f": "\\f",
          '"': '\\"', "\\": "\\\\"}
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
SURROGATE = re.compile("[\ud800-\udfff]")
_LANG = re.compile(r"^[A-Za-z]+(-[A-Za-z0-9]+)*$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
# anything escape_string has to look at (one search for the common, clean case)
SPECIAL = re.compile('[\x00-\x1f\x7f"\\\\\ud800-\udfff]')


def escape_string(text: str) -> str:
    if not SPECIAL.search(text):
        return text
    if SURROGATE.search(text):
        raise ExportError(f"literal {text[:40]!r}… holds a lone surrogate, which no RDF "
                          "syntax can carry; fix the decoding of the source file")
    if not _NEEDS_ESCAPE.search(text):
        return text
    return _NEEDS_ESCAPE.sub(lambda m: _ECHAR.get(m.group(), f"\\u{ord(m.group()):04X}"), text)


def _full_iri(value: str) -> str:
    if IRI_FORBIDDEN.search(value) or SURROGATE.search(value):
        raise ExportError(f"IRI <{value}> contains characters Turtle does not allow; "
                          "ids must be built with kg.ids")
    return f"<{value}>"


class Memo(dict):
    """A dict that computes a missing value with ``fn`` (lookups stay in C)."""

    def __init__(self, fn) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.fn(key)
        return value


class Encoder:
    """Terms → their text in N-Triples (``prefixes`` ``None``) or Turtle/TriG.

    IRIs and integers repeat a lot (every predicate, article and offset many
    times), so their text is memoised; other literals are encoded each time.
    """

    def __init__(self, prefixes: Mapping[str, str] | None) -> None:
        self.prefixes = dict(prefixes or {})
        self.turtle = prefixes is not None
        self.namespaces = tuple(self.prefixes.values())
        self._iris = Memo(self.encode_iri)
        self.iri = self._iris.__getitem__
        self._verbs: dict[str, str] = {}
        self._ints = Memo(self._encode_integer)
        self.integer = self._ints.__getitem__
        # the same as UTF-8, for the writers that build bytes
        self.iri_bytes = Memo(lambda value: self.iri(value).encode("utf-8")).__getitem__
        self.integer_bytes = Memo(lambda n: self.integer(n).encode("utf-8")).__getitem__
        self.verb_bytes = Memo(lambda p: self.verb(p).encode("utf-8")).__getitem__

    def iri(self, value: str) -> str:  # replaced by the memo's __getitem__ in __init__
        return self._iris[value]

    def encode_iri(self, value: str) -> str:
        """The text of an IRI, not memoised (for IRIs seen once, such as statements)."""
        if not value.startswith(self.namespaces):
            return _full_iri(value)
        for prefix, ns in self.prefixes.items():
            if value.startswith(ns) and _LOCAL.match(value[len(ns):]):
                return f"{prefix}:{value[len(ns):]}"
        return _full_iri(value)

    def verb(self, predicate: str) -> str:
        """A predicate's text: ``a`` for ``rdf:type`` in Turtle."""
        text = self._verbs.get(predicate)
        if text is None:
            text = self._verbs[predicate] = ("a" if self.turtle and predicate == TYPE
                                             else self.iri(predicate))
        return text

    def literal(self, lex: str, datatype: str | None, lang: str | None) -> str:
        """A literal's text; ``datatype`` and ``lang`` are ``None`` or ``""`` when absent."""
        if lang:
            if not _LANG.match(lang):
                raise ExportError(f"bad language tag {lang!r}")
            return f'"{escape_string(lex)}"@{lang}'
        if not datatype or datatype == XSD_STRING:
            return f'"{escape_string(lex)}"'
        if self.turtle and datatype == XSD_INTEGER and _INTEGER.match(lex):
            return lex
        return f'"{escape_string(lex)}"^^{self.iri(datatype)}'

    def integer(self, n: Any) -> str:  # replaced by the memo's __getitem__ in __init__
        """The text of :func:`int_literal` of ``n`` (an offset), memoised."""
        return self._ints[n]

    def _encode_integer(self, n: Any) -> str:
        lit = int_literal(n)
        return self.literal(lit.lex, lit.datatype, None)

    def term(self, term: Term) -> str:
        if isinstance(term, Lit):
            return self.literal(*term)
        return self.iri(term)
