"""Regenerate the competency questions and their answers in README.md.

Usage::

    kg build && python scripts/readme_queries.py [--graph exports/graph.ttl] [--check]

Runs every ``queries/*.rq`` over the export with its defaults (every place: the
``VALUES ?county { UNDEF }`` a query declares; the same engine and table format
as ``kg query --format table``) and rewrites the block between
``<!-- queries:begin -->`` and ``<!-- queries:end -->`` in README.md.  The
answers change whenever the extraction improves: run this after rebuilding
``exports/``.  ``--check`` writes nothing and exits 1 when the block is out
of date.  Long cells are cut (``…``) and long answers shortened to their
first rows, so the README stays readable; ``kg query`` prints everything.
"""
from __future__ import annotations

__all__ = ["render", "main"]

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.report.query import QueryResult, format_table, load_store, run_query  # noqa: E402

BEGIN, END = "<!-- queries:begin -->", "<!-- queries:end -->"
MAX_ROWS = 12
MAX_CELL = 40  # display columns (a 汉字 counts two)


def _question(path: Path) -> str:
    """The leading comment of a query file, as one line."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(lines)


def render(graph: Path, queries: Path = ROOT / "queries") -> str:
    """The Markdown block (without the markers) for every query in ``queries``."""
    store = load_store(graph)
    parts = []
    for path in sorted(queries.glob("*.rq")):
        result = run_query(str(path), store)
        shown = QueryResult(result.variables, result.rows[:MAX_ROWS], result.boolean)
        table = format_table(shown, max_width=MAX_CELL)
        if len(result.rows) > MAX_ROWS:
            table = table.rsplit("\n", 1)[0] + f"\n… ({len(result.rows)} rows in all)"
        parts.append(f"**`queries/{path.name}`** — {_question(path)}\n\n```text\n{table}\n```")
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--graph", type=Path, default=ROOT / "exports" / "graph.ttl")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    parser.add_argument("--check", action="store_true", help="exit 1 if the README is out of date")
    args = parser.parse_args(argv)

    text = args.readme.read_text(encoding="utf-8")
    if text.count(BEGIN) != 1 or text.count(END) != 1:
        print(f"error: {args.readme} needs exactly one {BEGIN} … {END} block", file=sys.stderr)
        return 2
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    new = f"{head}{BEGIN}\n{render(args.graph)}\n{END}{tail}"
    if args.check:
        if new != text:
            print(f"{args.readme}: the answers are out of date; run python {Path(__file__).name}",
                  file=sys.stderr)
            return 1
        return 0
    if new != text:
        args.readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
