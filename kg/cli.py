"""Command line: a thin shell over :mod:`kg.run.build` and :mod:`kg.report`.

``kg build [CORPUS ...] --out DIR``, ``kg eval [--gold FILE ...] [--graph TTL ...]``,
``kg query QUERY_OR_FILE.rq [--graph FILE] [--format table|csv|tsv|json] [--bind NAME=VALUE]`` and
``kg html [--graph TTL | --corpus PATH ...] [--focus NAME --depth N] --out FILE``.
Errors are one line on stderr (``error: …``) and a non-zero exit, never a
traceback for bad input.  Every line meant for the terminal (errors,
summaries) goes through :func:`kg.textsafe.terminal_safe`, so a file name
with control characters cannot act on the terminal or forge a line.
SIGTERM and SIGHUP end a command as Ctrl-C does: its worker processes end
with it, nothing half-written is left, and the exit status is 128 + the
signal's number (``error: terminated (SIGTERM)``).

Each command imports what it runs when it runs (the imports inside the
``_build``, ``_eval`` … functions): ``kg eval`` and ``kg query`` never load
the NLP stages or the exporters, and ``kg --help`` answers at once.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Iterator, Sequence

from kg.errors import KGError
from kg.textsafe import terminal_safe

__all__ = ["main", "make_parser"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse's convention)
        command = " ".join(self.prog.split()[1:])  # "" for the top-level parser
        self.exit(2, f"error: {message} (see 'kg {command + ' ' if command else ''}--help')\n")

    def format_help(self) -> str:
        if callable(self.epilog):  # an epilog made when the help is shown (_query_epilog)
            self.epilog = self.epilog()
        return super().format_help()


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kg", description="Knowledge graph of Shanxi local-government news.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    b = sub.add_parser("build", help="build the graph of a corpus and write the exports")
    b.add_argument("corpus", nargs="*", default=["corpus"], help="corpus files or directories (default: corpus/)")
    b.add_argument("--out", default="exports", help="output directory (default: exports/)")
    b.add_argument("--strict", action="store_true", help="exit non-zero when any input file was skipped")
    b.add_argument("--workers", type=_positive, default=1, metavar="N",
                   help="processes for the per-document stages (default: 1; at most the CPUs available "
                        "and the documents to do)")
    b.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="where documents are processed: local processes or a Dask cluster (default: local)")
    b.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="Dask scheduler to use with --engine dask (default: start a local cluster of --workers)")
    b.add_argument("--cache-dir", metavar="DIR",
                   help="per-document cache (default: $KG_CACHE_DIR or ~/.cache/shanxi-kg)")
    b.add_argument("--no-cache", action="store_true", help="process every document; read and write no document cache")
    b.add_argument("--progress", action="store_true",
                   help="show a progress bar on stderr even when it is not a terminal")

    e = sub.add_parser("eval", help="score a built graph against gold annotations",
                       description="Score a built graph against gold annotations (the format and the rules of "
                                   "docs/annotation.md). Several --gold give one table per gold set and their "
                                   "total, micro-averaged over all their documents.")
    e.add_argument("--gold", action="append", metavar="FILE",
                   help="gold JSONL; repeat for several sets (default: eval/corpus.jsonl, the gold of the "
                        "bundled corpus, shipped with kg)")
    e.add_argument("--graph", action="append", metavar="FILE",
                   help="graph to score (default: exports/graph.ttl); once for every gold set, or once per "
                        "--gold in the same order")
    e.add_argument("--errors", action="store_true", help="also list misses and false hits, grouped by cause")
    e.add_argument("--format", choices=("table", "markdown", "json"), default="table")

    r = sub.add_parser("review", help="write each article as HTML with its entities and relations, for review")
    r.add_argument("corpus", nargs="*", default=["corpus"], help="corpus files or directories (default: corpus/)")
    r.add_argument("--out", default="exports/articles", help="output directory (default: exports/articles/)")

    h = sub.add_parser("html", help="write the interactive HTML view, whole or around one entity")
    src = h.add_mutually_exclusive_group()
    src.add_argument("--graph", default="exports/graph.ttl",
                     help="RDF export to draw, format by extension (default: exports/graph.ttl)")
    src.add_argument("--corpus", nargs="+", metavar="PATH", help="build from these corpus files or directories instead")
    h.add_argument("--focus", metavar="NAME", help="draw only the neighbourhood of this entity (name, alias or IRI)")
    h.add_argument("--depth", type=int, metavar="N", help="relations to follow from --focus (default: 1)")
    h.add_argument("--articles", action="store_true", help="also draw article nodes and mention edges")
    h.add_argument("--out", default="graph.html", help="page to write (default: graph.html)")

    q = sub.add_parser("query", help="run a SPARQL 1.1 query over an export",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Run a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE) over an RDF export.\n"
                                   "It reads --graph and nothing else: updates, SERVICE and FROM are refused.",
                       epilog=_query_epilog)
    q.add_argument("query", help="a .rq file (see queries/) or the query text")
    q.add_argument("--graph", default="exports/graph.ttl",
                   help="RDF file to query, format by extension (default: exports/graph.ttl)")
    q.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table",
                   help="table (for reading), or the W3C SPARQL results formats csv, tsv, json (default: table)")
    q.add_argument("--engine", choices=("oxigraph", "rdflib"), default="oxigraph",
                   help="SPARQL implementation (default: oxigraph)")
    q.add_argument("--bind", action="append", default=[], metavar="NAME=VALUE",
                   help="set the variable ?NAME to VALUE (repeatable; how VALUE is read: below)")
    q.add_argument("--max-width", type=_natural, default=60, metavar="N",
                   help="cut table cells at N columns (default: 60; 0: no limit)")
    q.add_argument("--timeout", type=_seconds, default=60.0, metavar="SECONDS",
                   help="stop a query that runs longer, loading the graph not counted (default: 60; 0: no limit)")
    return parser


def _shipped_queries() -> str:
    from kg.paths import QUERIES_DIR  # light: a folder listing for the help text

    names = sorted(path.stem for path in QUERIES_DIR.glob("*.rq"))
    return "".join(f"  {name}\n" for name in names) or "  (none installed)\n"


def _query_epilog() -> str:
    """The end of ``kg query --help``: the predeclared prefixes and how ``--bind`` reads a value."""
    # imported when the help is shown, not by make_parser: compiling the SPARQL
    # lexer's patterns cost every kg build 0.1 s CPU (2026-12)
    from kg.report.query import sparql

    return ("predeclared prefixes (a query's own PREFIX wins):\n" + "".join(
        f"  {name + ':':9} <{iri}>\n" for name, iri in sparql.PREFIXES.items())
        + "\n--bind NAME=VALUE reads VALUE as: <IRI>, a prefixed name (kg:Agency) or a URL\n"
          "(http://…, urn:…) -> that IRI; a SPARQL literal as written (\"a.txt\", \"x\"@en),\n"
          "a number, true/false -> that literal; any other text -> a string literal,\n"
          "tagged @zh when it holds a Han character (names in the graph are \"…\"@zh).\n"
          "It replaces the query's VALUES ?NAME { … } (its default), or else binds ?NAME\n"
          "for the whole WHERE clause.\n"
          "example: kg query queries/co_mentioned.rq --bind min=2\n"
          "\nshipped queries (NAME, NAME.rq or queries/NAME.rq run them from any folder):\n"
          + _shipped_queries())


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _natural(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number of seconds {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or a positive number of seconds, not {text}")
    return value


def _build(args: argparse.Namespace) -> int:
    from kg.run.build import build

    if args.scheduler and args.engine != "dask":
        raise KGError("--scheduler needs --engine dask")
    summary = build(args.corpus, args.out, workers=args.workers, engine=args.engine, scheduler=args.scheduler,
                    cache=not args.no_cache, cache_dir=args.cache_dir, progress=True if args.progress else None)
    cached = f" ({summary.cached} from the cache)" if summary.cached else ""
    print(terminal_safe(f"built {summary.documents} documents{cached}, {summary.articles} articles, "
                        f"{summary.entities} entities; skipped {len(summary.skipped)}; {summary.seconds:.1f} s; "
                        "wrote " + ", ".join(str(p) for p in summary.outputs)))
    return 1 if args.strict and summary.skipped else 0


def _eval(args: argparse.Namespace) -> int:
    from kg.paths import CORPUS_GOLD
    from kg.report import sets

    pairs = sets.pair_graphs(args.gold or [str(CORPUS_GOLD)], args.graph or ["exports/graph.ttl"])
    results = sets.evaluate_sets(pairs)
    if args.format == "json":
        text = sets.sets_to_json(results, errors=args.errors)
    elif args.format == "markdown":
        text = sets.sets_to_markdown(results, errors=args.errors)
    else:
        text = sets.format_sets(results, errors=args.errors)
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:  # kg eval … | head
        _stdout_gone()
        return 1
    return 0


def _review(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kg.export.folderlock import output_lock
    from kg.run.build import BuildSummary, corpus_files, iter_results
    from kg.report.review import write_review

    summary = BuildSummary()
    files = corpus_files(args.corpus, summary)  # bad corpus paths fail before --out is created
    try:
        Path(args.out).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KGError(f"{args.out}: cannot create the output folder ({exc.strerror or exc})") from exc
    with output_lock(args.out, "kg review"):
        written = write_review(iter_results(files, summary), args.out)
    print(terminal_safe(f"wrote {len(written)} review pages to {args.out} ({summary.articles} articles; "
                        f"skipped {len(summary.skipped)})"))
    return 0


def _html(args: argparse.Namespace) -> int:
    from kg.export.html import write_html

    if args.depth is not None and args.focus is None:
        raise KGError("--depth needs --focus NAME")
    if args.corpus:
        from kg.run.build import BuildSummary, corpus_files, iter_results
        from kg.knowledge.gazetteer import load_gazetteer
        from kg.graph import build_graph

        summary = BuildSummary()
        graph = build_graph(iter_results(corpus_files(args.corpus, summary), summary, keep_text=False),
                            load_gazetteer().divisions)
    else:
        from kg.export.from_rdf import read_rdf_graph

        graph = read_rdf_graph(args.graph)
    path = write_html(graph, args.out, focus=args.focus, depth=1 if args.depth is None else args.depth,
                      include_articles=args.articles)
    print(terminal_safe(f"wrote {path}"))
    return 0


def _query(args: argparse.Namespace) -> int:
    from kg.report.query import write_query
    from kg.report.query.sparql import parse_binding

    bindings = dict(parse_binding(b) for b in args.bind)
    try:
        write_query(args.query, args.graph, sys.stdout, engine=args.engine, fmt=args.format, bindings=bindings,
                    max_width=args.max_width, timeout=args.timeout)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (kg query … | head): stop quietly
        _stdout_gone()
        return 1
    return 0


class _Terminated(BaseException):
    """A SIGTERM or SIGHUP, raised in the main thread like KeyboardInterrupt for SIGINT.

    A BaseException, so that no ``except Exception`` on the way (a document
    the pipeline failed on is skipped that way) takes it for an error of
    one file; every ``finally`` and ``except BaseException`` cleans up.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, frame) -> None:
    raise _Terminated(signum)


@contextlib.contextmanager
def _signals_as_exceptions() -> Iterator[None]:
    """SIGTERM and SIGHUP raise :class:`_Terminated` inside the block (the default would kill this
    process at once and orphan its workers)."""
    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {}
    try:
        for name in names:
            previous[name] = signal.signal(getattr(signal, name), _terminate)
    except ValueError:  # not the main thread (kg.cli.main called from a thread): leave signals alone
        pass
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


def _stdout_gone() -> None:
    """After a broken pipe: stdout goes to /dev/null, so that Python's flush at exit raises no second error."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        with _signals_as_exceptions():
            return {"build": _build, "eval": _eval, "query": _query, "review": _review,
                    "html": _html}[args.command](args)
    except KGError as exc:
        print(f"error: {terminal_safe(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except _Terminated as exc:
        print(f"error: terminated ({signal.Signals(exc.signum).name})", file=sys.stderr)
        return 128 + exc.signum


if __name__ == "__main__":
    sys.exit(main())
