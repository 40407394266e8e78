"""Refresh the quality table in README.md from `kg eval` on the bundled corpus.

Usage: python scripts/readme_quality.py [--gold ../shared/gold/seeds.jsonl] [--graph exports/graph.ttl]
Replaces the block between <!-- quality-table --> markers.
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from kg.report.evaluate import evaluate, to_markdown

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gold", default=str(ROOT.parent / "shared" / "gold" / "seeds.jsonl"))
    parser.add_argument("--graph", default=str(ROOT / "exports" / "graph.ttl"))
    args = parser.parse_args()
    table = to_markdown(evaluate(args.gold, args.graph)).strip()
    block = f"<!-- quality-table -->\n{table}\n<!-- /quality-table -->"
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if "<!-- quality-table -->" in text:
        text = re.sub(r"<!-- quality-table -->.*?<!-- /quality-table -->", lambda _: block, text, flags=re.S)
    else:
        text = text.replace("QUALITY_TABLE", block)
    readme.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
