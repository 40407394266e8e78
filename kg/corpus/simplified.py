"""Traditional characters: a text in simplified form, character for character (offsets stay valid)."""
from __future__ import annotations

import re

from kg.corpus.layout import load_layout
from kg.knowledge.jio import tra2sim_chars

__all__ = ["to_simplified"]

_CJK = re.compile("[\u4e00-\u9fff]")
# Share of CJK characters that must have a different simplified form.  In
# traditional news about a quarter of them do; the simplified seed corpus
# has 16 in 20,180 (著, 覆, which the table maps although simplified writing
# uses them too), 0.08 %.
_TRADITIONAL_SHARE = 0.05


def to_simplified(text: str) -> str:
    """``text`` in simplified characters if it is written in traditional ones, else ``text``.

    Traditional Chinese (左權縣住房和城鄉建設管理局) is converted character
    by character with jionlp's table (``tra2sim`` in ``char`` mode, which
    maps one character to one), so the result has the same length and every
    offset into it is an offset into ``text``; names then match the
    gazetteer and the naming rules.  A text counts as traditional when at
    least 5 % of its CJK characters have a different simplified form;
    simplified text is returned unchanged (the table also maps characters
    that simplified writing uses, such as 著 and 乾, so it is never applied
    to simplified text).

    >>> to_simplified("左權縣東關街")
    '左权县东关街'
    >>> to_simplified("著名的乾县")
    '著名的乾县'
    """
    # frequent characters that exist only in traditional writing (corpus.toml): a text
    # without any of them is not traditional Chinese and is left alone
    if not load_layout().traditional_markers.search(text):
        return text
    table = tra2sim_chars()
    cjk = len(text) - len(_CJK.sub("", text))
    different = len(text) - len(text.translate(dict.fromkeys(table)))
    if different < _TRADITIONAL_SHARE * cjk:
        return text
    out = text.translate(table)
    assert len(out) == len(text)  # one character for one: offsets stay valid
    return out
