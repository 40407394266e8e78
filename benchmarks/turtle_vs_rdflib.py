"""Turtle: the fast path (networkx graph → text) against rdflib's serializer, side by side.

Usage::

    python benchmarks/turtle_vs_rdflib.py [--triples 40000] [--repeat 3] [--min-speedup 3]

Both write the same synthetic graph (:func:`export_speed.synthetic_graph`) on
the same machine at the same time, so a busy machine slows both and their
ratio stays meaningful where absolute times do not.  rdflib's time is
``Graph.serialize(format="turtle")`` of the graph :func:`kg.export.quads.to_rdf`
made (the conversion itself is not counted); ours is
:func:`kg.export.turtle.serialize_turtle` straight from networkx.  Prints
median seconds, triples/s and the speed-up; exits 1 when the speed-up is below
``--min-speedup`` (the fast path exists to be several times faster: the
claim the unit tests once timed; they now check only that it writes every
triple).  ``benchmarks/export_speed.py`` has every export at a million triples.
"""
from __future__ import annotations

__all__ = ["measure", "main"]

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from export_speed import synthetic_graph  # noqa: E402  (puts the repository on the path)

from kg.export.quads import to_rdf  # noqa: E402
from kg.export.turtle import serialize_turtle  # noqa: E402


def measure(triples: int, repeat: int) -> dict[str, float]:
    """Median seconds of rdflib's Turtle and of ours for a synthetic graph of about ``triples`` triples."""
    graph = synthetic_graph(triples)
    rdf = to_rdf(graph)
    times: dict[str, list[float]] = {"rdflib": [], "fast": []}
    for _ in range(repeat):  # interleaved, so a change in the machine's load hits both
        t0 = time.perf_counter()
        rdf.serialize(format="turtle")
        times["rdflib"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        serialize_turtle(graph)
        times["fast"].append(time.perf_counter() - t0)
    return {"triples": len(rdf), **{k: statistics.median(v) for k, v in times.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--triples", type=int, default=40_000, help="size of the synthetic graph")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--min-speedup", type=float, default=3.0,
                        help="exit 1 when the fast path is less than this many times faster")
    args = parser.parse_args(argv)
    m = measure(args.triples, args.repeat)
    n = m["triples"]
    speedup = m["rdflib"] / m["fast"]
    print(f"{n:,} triples, median of {args.repeat}")
    print(f"  rdflib serialize(turtle)  {m['rdflib']:8.3f} s  {n / m['rdflib']:12,.0f} triples/s")
    print(f"  serialize_turtle          {m['fast']:8.3f} s  {n / m['fast']:12,.0f} triples/s")
    print(f"  speed-up {speedup:.1f}x (expected at least {args.min_speedup:g}x)")
    return 0 if speedup >= args.min_speedup else 1


if __name__ == "__main__":
    sys.exit(main())
