"""Lines and paragraphs of a page, each paragraph classified by its layout.

The kinds (heading, lead, body, byline, insert, markdown heading) drive both
the article split (:mod:`kg.corpus.articles`) and the joining of page-layout
line breaks (:mod:`kg.corpus.normalize`).  Linear in the size of the text:
lines are found with one ``finditer`` pass, and classification only looks at
short lines, so a 20 MB single-line file is fine.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kg.corpus.layout import BREAK, Layout, load_layout

__all__ = ["Block", "paragraphs", "line_kind", "open_tail", "strip_span"]

# A non-blank line from its first non-space character to its end (``\s`` is
# ``str.isspace``, the same whitespace as ``str.strip``).
_NONBLANK = re.compile(r"\S[^\r\n\u2028\u2029]*")
# A markdown ATX heading: 1-6 '#' then whitespace or end of line (CommonMark);
# "#话题#" hashtags are not headings.
_MD_HEADING = re.compile(r"#{1,6}(?=\s|$)")


@dataclass(slots=True)
class Block:
    """A paragraph: consecutive non-blank lines, as stripped (start, end) spans."""

    lines: list[tuple[int, int]]
    kind: str = ""  # "md", "heading", "lead", "body", "byline", "insert"

    @property
    def start(self) -> int:
        return self.lines[0][0]

    @property
    def end(self) -> int:
        return self.lines[-1][1]


def _iter_lines(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Stripped spans of the non-blank lines of ``text[start:end]``.

    One regex pass: ``_NONBLANK`` skips whitespace (blank lines included) in C
    and takes the rest of the line; only trailing whitespace is trimmed here.
    """
    for m in _NONBLANK.finditer(text, start, end):
        a, b = m.span()
        yield a, a + len(m.group().rstrip())


def strip_span(text: str, a: int, b: int) -> tuple[int, int] | None:
    """``text[a:b]`` without surrounding whitespace, as a span; None if blank."""
    seg = text[a:b]
    left = len(seg) - len(seg.lstrip())
    if left == len(seg):
        return None
    return a + left, a + len(seg.rstrip())


def paragraphs(text: str, start: int, end: int) -> list[Block]:
    """Paragraphs of ``text[start:end]``, each classified (see :func:`split_articles`).

    A markdown heading line is a paragraph of its own even without blank
    lines around it.
    """
    blocks: list[Block] = []
    current: list[tuple[int, int]] = []
    pos = start  # end of the previous non-blank line
    for a, b in _iter_lines(text, start, end):
        md = _MD_HEADING.match(text, a, b) is not None
        # _iter_lines skips blank lines: two or more line breaks since the
        # previous line mean a blank line separated them.
        if current and (md or len(BREAK.findall(text, pos, a)) > 1):
            blocks.append(Block(current))
            current = []
        current.append((a, b))
        if md:
            blocks.append(Block(current))
            current = []
        pos = b
    if current:
        blocks.append(Block(current))
    layout = load_layout()
    for block in blocks:
        block.kind = _classify(text, block, layout)
    # A headline-like paragraph that a layout break joins to the body text
    # after it is body text cut by the page layout, e.g. a 33-character line
    # 舞蹈《太行喜事》是根据…同名左权小花 / 戏。…  Decided from the end, as
    # the kind of the next paragraph is then final.
    for i in range(len(blocks) - 2, -1, -1):
        if (
            blocks[i].kind == "heading"
            and blocks[i + 1].kind == "body"
            and open_tail(text, blocks[i].lines[-1], layout)
        ):
            blocks[i].kind = "body"
    return blocks


def _is_heading_line(line: str, layout: Layout) -> bool:
    return len(line) <= layout.heading_max and not (layout.heading_forbidden & set(line))


def _classify(text: str, block: Block, layout: Layout) -> str:
    """Kind of one paragraph.  Order matters: the first rule that fits wins.

    md       a markdown heading line (``# …``)
    insert   photo caption (last line ends in ``摄``/``摄影`` after a space),
             jump line ``(下转第二版)``, QR box ``扫一扫 / 读全文``, ``资料图``
    byline   author lines (``(欧阳静怡)``, ``记者 孙丽娟``, ``□ 本报记者 杜卫东``),
             closing formulas (``特此公告``), a signature ending in a date line,
             and lines without any letter or digit (rules such as ``***``)
    lead     starts with ``本报讯``
    heading  every line short (``heading.max_chars``) without 。！？，；
    body     anything else
    """
    a, b = block.lines[0]
    if _MD_HEADING.match(text, a, b):
        return "md"
    size = block.end - block.start
    # Only short paragraphs can be anything but lead or body: the checks
    # below never look at long lines (linear time on huge one-line files).
    if size <= max(layout.insert_max, layout.byline_max, layout.heading_max) or len(block.lines) > 1:
        lines = [text[x:y] if y - x <= layout.insert_max else None for x, y in block.lines]
        last = lines[-1]
        if last is not None and size <= layout.insert_max:
            if all(line in layout.insert_lines for line in lines):
                return "insert"
            if layout.insert_any.search(last):
                return "insert"
        if all(line is not None and len(line) <= layout.byline_max for line in lines):
            short = [line for line in lines if line is not None]
            if all(
                line in layout.closing_lines or layout.byline_any.search(line)
                for line in short
            ):
                return "byline"
            if len(short) <= layout.signature_max_lines and layout.date.fullmatch(short[-1]):
                return "byline"
            if not any(ch.isalnum() for line in short for ch in line):
                return "byline"
    if text.startswith(layout.lead_markers, a):
        return "lead"
    if all(y - x <= layout.heading_max for x, y in block.lines) and all(
        _is_heading_line(text[x:y], layout) for x, y in block.lines
    ):
        return "heading"
    return "body"


def line_kind(text: str, span: tuple[int, int], layout: Layout) -> str:
    return _classify(text, Block([span]), layout)


def open_tail(text: str, span: tuple[int, int], layout: Layout) -> bool:
    """Whether a line can be cut by the page layout in mid-sentence.

    It does not end with terminal or closing punctuation and is long
    (``breaks.min_chars``) or has clause punctuation (，；) -- short lines
    without either are headlines, names, signatures.
    """
    a, b = span
    if text[b - 1] in layout.break_closers:
        return False
    if b - a >= layout.break_min:
        return True
    return bool(layout.clause_marks & set(text[a:b]))
