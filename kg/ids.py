"""Deterministic identifiers and IRIs.

The same entity gets the same id in every build: divisions by their gazetteer
id (the official code where known), every other entity by a hash of its type
and canonical name (``hashlib``, never ``hash()``, which is salted per process).
"""
from __future__ import annotations

import hashlib
import re

__all__ = [
    "BASE",
    "KG_NS",
    "ID_NS",
    "entity_id",
    "division_entity_id",
    "article_id",
    "iri",
    "iri_to_id",
]

BASE = "https://w3id.org/shanxi-kg/"
KG_NS = BASE + "ontology#"
ID_NS = BASE + "id/"

_SAFE = re.compile(r"^[A-Za-z0-9._-]+$")


def _digest(text: str) -> str:
    # surrogatepass: never an error, whatever a caller passes (sources escape undecodable bytes already)
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def entity_id(type_: str, canonical_name: str) -> str:
    """Id of a non-division entity, e.g. ``agency:1f0c...``.

    >>> entity_id("Agency", "平遥县民政局") == entity_id("Agency", "平遥县民政局")
    True
    """
    return f"{type_.lower()}:{_digest(type_ + '|' + canonical_name)}"


def division_entity_id(division_id: str) -> str:
    """Id of a division entity from its gazetteer id: ``division:140722``."""
    return f"division:{division_id}"


def article_id(source: str, n: int) -> str:
    """Id of the n-th article (from 1) of a corpus file: ``000_e487...-3``.

    ``source`` is the file's path relative to the corpus folder,
    ``/``-separated (:class:`kg.corpus.CorpusFile`).  Only a ``.txt`` suffix
    is dropped, so ``123.txt`` and ``123.html`` in one corpus get different
    ids.  The folders of a file in a sub-folder are joined to its name with
    ``~`` (unreserved in IRIs, and never in a part kept as it is), so
    ``2024-01-01/page1.txt`` and ``2024-01-02/page1.txt`` get different ids;
    a source with any other character gets ``doc`` and a digest of it.

    >>> article_id("000_abc.txt", 3), article_id("000_abc.html", 1)
    ('000_abc-3', '000_abc.html-1')
    >>> article_id("2024-01-01/page1.txt", 2)
    '2024-01-01~page1-2'
    """
    stem = source[:-4] if source.lower().endswith(".txt") and len(source) > 4 else source
    parts = stem.split("/")
    if all(_SAFE.match(part) and part not in (".", "..") for part in parts):
        stem = "~".join(parts)
    else:
        stem = "doc" + _digest(source)
    return f"{stem}-{n}"


def iri(any_id: str) -> str:
    """IRI of an entity id (``type:local``) or an article id.

    >>> iri("division:140722")
    'https://w3id.org/shanxi-kg/id/division/140722'
    >>> iri("000_abc-2")
    'https://w3id.org/shanxi-kg/id/article/000_abc-2'
    """
    if ":" in any_id:
        kind, local = any_id.split(":", 1)
        return f"{ID_NS}{kind}/{local}"
    return f"{ID_NS}article/{any_id}"


def iri_to_id(value: str) -> str:
    """Inverse of :func:`iri`."""
    rest = value[len(ID_NS):]
    kind, local = rest.split("/", 1)
    return local if kind == "article" else f"{kind}:{local}"
