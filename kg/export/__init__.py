"""Exports of the knowledge graph (all from the networkx graph, never from text).

Only this package imports rdflib and pyvis.  Every exporter writes its file
through :func:`atomic_write`, so a reader never sees a half-written export and
an interrupted run leaves the previous file in place.
"""
from __future__ import annotations

__all__ = ["atomic_write"]

import os
import secrets
from pathlib import Path

from kg.errors import ExportError


def atomic_write(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` to ``path`` atomically: temp file in the same directory, then ``os.replace``.

    Text is encoded as UTF-8 and written as is (no newline translation).  The
    parent directory is created if needed; the file gets the usual
    ``0o666 & ~umask`` permissions.

    Parameters
    ----------
    path
        Destination file.
    data
        File contents.

    Returns
    -------
    pathlib.Path
        The destination path.

    Raises
    ------
    ExportError
        The directory cannot be created or the file cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> atomic_write(os.path.join(d, "x.txt"), "山西\\n").read_text(encoding="utf-8")
    '山西\\n'
    """
    dest = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, dest)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ExportError(f"cannot write {dest}: {exc.strerror or exc}; check that the "
                          "directory exists and is writable") from exc
    return dest
