"""Page-layout data: the words and patterns of ``ontology/patterns/corpus.toml``.

Layout words and patterns (本报讯, 记者, 摄, punctuation classes, the date
pattern) are data, loaded and checked against ``schema.toml`` once by
:func:`load_layout`; errors name ``file:line`` and the key.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import DataError
from kg.knowledge.lexicon import PATTERNS_DIR, read_pattern_file

__all__ = ["LAYOUT_FILE", "BREAK", "Layout", "load_layout"]

LAYOUT_FILE = PATTERNS_DIR / "corpus.toml"

#: Line breaks recognised everywhere in :mod:`kg.corpus` (the text itself is never
#: rewritten, so CRLF and old-Mac CR files keep their offsets).
BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029]")


@dataclass(frozen=True)
class Layout:
    """Layout words and patterns of ``ontology/patterns/corpus.toml``."""

    traditional_markers: re.Pattern[str]  # any character that exists only in traditional writing
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


@functools.lru_cache(maxsize=4)
def load_layout(path: str | os.PathLike[str] | None = None) -> Layout:
    """Load and validate the page-layout data (default ``LAYOUT_FILE``).

    Errors are :class:`~kg.errors.DataError` naming ``file:line``.
    """
    p = Path(path) if path is not None else LAYOUT_FILE
    data = read_pattern_file(p, "corpus")
    date = data.regex("dates.pattern")
    if not {"y", "m", "d"} <= set(date.groupindex):
        raise DataError(f"{data.where('dates.pattern')}: 'dates.pattern' needs groups y, m, d")
    terminators = data.chars("sentences.terminators")
    closers = data.chars("sentences.closers")
    separators = data.chars("sentences.separators")
    sentence_boundary = re.compile(
        f"(?P<br>{BREAK.pattern})"
        f"|[{re.escape(terminators)}]+[{re.escape(closers)}]*|[{re.escape(separators)}]+"
    )
    bylines = data.regexes("byline.patterns")
    inserts = data.regexes("insert.patterns")
    return Layout(
        # (a character class: the regex scans a text about ten times faster than a set
        # intersection hashes every character of it)
        traditional_markers=re.compile(f"[{re.escape(data.chars('traditional.markers'))}]"),
        heading_max=data.integer("heading.max_chars"),
        heading_forbidden=frozenset(data.chars("heading.forbidden")),
        lead_markers=data.words("lead.markers"),
        byline_max=data.integer("byline.max_chars"),
        byline_patterns=bylines,
        closing_lines=frozenset(data.words("byline.closing_lines")),
        insert_max=data.integer("insert.max_chars"),
        insert_lines=frozenset(data.words("insert.lines")),
        insert_patterns=inserts,
        break_min=data.integer("breaks.min_chars"),
        break_closers=frozenset(data.chars("breaks.closers")),
        clause_marks=frozenset(data.chars("breaks.clause_marks")),
        sentence_terminators=terminators,
        sentence_closers=closers,
        sentence_separators=separators,
        date=date,
        signature_max_lines=data.integer("dates.signature_max_lines"),
        sentence_boundary=sentence_boundary,
        byline_any=re.compile("|".join(f"(?:{x.pattern})" for x in bylines)),
        insert_any=re.compile("|".join(f"(?:{x.pattern})" for x in inserts)),
    )
