"""A page without a line break: ``kg build`` time against its size (it should grow linearly).

Usage::

    python benchmarks/long_line.py [--sizes 5 10 20] [--max-seconds 600]

For each size (MiB) a corpus of one file, one line of base64 junk with a
news sentence every 30,000 characters (:func:`single_line_page`, the page
``tests/test_robustness.py`` builds at 20 MiB), is built by ``kg build`` in a
fresh process with an empty cache.  Prints the seconds, MiB/s and the facts
found for each size: seconds per MiB that stay flat as the size doubles are
linear time.  Exits 1 when a build takes longer than ``--max-seconds`` (the
bound the unit test once asserted; it now checks only what is found).
"""
from __future__ import annotations

__all__ = ["SENTENCE", "single_line_page", "main"]

import argparse
import base64
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: The news sentence repeated along the line (invented).
SENTENCE = "左权县交通运输管理局实施左权县西关街提质改造工程。"


def single_line_page(size: int, sentence: str = SENTENCE, seed: int = 20) -> str:
    """One line of at least ``size`` UTF-8 bytes: 30,000 characters of base64 junk and a
    full-width comma, then ``sentence``, again and again (deterministic for a ``seed``)."""
    rnd = random.Random(seed)
    parts, total = [], 0
    while total < size:
        blob = base64.b64encode(rnd.randbytes(22_500)).decode() + "，"
        parts += [blob, sentence]
        total += len(blob) + 3 * len(sentence) + 2
    return "".join(parts)


def build_seconds(size: int, work: Path) -> tuple[float, str]:
    """Wall seconds of ``kg build`` of a one-file corpus of :func:`single_line_page` ``(size)``, and its summary."""
    corpus = work / f"corpus-{size}"
    corpus.mkdir()
    (corpus / "huge.txt").write_text(single_line_page(size), encoding="utf-8")
    env = dict(os.environ, KG_CACHE_DIR=str(work / f"cache-{size}"))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    t0 = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(corpus), "--out", str(work / f"out-{size}")],
                         capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - t0
    if run.returncode != 0:
        raise SystemExit(f"kg build failed on {size} bytes:\n{run.stderr[-2000:]}")
    return seconds, run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[5, 10, 20], help="page sizes in MiB")
    parser.add_argument("--max-seconds", type=float, default=600,
                        help="exit 1 when one build takes longer than this")
    args = parser.parse_args(argv)
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="kg-bench-line-") as tmp:
        print(f"{'MiB':>6} {'seconds':>8} {'s/MiB':>6} {'MiB/s':>6}  kg build says")
        for mib in args.sizes:
            seconds, summary = build_seconds(int(mib * 2**20), Path(tmp))
            worst = max(worst, seconds)
            print(f"{mib:6g} {seconds:8.1f} {seconds / mib:6.2f} {mib / seconds:6.2f}  {summary}")
    print(f"slowest build {worst:.0f} s (expected under {args.max_seconds:g} s)")
    return 0 if worst <= args.max_seconds else 1


if __name__ == "__main__":
    sys.exit(main())
