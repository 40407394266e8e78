"""Exports of the knowledge graph (all from the networkx graph, never from text).

Only this package imports rdflib and pyvis.  Every exporter writes its file
through :func:`atomic_write`, so a reader never sees a half-written export and
an interrupted run leaves the previous file in place.

Inside :func:`staged_writes` (``kg build`` writes all its exports in one such
block) the renames wait until every export has been written, so a build
killed while exporting leaves *all* previous exports as they were, not a mix
of old and new files.

Temporary files are named ``.<name>.<pid>.<random>.tmp`` next to the
destination (hidden, never under a final name).  A process killed with
SIGKILL cannot remove its own; the first :func:`atomic_write` of a process
into a directory removes those of processes that no longer run.

For tests only: with the environment variable ``KG_TEST_WRITE_PAUSE`` set to a
number of seconds, :func:`atomic_write` sleeps that long after writing the
first half of each temporary file, so a test can kill a build mid-export.
"""
from __future__ import annotations

__all__ = ["atomic_write", "staged_writes", "TEMP_FILE", "WRITE_PAUSE_ENV"]

import contextlib
import contextvars
import os
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

from kg.errors import ExportError

#: Names of temporary files: ``.<destination name>.<pid>.<8 hex>.tmp``.
TEMP_FILE = re.compile(r"^\.(?P<name>.+)\.(?P<pid>[0-9]+)\.[0-9a-f]{8}\.tmp$")

#: Environment variable of the test-only pause inside :func:`atomic_write`.
WRITE_PAUSE_ENV = "KG_TEST_WRITE_PAUSE"

# (temp file, destination) pairs of the innermost staged_writes() block.
_STAGED: contextvars.ContextVar[list[tuple[Path, Path]] | None] = contextvars.ContextVar(
    "kg_staged_writes", default=None)


def _export_error(dest: Path, exc: OSError) -> ExportError:
    return ExportError(f"cannot write {dest}: {exc.strerror or exc}; check that the "
                       "directory exists and is writable")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists (another user's process) or cannot tell: keep the file
    return True


# Directories this process has already cleaned (one scan each, not one per file).
_CLEANED: set[str] = set()


def _remove_stale_temp_files(directory: Path) -> None:
    """Remove temporary files in ``directory`` left by processes that no longer run."""
    key = os.path.abspath(directory)
    if key in _CLEANED:
        return
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    _CLEANED.add(key)
    for entry in entries:
        m = TEMP_FILE.match(entry.name)
        if m and not _pid_alive(int(m["pid"])):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


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


def atomic_write(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` to ``path`` atomically: temp file in the same directory, then ``os.replace``.

    Text is encoded as UTF-8 and written as is (no newline translation).  The
    parent directory is created if needed; the file gets the usual
    ``0o666 & ~umask`` permissions.  Inside :func:`staged_writes` the rename
    happens when the block ends.

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
    staged = _STAGED.get()
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temp_files(dest.parent)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        try:
            with os.fdopen(fd, "wb") as fh:
                pause = _pause_seconds()
                if pause:
                    half = len(payload) // 2
                    fh.write(payload[:half])
                    fh.flush()
                    time.sleep(pause)
                    fh.write(payload[half:])
                else:
                    fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            if staged is None:
                os.replace(tmp, dest)
                _fsync_dir(dest.parent)
            else:
                staged.append((tmp, dest))
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise _export_error(dest, exc) from exc
    return dest


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
    token = _STAGED.set(pending)
    try:
        yield
    except BaseException:
        for tmp, _ in pending:
            tmp.unlink(missing_ok=True)
        raise
    finally:
        _STAGED.reset(token)
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
        raise _export_error(dest, exc) from exc
