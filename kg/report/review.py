"""Review pages: each article with its entities highlighted, for checking by eye.

One HTML page per article (entities coloured by type, rendered with spaCy's
displaCy ``ent`` style, which escapes the text) and, beside each paragraph of
sentences, the relations whose evidence lies in that sentence.  Plus an index
page.  Everything is inline: the pages load nothing from anywhere.

The index lists the pages it belongs with in a ``<meta name="kg-review-pages">``
(its manifest): a later run into the same folder removes the pages of the
earlier run that it did not write again, and never a file the manifest does
not name (notes of your own stay).
"""
from __future__ import annotations

import html
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from kg.errors import ExportError
from kg.export.atomic import atomic_write
from kg.knowledge.lexicon import load_lexicon
from kg.records import DocResult

__all__ = ["COLORS", "render_article", "write_review"]

#: Colour per entity type (the same palette as the graph view's legend).
COLORS = {
    "Division": "#8dd3c7",
    "Agency": "#fdb462",
    "Organization": "#bebada",
    "Project": "#fb8072",
    "Person": "#80b1d3",
}

_PAGE = """<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; max-width: 1200px; }}
.row {{ display: flex; gap: 1.5em; border-bottom: 1px solid #eee; padding: .4em 0; }}
.text {{ flex: 3; line-height: 2.2; }}
.text mark {{ padding: .1em .3em; margin: 0 .1em; border-radius: .35em; line-height: 1;
  -webkit-box-decoration-break: clone; box-decoration-break: clone; }}
.text mark span {{ font-size: .7em; font-weight: bold; margin-left: .3em; vertical-align: middle; }}
.rels {{ flex: 2; font-size: 90%; color: #333; }}
.rels li {{ margin: .2em 0; }}
.legend span {{ padding: .2em .5em; margin-right: .5em; border-radius: .3em; }}
code {{ background: #f4f4f4; }}
</style></head><body>
<p><a href="index.html">← all articles</a></p>
<h1>{title}</h1>
<p>source <code>{source}</code>, characters {start}–{end}</p>
<p class="legend">{legend}</p>
{rows}
</body></html>
"""


# displaCy's own entity template wraps the name and its label in line breaks
# and indentation; under ``white-space: pre-wrap`` each entity took three
# lines.  This one is a single line, and the text needs no pre-wrap: displaCy
# writes the text's line breaks as <br>.
_ENT_TEMPLATE = '<mark class="entity" style="background: {bg}">{text}<span>{label}{kb_link}</span></mark>'


def _legend() -> str:
    return "".join(f'<span style="background:{c}">{html.escape(t)}</span>' for t, c in COLORS.items())


def render_article(result: DocResult, article_id: str) -> str:
    """The review page of one article of a processed document."""
    from spacy import displacy  # heavy (spaCy): only kg review draws pages

    doc = result.document
    article = next(a for a in doc.articles if a.article_id == article_id)
    names = {e.entity_id: e for e in result.entities}
    currency = load_lexicon().string("money", "currency")  # investments are in yuan (元)
    mentions = sorted((m for m in result.mentions if m.article_id == article_id),
                      key=lambda m: (m.start, -m.end))
    relations = [r for r in result.relations if r.article_id == article_id]
    by_sentence: dict[tuple[int, int], list] = defaultdict(list)
    for r in relations:
        by_sentence[(r.start, r.end)].append(r)
    # rows: split the article at sentence evidence boundaries and paragraph breaks
    cuts = {article.start, article.end}
    for start, end in by_sentence:
        cuts.update((max(article.start, start), min(article.end, end)))
    pos = article.start
    while True:
        nl = doc.text.find("\n\n", pos, article.end)
        if nl < 0:
            break
        cuts.add(nl)
        pos = nl + 2
    bounds = sorted(c for c in cuts if article.start <= c <= article.end)
    rows = []
    for a, b in zip(bounds, bounds[1:]):
        if not doc.text[a:b].strip():
            continue
        ents, last = [], a
        for m in mentions:
            if a <= m.start and m.end <= b and m.start >= last:
                label = names[m.entity_id].type if m.entity_id in names else "Division"
                ents.append({"start": m.start - a, "end": m.end - a, "label": label})
                last = m.end
        rendered = displacy.render({"text": doc.text[a:b], "ents": ents, "title": None}, style="ent",
                                   manual=True, page=False, options={"colors": COLORS, "template": _ENT_TEMPLATE})
        items = []
        for r in sorted(by_sentence.get((a, b), []), key=lambda r: (r.rel, r.head, r.tail)):
            head = names[r.head].name if r.head in names else r.head
            tail = names[r.tail].name if r.tail in names else r.tail
            role = f" ({html.escape(r.role)})" if r.role else ""
            items.append(f"<li>{html.escape(head)} <b>{html.escape(r.rel)}</b> {html.escape(tail)}{role}"
                         f" <small>[{html.escape(r.rule)}]</small></li>")
        for at in (x for x in result.attributes if x.article_id == article_id and (x.start, x.end) == (a, b)):
            target = names[at.entity_id].name if at.entity_id in names else at.entity_id
            items.append(f"<li>{html.escape(target)} <b>{html.escape(at.attr)}</b> {html.escape(at.value)} "
                         f"{html.escape(currency)}</li>")
        rels = f"<ul>{''.join(items)}</ul>" if items else ""
        rows.append(f'<div class="row"><div class="text">{rendered}</div><div class="rels">{rels}</div></div>')
    return _PAGE.format(title=html.escape(article.title or article.article_id), source=html.escape(doc.source),
                        start=article.start, end=article.end, legend=_legend(), rows="\n".join(rows))


#: The manifest of the index page: the names of the article pages written with it.
_MANIFEST = re.compile(r'<meta name="kg-review-pages" content="([^"]*)">')
#: A page name kg writes: an article id (kg.ids.article_id) and .html.
_PAGE_NAME = re.compile(r"^[A-Za-z0-9._~-]+-[0-9]+\.html$")


def _pages_of_earlier_run(out: Path) -> set[str]:
    """The article pages the index in ``out`` lists in its manifest (none if it has no index or manifest)."""
    try:
        with open(out / "index.html", encoding="utf-8", errors="replace") as fh:
            head = fh.read(1 << 20)  # the manifest is in the head, before the list
    except OSError:
        return set()
    m = _MANIFEST.search(head)
    if m is None:
        return set()
    return {name for name in html.unescape(m.group(1)).split() if _PAGE_NAME.match(name)}


def write_review(results: Iterable[DocResult], out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write one page per article and an index into ``out_dir``; remove the earlier run's pages not written again."""
    out = Path(out_dir)
    earlier = _pages_of_earlier_run(out)
    written, index, names = [], [], []
    for result in results:
        for article in result.document.articles:
            name = f"{article.article_id}.html"
            written.append(atomic_write(out / name, render_article(result, article.article_id)))
            names.append(name)
            n = sum(1 for m in result.mentions if m.article_id == article.article_id)
            r = sum(1 for x in result.relations if x.article_id == article.article_id)
            index.append(f'<li><a href="{html.escape(name)}">{html.escape(article.title or article.article_id)}'
                         f'</a> <small>{html.escape(result.document.source)} · {n} mentions · {r} relations'
                         f'</small></li>')
    manifest = html.escape(" ".join(names))
    page = ("<!DOCTYPE html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\"><title>Review</title>"
            f'<meta name="kg-review-pages" content="{manifest}"></head>'
            "<body style=\"font-family:sans-serif;margin:1.5em\"><h1>Articles</h1><ul>\n"
            + "\n".join(index) + "\n</ul></body></html>\n")
    written.append(atomic_write(out / "index.html", page))
    for name in sorted(earlier - set(names)):  # pages of articles this run no longer has
        try:
            (out / name).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise ExportError(f"cannot remove the earlier review page {out / name}: {exc.strerror or exc}") from exc
    return written
