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
document under a directory per fingerprint, written atomically.  A cache
entry is trusted like the code that wrote it (pickle), so point
``--cache-dir`` only at directories you own.  Unreadable or corrupt entries
count as misses and are rewritten.
"""
from __future__ import annotations

__all__ = ["DocCache", "default_cache_dir", "pipeline_fingerprint"]

import functools
import hashlib
import os
import pickle
import secrets
from importlib import metadata
from pathlib import Path

from kg.errors import KGError
from kg.paths import ONTOLOGY_DIR, PACKAGE_DIR, default_cache_dir
from kg.records import DocResult
from kg.run import PIPELINE_VERSION

_LIBRARIES = ("jieba", "rjieba", "spacy", "jionlp", "pyahocorasick")
_MAGIC = b"shanxi-kg doc cache 1\n"


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

    def __init__(self, directory: str | os.PathLike[str] | None = None, fingerprint: str | None = None) -> None:
        self.fingerprint = fingerprint or pipeline_fingerprint()
        self.root = Path(directory) if directory is not None else default_cache_dir()
        self.directory = self.root / self.fingerprint[:24]
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise KGError(f"{self.directory}: cannot create the cache directory ({exc.strerror or exc}); "
                          "choose another with --cache-dir or build with --no-cache") from exc

    def key(self, name: str, data: bytes) -> str:
        """The key of a document: its file name and bytes under this pipeline."""
        h = hashlib.sha256(self.fingerprint.encode("ascii") + b"\0")
        h.update(name.encode("utf-8", "surrogatepass") + b"\0")
        h.update(data)
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.pkl"

    def get(self, key: str) -> tuple[DocResult, int] | None:
        """The cached result and the length of its text, or ``None`` (missing, unreadable or corrupt)."""
        try:
            payload = self._path(key).read_bytes()
        except OSError:
            return None
        head = _MAGIC + key.encode("ascii") + b"\n"
        if not payload.startswith(head):
            return None
        try:
            chars, result = pickle.loads(payload[len(head):])
        except Exception:  # a truncated or foreign file is a miss, never an error
            return None
        if not isinstance(result, DocResult) or not isinstance(chars, int):
            return None
        return result, chars

    def put(self, key: str, result: DocResult, chars: int = 0) -> None:
        """Store a result (atomically; a failure to write only costs the next build time)."""
        path = self._path(key)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            path.parent.mkdir(exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(_MAGIC + key.encode("ascii") + b"\n")
                pickle.dump((chars, result), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)
