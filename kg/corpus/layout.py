"""Page-layout data: the words and patterns of ``ontology/patterns/corpus.toml``.

Layout words and patterns (本报讯, 记者, 摄, punctuation classes, the date
pattern) are data, loaded and validated once by :func:`load_layout`; errors
name ``file:line``.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import DataError
from kg.knowledge.lexicon import PATTERNS_DIR, line_of as _line_of, load_toml

__all__ = ["LAYOUT_FILE", "BREAK", "Layout", "load_layout"]

LAYOUT_FILE = PATTERNS_DIR / "corpus.toml"

#: Line breaks recognised everywhere in :mod:`kg.corpus` (the text itself is never
#: rewritten, so CRLF and old-Mac CR files keep their offsets).
BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029]")


@dataclass(frozen=True)
class Layout:
    """Layout words and patterns of ``ontology/patterns/corpus.toml``."""

    heading_max: int
    heading_forbidden: frozenset[str]
    lead_markers: tuple[str, ...]
    byline_max: int
    byline_patterns: tuple[re.Pattern[str], ...]
    closing_lines: frozenset[str]
    insert_max: int
    insert_lines: frozenset[str]
    insert_patterns: tuple[re.Pattern[str], ...]
    break_min: int
    break_closers: frozenset[str]
    clause_marks: frozenset[str]
    sentence_terminators: str
    sentence_closers: str
    sentence_separators: str
    date: re.Pattern[str]
    signature_max_lines: int
    sentence_boundary: re.Pattern[str]  # line break (group "br") or sentence end
    byline_any: re.Pattern[str]  # byline_patterns as one alternation
    insert_any: re.Pattern[str]  # insert_patterns as one alternation


def _get(data: dict[str, Any], path: Path, table: str, key: str, kind: type) -> Any:
    section = data.get(table)
    if not isinstance(section, dict):
        raise DataError(f"{path}:{_line_of(path, table)}: missing table [{table}]")
    if key not in section:
        raise DataError(f"{path}:{_line_of(path, table)}: [{table}] has no '{key}'")
    value = section[key]
    ok = isinstance(value, kind) and not isinstance(value, bool)
    if ok and kind is list:
        ok = all(isinstance(v, str) and v for v in value)
    if ok and kind is str:
        ok = bool(value)
    if ok and kind is int:
        ok = value > 0
    if not ok:
        what = {list: "a list of non-empty strings", str: "a non-empty string", int: "a positive integer"}[kind]
        raise DataError(f"{path}:{_line_of(path, key)}: [{table}] {key} must be {what}")
    return value


def _compile(pattern: str, path: Path, key: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise DataError(f"{path}:{_line_of(path, key)}: bad regex {pattern!r}: {exc}") from exc


@functools.lru_cache(maxsize=4)
def load_layout(path: str | os.PathLike[str] | None = None) -> Layout:
    """Load and validate the page-layout data (default ``LAYOUT_FILE``).

    Errors are :class:`~kg.errors.DataError` naming ``file:line``.
    """
    p = Path(path) if path is not None else LAYOUT_FILE
    data = load_toml(p)

    def get(table: str, key: str, kind: type) -> Any:
        return _get(data, p, table, key, kind)

    date = _compile(get("dates", "pattern", str), p, "pattern")
    if not {"y", "m", "d"} <= set(date.groupindex):
        raise DataError(f"{p}:{_line_of(p, 'pattern')}: [dates] pattern needs groups y, m, d")
    terminators = get("sentences", "terminators", str)
    closers = get("sentences", "closers", str)
    separators = get("sentences", "separators", str)
    sentence_boundary = re.compile(
        f"(?P<br>{BREAK.pattern})"
        f"|[{re.escape(terminators)}]+[{re.escape(closers)}]*|[{re.escape(separators)}]+"
    )
    bylines = tuple(_compile(x, p, "patterns") for x in get("byline", "patterns", list))
    inserts = tuple(_compile(x, p, "patterns") for x in get("insert", "patterns", list))
    return Layout(
        heading_max=get("heading", "max_chars", int),
        heading_forbidden=frozenset(get("heading", "forbidden", str)),
        lead_markers=tuple(get("lead", "markers", list)),
        byline_max=get("byline", "max_chars", int),
        byline_patterns=bylines,
        closing_lines=frozenset(get("byline", "closing_lines", list)),
        insert_max=get("insert", "max_chars", int),
        insert_lines=frozenset(get("insert", "lines", list)),
        insert_patterns=inserts,
        break_min=get("breaks", "min_chars", int),
        break_closers=frozenset(get("breaks", "closers", str)),
        clause_marks=frozenset(get("breaks", "clause_marks", str)),
        sentence_terminators=terminators,
        sentence_closers=closers,
        sentence_separators=separators,
        date=date,
        signature_max_lines=get("dates", "signature_max_lines", int),
        sentence_boundary=sentence_boundary,
        byline_any=re.compile("|".join(f"(?:{x.pattern})" for x in bylines)),
        insert_any=re.compile("|".join(f"(?:{x.pattern})" for x in inserts)),
    )
