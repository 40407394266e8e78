"""A compiled jieba: jieba's segmentation, word for word, at Rust speed.

Python jieba segments about 0.35 M chars/s, which made it the slowest stage
of a build.  :class:`FastJieba` gives the *same* tokens as
``jieba.cut(text)`` (default mode, HMM on) of a prepared Python jieba
dictionary (its words, their frequencies and the total, including every word
``jieba.add_word`` put there), using ``rjieba`` (the Python binding of
jieba-rs) for the dictionary DAG, the route and the HMM:

* the text is split into blocks with jieba's own regular expressions
  (``jieba.re_han_default`` / ``jieba.re_skip_default``) and non-word blocks
  are emitted exactly as ``jieba.Tokenizer.cut`` emits them;
* rjieba gets a dictionary built from ``tokenizer.FREQ`` (words with a
  positive frequency: jieba's DAG skips the zero-frequency prefixes), plus one
  unmatchable filler word so that its total frequency equals jieba's
  ``tokenizer.total`` (jieba adds the frequency of a re-added word to the
  total without taking the old one off), so every route score is the same;
* jieba-rs splits the non-Chinese runs inside an HMM buffer with a looser
  pattern than jieba's ``finalseg`` (``0351-5661173`` stays one token in
  jieba-rs, three in jieba).  Those runs need a letter or digit, one other
  character and a letter or digit again.  A block holding that shape is cut
  by rjieba too, and only the runs of non-Chinese tokens that came out of an
  HMM buffer are split again with ``finalseg``'s pattern (see
  :meth:`FastJieba._cut_diverging`); the rare block where rjieba's tokens do
  not tell which run that is goes to Python jieba.  Such blocks are a few
  percent of news text (dates such as ``2023-5-1``, phone numbers, ``1.5``).

``tests/test_segmenter.py`` checks the equality on the corpus and on random
mixtures of dictionary words, rare characters, Latin letters, digits and
punctuation.

The dictionary (:class:`Dictionary`) is jieba's own plus the words the
project adds (:func:`add_words`: gazetteer names, domain compounds), in the
order added.  Preparing it through Python jieba costs about a second per
process (loading jieba's dictionary, adding the words, reading the
part-of-speech tags), so :func:`compiled` keeps its result in a snapshot file
under the cache directory (:func:`kg.paths.default_cache_dir`), keyed by
jieba's version, the bytes of its dictionary file and the added words, and a
process whose snapshot exists loads that instead and never initialises Python
jieba unless a rare block needs it (:meth:`FastJieba._cut_diverging`).
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import marshal
import os
import re
import secrets
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import jieba

from kg.paths import default_cache_dir
from kg.textsafe import terminal_safe

__all__ = ["FastJieba", "Dictionary", "add_words", "python_jieba", "compiled", "word_tags"]

# A Latin letter or digit, one character that is neither that nor Chinese,
# and a letter or digit: the only shape where jieba-rs's HMM splits differently.
_DIVERGES = re.compile(r"[a-zA-Z0-9][^a-zA-Z0-9\u4E00-\u9FD5][a-zA-Z0-9]")
# A whole block of jieba's holding that shape: a maximal run of the character
# class of ``jieba.re_han_default`` (``([<class>]+)``, read from jieba).
_HAN = jieba.re_han_default.pattern.removeprefix("([").removesuffix("]+)")
# It is found from the shape (``_SHAPE``) and widened over the block's
# characters on both sides (``_HAN_RUN``; leftwards on the reversed text):
# one pattern reaching back from the shape to the block's start (a lazy
# ``[<class>]*?`` before it) is tried at every character of every block.
_SHAPE = re.compile(r"[a-zA-Z0-9][+#&._%\-][a-zA-Z0-9]")
_HAN_RUN = re.compile(rf"[{_HAN}]*")
# Ideographs outside jieba's block pattern that jieba-rs puts into blocks:
# texts with them are cut block by block.
_RARE = re.compile("[\u3400-\u4DBF\u9FD6-\u9FFF\uF900-\uFAFF\U00020000-\U0003FFFF]")
# Never in a han block (private use area), so it never matches any text.
_FILLER = "\ue000\ue001"
# The characters jieba's HMM (``jieba.finalseg``) treats as Chinese, and the
# pattern by which it splits the rest of a buffer (read from jieba).
_FINAL_HAN = re.compile(jieba.finalseg.re_han.pattern.removeprefix("(").removesuffix("+)"))
_FINAL_SKIP = jieba.finalseg.re_skip


class FastJieba:
    """jieba's ``cut(text)`` (HMM on) backed by rjieba; same tokens, same order.

    Parameters
    ----------
    dictionary
        The words, frequencies and total of the jieba dictionary to cut with.
    python
        Returns the Python ``jieba.Tokenizer`` holding that same dictionary,
        for the rare block rjieba's tokens do not decide; called only then.

    ``FastJieba.of(tokenizer)`` makes one from a prepared ``jieba.Tokenizer``
    (later ``add_word`` calls on it are not seen).
    """

    def __init__(self, dictionary: Dictionary, python: Callable[[], jieba.Tokenizer]) -> None:
        import rjieba  # (0.13 s to import: only a process that segments pays it)

        self.dictionary = dictionary
        self._python = python
        self.re_han = jieba.re_han_default
        self.re_skip = jieba.re_skip_default
        rj = rjieba.Jieba.empty()
        add = rj.add_word
        for word, freq in zip(dictionary.words, dictionary.freqs):
            add(word, freq, None)
        filler = dictionary.total - sum(dictionary.freqs)
        if filler > 0:
            add(_FILLER, filler, None)
        self._rj = rj

    @classmethod
    def of(cls, tokenizer: jieba.Tokenizer) -> FastJieba:
        """The compiled jieba of ``tokenizer``'s current dictionary."""
        return cls(Dictionary.of(tokenizer), lambda: tokenizer)

    def is_word(self, token: str) -> bool:
        """True if ``token`` is a word of the dictionary (all of them have a positive frequency)."""
        # asked of rjieba, which holds exactly those words and the filler: a dict of
        # the 350k words made for this cost 0.1 s CPU in each process that cut a date (2026-12)
        return token != _FILLER and self._rj.has_word(token)

    def cut(self, text: str) -> list[str]:
        """The tokens of ``text`` (no empty strings), as ``list(jieba.cut(text))``."""
        if _RARE.search(text):
            return self._cut_blocks(text)
        # Blocks are segmented independently, so the stretches between the
        # blocks jieba-rs would cut differently go to rjieba whole (one call
        # instead of one per clause).
        out: list[str] = []
        pos = 0
        for start, end in _diverging_blocks(text):
            if start > pos:
                out.extend(self._rj.cut(text[pos:start], True))
            out.extend(self._cut_diverging(text[start:end]))
            pos = end
        if pos < len(text):
            out.extend(self._rj.cut(text[pos:], True))
        return list(filter(None, out))  # no empty strings

    def _cut_blocks(self, text: str) -> list[str]:
        """Block by block, as ``jieba.Tokenizer.cut`` does (for texts with rare characters)."""
        out: list[str] = []
        re_han, re_skip = self.re_han, self.re_skip
        for block in re_han.split(text):
            if not block:
                continue
            if re_han.match(block):
                if _DIVERGES.search(block):
                    out.extend(self._cut_diverging(block))
                else:
                    out.extend(self._rj.cut(block, True))
            else:
                for piece in re_skip.split(block):
                    if re_skip.match(piece):
                        out.append(piece)
                    else:
                        out.extend(piece)
        return list(filter(None, out))  # no empty strings

    def _cut_diverging(self, block: str) -> list[str]:
        """One han block of jieba's, cut as jieba cuts it, where jieba-rs's HMM may not.

        jieba cuts a block into dictionary words and *buffers* of
        one-character steps; a buffer that is not a word goes to the HMM,
        which splits its non-Chinese runs with ``finalseg.re_skip``.  jieba-rs
        does all the same except that split, so rjieba's tokens are jieba's
        but for those runs.  Take a maximal run of consecutive tokens without
        Chinese characters: if ``re_skip`` splits their text into the same
        tokens, jieba's tokens are these (a split boundary cuts the text into
        parts that split alone as they did together).  Otherwise, if the run
        holds a token of two characters or more and none of them is a
        dictionary word, every token came out of the HMM of one buffer (two
        buffers are always apart by a word of two characters or more), so the
        run is one of those non-Chinese runs, bounded by Chinese characters or
        by the buffer's ends, and jieba's tokens are its ``re_skip`` split.
        Any other run (one holding a dictionary word, which may border the
        buffer or sit in it; single characters, which may be a buffer that is
        a word, cut character by character) leaves the block to Python jieba.
        """
        tokens = self._rj.cut(block, True)
        out: list[str] = []
        run: list[str] = []  # the current run of tokens without Chinese characters
        for token in tokens + [None]:  # None ends the last run
            if token is not None and not _FINAL_HAN.search(token):
                run.append(token)
                continue
            if run:
                if len(run) == 1 and len(run[0]) == 1:
                    out += run
                else:
                    jieba_run = [piece for piece in _FINAL_SKIP.split("".join(run)) if piece]
                    if jieba_run != run and (all(len(t) == 1 for t in run)
                                             or any(len(t) > 1 and self.is_word(t) for t in run)):
                        return list(self._python().cut(block))
                    out += jieba_run
                run = []
            if token is not None:
                out.append(token)
        return out

    def __reduce__(self):
        raise TypeError("FastJieba holds a compiled dictionary; build one per process")


@dataclass(frozen=True, eq=False)
class Dictionary:
    """A jieba dictionary as :class:`FastJieba` and the naming rules use it.

    ``words`` and ``freqs``: the words of positive frequency, in the order of
    ``jieba.Tokenizer.FREQ`` (jieba's DAG skips the zero-frequency prefixes);
    ``total``: jieba's total frequency, which may exceed their sum (jieba adds
    the frequency of a re-added word to the total without taking the old one
    off); ``tags``: the part-of-speech tags of the words of jieba's dictionary
    file, as ``jieba.posseg`` reads them (the project's own words carry none
    there: posseg merges user tags only when its ``cut`` runs, which the
    project never calls).
    """

    words: list[str]
    freqs: list[int]
    total: int
    tags: dict[str, str]

    @classmethod
    def of(cls, tokenizer: jieba.Tokenizer) -> Dictionary:
        import jieba.posseg  # heavy (its HMM tables, 0.3 s): only when no snapshot holds the tags

        tokenizer.check_initialized()
        positive = [(w, f) for w, f in tokenizer.FREQ.items() if f > 0]
        reader = jieba.posseg.POSTokenizer.__new__(jieba.posseg.POSTokenizer)
        reader.load_word_tag(tokenizer.get_dict_file())  # posseg's own reading of the file
        words = [w for w, _ in positive]
        return cls(words, [f for _, f in positive], tokenizer.total, _shared_tags(words, reader.word_tag_tab))


def _shared_tags(words: list[str], table: dict[str, str]) -> dict[str, str]:
    """``table`` (word -> tag) keyed by the strings of ``words`` where it can be, one string per tag.

    The same mapping in about half the memory: posseg reads the dictionary
    file again, into strings of its own (26 MB of keys for jieba's
    dictionary) and a string per tag value (120k of them for 55 tags).
    """
    intern = sys.intern
    tags = {w: intern(table[w]) for w in words if w in table}
    if len(tags) < len(table):  # tagged words outside ``words`` (jieba's zero-frequency entries)
        tags.update((w, intern(t)) for w, t in table.items() if w not in tags)
    return tags


# -- the project's dictionary, one per process ---------------------------------

#: Every word the project added to jieba's dictionary: ``(word, freq, tag)``, in order.
_ADDED: list[tuple[str, int, str]] = []
_APPLIED = 0  # how many of _ADDED Python jieba's dictionary (jieba.dt) holds
_CURRENT: list = []  # [(state, FastJieba)] of the dictionary last compiled
# Snapshot files: a magic line, the hex SHA-256 of the payload on a line, then
# the payload, marshal of (words, freqs, total, word_tags, other_tags):
# word_tags[i] is the tag of words[i] or None, other_tags those of the tagged
# words outside words, so that loading makes each word's string once.  The
# checksum is checked before the payload is read: a flipped byte inside a word
# would otherwise load as another dictionary.
_SNAPSHOT_MAGIC = b"shanxi-kg jieba dictionary 3\n"


def add_words(words: Iterable[tuple[str, int, str]]) -> None:
    """Add ``(word, freq, tag)`` words to the dictionary (as ``jieba.add_word`` does, in order).

    Python jieba gets them when it is next asked for (:func:`python_jieba`).
    """
    _ADDED.extend(words)


def python_jieba() -> jieba.Tokenizer:
    """Python jieba (``jieba.dt``) with every added word, initialised on first use."""
    global _APPLIED
    jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict ..." on stderr
    jieba.initialize()
    for word, freq, tag in _ADDED[_APPLIED:]:
        jieba.add_word(word, freq=freq, tag=tag)
    _APPLIED = len(_ADDED)
    return jieba.dt


def compiled() -> FastJieba:
    """The :class:`FastJieba` of jieba's dictionary plus the added words (built once per state).

    Built from the snapshot file of that dictionary when there is one, else
    through Python jieba, and the snapshot written for the next process.
    """
    state = (len(_ADDED), jieba.dt.dictionary)
    if _CURRENT and _CURRENT[0][0] == state:
        return _CURRENT[0][1]
    key = _dictionary_key()
    path = _snapshot_dir() / f"{key}.marshal"
    dictionary = _read_snapshot(path)
    if not isinstance(dictionary, Dictionary):
        with _snapshot_lock(path.parent):
            # another process may have written it meanwhile (several workers start at once)
            again = _read_snapshot(path)
            if isinstance(again, Dictionary):
                dictionary = again
            else:
                problem = again if isinstance(again, str) else dictionary
                if isinstance(problem, str):  # a snapshot was there, and bad: never used, rebuilt, named
                    _report(f"{path}: bad jieba dictionary snapshot ({problem}); not used, rebuilt")
                dictionary = Dictionary.of(python_jieba())
                _write_snapshot(path, dictionary)
    fast = FastJieba(dictionary, python_jieba)
    _CURRENT[:] = [(state, fast)]
    return fast


def word_tags() -> dict[str, str]:
    """jieba's part-of-speech tag of each word of its dictionary file."""
    return compiled().dictionary.tags


def _dictionary_key() -> str:
    """Digest of what the dictionary is made of: jieba, its dictionary file, the added words."""
    h = hashlib.sha256(_SNAPSHOT_MAGIC)
    h.update(jieba.__version__.encode() + b"\0")
    with jieba.dt.get_dict_file() as f:
        h.update(hashlib.sha256(f.read()).digest())
    h.update(repr(_ADDED).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _snapshot_dir() -> Path:
    return default_cache_dir() / "jieba"


def _read_snapshot(path: Path) -> Dictionary | str | None:
    """The dictionary kept in ``path``; ``None`` if there is none, or why the file there is not one."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    head = len(_SNAPSHOT_MAGIC)
    if not data.startswith(_SNAPSHOT_MAGIC) or data[head + 64:head + 65] != b"\n":
        return "not a snapshot of this format"
    body = memoryview(data)[head + 65:]
    if not hmac.compare_digest(data[head:head + 64], hashlib.sha256(body).hexdigest().encode("ascii")):
        return "checksum mismatch"
    try:
        words, freqs, total, word_tags, other_tags = marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return "unreadable payload"
    if not (type(words) is list and type(freqs) is list and type(total) is int and type(word_tags) is list
            and type(other_tags) is dict and len(words) == len(freqs) == len(word_tags)):
        return "unexpected payload"
    tags = {w: t for w, t in zip(words, word_tags) if t is not None}
    tags.update(other_tags)
    return Dictionary(words, freqs, total, tags)


def _report(message: str) -> None:
    """One line on stderr (a process that segments has no other channel to the user)."""
    print(terminal_safe(message), file=sys.stderr, flush=True)


@contextlib.contextmanager
def _snapshot_lock(directory: Path) -> Iterator[None]:
    """``flock`` on the snapshot folder itself: one process rebuilds, the others wait and read its snapshot.

    The folder, not a lock file in it: the folder holds the snapshots only.
    Where it cannot be locked, every process rebuilds on its own (same bytes).
    """
    try:
        import fcntl  # POSIX only: elsewhere no lock, each process rebuilds on its own

        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except (ImportError, OSError):
        yield
        return
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _write_snapshot(path: Path, dictionary: Dictionary) -> None:
    """Keep ``dictionary`` in ``path`` (atomically); a directory that cannot be written is left alone."""
    words, tags = dictionary.words, dictionary.tags
    in_words = set(words)
    # the tags as interned strings, which marshal writes once each and reads back interned
    word_tags = [None if (t := tags.get(w)) is None else sys.intern(t) for w in words]
    other_tags = {w: sys.intern(t) for w, t in tags.items() if w not in in_words}
    body = marshal.dumps((words, dictionary.freqs, dictionary.total, word_tags, other_tags))
    data = _SNAPSHOT_MAGIC + hashlib.sha256(body).hexdigest().encode("ascii") + b"\n" + body
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _diverging_blocks(text: str) -> Iterator[tuple[int, int]]:
    """The ``(start, end)`` of every block of jieba's in ``text`` holding the shape, in order."""
    shape = _SHAPE.search(text)
    if shape is None:
        return
    reverse = text[::-1]
    n = len(text)
    while shape is not None:
        at = shape.start()
        # text[at - 1] is reverse[n - at]: the run from there is the block's part before the shape
        start = at - (_HAN_RUN.match(reverse, n - at).end() - (n - at))
        end = _HAN_RUN.match(text, at).end()
        yield start, end
        shape = _SHAPE.search(text, end)
