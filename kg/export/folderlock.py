"""Output folder locks, and the sweep of temporary files their writers left.

:mod:`kg.export.atomic` writes every export to a temporary file named
``.<name>.<pid>.<random>.tmp`` (:data:`TEMP_FILE`).  A process killed with
SIGKILL cannot remove its own, so they are swept, decided by locks, never by
the pid in the name (a pid from another PID namespace, or one the system
gave again, says nothing about the writer):

* the writer of a temporary file holds an ``flock`` on it while it writes,
  and the kernel drops it when the writer dies, however it dies;
* :func:`output_lock` locks a whole output folder (``kg build --out``,
  ``kg review --out``: ``flock`` on ``<folder>/.kg-lock``, held for the
  whole run and inherited by forked workers); a second run into a locked
  folder stops at once with one line.  The holder removes every temporary
  file in the folder and its direct sub-folders that no writer holds:
  while it holds the folder, no other run can be about to rename one;
* outside a locked folder (``kg html --out FILE``), a write removes only the
  temporary files of its own destination that no writer holds
  (:func:`remove_stale_temp_files`), and none in a folder another run has
  locked (whose finished files wait, unlocked, for their final rename).
"""
from __future__ import annotations

__all__ = ["output_lock", "remove_stale_temp_files", "TEMP_FILE", "LOCK_FILE"]

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import KGError

try:  # POSIX; elsewhere nothing is locked and nothing is swept
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: Names of temporary files: ``.<destination name>.<pid>.<8 hex>.tmp`` (the pid only tells people who wrote it).
TEMP_FILE = re.compile(r"^\.(?P<name>.+)\.(?P<pid>[0-9]+)\.[0-9a-f]{8}\.tmp$")

#: The lock file of an output folder (see :func:`output_lock`); removed by its holder at the end.
LOCK_FILE = ".kg-lock"

# Output folders this process holds locked: real path -> the lock file's descriptor.
_HELD: dict[str, int] = {}
# (directory, destination name or None) swept already by this process (one scan each, not one per file).
_CLEANED: set[tuple[str, str | None]] = set()


def _held(directory: str | os.PathLike[str]) -> bool:
    """Whether this process holds the output lock of ``directory`` or of the folder above it."""
    real = os.path.realpath(directory)
    return real in _HELD or os.path.dirname(real) in _HELD


def _locked_by_someone(path: str | os.PathLike[str]) -> bool:
    """Whether some open file holds an ``flock`` on ``path`` (False if it does not exist or cannot be checked)."""
    if fcntl is None:
        return True  # cannot tell: never sweep
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)  # released when fd closes
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _folder_locked_by_someone(directory: str | os.PathLike[str]) -> bool:
    """Whether another run holds the output lock of ``directory`` or of the folder above it."""
    return any(_locked_by_someone(os.path.join(d, LOCK_FILE))
               for d in (directory, os.path.dirname(os.path.abspath(directory))))


def _sweep(directory: str | os.PathLike[str], name: str | None = None) -> None:
    """Remove the temporary files in ``directory`` (of destination ``name`` only, if given) no writer holds."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        m = TEMP_FILE.match(entry.name)
        if m and (name is None or m["name"] == name) and not _locked_by_someone(entry.path):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def remove_stale_temp_files(directory: Path, name: str | None = None) -> None:
    """Remove the temporary files in ``directory`` (of the destination ``name`` only, if given) whose writer is gone.

    Decided by locks (see the module docstring): inside a folder this process
    holds with :func:`output_lock`, nothing (the lock swept it when it was
    taken); in a folder another run has locked, nothing; elsewhere, the
    temporary files no writer holds.  Once per directory (and name) and process.
    """
    key = os.path.abspath(directory)
    if (key, name) in _CLEANED or (key, None) in _CLEANED:
        return
    _CLEANED.add((key, name))
    if fcntl is None or _held(directory) or _folder_locked_by_someone(directory):
        return
    _sweep(directory, name)


def _lock_owner(fd: int) -> str:
    with contextlib.suppress(OSError):
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
        if text:
            return text
    return "kg run"


@contextlib.contextmanager
def output_lock(directory: str | os.PathLike[str], owner: str = "kg build") -> Iterator[None]:
    """Hold ``directory`` (an output folder) for this run: ``flock`` on ``<directory>/.kg-lock``.

    Taken at once or not at all: when another run holds it, a
    :class:`~kg.errors.KGError` ``DIR: another kg build (pid N) is writing
    there; …``.  Once taken, every temporary file in the folder and its
    direct sub-folders that no writer holds is removed (see the module
    docstring).  The lock is held until the block ends, and by every
    process forked meanwhile while it lives; the kernel drops it when they
    are gone, however they end, so a lock is never stale.  At the end the
    lock file is removed (a run that opened it just before checks, once it
    holds the lock, that the file it locked is still the one at the path).
    Re-entrant within a process.
    """
    d = Path(directory)
    real = os.path.realpath(d)
    if fcntl is None or real in _HELD:
        yield
        return
    path = d / LOCK_FILE
    for _ in range(100):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as exc:
            raise KGError(f"{d}: cannot lock the output folder ({exc.strerror or exc})") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = _lock_owner(fd)
            os.close(fd)
            raise KGError(f"{d}: another {other} is writing there; wait for it to end or choose another "
                          "--out") from None
        except OSError as exc:
            os.close(fd)
            raise KGError(f"{d}: cannot lock the output folder ({exc.strerror or exc})") from exc
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except OSError:
            same = False
        if same:
            break
        os.close(fd)  # the previous holder removed the file after we opened it: lock the new one
    else:  # pragma: no cover - a hundred holders in a row ended between our open and flock
        raise KGError(f"{d}: cannot lock the output folder (its lock file keeps changing)")
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{owner} (pid {os.getpid()})\n".encode("utf-8"), 0)
    _HELD[real] = fd
    try:
        _sweep(d)
        with contextlib.suppress(OSError):
            for entry in os.scandir(d):
                if entry.is_dir(follow_symlinks=False) and not _locked_by_someone(os.path.join(entry.path,
                                                                                              LOCK_FILE)):
                    _sweep(entry.path)
        yield
    finally:
        del _HELD[real]
        with contextlib.suppress(OSError):
            os.unlink(path)  # still held: nobody can lock this file between the unlink and the close
        os.close(fd)
