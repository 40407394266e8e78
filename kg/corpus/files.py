"""Reading corpus files: listing them, reading their bytes safely, decoding, one document each.

The decoded text is *never* modified afterwards (no newline translation,
nothing removed): every offset in the project indexes ``Document.text``.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.corpus.articles import split_articles
from kg.errors import InputError
from kg.records import Document
from kg.safeio import read_regular_file

__all__ = ["MAX_FILE_BYTES", "CorpusFile", "list_corpus", "iter_corpus_files", "is_documentation", "source_name",
           "read_file_bytes", "decode_bytes", "document_from_bytes", "read_document"]

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

    ``Document.source`` is the file name (see :class:`CorpusFile`); ``Document.text`` is the decoded
    text, unmodified, so offsets index it; ``Document.articles`` come from
    :func:`split_articles`.  Unreadable paths and non-text files raise
    :class:`~kg.errors.InputError` naming the file: missing or vanished
    files, directories, FIFOs and devices (never opened, so a FIFO cannot
    block the build), permission errors, files over ``MAX_FILE_BYTES``, and
    everything :func:`decode_bytes` rejects.
    """
    return document_from_bytes(read_file_bytes(path), path)


def document_from_bytes(data: bytes, path: str | os.PathLike[str], source: str | None = None) -> Document:
    """The document of a corpus file's bytes, exactly as :func:`read_document` reads it.

    ``path`` names the file in messages; ``source`` (default: the file name,
    see :class:`CorpusFile`) is ``Document.source`` and the stem of the
    article ids, so a worker that gets the bytes needs no file system.
    """
    p = Path(path)
    if source is None:
        source = source_name([p.name])
    text, encoding = decode_bytes(data, str(p))
    return Document(source, text, encoding, split_articles(text, source))


def read_file_bytes(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a corpus file; :class:`~kg.errors.InputError` if it is not a readable regular file.

    :func:`kg.safeio.read_regular_file` with the corpus cap: the kind of file
    is checked before it is opened and again on the open descriptor, so a
    FIFO or a device never blocks or floods the build; a file that changes
    while it is read is read again.  Messages start with the path: ``x.txt:
    cannot read (Permission denied)``, ``x: not a regular file (a FIFO)``,
    ``x.txt: too large (over 256 MB; split the file)``.
    """
    return read_regular_file(path, MAX_FILE_BYTES)


@dataclass(frozen=True, slots=True)
class CorpusFile:
    """A file of the corpus: where to read it, and the name that identifies it.

    ``source`` is the file's path relative to the corpus folder given on the
    command line, ``/``-separated (``2024-05-01/page1.txt``), or its name for
    a file given directly; it becomes ``Document.source`` (``dcterms:source``)
    and the stem of its article ids.  Bytes of a file name that are not
    UTF-8 are written as ``\\xNN`` there.
    """

    path: Path
    source: str


# Documentation kept beside the pages of a corpus folder (README, SOURCES,
# LICENSE/LICENCE, any Markdown file): not news, so not listed from a folder.
_DOCUMENTATION = re.compile(r"^(?:readme|sources|licen[cs]e)(?![a-z0-9])|\.md$", re.IGNORECASE)
_UNDECODABLE = re.compile("[\udc80-\udcff]")


def is_documentation(name: str) -> bool:
    """Whether a file name is a corpus folder's documentation (README*, SOURCES*, LICENSE*, *.md).

    >>> [is_documentation(n) for n in ("README.md", "SOURCES.md", "LICENSE", "notes.md", "readme.txt")]
    [True, True, True, True, True]
    >>> [is_documentation(n) for n in ("page1.txt", "licensed_shops.txt", "sources2024.txt")]
    [False, False, False]
    """
    return _DOCUMENTATION.search(name) is not None


def source_name(parts: Sequence[str]) -> str:
    """The ``/``-separated source of a file from its path parts; undecodable bytes as ``\\xNN``.

    >>> source_name(["2024-05-01", "page1.txt"])
    '2024-05-01/page1.txt'
    >>> source_name([b"\\xff.txt".decode("utf-8", "surrogateescape")])
    '\\\\xff.txt'
    """
    text = "/".join(parts)
    return _UNDECODABLE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", text)


def list_corpus(paths: Sequence[str | os.PathLike[str]],
                on_skip: Callable[[str], None] | None = None) -> list[CorpusFile]:
    """Every file named or found under the given paths, with its source, in a fixed order.

    Folders are walked without recursion (any depth), in name order, and
    symbolic links to folders are followed wherever they lead; each folder
    is walked once, whichever path reaches it first (by device and inode),
    so a link back into a folder already walked neither loops nor lists a
    file twice.  Hidden names (``.x``) and, in folders, documentation files
    (:func:`is_documentation`) are left out.  Everything else that is not a
    folder -- FIFOs, sockets, broken links, links to themselves -- is listed,
    so that reading it reports it as skipped instead of leaving it out
    silently.  A folder that cannot be read is reported to ``on_skip`` (one
    message each).  An empty path, a missing path, or no file at all is an
    :class:`~kg.errors.InputError`.

    The order is by source, then path: the input order never changes the output.
    """
    files: list[CorpusFile] = []
    walked: set[tuple[int, int]] = set()  # (st_dev, st_ino) of every folder walked
    for p in paths:
        if os.fspath(p) == "":
            raise InputError("'': empty corpus path")
        path = Path(p)
        if path.is_dir():
            _walk(path, walked, files, on_skip)
        elif path.exists() or path.is_symlink():
            files.append(CorpusFile(path, source_name([path.name])))
        else:
            raise InputError(f"{path}: no such file or directory")
    if not files:
        raise InputError(f"{', '.join(str(p) for p in paths) or 'no path given'}: no corpus files "
                         "(hidden files and README, SOURCES, LICENSE and .md files are ignored)")
    files.sort(key=lambda f: (f.source, str(f.path)))
    return files


def _walk(root: Path, walked: set[tuple[int, int]], files: list[CorpusFile],
          on_skip: Callable[[str], None] | None) -> None:
    """Add the files under the folder ``root`` to ``files`` (see :func:`list_corpus`)."""
    try:
        st = root.stat()
    except OSError as exc:  # gone since is_dir()
        raise InputError(f"{root}: cannot read ({exc.strerror or exc})") from None
    if (st.st_dev, st.st_ino) in walked:
        return
    walked.add((st.st_dev, st.st_ino))
    stack: list[tuple[str, tuple[str, ...]]] = [(os.fspath(root), ())]
    while stack:
        folder, parts = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            if on_skip is not None:
                on_skip(f"{folder}: cannot read this folder ({exc.strerror or exc})")
            continue
        folders = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()  # follows a link
                sub = entry.stat() if is_dir else None
            except OSError:  # a link to itself, or gone: reading it says which
                is_dir, sub = False, None
            if is_dir and sub is not None:
                if (sub.st_dev, sub.st_ino) not in walked:
                    walked.add((sub.st_dev, sub.st_ino))
                    folders.append((entry.path, parts + (name,)))
                # else: a folder already walked (a link back up, or a second link to it): nothing is lost
            elif not is_documentation(name):
                files.append(CorpusFile(Path(entry.path), source_name(parts + (name,))))
        stack.extend(reversed(folders))


def iter_corpus_files(paths: Sequence[str | os.PathLike[str]]) -> Iterator[Path]:
    """The paths of :func:`list_corpus` (folders that cannot be read are left out silently)."""
    for f in list_corpus(paths):
        yield f.path
