"""CSV cells a spreadsheet shows as text: the one neutralisation of formula cells.

Excel, LibreOffice Calc and Google Sheets read a cell that starts with
``=``, ``+``, ``-`` or ``@`` (and, after the quotes are taken off, a tab or a
carriage return) as a formula, even when the CSV field is quoted.  Corpus
text is untrusted, so every CSV the project writes for people passes its text
cells through :func:`safe_cell`: such a cell gets one leading apostrophe
(``'=1+2 …``).  A plain number (``-5``, ``+3.2e4``) is left alone: a
spreadsheet reads it as the number it is, and runs nothing.

Why the apostrophe and not a leading space
    The apostrophe is the text marker of the spreadsheets themselves (type
    ``'=1+2`` into a cell and it stays text) and the neutralisation OWASP
    recommends.  A leading space also stops a formula, but spreadsheets
    offer to trim spaces when they import a CSV (LibreOffice's "Trim
    spaces", Google Sheets' "trim whitespace"), and a trimmed cell is a
    formula again; nothing trims an apostrophe.  LibreOffice Calc 7.4 shows
    the apostrophe (measured: ``tests/test_export_facts.py`` converts a CSV
    to xlsx and back); one visible character, which also tells the reader
    that the cell was neutralised.
Reversible
    A text that starts with an apostrophe gets a second one, so the original
    is always the cell with *one* leading apostrophe removed, if it has one
    (:func:`original_text`).  The LadybugDB load script of
    :mod:`kg.export.neo4j` does exactly this, so the database holds the exact
    text.

>>> [safe_cell(t) for t in ("=1+2 东湖", "@SUM(1)", "-2+3", "-5", "'quoted", "左权县", "")]
["'=1+2 东湖", "'@SUM(1)", "'-2+3", '-5', "''quoted", '左权县', '']
>>> original_text(safe_cell("+cmd|' /C calc'!A0"))
"+cmd|' /C calc'!A0"
"""
from __future__ import annotations

__all__ = ["FORMULA_START", "MARK", "safe_cell", "needs_mark", "original_text"]

import re

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_START = frozenset("=+-@\t\r")
#: What :func:`safe_cell` puts in front of such a cell.
MARK = "'"

_STARTS = frozenset(FORMULA_START | {MARK})
_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def needs_mark(text: str) -> bool:
    """Whether :func:`safe_cell` changes ``text`` (it starts a formula, or with the mark itself)."""
    return bool(text) and text[0] in _STARTS and not (text[0] != MARK and _NUMBER.fullmatch(text))


def safe_cell(text: str) -> str:
    """``text`` as a CSV cell that no spreadsheet runs: with a leading ``'`` when it would start a formula.

    A text starting with ``= + - @``, tab or CR (other than a plain number)
    or with ``'`` itself gets one ``'`` in front; every other text, and the
    empty string, is returned as it is.  Quoting the field (commas, quotes,
    line breaks) is the CSV writer's job, after this.
    """
    return MARK + text if needs_mark(text) else text


def original_text(cell: str) -> str:
    """The text :func:`safe_cell` was given: ``cell`` without its one leading ``'``, if it has one."""
    return cell[1:] if cell.startswith(MARK) else cell
