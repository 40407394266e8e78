"""Reading the files a command is given: regular files only, never blocking, never unbounded.

Every file ``kg`` reads because a user named it (corpus files, gold files,
graphs) goes through :func:`read_regular_file` or :func:`check_regular_file`:

* the kind of file is checked with ``stat`` before it is opened and again on
  the open descriptor (the path may be replaced in between), so a FIFO never
  blocks (nobody may ever write to it) and a device such as ``/dev/zero``
  never floods memory;
* it is opened with ``O_NONBLOCK``, so a path that became a FIFO since the
  ``stat`` returns at once instead of waiting for a writer;
* at most ``max_bytes`` are read;
* a file that changes while it is read (its size, modification or change
  time differ before and after) is read again, once; if it changes again
  the read fails, naming the file.

Messages start with the path and say what is wrong:
``x: not a regular file (a FIFO)``, ``x: cannot read (Permission denied)``,
``x: too large (over 256 MB; split the file)``.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from kg.errors import InputError, KGError

__all__ = ["read_regular_file", "check_regular_file", "file_kind"]

_FILE_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def file_kind(mode: int) -> str:
    """``"a FIFO"``, ``"a directory"``… for the ``st_mode`` of anything that is not a regular file."""
    return next((what for test, what in _FILE_KINDS if test(mode)), "not a regular file")


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    return exc.strerror or str(exc)


def check_regular_file(path: str | os.PathLike[str], error: type[KGError] = InputError) -> os.stat_result:
    """``stat`` of ``path`` if it is a regular file (links followed); else ``error`` naming it.

    Nothing is opened, so a FIFO or a device cannot block or flood the caller.
    """
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        kind = "broken symbolic link" if p.is_symlink() else "no such file"
        raise error(f"{p}: cannot read ({kind})") from None
    except OSError as exc:
        raise error(f"{p}: cannot read ({_reason(exc)})") from None
    if not stat.S_ISREG(st.st_mode):
        raise error(f"{p}: not a regular file ({file_kind(st.st_mode)})")
    return st


def _signature(st: os.stat_result) -> tuple[int, int, int, int]:
    return st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def read_regular_file(path: str | os.PathLike[str], max_bytes: int, *,
                      error: type[KGError] = InputError) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them; else ``error`` naming it.

    See the module docstring: kind checked before and after opening,
    non-blocking open, size cap, one re-read when the file changes while
    it is read (``x: changed while being read`` if it changes again).
    """
    p = Path(path)
    for attempt in range(2):
        check_regular_file(p, error)
        try:
            fd = os.open(p, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
                         | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            raise error(f"{p}: cannot read ({_reason(exc)})") from None
        try:
            before = os.fstat(fd)
            if not stat.S_ISREG(before.st_mode):
                raise error(f"{p}: not a regular file ({file_kind(before.st_mode)})")
            if before.st_size > max_bytes:
                raise error(f"{p}: too large (over {_size(max_bytes)}; split the file)")
            data = _read_up_to(fd, before.st_size, max_bytes)
            after = os.fstat(fd)
        except OSError as exc:
            raise error(f"{p}: cannot read ({_reason(exc)})") from None
        finally:
            os.close(fd)
        if len(data) > max_bytes:
            raise error(f"{p}: too large (over {_size(max_bytes)}; split the file)")
        if _signature(before) == _signature(after) and len(data) == after.st_size:
            return data
    raise error(f"{p}: cannot read (changed while being read, twice; try again when it is complete)")


def _read_up_to(fd: int, expected: int, max_bytes: int) -> bytes:
    """Read to the end of the file, or one byte past ``max_bytes``.

    The first read asks for the size ``fstat`` gave plus one byte (one
    allocation of the file's size, not of the cap; the byte more shows a file
    that grew); a file read whole at once is returned without a copy.
    """
    limit = max_bytes + 1
    chunks: list[bytes] = []
    n = 0
    want = min(expected + 1, limit)
    while n < limit:
        chunk = os.read(fd, max(min(want - n, limit - n), min(1 << 16, limit - n)))
        if not chunk:
            break
        chunks.append(chunk)
        n += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _size(n: int) -> str:
    return f"{n // 2**20} MB" if n >= 2**20 else f"{n} bytes"
