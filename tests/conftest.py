"""Shared fixtures: the sample graphs, the bundled corpus built once, the nlp pipeline,
Debian tools; fixtures of the attack tests.

Plain functions and data the tests share are in ``support.py`` (no test module
imports another).  Session-scoped graphs are shared by every test that asks
for them: a test that changes its graph makes a new one
(``support.make_sample_graph()`` …), and teardown fails if a shared one was
changed.
"""
from __future__ import annotations

import copy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import settings

from support import (ROOT, build_corpus_graph, ensure_debian, make_hostile_graph, make_sample_graph, snapshot,
                     write_every_export)

# CI runs the property tests with a fixed seed so that a run is reproducible;
# locally they explore new examples each time (and keep failures in .hypothesis/).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def _unchanged(graph):
    """Yield ``graph``; at teardown, fail if a test changed it (it is shared)."""
    before = copy.deepcopy(snapshot(graph))
    yield graph
    assert snapshot(graph) == before, "a test changed a shared graph: make a new one for it"


@pytest.fixture(scope="session")
def sample_graph():
    """The graph of the two sample documents of ``support`` (shared: do not change it)."""
    yield from _unchanged(make_sample_graph())


@pytest.fixture(scope="session")
def hostile_graph():
    """The sample graph plus markup in every text field (shared: do not change it)."""
    yield from _unchanged(make_hostile_graph())


@pytest.fixture(scope="session")
def corpus_graph():
    """The knowledge graph of the bundled corpus, built once per session (do not change it)."""
    return build_corpus_graph()


@pytest.fixture(scope="session")
def corpus_exports(corpus_graph, tmp_path_factory) -> Path:
    """A folder with every export of the bundled corpus, written once per session."""
    return write_every_export(corpus_graph, tmp_path_factory.mktemp("corpus-exports"))


@pytest.fixture(scope="session")
def nlp():
    """The project's spaCy pipeline (``make_nlp()``), made once."""
    from kg.nlp.pipeline import make_nlp

    return make_nlp()


@pytest.fixture(scope="session")
def rapper() -> str:
    return ensure_debian("raptor2-utils", "rapper")


@pytest.fixture(scope="session")
def soffice() -> str:
    """LibreOffice (headless Calc, for the spreadsheet tests of the CSV exports)."""
    return ensure_debian("libreoffice-calc-nogui", "soffice")


# --------------------------------------------------------------------------
# Fixtures of the issue-16 attack tests (tests/test_attack_*.py).  They drive
# kg only through its stable surfaces: ``python -m kg.cli`` in a subprocess,
# files, folders, environment variables, signals and loopback sockets, so the
# tests survive modules moving inside the package.

@dataclass(repr=False)
class CLIResult:
    """What one ``kg`` run printed (decoded as UTF-8; bad bytes as ``\\xNN``)."""

    args: tuple[str, ...]
    returncode: int
    out: str
    err: str
    raw_out: bytes
    raw_err: bytes

    @property
    def err_lines(self) -> list[str]:
        """The lines of stderr (split at "\\n" only: a lone CR or ESC stays visible in its line)."""
        text = self.err[:-1] if self.err.endswith("\n") else self.err
        return text.split("\n") if text else []

    def __repr__(self) -> str:  # shown by pytest when an assertion about the run fails
        return (f"kg {' '.join(self.args)} -> exit {self.returncode}\n--- stdout (end) ---\n{self.out[-1500:]}"
                f"\n--- stderr (end) ---\n{self.err[-3000:]}")


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="backslashreplace")


def _kill_group(pid: int) -> None:
    """SIGKILL the process group led by ``pid`` (every kg run of these fixtures leads its own)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@pytest.fixture(scope="session")
def kg_cache_home(tmp_path_factory) -> Path:
    """``KG_CACHE_DIR`` of the attack tests: never the user's cache; the jieba snapshot is made once."""
    return tmp_path_factory.mktemp("kg-cache-home")


@pytest.fixture
def kg_env(kg_cache_home) -> dict[str, str]:
    """Environment of a ``kg`` subprocess: this checkout first on the path, a private cache."""
    env = dict(os.environ, KG_CACHE_DIR=str(kg_cache_home), PYTHONHASHSEED="0", PYTHONUTF8="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    for name in ("KG_TEST_WRITE_PAUSE", "PYTHONWARNINGS"):
        env.pop(name, None)
    return env


@pytest.fixture
def kg(kg_env):
    """Run ``python -m kg.cli ARGS`` to the end; returns a :class:`CLIResult`.

    The run leads its own process group, which is killed when the run ends
    (or times out: the test then fails, naming the command), so no child
    outlives it.  ``preexec`` runs in the child before exec (resource limits).
    """

    def run(*args, env: dict[str, str] | None = None, cwd: str | os.PathLike[str] = ROOT,
            timeout: float = 120, stdin=subprocess.DEVNULL, preexec=None) -> CLIResult:
        argv = tuple(str(a) for a in args)
        proc = subprocess.Popen([sys.executable, "-m", "kg.cli", *argv], cwd=cwd, env=env or kg_env,
                                stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True, preexec_fn=preexec)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)
            out, err = proc.communicate()
            pytest.fail(f"kg {' '.join(argv)} did not finish within {timeout} s\n{_decode(err)[-2000:]}")
        finally:
            _kill_group(proc.pid)
        return CLIResult(argv, proc.returncode, _decode(out), _decode(err), out, err)

    return run


@pytest.fixture
def spawn(kg_env, tmp_path):
    """Start ``python -m kg.cli ARGS`` in the background (its own session and process group).

    Output goes to files (``proc.out_path``, ``proc.err_path``), never to pipes a
    leftover child could hold open.  ``prefix`` wraps the command (``unshare …``).
    At teardown every process group started here is killed with SIGKILL, even
    when the test failed.
    """
    started: list[subprocess.Popen] = []

    def start(*args, env: dict[str, str] | None = None, cwd: str | os.PathLike[str] = ROOT,
              prefix: tuple[str, ...] = ()) -> subprocess.Popen:
        n = len(started)
        out_path, err_path = tmp_path / f"spawn{n}.out", tmp_path / f"spawn{n}.err"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.Popen([*prefix, sys.executable, "-m", "kg.cli", *map(str, args)], cwd=cwd,
                                    env=env or kg_env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                    start_new_session=True)
        proc.out_path, proc.err_path = out_path, err_path
        proc.output = lambda: (_decode(out_path.read_bytes()), _decode(err_path.read_bytes()))
        started.append(proc)
        return proc

    yield start
    for proc in started:
        _kill_group(proc.pid)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (index 0 = state), or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            text = fh.read().decode("ascii", "replace")
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def _descendants(pid: int) -> set[int]:
    """Live (not zombie) descendants of ``pid``, from the parent links in /proc."""
    parents: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            fields = _proc_stat(int(name))
            if fields and fields[0] != "Z":
                parents.setdefault(int(fields[1]), []).append(int(name))
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    fields = _proc_stat(pid)
    return fields is not None and fields[0] != "Z"


def _cpu_seconds(pid: int) -> float:
    fields = _proc_stat(pid)
    if not fields:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _wait_until(predicate, timeout: float, what: str, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def _tree_peak_pss_kb(proc: subprocess.Popen, budget_kb: int | None = None, interval: float = 0.2,
                      timeout: float = 3600) -> tuple[int, bool]:
    """Peak of the summed proportional set sizes of ``proc`` and its descendants until it exits.

    Sampled every ``interval`` s.  When the sum exceeds ``budget_kb`` the whole
    process group is killed at once (no point using more memory to fail);
    returns ``(peak, killed_over_budget)``.
    """
    peak = 0
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        total = sum(_pss_kb(p) for p in {proc.pid, *_descendants(proc.pid)})
        peak = max(peak, total)
        if budget_kb is not None and total > budget_kb:
            _kill_group(proc.pid)
            proc.wait()
            return peak, True
        if time.monotonic() > deadline:
            _kill_group(proc.pid)
            pytest.fail(f"process {proc.args} still running after {timeout} s")
        time.sleep(interval)
    return peak, False


@pytest.fixture
def proctree():
    """Helpers over /proc: ``descendants(pid)``, ``alive(pid)``, ``cpu_seconds(pid)``,
    ``wait_until(predicate, timeout, what)``, ``tree_peak_pss_kb(proc, budget_kb)``."""
    if not os.path.isdir("/proc/self"):
        pytest.skip("needs Linux /proc")
    return SimpleNamespace(descendants=_descendants, alive=_alive, cpu_seconds=_cpu_seconds,
                           wait_until=_wait_until, tree_peak_pss_kb=_tree_peak_pss_kb, kill_group=_kill_group)


@pytest.fixture
def invented():
    """Invented news sentences (names made up for these tests; none from any gold or dev text).

    Each has one person whose name shows whether its facts reached an export.
    """
    return SimpleNamespace(
        a="榆次区文化和旅游局局长王明远表示，榆次区将建设东湖文化公园。\n",
        a_person="王明远",
        b="清徐县水利局副局长张书涵介绍，清徐县碧水河道治理工程已开工。\n",
        b_person="张书涵",
        c="介休市自然资源局局长孟宪章说，介休市青松林场改造项目明年完工。\n",
        c_person="孟宪章",
    )


@pytest.fixture
def write_corpus():
    """``write_corpus(folder, {name: text or bytes})``: create the files, return the folder."""

    def write(folder: Path, files: dict[str, str | bytes]) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return folder

    return write


class _Listener:
    """A loopback TCP server in a thread that records every connection.

    With ``response`` it reads the request head and answers with those bytes;
    with ``hold=True`` it keeps the connection open without answering (an
    endpoint that never replies); otherwise it closes the connection at once.
    """

    def __init__(self, response: bytes | None = None, hold: bool = False) -> None:
        self.response, self.hold = response, hold
        self.connections: list[bytes] = []
        self._held: list[socket.socket] = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.1)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (socket.timeout, OSError):
                continue
            head = b""
            conn.settimeout(2)
            try:
                while b"\r\n\r\n" not in head and len(head) < 65536:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    head += chunk
            except OSError:
                pass
            self.connections.append(head)
            if self.hold:
                self._held.append(conn)
                continue
            try:
                if self.response is not None:
                    conn.sendall(self.response)
            except OSError:
                pass
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for conn in self._held:
            conn.close()
        self._sock.close()


@pytest.fixture
def loopback():
    """``loopback(response=None, hold=False)``: a recording server on 127.0.0.1 (see :class:`_Listener`)."""
    listeners: list[_Listener] = []

    def start(response: bytes | None = None, hold: bool = False) -> _Listener:
        listener = _Listener(response, hold)
        listeners.append(listener)
        return listener

    yield start
    for listener in listeners:
        listener.close()


@pytest.fixture
def http_response():
    """``http_response(body, content_type)``: the bytes of a complete HTTP/1.0 200 response."""

    def make(body: bytes | str, content_type: str = "application/ld+json") -> bytes:
        data = body.encode("utf-8") if isinstance(body, str) else body
        return (f"HTTP/1.0 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(data)}\r\n"
                "Connection: close\r\n\r\n").encode("ascii") + data

    return make


IN_CLOSE_NOWRITE = 0x10  # <sys/inotify.h>: a file opened read-only was closed
IN_OPEN = 0x20  # a file was opened


class _FileWatch:
    """inotify events of one file (Linux).

    With ``on_first`` a thread waits for the first event and runs it at once
    (``fired`` is set after); without, :meth:`count` reads what is queued.
    """

    def __init__(self, path: Path, mask: int, on_first=None) -> None:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        flags = os.O_CLOEXEC | (0 if on_first else os.O_NONBLOCK)
        self._fd = libc.inotify_init1(flags)
        if self._fd < 0 or libc.inotify_add_watch(self._fd, os.fsencode(path), mask) < 0:
            pytest.skip("inotify is not available")
        self._events = 0
        self.fired = threading.Event()
        self._thread = None
        if on_first is not None:
            self._thread = threading.Thread(target=self._wait_first, args=(on_first,), daemon=True)
            self._thread.start()

    def _wait_first(self, action) -> None:
        try:
            os.read(self._fd, 4096)  # blocks until the first event
        except OSError:
            return
        self._events += 1
        action()
        self.fired.set()

    def count(self) -> int:
        """Events so far (for a watch without ``on_first``)."""
        while True:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                return self._events
            offset = 0
            while offset + 16 <= len(data):  # struct inotify_event: wd, mask, cookie, len, name[len]
                name_len = int.from_bytes(data[offset + 12:offset + 16], sys.byteorder)
                self._events += 1
                offset += 16 + name_len

    def close(self) -> None:
        try:
            os.close(self._fd)  # wakes a thread still waiting
        except OSError:
            pass
        if self._thread is not None:
            self._thread.join(5)


@pytest.fixture
def watch_file():
    """``watch_file(path, mask, on_first=None)``: a :class:`_FileWatch`; ``mask`` is
    ``IN_OPEN`` or ``IN_CLOSE_NOWRITE`` (also available as ``watch_file.IN_OPEN`` …)."""
    watches: list[_FileWatch] = []

    def start(path: Path, mask: int, on_first=None) -> _FileWatch:
        watch = _FileWatch(path, mask, on_first)
        watches.append(watch)
        return watch

    start.IN_OPEN, start.IN_CLOSE_NOWRITE = IN_OPEN, IN_CLOSE_NOWRITE
    yield start
    for watch in watches:
        watch.close()
