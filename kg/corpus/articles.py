"""Stage 1, corpus: read newspaper pages, split them into articles, normalise.

Pure functions over strings; the only I/O is :func:`read_document`.

* :func:`read_document` / :func:`decode_bytes` detect the encoding (UTF-8 with
  or without BOM, UTF-16/UTF-32 with BOM, GB18030/GBK) and reject files that
  are not text.  The decoded text is *never* modified afterwards (no newline
  translation, nothing removed): every offset in the project indexes
  ``Document.text``.  ``\\r\\n``, ``\\r`` and ``\\n`` (and U+2028/U+2029) are
  all recognised as line breaks by the functions below instead.
* :func:`split_articles` finds articles on a page by layout (headlines,
  本报讯, bylines, photo captions); see its docstring for the heuristics.
* :func:`normalize` removes page-layout line breaks that cut a sentence in
  two and returns an index map back to source offsets; :func:`to_source`
  maps a span of the normalised text back.
* :func:`iter_sentences` yields sentence spans of normalised text.
* :func:`to_simplified` gives the simplified-character form of a text in
  traditional characters, character for character, so offsets stay valid.
* :func:`iter_chunks` cuts an over-long article into pieces of at most
  ``MAX_CHUNK_CHARS`` characters for the NLP stages, so that their cost stays
  linear in the size of the corpus (a scraped page may be one 20 MB line).

The layout words and patterns (本报讯, 记者, 摄, punctuation classes, the date
pattern) are data in ``ontology/patterns/corpus.toml``, loaded and validated
once by :func:`load_layout`.

Everything is linear in the size of the text: lines are found with one
``finditer`` pass, and line classification only looks at short lines, so a
20 MB single-line file is fine.
"""
from __future__ import annotations

import bisect
import datetime
import functools
import itertools
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from kg.errors import DataError, InputError
from kg.ids import article_id
from kg.lexicon import PATTERNS_DIR, line_of as _line_of, load_toml
from kg.records import Article, Document

__all__ = [
    "LAYOUT_FILE",
    "Layout",
    "OffsetMap",
    "load_layout",
    "read_document",
    "read_file_bytes",
    "decode_bytes",
    "split_articles",
    "normalize",
    "to_source",
    "iter_sentences",
    "iter_chunks",
    "to_simplified",
    "MAX_CHUNK_CHARS",
    "MAX_FILE_BYTES",
]

LAYOUT_FILE = PATTERNS_DIR / "corpus.toml"

# Line breaks recognised everywhere in this module (the text itself is never
# rewritten, so CRLF and old-Mac CR files keep their offsets).
_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029]")
# A markdown ATX heading: 1-6 '#' then whitespace or end of line (CommonMark);
# "#话题#" hashtags are not headings.
# A non-blank line from its first non-space character to its end (``\s`` is
# ``str.isspace``, the same whitespace as ``str.strip``).
_NONBLANK = re.compile(r"\S[^\r\n\u2028\u2029]*")
_MD_HEADING = re.compile(r"#{1,6}(?=\s|$)")

# Byte-order marks, longest first (the UTF-32 LE mark starts with UTF-16 LE's).
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# C0/C1 control characters other than tab, newlines, vertical tab, form feed.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Share of control characters above which decoded "text" is called binary.
# Real text files have essentially none; decoded binary junk has many.
_MAX_CONTROL_SHARE = 0.05

#: Files larger than this are not read (a newspaper page is a few KB; 256 MB of
#: text is ~85 M Chinese characters, hours of NLP): reading them whole could
#: exhaust memory, so they are reported as too large instead.
MAX_FILE_BYTES = 256 * 1024 * 1024

#: Longest piece of an article handed to the NLP stages at once.  Several
#: rules compare every candidate with every other one in a text, and spaCy
#: refuses texts over ``nlp.max_length`` (10^6) characters, so an article
#: without layout (one 20 MB line) is cut into pieces; 10,000 characters is
#: over five times the longest article of the seed corpus (1,695).
MAX_CHUNK_CHARS = 10_000


# --------------------------------------------------------------------------
# Layout data


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
        f"(?P<br>{_BREAK.pattern})"
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


# --------------------------------------------------------------------------
# Reading and decoding


def decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    """Decode the bytes of a corpus file; return ``(text, encoding)``.

    Detection order: a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE);
    otherwise NUL bytes mean binary; otherwise strict UTF-8, then strict
    GB18030 (a superset of GBK and GB2312), then Big5.  Big5 (traditional
    Chinese from Taiwan and Hong Kong) is almost always valid GB18030 too,
    but reads as kana, Cyrillic, box drawing and private-use characters
    there; such a text is decoded as Big5 when that is valid.  The BOM is not
    part of the text.

    Raises :class:`~kg.errors.InputError` (message starting with ``name``) for
    empty or whitespace-only files, binary files (NUL bytes without a BOM, or
    more than 5 % control characters) and undecodable bytes.

    >>> decode_bytes("左权县".encode("gb18030"), "a.txt")
    ('左权县', 'gb18030')
    >>> decode_bytes(b"\\xef\\xbb\\xbfok", "b.txt")
    ('ok', 'utf-8-sig')
    """
    if not data:
        raise InputError(f"{name}: empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding.removesuffix("-sig"))
            except UnicodeDecodeError:
                raise InputError(
                    f"{name}: not text (undecodable as {encoding.removesuffix('-sig').upper()} "
                    "after its byte-order mark)"
                ) from None
            break
    else:
        if b"\x00" in data:
            raise InputError(f"{name}: not text (binary)")
        for encoding in ("utf-8", "gb18030", "big5"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InputError(f"{name}: not text (undecodable as UTF-8, UTF-16, GB18030 or Big5)")
        if encoding == "gb18030":
            text, encoding = _big5_if_misread(data, text)
    if not text.strip():
        raise InputError(f"{name}: empty file")
    controls = len(_CONTROL.findall(text))
    if "\x00" in text or controls > _MAX_CONTROL_SHARE * len(text):
        raise InputError(f"{name}: not text (binary)")
    return text, encoding


# Where Big5 bytes land when read as GB18030: kana, Greek, Cyrillic, bopomofo,
# box drawing, Latin letters with diacritics, private use (GBK's user rows).
# Chinese news in GBK has essentially none of them.
_MISREAD = re.compile("[\u0100-\u024f\u02b0-\u02ff\u0370-\u03ff\u0400-\u04ff"
                      "\u2500-\u257f\u3040-\u30ff\u3100-\u312f\ue000-\uf8ff]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Share of non-ASCII characters that must look misread before Big5 is tried.
_MISREAD_SHARE = 0.05


def _big5_if_misread(data: bytes, text: str) -> tuple[str, str]:
    """``(text, "gb18030")``, or the Big5 reading of ``data`` if GB18030 garbled it."""
    misread = len(_MISREAD.findall(text))
    if misread <= _MISREAD_SHARE * len(_NON_ASCII.findall(text)):
        return text, "gb18030"
    for encoding in ("big5", "cp950", "big5hkscs"):
        try:
            other = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if len(_MISREAD.findall(other)) < misread:
            return other, encoding
        break
    return text, "gb18030"


def read_document(path: str | os.PathLike[str]) -> Document:
    """Read one corpus file into a :class:`~kg.records.Document` with its articles.

    ``Document.source`` is the file name; ``Document.text`` is the decoded
    text, unmodified, so offsets index it; ``Document.articles`` come from
    :func:`split_articles`.  Unreadable paths and non-text files raise
    :class:`~kg.errors.InputError` naming the file: missing or vanished
    files, directories, FIFOs and devices (never opened, so a FIFO cannot
    block the build), permission errors, files over ``MAX_FILE_BYTES``, and
    everything :func:`decode_bytes` rejects.
    """
    p = Path(path)
    data = read_file_bytes(p)
    text, encoding = decode_bytes(data, str(p))
    return Document(p.name, text, encoding, split_articles(text, p.name))


_FILE_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def read_file_bytes(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a corpus file; :class:`~kg.errors.InputError` if it is not a readable regular file.

    The kind of file is checked with ``stat`` before it is opened, and again
    on the open descriptor (the path may be replaced in between), so a FIFO
    or a device never blocks or floods the build.  Messages start with the
    path: ``x.txt: cannot read (Permission denied)``, ``x: not a regular file
    (a FIFO)``, ``x.txt: too large (over 256 MB; split the file)``.
    """
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        kind = "broken symbolic link" if p.is_symlink() else "no such file"
        raise InputError(f"{p}: cannot read ({kind})") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from None
    _check_regular(p, st)
    try:
        # O_NONBLOCK: should the path have become a FIFO since stat(), open
        # returns at once instead of waiting for a writer.
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as fh:
        try:
            st = os.fstat(fh.fileno())
            _check_regular(p, st)
            data = fh.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{p}: too large (over {MAX_FILE_BYTES // 2**20} MB; split the file)")
    return data


def _check_regular(p: Path, st: os.stat_result) -> None:
    if stat.S_ISREG(st.st_mode):
        return
    kind = next((what for test, what in _FILE_KINDS if test(st.st_mode)), "not a regular file")
    raise InputError(f"{p}: not a regular file ({kind})")


# --------------------------------------------------------------------------
# Lines and paragraphs


@dataclass(slots=True)
class _Block:
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


def _strip(text: str, a: int, b: int) -> tuple[int, int] | None:
    """``text[a:b]`` without surrounding whitespace, as a span; None if blank."""
    seg = text[a:b]
    left = len(seg) - len(seg.lstrip())
    if left == len(seg):
        return None
    return a + left, a + len(seg.rstrip())


def _blocks(text: str, start: int, end: int) -> list[_Block]:
    """Paragraphs of ``text[start:end]``, each classified (see :func:`split_articles`).

    A markdown heading line is a paragraph of its own even without blank
    lines around it.
    """
    blocks: list[_Block] = []
    current: list[tuple[int, int]] = []
    pos = start  # end of the previous non-blank line
    for a, b in _iter_lines(text, start, end):
        md = _MD_HEADING.match(text, a, b) is not None
        # _iter_lines skips blank lines: two or more line breaks since the
        # previous line mean a blank line separated them.
        if current and (md or len(_BREAK.findall(text, pos, a)) > 1):
            blocks.append(_Block(current))
            current = []
        current.append((a, b))
        if md:
            blocks.append(_Block(current))
            current = []
        pos = b
    if current:
        blocks.append(_Block(current))
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
            and _open_tail(text, blocks[i].lines[-1], layout)
        ):
            blocks[i].kind = "body"
    return blocks


def _is_heading_line(line: str, layout: Layout) -> bool:
    return len(line) <= layout.heading_max and not (layout.heading_forbidden & set(line))


def _classify(text: str, block: _Block, layout: Layout) -> str:
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


def _line_kind(text: str, span: tuple[int, int], layout: Layout) -> str:
    return _classify(text, _Block([span]), layout)


def _open_tail(text: str, span: tuple[int, int], layout: Layout) -> bool:
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


# --------------------------------------------------------------------------
# Articles


@dataclass(slots=True)
class _Draft:
    blocks: list[_Block]
    titles: list[_Block]
    has_body: bool = False
    has_content: bool = False  # body or insert


def split_articles(text: str, source: str) -> tuple[Article, ...]:
    """Split a newspaper page into articles (spans of ``text``, in order).

    Heuristics (layout words and patterns in ``ontology/patterns/corpus.toml``):

    * Paragraphs are blocks separated by blank lines (whitespace-only lines
      count as blank); a markdown heading line is a paragraph of its own.
    * Each paragraph gets a kind (see ``_classify``): markdown heading,
      *insert* (photo caption ending in ``摄``/``摄影``, ``资料图``, jump
      line ``(下转第二版)``, QR box), *byline* (``(欧阳静怡)``,
      ``记者 孙丽娟``, ``□ 本报记者 杜卫东``, ``(吴海鹏、郑晓光 文/摄)``,
      ``特此公告``, a signature ending in a date line), *lead* (starts with
      ``本报讯``), *heading* (every line at most 60 characters without
      。！？，；) or *body*.  A heading-like paragraph joined to the next body
      paragraph by a page-layout break (see :func:`normalize`) is body text.
    * A heading (plain or markdown) starts a new article unless the current
      article has only headings and bylines so far -- then it continues the
      headline run (headline, subtitle ``——…``, byline, section head).
    * A lead (``本报讯 …``) starts a new article when the current one already
      has body text, i.e. a finished article with no headline before the lead.
    * Bylines and inserts belong to the article they are in; an insert counts
      as content (a headline after photo captions starts a new article), a
      byline does not.
    * Body text before any headline opens an untitled article; a text without
      any structure is one article.
    * A headline run at the very end of the page with nothing after it (the
      headline printed below its article by the page extraction) becomes the
      title of the article before it when that one is untitled.

    ``title`` is the headline lines joined with one space (markdown ``#``
    marks dropped; ``""`` for an untitled article); ``date`` the first valid
    full date ``YYYY年M月D日`` in the article as ISO ``YYYY-MM-DD``.
    Articles are trimmed of surrounding blank space, do not overlap and only
    whitespace lies between them; a blank text has no articles.

    >>> page = "标题一\\n\\n本报讯 正文一。\\n\\n(记者甲)\\n\\n标题二\\n\\n正文二。"
    >>> [(a.title, page[a.start:a.end][:3]) for a in split_articles(page, "p.txt")]
    [('标题一', '标题一'), ('标题二', '标题二')]
    """
    blocks = _blocks(text, 0, len(text))
    drafts: list[_Draft] = []
    cur: _Draft | None = None
    for block in blocks:
        kind = block.kind
        if kind in ("heading", "md"):
            if cur is None or cur.has_content:
                cur = _Draft([], [])
                drafts.append(cur)
            cur.titles.append(block)
        elif kind == "lead" and (cur is None or cur.has_body):
            cur = _Draft([], [])
            drafts.append(cur)
        elif cur is None:
            cur = _Draft([], [])
            drafts.append(cur)
        cur.blocks.append(block)
        if kind in ("body", "lead"):
            cur.has_body = cur.has_content = True
        elif kind == "insert":
            cur.has_content = True
    if len(drafts) >= 2 and not drafts[-1].has_content and not drafts[-2].titles:
        last = drafts.pop()
        drafts[-1].blocks.extend(last.blocks)
        drafts[-1].titles.extend(last.titles)

    layout = load_layout()
    articles = []
    for n, draft in enumerate(drafts, 1):
        start, end = draft.blocks[0].start, draft.blocks[-1].end
        articles.append(
            Article(
                article_id=article_id(source, n),
                source=source,
                start=start,
                end=end,
                title=_title(text, draft.titles),
                date=_first_date(text, start, end, layout),
            )
        )
    return tuple(articles)


def _title(text: str, blocks: list[_Block]) -> str:
    parts = []
    for block in blocks:
        for a, b in block.lines:
            line = text[a:b]
            if block.kind == "md":
                line = line.lstrip("#").strip()
            if line:
                parts.append(line)
    return " ".join(parts)


def _first_date(text: str, start: int, end: int, layout: Layout) -> str | None:
    for m in layout.date.finditer(text, start, end):
        try:
            return datetime.date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()
        except ValueError:  # 2025年2月30日, year 0000: not a date
            continue
    return None


# --------------------------------------------------------------------------
# Normalisation


class OffsetMap(Sequence[int]):
    """Index map of :func:`normalize`: ``m[i]`` is the source offset of char i.

    Behaves as a read-only ``list[int]`` (``len``, indexing, slicing,
    iteration, ``==`` with lists) but stores one entry per kept run of
    characters, so a 20 MB article does not need 20 M Python ints.
    """

    __slots__ = ("_norm", "_src", "_len")

    def __init__(self, runs: Sequence[tuple[int, int]]):
        """``runs``: the kept ``(start, end)`` source spans, in order."""
        self._norm: list[int] = []
        self._src: list[int] = []
        n = 0
        for a, b in runs:
            if b > a:
                self._norm.append(n)
                self._src.append(a)
                n += b - a
        self._len = n

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, i: int) -> int: ...
    @overload
    def __getitem__(self, i: slice) -> list[int]: ...
    def __getitem__(self, i: int | slice) -> int | list[int]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._len))]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("OffsetMap index out of range")
        k = bisect.bisect_right(self._norm, i) - 1
        return self._src[k] + (i - self._norm[k])

    def __iter__(self) -> Iterator[int]:
        # one range per run, chained in C (``tuple(m)`` of a long article is common)
        ends = self._norm[1:] + [self._len]
        return itertools.chain.from_iterable([range(s, s + n1 - n0) for n0, n1, s in zip(self._norm, ends, self._src)])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, OffsetMap):
            return (self._norm, self._src, self._len) == (other._norm, other._src, other._len)
        if isinstance(other, (list, tuple)):
            return len(other) == self._len and all(x == y for x, y in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        runs = [(s, s + e - n) for n, e, s in zip(self._norm, self._norm[1:] + [self._len], self._src)]
        return f"OffsetMap(runs={runs})"


def normalize(text: str, start: int = 0, end: int | None = None) -> tuple[str, OffsetMap]:
    """``text[start:end]`` with stray page-layout line breaks removed, for NLP.

    A break between two non-blank lines -- the line break(s), blank lines and
    the spaces around them -- is stray, and removed, when the line before is
    body text (a body or 本报讯 paragraph, see :func:`split_articles`) that
    does not end with closing or terminal punctuation (。！？；：”」』）…) and is
    long (>= 30 characters) or contains clause punctuation (，；), and the
    line after is body text too (not a headline, byline, caption or 本报讯).
    Other line breaks stay: they separate headlines and paragraphs.  No other
    character is changed, so ``text[m[i]] == normalized[i]``.

    Returns ``(normalized, m)`` with ``len(m) == len(normalized)`` and ``m[i]``
    the offset in ``text`` of normalised character i (an :class:`OffsetMap`,
    strictly increasing).

    >>> text = "在提升城市品质方面，努力实施总投资16亿元的县\\n\\n城老旧小区改造。"
    >>> norm, m = normalize(text)
    >>> norm
    '在提升城市品质方面，努力实施总投资16亿元的县城老旧小区改造。'
    >>> text[m[23]], m[23]
    ('城', 25)
    """
    if end is None:
        end = len(text)
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}:{end} out of range 0:{len(text)}")
    layout = load_layout()
    blocks = _blocks(text, start, end)
    runs: list[tuple[int, int]] = []
    pos = start
    prev: tuple[int, int] | None = None  # last line, if it belongs to body text
    for block in blocks:
        body = block.kind in ("body", "lead")
        for j, line in enumerate(block.lines):
            if prev is not None:
                # the kind of the line after the break: the paragraph's kind
                # at a paragraph start, else the kind of the line alone
                kind = block.kind if j == 0 else _line_kind(text, line, layout)
                if kind == "body" and _open_tail(text, prev, layout):
                    runs.append((pos, prev[1]))
                    pos = line[0]
            prev = line if body else None
    runs.append((pos, end))
    m = OffsetMap(runs)
    return "".join(text[a:b] for a, b in runs), m


def to_source(m: Sequence[int], s: int, e: int) -> tuple[int, int]:
    """Map a span ``[s, e)`` of normalised text back to source offsets.

    ``(m[s], m[e-1] + 1)``: the source span covers the removed breaks inside
    it.  An empty span maps to an empty span at the source position.

    >>> to_source([0, 1, 5, 6], 1, 3)
    (1, 6)
    """
    if not 0 <= s <= e <= len(m):
        raise ValueError(f"span {s}:{e} out of range 0:{len(m)}")
    if s == e:
        if s < len(m):
            return m[s], m[s]
        if not m:
            raise ValueError("empty span of an empty map has no source position")
        return m[-1] + 1, m[-1] + 1
    return m[s], m[e - 1] + 1


# --------------------------------------------------------------------------
# Sentences


def iter_sentences(norm_text: str) -> Iterator[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of (normalised) text.

    Splits after a run of 。！？ (with the closing quotes or brackets right
    after it: ``…。”``), after ；, and at line breaks; spans are stripped of
    surrounding whitespace and blank spans skipped.  One linear pass.

    >>> t = "他说：“好。”然后走了；\\n标题\\n"
    >>> [t[a:b] for a, b in iter_sentences(t)]
    ['他说：“好。”', '然后走了；', '标题']
    """
    pos = 0
    for m in load_layout().sentence_boundary.finditer(norm_text):
        stop = m.start() if m.lastgroup == "br" else m.end()
        span = _strip(norm_text, pos, stop)
        if span is not None:
            yield span
        pos = m.end()
    span = _strip(norm_text, pos, len(norm_text))
    if span is not None:
        yield span


# --------------------------------------------------------------------------
# Chunks for the NLP stages

_LINE_BREAKS = "\n\r\u2028\u2029"
_CLAUSE_MARKS = "，,、；;：:"
_SPACES = " \t\u3000\f\v"


def iter_chunks(text: str, start: int = 0, end: int | None = None,
                max_chars: int = MAX_CHUNK_CHARS) -> Iterator[tuple[int, int]]:
    """Cut ``text[start:end]`` into spans of at most ``max_chars`` characters.

    A span that fits is yielded whole (stripped of surrounding whitespace);
    this is the case for every ordinary article.  A longer one is cut at the
    last line break in the second half of each window, else after the last
    sentence end (。！？), else after the last clause mark (，、；：), else at
    the last space, else hard at ``max_chars``.  Spans are stripped, non-empty,
    in order and do not overlap; only whitespace lies between them.  Linear
    in the length of the span.

    >>> list(iter_chunks("一二。三四。五六", max_chars=4))
    [(0, 3), (3, 6), (6, 8)]
    """
    if end is None:
        end = len(text)
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}:{end} out of range 0:{len(text)}")
    if max_chars < 2:
        raise ValueError(f"max_chars must be at least 2, not {max_chars}")
    layout = load_layout()
    pos = start
    while pos < end:
        span = _strip(text, pos, end)
        if span is None:
            return
        pos = span[0]
        if end - pos <= max_chars:
            yield pos, span[1]
            return
        cut = _cut(text, pos + max_chars // 2, pos + max_chars, layout)
        piece = _strip(text, pos, cut)
        if piece is not None:
            yield piece
        pos = cut


def _cut(text: str, lo: int, hi: int, layout: Layout) -> int:
    """Best position in ``(lo, hi]`` to end a chunk (see :func:`iter_chunks`)."""
    for chars, after in ((_LINE_BREAKS, False), (layout.sentence_terminators, True),
                         (_CLAUSE_MARKS, True), (_SPACES, False)):
        i = max(text.rfind(c, lo, hi) for c in chars)
        if i >= lo:
            # A "\r\n" pair is never cut in two: cut before the "\r".
            return i + 1 if after else (i - 1 if text[i] == "\n" and i > lo and text[i - 1] == "\r" else i)
    return hi


# --------------------------------------------------------------------------
# Traditional characters

# Frequent characters that exist only in traditional writing (们这说国会…):
# a text without any of them is not traditional Chinese and is left alone.
# (A character class: the regex scans a text about ten times faster than a set
# intersection hashes every character of it.)
_TRADITIONAL_MARKERS = re.compile("[們這說國會發經過時對來與為個區縣進書長門開關見車東報實現還從當]")
_CJK = re.compile("[\u4e00-\u9fff]")
# Share of CJK characters that must have a different simplified form.  In
# traditional news about a quarter of them do; the simplified seed corpus
# has 16 in 20,180 (著, 覆, which the table maps although simplified writing
# uses them too), 0.08 %.
_TRADITIONAL_SHARE = 0.05


@functools.lru_cache(maxsize=1)
def _tra2sim() -> dict[int, str]:
    """jionlp's character table, traditional -> simplified (one character to one)."""
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner on import
        from jionlp.dictionary.dictionary_loader import traditional_simplified_loader

        table = traditional_simplified_loader("tra2sim_char.txt")
    return {ord(k): v for k, v in table.items() if len(k) == 1 and len(v) == 1 and k != v}


def to_simplified(text: str) -> str:
    """``text`` in simplified characters if it is written in traditional ones, else ``text``.

    Traditional Chinese (左權縣住房和城鄉建設管理局) is converted character
    by character with jionlp's table (``tra2sim`` in ``char`` mode, which
    maps one character to one), so the result has the same length and every
    offset into it is an offset into ``text``; names then match the
    gazetteer and the naming rules.  A text counts as traditional when at
    least 5 % of its CJK characters have a different simplified form;
    simplified text is returned unchanged (the table also maps characters
    that simplified writing uses, such as 著 and 乾, so it is never applied
    to simplified text).

    >>> to_simplified("左權縣東關街")
    '左权县东关街'
    >>> to_simplified("著名的乾县")
    '著名的乾县'
    """
    if not _TRADITIONAL_MARKERS.search(text):
        return text
    table = _tra2sim()
    cjk = len(text) - len(_CJK.sub("", text))
    different = len(text) - len(text.translate(dict.fromkeys(table)))
    if different < _TRADITIONAL_SHARE * cjk:
        return text
    out = text.translate(table)
    assert len(out) == len(text)  # one character for one: offsets stay valid
    return out
