"""Benchmark (not a test): time for the HTML view to load and become interactive.

Generates synthetic graphs shaped like the real one (a division tree from the
province down, agencies administering divisions, organizations and projects
located in them, projects undertaken by organizations and agencies, people
working for them, mentions in articles with evidence sentences), writes the
page with :func:`kg.export.html.write_html`, opens it in headless Chromium
(Debian's ``/usr/bin/chromium`` through Playwright) and reads the page's own
timings (``window.kgView.timings()``):

* ``write``: :func:`kg.export.html.write_html` in Python (for graphs above
  500 nodes this includes the layout, :mod:`kg.export.layout`);
* ``script starts``: from navigation start until the page script runs (the
  HTML, with vis-network and the data, is parsed);
* ``interactive``: from navigation start until the layout is done, physics
  is off and the first frame is drawn: the page answers clicks, search and
  pan/zoom from here on;
* ``one frame``: time to redraw the whole view afterwards (pan/zoom smoothness);
* ``search → panel``: type the most mentioned name, press Enter, until the
  details panel shows it.

The seed corpus's graph (built by the real pipeline) is measured too: it is
small enough to be laid out by physics in the browser.

Run ``python benchmarks/html_load.py [--sizes 1000 5000 20000] [--repeat 3]``;
it prints a Markdown table (the README's figures).  Goal: 5k nodes
interactive within 3 s.  Graphs above :data:`kg.export.summary.DRAW_MAX`
entities are summarised by the page writer; ``--draw-max N`` raises that
limit to measure larger pages whole (how the limit was chosen).
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.export.html import write_html  # noqa: E402
from kg.export.view import page_words  # noqa: E402
from kg.ids import ID_NS  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Shares of the entity kinds, roughly those of the seed corpus's graph.
SHARES = {"Division": 0.30, "Agency": 0.15, "Organization": 0.15, "Project": 0.25, "Person": 0.15}


def synthetic_graph(n: int, seed: int = 1) -> nx.MultiDiGraph:
    """A graph of about ``n`` entities with the attributes of :mod:`kg.graph`.

    Shaped like the real graph: a division tree (province, 11 prefectures,
    counties, townships) and, per county, agencies administering it,
    organizations and projects located in it or its townships, projects
    undertaken by the county's organizations and agencies, and people working
    for them; news is local, so articles and relations stay within a county.
    Some counties are much busier than others (Pareto-distributed).
    """
    rnd = random.Random(seed)
    g = nx.MultiDiGraph()
    counts = {k: max(1, int(n * share)) for k, share in SHARES.items()}
    n_div = counts["Division"]
    n_pref = min(11, max(1, n_div // 10))
    n_county = max(1, min((n_div - 1 - n_pref) // 6, 117 * max(1, n // 5000)))
    n_town = max(0, n_div - 1 - n_pref - n_county)

    def add(kind: str, i: int, **extra) -> str:
        key = f"{ID_NS}{kind.lower()}/{i}"
        g.add_node(key, kind=kind, label=f"{page_words().kinds[kind]}{i:05d}", aliases=[],
                   mentioned_in=[], **extra)
        return key

    def part_of(child: str, parent: str) -> None:
        g.add_edge(child, parent, key="partOf", rel="partOf", evidence=[])

    province = add("Division", 0, level="province", adcode=None)
    prefs = [add("Division", 1 + i, level="prefecture", adcode=None) for i in range(n_pref)]
    for p in prefs:
        part_of(p, province)
    counties = [add("Division", 1 + n_pref + i, level="county", adcode=None) for i in range(n_county)]
    for i, c in enumerate(counties):
        part_of(c, prefs[i % n_pref])
    towns: dict[str, list[str]] = {c: [] for c in counties}
    for i in range(n_town):
        t = add("Division", 1 + n_pref + n_county + i, level="township", adcode=None)
        c = counties[i % n_county]
        part_of(t, c)
        towns[c].append(t)
    weight = [rnd.paretovariate(1.2) for _ in counties]  # busy and quiet counties
    articles: dict[str, list[str]] = {c: [] for c in counties}
    n_art = 0
    for c, w in zip(counties, weight):
        for _ in range(max(1, round(w * n / 5 / sum(weight)))):
            a = f"{ID_NS}article/bench-{n_art}"
            title = f"{page_words().kinds['Article']}{n_art}"
            g.add_node(a, kind="Article", label=title, title=title,
                       source=f"bench_{n_art // 8:04d}.txt", start=0, end=1000, date=None)
            articles[c].append(a)
            n_art += 1

    def mention(key: str, county: str) -> None:
        k = min(len(articles[county]), int(rnd.paretovariate(1.5)))  # mostly once, a few hubs
        g.nodes[key]["mentioned_in"] = sorted(set(g.nodes[key]["mentioned_in"])
                                              | set(rnd.sample(articles[county], k)))

    def link(head: str, rel: str, tail: str, county: str, i: int) -> None:
        a = rnd.choice(articles[county])
        s = rnd.randrange(900)
        g.add_edge(head, tail, key=rel, rel=rel, evidence=[
            {"article": a, "start": s, "end": s + 40, "text": f"{rel} {i} " + "…" * 30,
             "role": None, "rule": rel}])

    for c in counties:
        mention(c, c)
        for t in towns[c]:
            mention(t, c)
    bodies: dict[str, list[str]] = {c: [] for c in counties}
    home = rnd.choices(counties, weight, k=sum(counts[k] for k in ("Agency", "Organization",
                                                                   "Project", "Person")))
    i = 0
    for kind in ("Agency", "Organization", "Project", "Person"):
        for j in range(counts[kind]):
            c = home[i]
            i += 1
            key = add(kind, j)
            mention(key, c)
            place = rnd.choice(towns[c] or [c])
            if kind == "Agency":
                if bodies[c] and rnd.random() < 0.3:
                    link(key, "subOrganizationOf", rnd.choice(bodies[c]), c, j)
                link(key, "administers", c, c, j)
                bodies[c].append(key)
            elif kind == "Organization":
                link(key, "locatedIn", place, c, j)
                bodies[c].append(key)
            elif kind == "Project":
                link(key, "locatedIn", place, c, j)
                if bodies[c]:
                    link(rnd.choice(bodies[c]), "undertakes", key, c, j)
            elif bodies[c]:
                link(key, "worksFor", rnd.choice(bodies[c]), c, j)
    return g


def seeds_graph() -> nx.MultiDiGraph:
    """The graph of the bundled corpus (the seeds), built by the real pipeline."""
    from kg.corpus import iter_corpus_files
    from kg.run.build import BuildSummary, iter_results
    from kg.knowledge.gazetteer import load_gazetteer
    from kg.graph import build_graph

    return build_graph(iter_results(iter_corpus_files([ROOT / "corpus"]), BuildSummary()),
                       load_gazetteer().divisions)


def measure(page, url: str, name: str) -> dict[str, float]:
    """Open ``url``, search ``name``; the timings in milliseconds."""
    # The load event waits for the page script (layout, first frame), so
    # goto must not wait for it under its short default timeout.
    page.goto(url, wait_until="commit", timeout=600_000)
    page.wait_for_selector("body[data-ready]", state="attached", timeout=600_000)
    t = page.evaluate("kgView.timings()")
    frame = page.evaluate("kgView.frameTime()")
    t0 = time.perf_counter()
    page.fill("#kg-search", name)
    page.press("#kg-search", "Enter")
    # Poll with evaluate: wait_for_function evaluates a string in the page,
    # which the page's CSP forbids.
    while page.evaluate("(document.querySelector('#kg-details h2') || {}).textContent") != name:
        if time.perf_counter() - t0 > 60:
            raise RuntimeError(f"search for {name!r} showed nothing within 60 s")
    search = (time.perf_counter() - t0) * 1000
    return {"script": t["start"], "interactive": t["drawn"], "frame": frame, "search": search}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    ap.add_argument("--no-seeds", action="store_true", help="skip the seed corpus's graph")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", help="directory to keep the generated pages in")
    ap.add_argument("--draw-max", type=int, help="entities drawn whole at most (kg.export.summary.DRAW_MAX)")
    args = ap.parse_args(argv)
    if args.draw_max is not None:
        from kg.export import summary

        summary.DRAW_MAX = args.draw_max
    from playwright.sync_api import sync_playwright

    out_dir = Path(args.keep or tempfile.mkdtemp())
    out_dir.mkdir(parents=True, exist_ok=True)
    graphs = [] if args.no_seeds else [("seeds", seeds_graph())]
    graphs += [(f"synthetic {n:,}", synthetic_graph(n)) for n in args.sizes]
    rows = []
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            tempfile.mkdtemp(), executable_path=CHROMIUM, args=ARGS, chromium_sandbox=False,
            headless=True, viewport={"width": 1400, "height": 900})
        page = ctx.new_page()
        for label, g in graphs:
            path = out_dir / f"bench-{label.split()[-1].replace(',', '')}.html"
            writes = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                write_html(g, path)
                writes.append(time.perf_counter() - t0)
            entities = [(k, d) for k, d in g.nodes(data=True) if d["kind"] != "Article"]
            name = max(entities, key=lambda kd: (len(kd[1]["mentioned_in"]), kd[0]))[1]["label"]
            runs = [measure(page, path.as_uri(), name) for _ in range(args.repeat)]
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            rows.append((label, len(entities), g.number_of_edges(), path.stat().st_size,
                         min(writes), med))
            print(f"{label}: {med}", file=sys.stderr)
        version = ctx.browser.version if ctx.browser else "?"
        ctx.close()
    print(f"Headless Chromium {version} (software rendering), {os.cpu_count()} cores "
          f"{platform.machine()}, load average {os.getloadavg()[0]:.1f}; "
          f"median of {args.repeat} page loads.\n")
    print("| graph | nodes | edges | page | write (Python) | script starts | interactive "
          "| one frame | search → panel |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, nodes, edges, size, write_s, m in rows:
        print(f"| {label} | {nodes:,} | {edges:,} | {size / 1e6:.1f} MB | {write_s:.2f} s "
              f"| {m['script'] / 1000:.2f} s | **{m['interactive'] / 1000:.2f} s** "
              f"| {m['frame']:.0f} ms | {m['search']:.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
