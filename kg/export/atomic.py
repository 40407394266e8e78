"""Atomic writes: a reader never sees a half-written export, an interrupted run leaves the previous file.

Every exporter streams its file through :func:`atomic_writer` (or hands a
whole string to :func:`atomic_write`).  Inside :func:`staged_writes`
(``kg build`` writes all its exports in one such block,
:func:`kg.export.bundle.write_all`) the renames wait until every export has
been written, so a build killed while exporting leaves *all* previous
exports as they were, not a mix of old and new files.

Temporary files are named ``.<name>.<pid>.<random>.tmp`` next to the
destination (hidden, never under a final name); the writer holds an
``flock`` on its file while it writes it.  Those a killed writer left are
swept by :mod:`kg.export.folderlock`, decided by locks, never by the pid in
the name.

For tests only: with the environment variable ``KG_TEST_WRITE_PAUSE`` set to a
number of seconds, :func:`atomic_writer` sleeps that long once per file, in the
middle of the first block of bytes it hands to the operating system (half of
the file when the file is smaller than the write buffer, else half of the
first buffer), so a test can kill a build mid-export.
"""
from __future__ import annotations

__all__ = ["atomic_writer", "atomic_write", "staged_writes", "temp_path", "gc_paused", "export_error",
           "WRITE_PAUSE_ENV", "STAGED", "PLANNED"]

import contextlib
import contextvars
import ctypes
import errno
import functools
import gc
import io
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from kg.errors import ExportError
from kg.export.folderlock import remove_stale_temp_files

try:  # POSIX; elsewhere nothing is locked and nothing is swept
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: Environment variable of the test-only pause inside :func:`atomic_write`.
WRITE_PAUSE_ENV = "KG_TEST_WRITE_PAUSE"

#: (temp file, destination) pairs of the innermost staged_writes() block.
STAGED: contextvars.ContextVar[list[tuple[Path, Path]] | None] = contextvars.ContextVar(
    "kg_staged_writes", default=None)
#: Temporary file names chosen in advance (destination -> temp file), set in the
#: worker processes of write_all: the parent then knows every name a worker
#: may create, and removes them all if the workers are killed.
PLANNED: contextvars.ContextVar[dict[Path, Path] | None] = contextvars.ContextVar(
    "kg_planned_temp_files", default=None)

#: Size of the write buffer of :func:`atomic_writer` (bytes).  Exporters hand
#: it batches of a few thousand lines; 1 MiB keeps system calls few.
BUFFER_SIZE = 1 << 20


def export_error(dest: Path, exc: OSError) -> ExportError:
    """One line for a file that cannot be written: the file, the system's reason, and advice that fits it."""
    reason = exc.strerror or str(exc)
    advice = {
        errno.ENOSPC: "the file system is full: free some space or choose another --out",
        errno.EDQUOT: "the disk quota is used up: free some space or choose another --out",
        errno.EACCES: "the folder is not writable: check its permissions or choose another --out",
        errno.EPERM: "the folder is not writable: check its permissions or choose another --out",
        errno.EROFS: "the file system is read-only: choose another --out",
        errno.ENOENT: "check that the folder exists",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.EISDIR: "a folder has the name of the file",
    }.get(exc.errno)
    return ExportError(f"cannot write {dest}: {reason}" + (f"; {advice}" if advice else ""))


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _pause_seconds() -> float:
    value = os.environ.get(WRITE_PAUSE_ENV)
    if not value:
        return 0.0
    try:
        return max(0.0, float(value))
    except ValueError:
        return 0.0


def temp_path(dest: Path, pid: int | None = None) -> Path:
    """The name of a new temporary file for ``dest``: ``.<name>.<pid>.<8 hex>.tmp`` beside it."""
    return dest.with_name(f".{dest.name}.{os.getpid() if pid is None else pid}."
                          f"{secrets.token_hex(4)}.tmp")


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (for writers, not generators).

    An export allocates a few objects per triple, none in reference cycles;
    each full collection meanwhile walks every object of the graph (a tenth
    of the time of a Turtle export of a million triples), and in forked
    workers touches, and so copies, the pages the graph shares with the parent.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


#: Bytes written to a file after which the kernel is asked to start writing them to disk.
WRITEBACK_BYTES = 8 << 20
_SYNC_FILE_RANGE_WRITE = 2  # <linux/fs.h>


@functools.cache
def _sync_file_range() -> Callable[[int, int, int, int], int] | None:
    """Linux's ``sync_file_range(2)`` (not in :mod:`os`), or ``None`` elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    fn.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    fn.restype = ctypes.c_int
    return fn


class _FileIO(io.FileIO):
    """A file that starts the write-back of every :data:`WRITEBACK_BYTES` written (Linux).

    :func:`atomic_writer` fsyncs each file before renaming it; without this the
    kernel writes a large export to disk only then, and the fsync waits for
    all of it (a twentieth of the time of a 150 MB N-Triples export).  The
    call does not wait and changes nothing else; where it does not exist, or
    fails, writing goes on as usual.
    """

    def __init__(self, fd: int) -> None:
        super().__init__(fd, "wb")
        self._synced = self._written = 0

    def write(self, b: Any) -> int:
        n = super().write(b)
        if n:
            self._written += n
            if self._written - self._synced >= WRITEBACK_BYTES:
                start = _sync_file_range()
                if start is not None:
                    start(self.fileno(), self._synced, self._written - self._synced, _SYNC_FILE_RANGE_WRITE)
                self._synced = self._written
        return n


class _PausingFileIO(_FileIO):
    """A file that sleeps once, in the middle of the first block written (test-only pause)."""

    def __init__(self, fd: int, pause: float) -> None:
        super().__init__(fd)
        self.pause = pause

    def write(self, b: Any) -> int:
        if not self.pause or len(b) < 2:
            return super().write(b)
        half = len(b) // 2
        written = super().write(memoryview(b)[:half])
        self.sleep()
        return written  # a short write: the buffered writer writes the rest

    def sleep(self) -> None:
        if self.pause:
            pause, self.pause = self.pause, 0.0
            time.sleep(pause)


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str], mode: str = "text") -> Iterator[IO[Any]]:
    """Stream a file to ``path`` atomically: write a temp file, then ``os.replace`` it.

    The block gets a buffered file: in ``"text"`` mode it takes ``str`` and
    writes UTF-8 as is (no newline translation), in ``"binary"`` mode it takes
    bytes.  When the block ends without an exception the file is flushed,
    ``fsync``-ed and renamed into place (inside :func:`staged_writes`, when
    that block ends); on an exception the temporary file is removed and the
    destination is left as it was.  The parent directory is created if
    needed; the file gets the usual ``0o666 & ~umask`` permissions.

    Parameters
    ----------
    path
        Destination file.
    mode
        ``"text"`` (UTF-8) or ``"binary"``.

    Raises
    ------
    ExportError
        The directory cannot be created or the file cannot be written (an
        ``OSError`` inside the block is turned into one, naming the file).

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> with atomic_writer(os.path.join(d, "x.nt")) as fh:
    ...     for line in ("山西", "长治"):
    ...         _ = fh.write(line + "\\n")
    >>> Path(d, "x.nt").read_text(encoding="utf-8")
    '山西\\n长治\\n'
    """
    if mode not in ("text", "binary"):
        raise ValueError(f"mode must be 'text' or 'binary', not {mode!r}")
    dest = Path(path)
    planned = PLANNED.get()
    tmp = planned.get(dest) if planned else None
    if tmp is None:
        tmp = temp_path(dest)
    staged = STAGED.get()
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temp_files(dest.parent, dest.name)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
                     | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as exc:
        raise export_error(dest, exc) from exc
    if fcntl is not None:
        # held while this file is written: nobody takes it for a dead writer's (see the module docstring)
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        pause = _pause_seconds()
        raw = _PausingFileIO(fd, pause) if pause else _FileIO(fd)
        buffered = io.BufferedWriter(raw, buffer_size=BUFFER_SIZE)
        fh: IO[Any] = (io.TextIOWrapper(buffered, encoding="utf-8", newline="")
                       if mode == "text" else buffered)
        try:
            yield fh
            fh.flush()
            if pause:
                raw.sleep()  # nothing was written: pause before the (empty) file is finished
            os.fsync(fd)
        except BaseException:
            with contextlib.suppress(OSError, ValueError):
                fh.close()
            raise
        fh.close()
        if staged is None:
            os.replace(tmp, dest)
            _fsync_dir(dest.parent)
        else:
            staged.append((tmp, dest))
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise export_error(dest, exc) from exc
        raise


def atomic_write(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` to ``path`` atomically: temp file in the same directory, then ``os.replace``.

    Text is encoded as UTF-8 and written as is (no newline translation).  The
    parent directory is created if needed; the file gets the usual
    ``0o666 & ~umask`` permissions.  Inside :func:`staged_writes` the rename
    happens when the block ends.  Exporters that produce a lot of text
    stream it through :func:`atomic_writer` instead.

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
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    with atomic_writer(path, "binary") as fh:
        fh.write(payload)
    return Path(path)


@contextlib.contextmanager
def staged_writes() -> Iterator[None]:
    """Hold back the renames of :func:`atomic_write` until the block ends.

    Every file is written to its temporary name first; when the block ends
    without an exception all of them are renamed into place (the last write
    of a destination wins), so readers and an interrupted run see either all
    the old files or all the new ones, except during the few renames at the
    very end.  On an exception the temporary files are removed and no
    destination changes.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> with staged_writes():
    ...     _ = atomic_write(d / "a.txt", "new")
    ...     (d / "a.txt").exists()
    False
    >>> (d / "a.txt").read_text()
    'new'
    """
    pending: list[tuple[Path, Path]] = []
    token = STAGED.set(pending)
    try:
        yield
    except BaseException:
        for tmp, _ in pending:
            tmp.unlink(missing_ok=True)
        raise
    finally:
        STAGED.reset(token)
    last: dict[Path, Path] = {}
    for tmp, dest in pending:
        if dest in last:
            last[dest].unlink(missing_ok=True)
        last[dest] = tmp
    done: set[Path] = set()
    try:
        for dest, tmp in last.items():
            os.replace(tmp, dest)
            done.add(dest)
        for directory in sorted({dest.parent for dest in last}):
            _fsync_dir(directory)
    except OSError as exc:
        for dest, tmp in last.items():
            if dest not in done:
                tmp.unlink(missing_ok=True)
        raise export_error(dest, exc) from exc
