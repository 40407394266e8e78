"""A spaCy Doc per article or not: what ``kg build`` would pay for making one.

Usage::

    python benchmarks/doc_path.py [CORPUS ...] [--repeat 5]
    python benchmarks/doc_path.py --as-kg build|doc|doc+spans build CORPUS --out DIR --no-cache --workers 1

``kg build`` runs the steps of the spaCy pipeline without making a Doc
(:func:`kg.run.document.process_document`: the tokenizer's segmentation,
``JiebaTokenizer.segment``, then the candidate component's matching of those
words, ``CandidateTagger.match_words``).  This runs ``process_document`` on
every document of the corpus (default ``corpus/``) three ways, in turns:

* ``build``: as ``kg build`` runs it;
* ``doc``: each article's Doc made by the pipeline's tokenizer and the
  component's ``match(doc)`` run on it (the same candidates);
* ``doc+spans``: that, and the candidates stored in
  ``doc.spans["kg_candidates"]`` (``set_annotations``, tokens split where a
  name starts or ends inside one), as ``nlp(text)`` does.

Each round runs each way in a fresh process that has seen no text of the
corpus (its tables of words seen and its memos start empty, as a build's
do; one invented sentence loads the pipeline first), and again in this
process, which has run the corpus before (the words and names seen, as in
a long build).  Prints the CPU seconds of the per-document stages for each
way (median of ``--repeat`` rounds) and the ratio to ``build``, after
checking that the three give the same results.  The start-up of a process
and the exports are not counted: on a small corpus they are most of a
build, and the share of the Doc there is that much smaller: ``--as-kg WAY
KG_ARGS…`` runs ``kg KG_ARGS…`` with the per-document stages run ``WAY``
(with ``--workers 1``: they run in that process), to time whole builds
from outside (``/usr/bin/time``), a ``build`` and a ``doc+spans`` in turns.
"""
from __future__ import annotations

__all__ = ["DocPath", "main"]

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.corpus import iter_corpus_files, read_document, split_articles  # noqa: E402
from kg.nlp.pipeline import make_nlp  # noqa: E402
from kg.records import Document  # noqa: E402
from kg.run.document import process_document  # noqa: E402


class DocPath:
    """The pipeline as ``process_document`` uses it, with a candidate step that makes the Doc.

    ``process_document`` asks ``nlp.tokenizer.segment(text)`` for the words and
    ``nlp.get_pipe("kg_candidates").match_words(text, words)`` for the
    candidates; here segmenting is left to the tokenizer that makes the Doc.
    """

    def __init__(self, nlp, spans: bool) -> None:
        self.tokenizer = SimpleNamespace(segment=lambda text: None)
        self.make_doc = nlp.tokenizer
        self._tagger = nlp.get_pipe("kg_candidates")
        self._spans = spans

    def get_pipe(self, name: str):
        assert name == "kg_candidates", name
        return self

    def match_words(self, text: str, words: None):
        doc = self.make_doc(text)
        found = self._tagger.match(doc)
        if self._spans:
            self._tagger.set_annotations(doc, found)
        return found


#: Run once before the clock starts, in every process (loads the pipeline, the segmenter's
#: dictionary and jionlp), so that only the corpus is timed (an invented sentence).
WARM_UP = "左权县交通运输管理局实施左权县西关街提质改造工程，总投资1200万元。"


def _ways(nlp) -> dict:
    return {"build": nlp, "doc": DocPath(nlp, spans=False), "doc+spans": DocPath(nlp, spans=True)}


def _documents(corpus: list[str]) -> list:
    return [read_document(p) for p in iter_corpus_files(corpus)]


def one_way(way: str, corpus: list[str]) -> float:
    """CPU seconds of ``process_document`` over the corpus, run ``way``, in a process
    that has not seen the corpus before (as a build sees it)."""
    docs = _documents(corpus)
    nlp = make_nlp()
    chosen = _ways(nlp)[way]
    process_document(Document("warm-up.txt", WARM_UP, "utf-8", split_articles(WARM_UP, "warm-up.txt")), nlp=chosen)
    t0 = time.process_time()
    for d in docs:
        process_document(d, nlp=chosen)
    return time.process_time() - t0


def as_kg(way: str, kg_args: list[str]) -> int:
    """``kg KG_ARGS…`` (``kg build --workers 1 …``) with the per-document stages run ``way``:
    the whole process, start-up and exports included, to time from outside."""
    import kg.run.document
    from kg.cli import main as kg_main

    stages = kg.run.document.process_document

    def process(doc, nlp=None, *args, **kwargs):
        return stages(doc, _ways(nlp or make_nlp())[way], *args, **kwargs)

    kg.run.document.process_document = process
    return kg_main(kg_args)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--as-kg"]:
        return as_kg(argv[1], argv[2:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", nargs="*", default=[str(ROOT / "corpus")])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--one", choices=("build", "doc", "doc+spans"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:  # a child: one way, one round
        print(one_way(args.one, args.corpus))
        return 0
    docs = _documents(args.corpus)
    nlp = make_nlp()
    results = {name: [process_document(d, nlp=way) for d in docs] for name, way in _ways(nlp).items()}
    if any(r != results["build"] for r in results.values()):
        raise SystemExit("the ways give different results")
    fresh: dict[str, list[float]] = {name: [] for name in results}
    warm: dict[str, list[float]] = {name: [] for name in results}
    for _ in range(args.repeat):
        for name, way in _ways(nlp).items():  # in turns, so a slower spell of the machine hits all of them
            out = subprocess.run([sys.executable, __file__, "--one", name, *args.corpus],
                                 capture_output=True, text=True, check=True).stdout
            fresh[name].append(float(out.split()[-1]))
            t0 = time.process_time()
            for d in docs:
                process_document(d, nlp=way)
            warm[name].append(time.process_time() - t0)
    chars = sum(len(d.text) for d in docs)
    print(f"{len(docs)} documents, {chars:,} characters; CPU seconds of the per-document stages, "
          f"median of {args.repeat} rounds")
    for title, seconds in (("in a fresh process (every word and name seen for the first time)", fresh),
                           ("in a process that has run the corpus before (tables and memos full)", warm)):
        print(title)
        base = statistics.median(seconds["build"])
        for name, times in seconds.items():
            median = statistics.median(times)
            print(f"{name:>10}  {median:7.3f} s  {chars / median:10,.0f} chars/s  {median / base:6.3f}x of build"
                  f"  (min {min(times):.3f}, max {max(times):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
