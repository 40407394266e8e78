"""Splitting a newspaper page into articles by its layout (headlines, 本报讯, bylines, captions)."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from kg.corpus.layout import Layout, load_layout
from kg.corpus.paragraphs import Block, paragraphs
from kg.ids import article_id
from kg.records import Article

__all__ = ["UNTITLED_MAX_CHARS", "split_articles", "first_words"]

#: Characters of an untitled article's first words that make its title (:func:`first_words`).
UNTITLED_MAX_CHARS = 20
_CUT = "\u2026"  # the ellipsis after a cut title


@dataclass(slots=True)
class _Draft:
    blocks: list[Block]
    titles: list[Block]
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
    marks dropped).  An untitled article (no headline, as in a file that has
    none) is titled by its first words instead, so that no view has to show
    it by its id: its first sentence, without a lead marker (本报讯), cut
    to :data:`UNTITLED_MAX_CHARS` characters with ``…`` where it was cut
    (:func:`first_words`); ``""`` only for an article with no text.  ``date`` the first valid
    full date ``YYYY年M月D日`` in the article as ISO ``YYYY-MM-DD``.
    Articles are trimmed of surrounding blank space, do not overlap and only
    whitespace lies between them; a blank text has no articles.

    >>> page = "标题一\\n\\n本报讯 正文一。\\n\\n(记者甲)\\n\\n标题二\\n\\n正文二。"
    >>> [(a.title, page[a.start:a.end][:3]) for a in split_articles(page, "p.txt")]
    [('标题一', '标题一'), ('标题二', '标题二')]
    """
    blocks = paragraphs(text, 0, len(text))
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
                title=_title(text, draft.titles) or first_words(text, start, end, layout),
                date=_first_date(text, start, end, layout),
            )
        )
    return tuple(articles)


def _title(text: str, blocks: list[Block]) -> str:
    parts = []
    for block in blocks:
        for a, b in block.lines:
            line = text[a:b]
            if block.kind == "md":
                line = line.lstrip("#").strip()
            if line:
                parts.append(line)
    return " ".join(parts)


def first_words(text: str, start: int, end: int, layout: Layout | None = None) -> str:
    """The title of an untitled article ``text[start:end]``: its first words.

    The first sentence of its first non-blank line (up to and with a
    terminator of the layout's ``[sentences]``), a leading lead marker
    (``本报讯``) and blank space removed, runs of blank space made one space;
    longer than :data:`UNTITLED_MAX_CHARS` characters, it is cut there and
    ends with ``…``.

    >>> first_words("本报讯 2月9日某区消息，该区提出今年要办好十件实事。\\n下一段", 0, 30)
    '2月9日某区消息，该区提出今年要办好十…'
    >>> first_words("\\n  短句。后文", 0, 9)
    '短句。'
    """
    layout = layout or load_layout()
    for line in text[start:end].splitlines():
        line = " ".join(line.split())
        for marker in layout.lead_markers:
            if line.startswith(marker):
                line = line[len(marker):].lstrip()
                break
        if not line:
            continue
        m = layout.sentence_boundary.search(line)
        if m is not None and m.end() <= UNTITLED_MAX_CHARS:
            return line[:m.end()]
        return line if len(line) <= UNTITLED_MAX_CHARS else line[:UNTITLED_MAX_CHARS - 1] + _CUT
    return ""


def _first_date(text: str, start: int, end: int, layout: Layout) -> str | None:
    for m in layout.date.finditer(text, start, end):
        try:
            return datetime.date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()
        except ValueError:  # 2025年2月30日, year 0000: not a date
            continue
    return None
