"""Word lists as fast matchers: grouped by length, and compiled into trie-shaped regular expressions.

Used by every finder of :mod:`kg.names`: which word of a list starts or
ends at a position, and every position where one does.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

__all__ = ["by_length", "by_length_sets", "ending_at", "alternation", "trie_pattern", "overlapping"]


def by_length(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(words), key=lambda w: (-len(w), w)))


def by_length_sets(words: Iterable[str]) -> tuple[tuple[int, frozenset[str]], ...]:
    """Words grouped by length, longest first: ``((n, words of length n), …)``.

    Which word of a list starts (or ends) at a position is one slice and one
    set lookup per length, not one ``startswith`` per word; two words of one
    length cannot both start there, so the first hit is the longest word, as
    in a scan of :func:`by_length` order.
    """
    groups: dict[int, set[str]] = {}
    for word in words:
        groups.setdefault(len(word), set()).add(word)
    return tuple((n, frozenset(groups[n])) for n in sorted(groups, reverse=True))


def ending_at(text: str, end: int, groups: tuple[tuple[int, frozenset[str]], ...]) -> str | None:
    """The longest word of ``groups`` (:func:`by_length_sets`) ending at ``end``."""
    for n, words in groups:
        if n <= end and text[end - n:end] in words:
            return text[end - n:end]
    return None


def alternation(words: Iterable[str]) -> re.Pattern[str]:
    """One pattern matching any of the words, longest first.

    Written as a trie (局(?:长)?|主(?:任|席)…): at each position it matches
    what ``"|".join(words longest first)`` matches -- the longest word there --
    but ``re`` tries one branch per first character instead of one per word.
    """
    words = by_length(words)
    return re.compile(trie_pattern(words) if words else "(?!)")


def trie_pattern(words: Iterable[str]) -> str:
    """A regular expression of a word trie whose match is the longest word at a position.

    Children are tried before a word ends (greedy ``?``), and the children of
    a node begin with different characters, so the first match found going
    down the text's own path is its deepest word.
    """
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" not in node:
            return body
        return (body if len(branches) > 1 else "(?:" + body + ")") + "?"

    return pattern(trie) if "" not in trie else "(?:" + pattern({k: v for k, v in trie.items() if k}) + ")?"


def overlapping(pattern: re.Pattern[str], text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, word)`` at every start where an :func:`alternation` matches
    (overlapping: 局 inside 分局 too), its longest word there.

    The same as ``finditer`` of the lookahead ``(?=(words))``, but ``search``
    lets ``re`` skip to the next possible first character in C instead of
    trying every word at every position.
    """
    m = pattern.search(text)
    while m is not None:
        s = m.start()
        yield s, m.end(), m.group()
        m = pattern.search(text, s + 1)
