"""Reading corpus files: listing them, reading their bytes safely, decoding, one document each.

The decoded text is *never* modified afterwards (no newline translation,
nothing removed): every offset in the project indexes ``Document.text``.
"""
from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

from kg.corpus.articles import split_articles
from kg.errors import InputError
from kg.records import Document

__all__ = ["MAX_FILE_BYTES", "iter_corpus_files", "read_file_bytes", "decode_bytes", "document_from_bytes",
           "read_document"]

# Byte-order marks, longest first (the UTF-32 LE mark starts with UTF-16 LE's).
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# C0/C1 control characters other than tab, newlines, vertical tab, form feed.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Share of control characters above which decoded "text" is called binary.
# Real text files have essentially none; decoded binary junk has many.
_MAX_CONTROL_SHARE = 0.05

#: Files larger than this are not read (a newspaper page is a few KB; 256 MB of
#: text is ~85 M Chinese characters, hours of NLP): reading them whole could
#: exhaust memory, so they are reported as too large instead.
MAX_FILE_BYTES = 256 * 1024 * 1024


def decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    """Decode the bytes of a corpus file; return ``(text, encoding)``.

    Detection order: a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE);
    otherwise NUL bytes mean binary; otherwise strict UTF-8, then strict
    GB18030 (a superset of GBK and GB2312), then Big5.  Big5 (traditional
    Chinese from Taiwan and Hong Kong) is almost always valid GB18030 too,
    but reads as kana, Cyrillic, box drawing and private-use characters
    there; such a text is decoded as Big5 when that is valid.  The BOM is not
    part of the text.

    Raises :class:`~kg.errors.InputError` (message starting with ``name``) for
    empty or whitespace-only files, binary files (NUL bytes without a BOM, or
    more than 5 % control characters) and undecodable bytes.

    >>> decode_bytes("左权县".encode("gb18030"), "a.txt")
    ('左权县', 'gb18030')
    >>> decode_bytes(b"\\xef\\xbb\\xbfok", "b.txt")
    ('ok', 'utf-8-sig')
    """
    if not data:
        raise InputError(f"{name}: empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding.removesuffix("-sig"))
            except UnicodeDecodeError:
                raise InputError(
                    f"{name}: not text (undecodable as {encoding.removesuffix('-sig').upper()} "
                    "after its byte-order mark)"
                ) from None
            break
    else:
        if b"\x00" in data:
            raise InputError(f"{name}: not text (binary)")
        for encoding in ("utf-8", "gb18030", "big5"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InputError(f"{name}: not text (undecodable as UTF-8, UTF-16, GB18030 or Big5)")
        if encoding == "gb18030":
            text, encoding = _big5_if_misread(data, text)
    if not text.strip():
        raise InputError(f"{name}: empty file")
    controls = len(_CONTROL.findall(text))
    if "\x00" in text or controls > _MAX_CONTROL_SHARE * len(text):
        raise InputError(f"{name}: not text (binary)")
    return text, encoding


# Where Big5 bytes land when read as GB18030: kana, Greek, Cyrillic, bopomofo,
# box drawing, Latin letters with diacritics, private use (GBK's user rows).
# Chinese news in GBK has essentially none of them.
_MISREAD = re.compile("[\u0100-\u024f\u02b0-\u02ff\u0370-\u03ff\u0400-\u04ff"
                      "\u2500-\u257f\u3040-\u30ff\u3100-\u312f\ue000-\uf8ff]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Share of non-ASCII characters that must look misread before Big5 is tried.
_MISREAD_SHARE = 0.05


def _big5_if_misread(data: bytes, text: str) -> tuple[str, str]:
    """``(text, "gb18030")``, or the Big5 reading of ``data`` if GB18030 garbled it."""
    misread = len(_MISREAD.findall(text))
    if misread <= _MISREAD_SHARE * len(_NON_ASCII.findall(text)):
        return text, "gb18030"
    for encoding in ("big5", "cp950", "big5hkscs"):
        try:
            other = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if len(_MISREAD.findall(other)) < misread:
            return other, encoding
        break
    return text, "gb18030"


def read_document(path: str | os.PathLike[str]) -> Document:
    """Read one corpus file into a :class:`~kg.records.Document` with its articles.

    ``Document.source`` is the file name; ``Document.text`` is the decoded
    text, unmodified, so offsets index it; ``Document.articles`` come from
    :func:`split_articles`.  Unreadable paths and non-text files raise
    :class:`~kg.errors.InputError` naming the file: missing or vanished
    files, directories, FIFOs and devices (never opened, so a FIFO cannot
    block the build), permission errors, files over ``MAX_FILE_BYTES``, and
    everything :func:`decode_bytes` rejects.
    """
    return document_from_bytes(read_file_bytes(path), path)


def document_from_bytes(data: bytes, path: str | os.PathLike[str]) -> Document:
    """The document of a corpus file's bytes, exactly as :func:`read_document` reads it.

    ``path`` names the file in messages and gives ``Document.source`` (its
    file name), so a worker that gets the bytes needs no file system.
    """
    p = Path(path)
    text, encoding = decode_bytes(data, str(p))
    return Document(p.name, text, encoding, split_articles(text, p.name))


_FILE_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def read_file_bytes(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a corpus file; :class:`~kg.errors.InputError` if it is not a readable regular file.

    The kind of file is checked with ``stat`` before it is opened, and again
    on the open descriptor (the path may be replaced in between), so a FIFO
    or a device never blocks or floods the build.  Messages start with the
    path: ``x.txt: cannot read (Permission denied)``, ``x: not a regular file
    (a FIFO)``, ``x.txt: too large (over 256 MB; split the file)``.
    """
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        kind = "broken symbolic link" if p.is_symlink() else "no such file"
        raise InputError(f"{p}: cannot read ({kind})") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from None
    _check_regular(p, st)
    try:
        # O_NONBLOCK: should the path have become a FIFO since stat(), open
        # returns at once instead of waiting for a writer.
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as fh:
        try:
            st = os.fstat(fh.fileno())
            _check_regular(p, st)
            data = fh.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{p}: too large (over {MAX_FILE_BYTES // 2**20} MB; split the file)")
    return data


def _check_regular(p: Path, st: os.stat_result) -> None:
    if stat.S_ISREG(st.st_mode):
        return
    kind = next((what for test, what in _FILE_KINDS if test(st.st_mode)), "not a regular file")
    raise InputError(f"{p}: not a regular file ({kind})")


def iter_corpus_files(paths: Sequence[str | os.PathLike[str]]) -> Iterator[Path]:
    """Every file named or found (recursively, sorted) under the given paths.

    Hidden names (``.x``) are ignored.  Everything else under a directory
    that is not itself a directory -- FIFOs, sockets, broken symbolic links
    too -- is listed, so that reading it reports it as skipped instead of
    leaving it out silently.  A missing path, or no file at all, is an
    :class:`~kg.errors.InputError`.
    """
    files: set[Path] = set()
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files.update(f for f in path.rglob("*") if not f.name.startswith(".") and not f.is_dir()
                         and not any(part.startswith(".") for part in f.relative_to(path).parts))
        elif path.exists() or path.is_symlink():
            files.add(path)
        else:
            raise InputError(f"{path}: no such file or directory")
    if not files:
        raise InputError(f"{', '.join(str(p) for p in paths) or 'no path given'}: no corpus files "
                         "(hidden files are ignored)")
    # sort by file name then path: the input order never changes the output
    yield from sorted(files, key=lambda f: (f.name, str(f)))
