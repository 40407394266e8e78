"""Per-document result cache for incremental builds.

A build keeps the :class:`~kg.records.DocResult` of every document it
processed, keyed by

* the document's bytes and file name (the name is part of the result: it is
  ``Document.source`` and the stem of every article id), hashed with SHA-256;
* the *pipeline fingerprint*: ``PIPELINE_VERSION``, the bytes of every file
  under ``ontology/`` (gazetteer, patterns, rules), the source of the ``kg``
  package and the versions of the NLP libraries.  Any change to rules, data
  or code gives a new fingerprint, so a stale entry is never read: it can
  make a build slower, never different.

Entries live outside the repository, by default in ``$KG_CACHE_DIR`` or
``$XDG_CACHE_HOME/shanxi-kg`` (``~/.cache/shanxi-kg``), one pickle file per
document under a directory per fingerprint, written atomically.  Each entry
carries its key and the SHA-256 of its payload, checked before the payload
is unpickled: an entry whose bytes changed (a flipped bit on disk, a
truncated copy, a file written by something else) is never used; it is
reported (``on_corrupt``), removed, and the document is processed again.
The checksum guards against damage, not against an attacker who can write
the cache directory: a cache entry is trusted like the code that wrote it
(pickle), so point ``--cache-dir`` only at directories you own.

A document processed in parts (:class:`kg.run.engine.PartTask`) has one
entry per part (:meth:`DocCache.part_key`) and, once every part is in, an
entry under the document's key that says how many parts there are
(:class:`CachedParts`).
"""
from __future__ import annotations

__all__ = ["DocCache", "CachedParts", "CachedPart", "default_cache_dir", "pipeline_fingerprint"]

import functools
import hashlib
import hmac
import os
import pickle
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from kg.errors import KGError
from kg.paths import ONTOLOGY_DIR, PACKAGE_DIR, default_cache_dir
from kg.records import DocResult
from kg.run import PIPELINE_VERSION

_LIBRARIES = ("jieba", "rjieba", "spacy", "jionlp", "pyahocorasick")
# An entry: this line, the key and the hex SHA-256 of the payload on a line each, the payload (a pickle).
_MAGIC = b"shanxi-kg doc cache 2\n"


@dataclass(frozen=True, slots=True)
class CachedParts:
    """The cache entry of a document processed in parts: their number (each part has its own entry)."""

    parts: int


@dataclass(frozen=True, slots=True)
class CachedPart:
    """The cache entry of one part of such a document: its result and the articles that start in it."""

    result: DocResult
    articles: int


_Value = DocResult | CachedParts | CachedPart


def _tree_digest(h, root: Path, pattern: str) -> None:
    for path in sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
        h.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())


@functools.lru_cache(maxsize=1)
def pipeline_fingerprint() -> str:
    """Hex digest of everything besides a document that its result depends on."""
    h = hashlib.sha256(f"pipeline {PIPELINE_VERSION}\0".encode())
    if ONTOLOGY_DIR.is_dir():
        _tree_digest(h, ONTOLOGY_DIR, "*")
    _tree_digest(h, PACKAGE_DIR, "*.py")
    for name in _LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        h.update(f"{name}={version}\0".encode())
    return h.hexdigest()


class DocCache:
    """Results of processed documents on disk, keyed by content and pipeline.

    >>> import tempfile
    >>> from kg.records import Document, DocResult
    >>> cache = DocCache(tempfile.mkdtemp())
    >>> key = cache.key("a.txt", b"text")
    >>> cache.get(key) is None
    True
    >>> cache.put(key, DocResult(Document("a.txt", "", "utf-8")), chars=4)
    >>> result, chars = cache.get(key)
    >>> result.document.source, chars
    ('a.txt', 4)
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None, fingerprint: str | None = None, *,
                 on_corrupt: Callable[[str], None] | None = None) -> None:
        self.fingerprint = fingerprint or pipeline_fingerprint()
        self.root = Path(directory) if directory is not None else default_cache_dir()
        self.directory = self.root / self.fingerprint[:24]
        #: Called with one line naming an entry that failed its check (and why), before it is removed.
        self.on_corrupt = on_corrupt
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise KGError(f"{self.directory}: cannot create the cache directory ({exc.strerror or exc}); "
                          "choose another with --cache-dir or build with --no-cache") from exc

    def key(self, name: str, data: bytes) -> str:
        """The key of a document: its source (path in the corpus) and bytes under this pipeline."""
        h = hashlib.sha256(self.fingerprint.encode("ascii") + b"\0")
        h.update(name.encode("utf-8", "surrogatepass") + b"\0")
        h.update(data)
        return h.hexdigest()

    @staticmethod
    def part_key(key: str, part: int) -> str:
        """The key of part ``part`` (from 0) of the document whose key is ``key``."""
        return hashlib.sha256(f"{key} part {part}".encode("ascii")).hexdigest()

    def path(self, key: str) -> Path:
        """The file of the entry of ``key`` (it may not exist)."""
        return self.directory / key[:2] / f"{key}.pkl"

    def get(self, key: str, *, label: str | None = None) -> tuple[_Value, int] | None:
        """The cached value (a result, or a record of parts) and the length of its text, or ``None``.

        ``None`` for a missing or unreadable entry, and for a corrupt one,
        which is reported to ``on_corrupt`` (with ``label``: what happens
        instead, e.g. ``processing a.txt again``) and removed.
        """
        path = self.path(key)
        try:
            payload = path.read_bytes()
        except OSError:
            return None
        value = self._check(key, payload)
        if isinstance(value, str):
            self._corrupt(path, value, label)
            return None
        return value

    def check(self, key: str, *, label: str | None = None) -> bool:
        """Whether the entry of ``key`` exists and passes its checksum (a corrupt one is reported and removed)."""
        path = self.path(key)
        try:
            payload = path.read_bytes()
        except OSError:
            return False
        problem = self._check(key, payload, unpickle=False)
        if isinstance(problem, str):
            self._corrupt(path, problem, label)
            return False
        return True

    def _corrupt(self, path: Path, reason: str, label: str | None) -> None:
        if self.on_corrupt is not None:
            self.on_corrupt(f"{path}: corrupt cache entry ({reason}); not used"
                            + (f", {label}" if label else ""))
        try:
            path.unlink()
        except OSError:
            pass

    @staticmethod
    def _check(key: str, payload: bytes, unpickle: bool = True) -> tuple[_Value, int] | str | None:
        """The value of an entry's bytes, or why they are not one (the checksum is checked before unpickling)."""
        head = _MAGIC + key.encode("ascii") + b"\n"
        if not payload.startswith(head):
            return "not an entry of this key and format"
        digest_end = len(head) + 65
        digest = payload[len(head):digest_end - 1]
        body = memoryview(payload)[digest_end:]
        if payload[digest_end - 1:digest_end] != b"\n" or not hmac.compare_digest(
                digest, hashlib.sha256(body).hexdigest().encode("ascii")):
            return "checksum mismatch"
        if not unpickle:
            return None
        try:
            chars, result = pickle.loads(body)
        except Exception:  # the checksum matched: a foreign or older file; never an error
            return "unreadable payload"
        if not isinstance(result, (DocResult, CachedParts, CachedPart)) or not isinstance(chars, int):
            return "unexpected payload"
        return result, chars

    def put(self, key: str, result: _Value, chars: int = 0) -> None:
        """Store a result (atomically; a failure to write only costs the next build time)."""
        path = self.path(key)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        body = pickle.dumps((chars, result), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            path.parent.mkdir(exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(_MAGIC + key.encode("ascii") + b"\n" + hashlib.sha256(body).hexdigest().encode("ascii")
                         + b"\n")
                fh.write(body)
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)
