"""jionlp, the source of two tables the stages read: traditional → simplified
characters (:mod:`kg.corpus.simplified`) and money phrases (:mod:`kg.knowledge.money`).

jionlp prints a banner on stdout when it is imported, and stdout belongs to
the CLI (``kg build`` prints only its summary), so it is reached only through
this module, which swallows the banner.  It is imported when a text first
needs it: the import takes about a second and most texts never do.
"""
from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Iterator
from types import ModuleType

__all__ = ["jionlp", "tra2sim_chars"]


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Nothing jionlp prints reaches stdout inside the block."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


@functools.cache
def jionlp() -> ModuleType:
    """The ``jionlp`` module, imported without its banner."""
    with _quiet():
        import jionlp  # heavy and banner-printing: imported on first use only (see the module docstring)
    return jionlp


@functools.lru_cache(maxsize=1)
def tra2sim_chars() -> dict[int, str]:
    """jionlp's character table, traditional → simplified, one character to one (for ``str.translate``)."""
    loader = jionlp().dictionary.dictionary_loader
    with _quiet():
        table = loader.traditional_simplified_loader("tra2sim_char.txt")
    return {ord(k): v for k, v in table.items() if len(k) == 1 and len(v) == 1 and k != v}
