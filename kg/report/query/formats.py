"""How ``kg query`` prints results: ``table``, ``csv``, ``tsv``, ``json``, written as the rows come.

Each format is a writer over a text stream: :meth:`Writer.start` with the
variables, :meth:`Writer.write_rows` for each batch, :meth:`Writer.finish`;
or :meth:`Writer.boolean` for ASK.  CSV, TSV and JSON write every batch at
once and hold nothing; the table needs its column widths before its first
line, so it keeps its rows (display text, cut at ``max_width``) and spills
them to a temporary file past :data:`SPILL_ROWS`.

* ``table`` is for a terminal: IRIs of the graph's vocabularies shortened
  (``kg:Agency``), line breaks inside a cell shown as ``⏎``, and every
  other character a terminal would act on (ESC, BEL, C1 controls …) as a
  visible escape (:func:`kg.textsafe.terminal_safe`); 汉字 count two columns.
* ``csv`` is W3C SPARQL 1.1 CSV (lexical values, CRLF), for people and
  spreadsheets: a cell that a spreadsheet would run as a formula (``= + -
  @``, tab, CR) is neutralised by :func:`kg.export.csvsafe.safe_cell`.
* ``tsv`` is W3C SPARQL 1.1 TSV (terms as in Turtle: ``<iri>``,
  ``"text"@zh``, ``"5"^^<…>``), exact: no cell can start a formula, as every
  text starts with ``"``.
* ``json`` is W3C SPARQL 1.1 JSON, exact, one binding per line.
"""
from __future__ import annotations

__all__ = ["Writer", "TableWriter", "CsvWriter", "TsvWriter", "JsonWriter", "WRITERS", "SPILL_ROWS",
           "display", "format_table", "format_csv", "format_tsv", "format_json", "FORMATS", "rows_as_text"]

import csv
import io
import json
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import TextIO

from kg import vocab
from kg.export.csvsafe import safe_cell
from kg.report.query.engines import QueryResult, Value
from kg.report.query.sparql import PREFIXES
from kg.textsafe import terminal_safe

#: Rows a table keeps in memory; the rest wait in a temporary file.
SPILL_ROWS = 10_000
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_SHORT = {vocab.XSD + "integer": re.compile(r"[+-]?[0-9]+"),  # TSV: numbers and booleans as in Turtle
          vocab.XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
          vocab.XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+"),
          vocab.XSD + "boolean": re.compile(r"true|false")}
_TSV_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}

Row = Sequence["Value | None"]


def display(value: Value | None) -> str:
    """A term as a table shows it: prefixed vocabulary IRIs, ``⏎`` for line breaks, escaped controls."""
    if value is None:
        return ""
    if value.kind == "uri":
        for prefix, ns in PREFIXES.items():
            if value.value.startswith(ns) and _LOCAL.match(value.value[len(ns):]):
                return f"{prefix}:{value.value[len(ns):]}"
        return terminal_safe(value.value)
    if value.kind == "bnode":
        return "_:" + terminal_safe(value.value)
    # one table row per result row: line breaks inside evidence become visible marks
    return terminal_safe(value.value.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎"))


def _width(text: str) -> int:
    # Wide and full-width characters (汉字, full-width punctuation) take two columns.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1
               for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _cut(text: str, width: int | None) -> str:
    if not width or _width(text) <= width:
        return text
    while _width(text) > width - 1:
        text = text[:-1]
    return text + "…"


class Writer:
    """One output format over the text stream ``out``."""

    def __init__(self, out: TextIO, max_width: int | None = None) -> None:
        self.out = out
        self.max_width = max_width
        self.rows = 0

    def start(self, variables: Sequence[str]) -> None:
        self.variables = tuple(variables)

    def write_rows(self, rows: Iterable[Row]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Called once after the last rows."""

    def boolean(self, value: bool) -> None:
        """The answer of an ASK query (instead of start/rows/finish)."""
        raise NotImplementedError


class TableWriter(Writer):
    """An aligned text table, a rule under the header, and the row count (for a terminal)."""

    def start(self, variables: Sequence[str]) -> None:
        super().start(variables)
        self.header = [terminal_safe(v) for v in self.variables]
        self.widths = [_width(h) for h in self.header]
        self.kept: list[list[str]] = []
        self.spill: TextIO | None = None

    def write_rows(self, rows: Iterable[Row]) -> None:
        for row in rows:
            cells = [_cut(display(v), self.max_width) for v in row]
            self.widths = [max(w, _width(c)) for w, c in zip(self.widths, cells)]
            self.rows += 1
            if self.spill is None and len(self.kept) < SPILL_ROWS:
                self.kept.append(cells)
                continue
            if self.spill is None:
                self.spill = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n")
            # cells hold no tab or newline (escaped by display), so they join and split exactly
            self.spill.write("\t".join(cells) + "\n")

    def _line(self, cells: Sequence[str]) -> str:
        return "  ".join(_pad(c, w) for c, w in zip(cells, self.widths)).rstrip() + "\n"

    def finish(self) -> None:
        self.out.write(self._line(self.header))
        self.out.write("  ".join("-" * w for w in self.widths) + "\n")
        for cells in self.kept:
            self.out.write(self._line(cells))
        if self.spill is not None:
            self.spill.seek(0)
            for line in self.spill:
                self.out.write(self._line(line.rstrip("\n").split("\t")))
            self.spill.close()
        self.out.write(f"({self.rows} row{'' if self.rows == 1 else 's'})\n")

    def boolean(self, value: bool) -> None:
        self.out.write("true\n" if value else "false\n")


class CsvWriter(Writer):
    """W3C SPARQL 1.1 CSV results: a header, lexical values, CRLF line ends; formula cells neutralised."""

    def start(self, variables: Sequence[str]) -> None:
        super().start(variables)
        self.writer = csv.writer(self.out)  # QUOTE_MINIMAL with CRLF, as the W3C format says
        self.writer.writerow(self.variables)

    def write_rows(self, rows: Iterable[Row]) -> None:
        for row in rows:
            self.writer.writerow(["" if v is None else safe_cell("_:" + v.value if v.kind == "bnode" else v.value)
                                  for v in row])
            self.rows += 1

    def boolean(self, value: bool) -> None:
        self.out.write(f"boolean\r\n{'true' if value else 'false'}\r\n")


def _tsv_term(value: Value | None) -> str:
    if value is None:
        return ""
    if value.kind == "uri":
        return f"<{value.value}>"
    if value.kind == "bnode":
        return "_:" + value.value
    short = _SHORT.get(value.datatype or "")
    if short is not None and short.fullmatch(value.value):
        return value.value
    text = '"' + "".join(_TSV_ESCAPES.get(c, c) for c in value.value) + '"'
    if value.lang:
        return f"{text}@{value.lang}"
    return f"{text}^^<{value.datatype}>" if value.datatype else text


class TsvWriter(Writer):
    """W3C SPARQL 1.1 TSV results: ``?var`` header, terms in Turtle syntax, LF line ends."""

    def start(self, variables: Sequence[str]) -> None:
        super().start(variables)
        self.out.write("\t".join("?" + v for v in self.variables) + "\n")

    def write_rows(self, rows: Iterable[Row]) -> None:
        lines = ["\t".join(_tsv_term(v) for v in row) + "\n" for row in rows]
        self.rows += len(lines)
        self.out.write("".join(lines))

    def boolean(self, value: bool) -> None:
        self.out.write("true\n" if value else "false\n")


class JsonWriter(Writer):
    """W3C SPARQL 1.1 JSON results, streamed: the head, one binding per line, the closing brackets."""

    def start(self, variables: Sequence[str]) -> None:
        super().start(variables)
        self.out.write('{"head": {"vars": ' + json.dumps(list(self.variables), ensure_ascii=False)
                       + '}, "results": {"bindings": [')

    def write_rows(self, rows: Iterable[Row]) -> None:
        parts = []
        for row in rows:
            binding = {var: v.to_json() for var, v in zip(self.variables, row) if v is not None}
            parts.append(("\n" if self.rows == 0 else ",\n") + json.dumps(binding, ensure_ascii=False))
            self.rows += 1
        self.out.write("".join(parts))

    def finish(self) -> None:
        self.out.write("\n]}}\n")

    def boolean(self, value: bool) -> None:
        self.out.write(json.dumps({"head": {}, "boolean": value}) + "\n")


#: ``--format`` name → writer.
WRITERS: dict[str, type[Writer]] = {"table": TableWriter, "csv": CsvWriter, "tsv": TsvWriter, "json": JsonWriter}


def _format(kind: str, result: QueryResult, max_width: int | None = None) -> str:
    buf = io.StringIO(newline="")
    writer = WRITERS[kind](buf, max_width)
    if result.boolean is not None:
        writer.boolean(result.boolean)
    else:
        writer.start(result.variables)
        writer.write_rows(result.rows)
        writer.finish()
    return buf.getvalue()


def format_table(result: QueryResult, max_width: int | None = None) -> str:
    """The aligned table of ``result`` (no final newline); ``max_width`` cuts longer cells with ``…``.

    >>> r = QueryResult(("name", "n"), ((Value("literal", "长治市", lang="zh"), Value("literal", "2")),))
    >>> print(format_table(r))
    name    n
    ------  -
    长治市  2
    (1 row)
    """
    return _format("table", result, max_width).rstrip("\n")


def format_csv(result: QueryResult) -> str:
    """W3C SPARQL 1.1 CSV results: a header, lexical values, CRLF line ends (formula cells neutralised)."""
    return _format("csv", result)


def format_tsv(result: QueryResult) -> str:
    """W3C SPARQL 1.1 TSV results."""
    return _format("tsv", result)


def format_json(result: QueryResult) -> str:
    """W3C SPARQL 1.1 JSON results (UTF-8)."""
    return _format("json", result)


#: ``--format`` name → formatter of a whole :class:`QueryResult`.
FORMATS: dict[str, Callable[[QueryResult], str]] = {
    "table": format_table, "csv": format_csv, "tsv": format_tsv, "json": format_json}


def rows_as_text(rows: Iterable[Row]) -> list[tuple[str, ...]]:
    """Rows as tuples of display strings (for comparing engines in tests and scripts)."""
    return [tuple(display(v) for v in row) for row in rows]
