"""Where the project's files live: the package, its data under ``ontology/``, the caches.

Defined once here, below every stage, so that the data loaders
(:mod:`kg.knowledge`), the compiled jieba's snapshot (:mod:`kg.nlp.segmenter`)
and the per-document cache (:mod:`kg.run.cache`) agree on them.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["PACKAGE_DIR", "ONTOLOGY_DIR", "PATTERNS_DIR", "default_cache_dir"]

#: The ``kg`` package itself (its sources are part of the cache's fingerprint).
PACKAGE_DIR = Path(__file__).resolve().parent

#: The knowledge kept as data: gazetteer, naming patterns, the graph contract.
ONTOLOGY_DIR = PACKAGE_DIR.parent / "ontology"

#: The open-class pattern files (``*.toml``) of :mod:`kg.knowledge.lexicon`.
PATTERNS_DIR = ONTOLOGY_DIR / "patterns"


def default_cache_dir() -> Path:
    """``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/shanxi-kg``, else ``~/.cache/shanxi-kg``."""
    if os.environ.get("KG_CACHE_DIR"):
        return Path(os.environ["KG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "shanxi-kg"
