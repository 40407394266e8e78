"""Where the project's files live: the package, its data under ``ontology/``, the caches.

Defined once here, below every stage, so that the data loaders
(:mod:`kg.knowledge`), the compiled jieba's snapshot (:mod:`kg.nlp.segmenter`)
and the per-document cache (:mod:`kg.run.cache`) agree on them.

The data folders sit at the top of a source checkout (``ontology/``,
``eval/``, ``queries/``: where people edit them) and inside the package of
an installed wheel (``kg/ontology/`` …: ``pyproject.toml`` maps them there),
so a plain ``pip install shanxi-kg`` runs without the repository.  The copy
inside the package wins when both exist.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["PACKAGE_DIR", "ONTOLOGY_DIR", "PATTERNS_DIR", "EVAL_DIR", "CORPUS_GOLD", "QUERIES_DIR",
           "data_dir", "default_cache_dir"]

#: The ``kg`` package itself (its sources are part of the cache's fingerprint).
PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str, package_dir: Path = PACKAGE_DIR) -> Path:
    """The data folder ``name``: ``kg/NAME`` of an installed wheel, else ``NAME/`` beside the package.

    >>> data_dir("ontology", Path("/site-packages/kg")).as_posix()  # no such folder: the checkout's
    '/site-packages/ontology'
    """
    installed = package_dir / name
    return installed if installed.is_dir() else package_dir.parent / name


#: The knowledge kept as data: gazetteer, naming patterns, the graph contract.
ONTOLOGY_DIR = data_dir("ontology")

#: The open-class pattern files (``*.toml``) of :mod:`kg.knowledge.lexicon`.
PATTERNS_DIR = ONTOLOGY_DIR / "patterns"

#: Gold annotations shipped for evaluation (``kg eval``; the pipeline never reads them).
EVAL_DIR = data_dir("eval")

#: The gold of the bundled corpus: what ``kg eval`` scores against when no ``--gold`` is given.
CORPUS_GOLD = EVAL_DIR / "corpus.jsonl"

#: The shipped SPARQL queries (``kg query NAME.rq`` finds them from any folder).
QUERIES_DIR = data_dir("queries")


def default_cache_dir() -> Path:
    """``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/shanxi-kg``, else ``~/.cache/shanxi-kg``."""
    if os.environ.get("KG_CACHE_DIR"):
        return Path(os.environ["KG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "shanxi-kg"
