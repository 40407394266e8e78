"""kg.safeio: the files a user names are read only when they are regular files, within a cap, consistently."""
from __future__ import annotations

import os
import time

import pytest

from kg.errors import GoldError, InputError
from kg.safeio import check_regular_file, read_regular_file


def test_a_regular_file_is_read_whole(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 200_000)
    assert read_regular_file(path, 1 << 20) == b"x" * 200_000
    (tmp_path / "empty").write_bytes(b"")
    assert read_regular_file(tmp_path / "empty", 10) == b""


def test_over_the_cap_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 1001)
    with pytest.raises(InputError, match=r"big\.txt: too large \(over 1000 bytes"):
        read_regular_file(path, 1000)
    assert read_regular_file(path, 1001) == b"x" * 1001


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(GoldError, match=r"pipe: not a regular file \(a FIFO\)"):
        read_regular_file(fifo, 10, error=GoldError)
    with pytest.raises(InputError, match="a FIFO"):
        check_regular_file(fifo)
    assert time.monotonic() - started < 5


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_device_is_refused():
    with pytest.raises(InputError, match=r"/dev/zero: not a regular file \(a character device\)"):
        read_regular_file("/dev/zero", 1 << 30)


def test_missing_files_and_link_loops_say_so(tmp_path):
    with pytest.raises(InputError, match=r"cannot read \(no such file\)"):
        read_regular_file(tmp_path / "nope", 10)
    (tmp_path / "loop").symlink_to("loop")
    with pytest.raises(InputError, match=r"loop: cannot read \(symbolic link loop\)"):
        read_regular_file(tmp_path / "loop", 10)
    (tmp_path / "broken").symlink_to(tmp_path / "nowhere")
    with pytest.raises(InputError, match=r"broken: cannot read \(broken symbolic link\)"):
        read_regular_file(tmp_path / "broken", 10)


def test_a_file_that_changes_while_read_is_read_again(tmp_path, monkeypatch):
    """The bytes returned are one consistent version: the file's state after the change."""
    path = tmp_path / "a.txt"
    path.write_bytes(b"version 1")
    real_fstat = os.fstat
    calls = []

    def fstat_then_change(fd):
        st = real_fstat(fd)
        calls.append(1)
        if len(calls) == 2:  # after the first read: the file is rewritten in place
            with open(path, "r+b") as fh:
                fh.write(b"version 2, longer")
            st = real_fstat(fd)
        return st

    monkeypatch.setattr(os, "fstat", fstat_then_change)
    assert read_regular_file(path, 100) == b"version 2, longer"
    assert len(calls) == 4  # two reads, each between two fstat calls


def test_a_file_that_keeps_changing_is_named(tmp_path, monkeypatch):
    path = tmp_path / "growing.txt"
    path.write_bytes(b"x")
    real_fstat = os.fstat

    def fstat_growing(fd):
        with open(path, "ab") as fh:  # every look at the file finds it longer
            fh.write(b"x")
        return real_fstat(fd)

    monkeypatch.setattr(os, "fstat", fstat_growing)
    with pytest.raises(InputError, match=r"growing\.txt: cannot read \(changed while being read, twice"):
        read_regular_file(path, 1 << 20)
