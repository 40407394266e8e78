"""Text for a terminal: untrusted characters shown as visible escapes.

File names and corpus text reach stderr and stdout in skip lines, ``error:``
lines, summaries and query tables.  A terminal acts on some characters
instead of showing them: ESC and CSI start escape sequences (set the window
title, move the cursor, rewrite what was printed), BEL rings, CR and
backspace overwrite, and a newline inside a file name would start a line of
its own (``x\\nskipped forged.txt: empty file`` forges a skip line).
:func:`terminal_safe` turns every such character into a visible escape, so
one line of output stays one line and shows what the text really holds.

Use it on every line meant for a terminal, never on data output
(``kg query --format csv|json``, the exports), which must stay exact.
"""
from __future__ import annotations

import re

__all__ = ["terminal_safe"]

# What a terminal may act on, or what breaks a line:
# * C0 controls (tab, newline and CR included) and DEL, C1 controls
#   (U+0080-U+009F: U+009B is an 8-bit CSI);
# * the Unicode line and paragraph separators U+2028, U+2029;
# * bidirectional embeddings, overrides and isolates (U+202A-U+202E,
#   U+2066-U+2069), which reorder what follows them on the line;
# * surrogates: a file name that is not UTF-8 reaches Python with its bad
#   bytes as U+DC80-U+DCFF ("surrogateescape"); written raw they are an
#   encoding error or, with an error handler, the raw bytes.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8: show the byte
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def terminal_safe(text: object) -> str:
    r"""``text`` (``str()`` of it) with every character a terminal would act on shown as an escape.

    Newline, CR and tab become ``\n``, ``\r``, ``\t``; other C0 controls, DEL
    and C1 controls ``\xNN``; the line and paragraph separators and the
    bidirectional controls ``\uNNNN``; the undecodable bytes of a file name
    (surrogate escapes) ``\xNN``, the byte itself.  Everything else, Chinese
    text included, is unchanged; a backslash stays a backslash (the result is
    for reading, not for parsing back).

    >>> terminal_safe("evil\x1b]0;pwned\x07.bin")
    'evil\\x1b]0;pwned\\x07.bin'
    >>> terminal_safe("x\nskipped forged.txt")
    'x\\nskipped forged.txt'
    >>> terminal_safe(b"\xff\xfeb.txt".decode("utf-8", "surrogateescape"))
    '\\xff\\xfeb.txt'
    >>> terminal_safe("左权县\u202e人民政府")
    '左权县\\u202e人民政府'
    """
    text = text if isinstance(text, str) else str(text)
    return _UNSAFE.sub(_escape, text)
