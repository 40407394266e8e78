"""HTML export: one self-contained, offline page to explore the graph.

The page (``kg/export/static/page.html``, ``page.css``, ``page.js``) draws the
graph with vis-network 9.1.2, whose JavaScript and CSS are inlined from the
copies pyvis ships (``pyvis/templates/lib/vis-9.1.2``; vis-network is
dual-licensed Apache-2.0/MIT and its licence header stays in the inlined
code).  pyvis' own templates are not used: even in ``in_line`` mode they link
bootstrap from a CDN.  Opened from disk, the page makes no request at all, and
its Content-Security-Policy (``default-src 'none'``, scripts allowed by hash
only) makes sure it cannot.

What the page offers
    a legend of entity types (colour and shape) and relations (colour, dashed
    ``partOf``) whose check boxes filter the view; node size grows with the
    number of articles an entity is mentioned in; a search box over names
    and aliases that selects, centres and describes the node; a details panel
    (canonical name, aliases, type, level and code, the ``partOf`` chain,
    investment, relations, articles) for a clicked node and (relation,
    endpoints, evidence sentences with their articles and offsets) for a
    clicked edge; a tooltip on hover that hides on click; at the full view
    only the most important names, drawn to be read, all names once zoomed
    in.  A facts table beside the graph (a tab) lists the rows of
    ``facts.csv`` (:mod:`kg.export.facts`), sortable, filtered by the
    legend and the search box, each row opening its evidence in the panel.
    Physics stops once the layout has stabilised.
Large graphs
    up to 500 nodes the browser lays the graph out (bounded force-directed
    iterations, then physics off); larger graphs come with positions from
    :func:`kg.export.layout.balloon_layout` and draw at once.  Curved edges,
    edge labels, arrows, dashes, hover effects and (above 2,000 nodes) node
    labels until zoomed in are dropped as graphs grow (:func:`kg.export.view.view_settings`;
    ``benchmarks/html_load.py`` measures the result).  ``focus=`` (and
    ``kg html --focus``) draws the neighbourhood of one entity instead
    (:func:`kg.focus.focus_graph`).  A graph too large to draw whole (more
    entities, or evidence sentences, than :mod:`kg.export.summary` allows)
    gets a summarised page, which says so above the graph; :func:`write_html`
    then prints one line on stderr.
Safety
    all corpus text is untrusted.  It travels as JSON inside a
    ``<script type="application/json">`` block with ``<``, ``>`` and ``&``
    escaped, so it cannot end the block or open markup; the page script puts
    it into the DOM with ``textContent``/``value`` only (never ``innerHTML``)
    and vis-network draws labels on a canvas and tooltips with ``innerText``.
    The CSP allows only the page's own two scripts, by hash, so even markup
    that slipped through could not run an inline handler.
Determinism
    the same graph gives the same bytes: records in graph order, sorted JSON
    keys, a fixed layout seed, no timestamps.

For tests and benchmarks the page exposes a read-only ``window.kgView``
(counts of drawn nodes and edges, selection, screen positions, timings).
"""
from __future__ import annotations

__all__ = ["render_html", "generate_html", "write_html"]

import base64
import hashlib
import html
import os
import re
import sys
from importlib import resources
from collections.abc import Iterator
from pathlib import Path

import networkx as nx

from kg.errors import ExportError
from kg.export.atomic import atomic_writer
from kg.export.page_data import UNSAFE_IN_SCRIPT, escape_in_script, streamed_page_data
from kg.export.summary import PagePlan, plan_page
from kg.export.view import page_words
from kg.focus import focus_graph

_VIS_DIR = "vis-9.1.2"
_MARKER = re.compile(r"%%([A-Z_]+)%%")
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=\S*$", re.M)


def _vis_asset(name: str) -> str:
    """Text of a vis-network file shipped inside the pyvis package."""
    root = resources.files("pyvis")
    for folder in ("templates/lib", "lib"):
        f = root.joinpath(f"{folder}/{_VIS_DIR}/{name}")
        if f.is_file():
            return f.read_text(encoding="utf-8")
    raise ExportError(f"pyvis ships no {_VIS_DIR}/{name}; install pyvis 0.3.2 "
                      "(pip install 'pyvis>=0.3.2,<0.4')")


def _static(name: str) -> str:
    return resources.files("kg.export").joinpath(f"static/{name}").read_text(encoding="utf-8")


def _inline(text: str, tag: str, what: str) -> str:
    """``text`` checked to be safe as the content of an inline ``<tag>`` element."""
    lowered = text.lower()
    for bad in (f"</{tag}", "<!--"):
        if bad in lowered:
            raise ExportError(f"{what} contains {bad!r}, so it cannot be inlined in <{tag}>")
    return text


def _script_hash(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def render_html(graph: nx.MultiDiGraph, title: str | None = None, include_articles: bool = False,
                focus: str | None = None, depth: int = 1) -> str:
    """The self-contained HTML page of ``graph`` (:func:`generate_html` joined)."""
    return "".join(generate_html(graph, title, include_articles, focus, depth))


def generate_html(graph: nx.MultiDiGraph, title: str | None = None, include_articles: bool = False,
                  focus: str | None = None, depth: int = 1) -> Iterator[str]:
    """The self-contained HTML page of ``graph``, in pieces (the data block a few thousand records at a time).

    Parameters
    ----------
    graph
        A graph from :func:`kg.graph.build_graph`.
    title
        Page title and heading (shown as text).  Default: the project's
        title, or for a focused view the centre's name and the depth.
    include_articles
        Also draw article nodes, linked by dashed ``mentionedIn`` edges.
    focus
        Name, alias, IRI or entity id of an entity: draw only its
        neighbourhood (:func:`kg.focus.focus_graph`) and open with it selected.
    depth
        Relations to follow from ``focus``.

    Raises
    ------
    KGError
        ``focus`` names no entity or several (see :func:`kg.focus.find_entity`).
    """
    return _generate(*_prepare(graph, title, focus, depth), include_articles)


def _prepare(graph: nx.MultiDiGraph, title: str | None, focus: str | None,
             depth: int) -> tuple[nx.MultiDiGraph, str, str | None, PagePlan]:
    """The graph the page draws (focused, summarised), its title, its centre and the plan of what it holds."""
    centre = None
    if focus is not None:
        graph = focus_graph(graph, focus, depth)
        centre = graph.graph["focus"]
        if title is None:
            title = page_words().ui["focus_title"].format(label=graph.nodes[centre].get("label", centre),
                                             depth=depth)
    if title is None:
        title = page_words().ui["title"]
    graph, plan = plan_page(graph)
    return graph, title, centre, plan


def _generate(graph: nx.MultiDiGraph, title: str, centre: str | None, plan: PagePlan,
              include_articles: bool) -> Iterator[str]:
    # Without its source-map comment, so not even developer tools look for a file.
    vis_js = _SOURCE_MAP.sub("", _vis_asset("vis-network.min.js"))
    vis_js = _inline(vis_js, "script", "pyvis' vis-network.min.js")
    page_js = _inline(_static("page.js"), "script", "kg/export/static/page.js")
    parts = {
        "TITLE": html.escape(title),
        "CSP": html.escape("default-src 'none'; "
                           f"script-src {_script_hash(vis_js)} {_script_hash(page_js)}; "
                           "style-src 'unsafe-inline'; img-src data: blob:; "
                           "base-uri 'none'; form-action 'none'"),
        "VIS_CSS": _inline(_vis_asset("vis-network.css"), "style", "pyvis' vis-network.css"),
        "PAGE_CSS": _inline(_static("page.css"), "style", "kg/export/static/page.css"),
        "VIS_JS": vis_js,
        "PAGE_JS": page_js,
    }
    # One pass over the template: text put in by one marker is never searched
    # for another, so corpus text containing "%%PAGE_JS%%" stays text.
    template = _static("page.html")
    end = 0
    for m in _MARKER.finditer(template):
        yield template[end:m.start()]
        if m.group(1) == "DATA":
            for piece in streamed_page_data(graph, include_articles, centre, plan.per_fact, plan.page_note()):
                yield UNSAFE_IN_SCRIPT.sub(escape_in_script, piece)
        else:
            yield parts[m.group(1)]
        end = m.end()
    yield template[end:]


def write_html(graph: nx.MultiDiGraph, path: str | os.PathLike[str], title: str | None = None,
               include_articles: bool = False, focus: str | None = None,
               depth: int = 1) -> Path:
    """Write :func:`render_html` of ``graph`` to ``path`` atomically, as UTF-8.

    A summarised page (see :mod:`kg.export.summary`) is also named in one
    line on stderr (:meth:`kg.export.summary.PagePlan.notice`).

    Examples
    --------
    >>> import tempfile, networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("https://w3id.org/shanxi-kg/id/division/140000", kind="Division",
    ...            label="山西省", aliases=[], mentioned_in=[], level="province", adcode="140000")
    >>> p = write_html(g, os.path.join(tempfile.mkdtemp(), "g.html"))
    >>> "山西省" in p.read_text(encoding="utf-8")
    True
    """
    graph, title, centre, plan = _prepare(graph, title, focus, depth)
    with atomic_writer(path) as fh:
        for piece in _generate(graph, title, centre, plan, include_articles):
            fh.write(piece)
    if plan.summarised:
        # flushed at once: a forked export worker ends with os._exit
        print(plan.notice(Path(path).name), file=sys.stderr, flush=True)
    return Path(path)
