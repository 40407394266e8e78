"""The gazetteer as an Aho-Corasick automaton over every division name and short form."""
from __future__ import annotations

from collections.abc import Iterator

import ahocorasick

from kg.names.trie import alternation

__all__ = ["DivisionMatcher"]


class DivisionMatcher:
    """Aho-Corasick matcher over every division name and short form.

    An alias may map to several divisions (城区 exists in several cities); the
    candidate keeps them all and resolution picks one from context.
    """

    def __init__(self, gazetteer) -> None:
        self.gazetteer = gazetteer
        surfaces: dict[str, tuple[list[str], bool]] = {}
        for div in sorted(gazetteer.divisions.values(), key=lambda d: d.id):
            if not gazetteer.is_stoplisted(div.name):
                surfaces.setdefault(div.name, ([], False))[0].append(div.id)
            for form in div.short_forms:
                if len(form) >= 2 and not gazetteer.is_stoplisted(form) and form not in surfaces:
                    surfaces.setdefault(form, ([], True))
                if form in surfaces and surfaces[form][1]:
                    surfaces[form][0].append(div.id)
        # keys as UTF-32 code units (four Latin-1 characters per character): pyahocorasick
        # looks a character up among a node's children one by one, and the root has
        # ~1,500 first characters of names but only 1 first byte (about 4x faster)
        self.automaton = ahocorasick.Automaton()
        for surface in sorted(surfaces):  # (sorted: a key's trie nodes lie near its prefix's in memory)
            ids, short = surfaces[surface]
            self.automaton.add_word(_utf32(surface), (surface, tuple(dict.fromkeys(ids)), short))
        self.automaton.make_automaton()
        self.surfaces = surfaces
        # stop-listed short forms, matched only where the text itself says they are
        # places (right before a branch of a body: 某区二大队)
        self.guarded: dict[str, list[str]] = {}
        for div in gazetteer.divisions.values():
            for form in div.short_forms:
                if len(form) >= 2 and gazetteer.is_stoplisted(form) and div.level in ("county", "zone"):
                    self.guarded.setdefault(form, []).append(div.id)
        self.guarded_re = alternation(self.guarded)

    def __contains__(self, surface: str) -> bool:
        return surface in self.surfaces

    def iter_matches(self, text: str) -> Iterator[tuple[int, int, str, tuple[str, ...], bool]]:
        """Leftmost-longest non-overlapping matches ``(start, end, surface, ids, short)``."""
        best: dict[int, tuple[int, str, tuple[str, ...], bool]] = {}
        for end_byte, (surface, ids, short) in self.automaton.iter(_utf32(text)):
            if end_byte & 3 != 3:
                continue  # not aligned on characters
            end = (end_byte + 1) >> 2
            start = end - len(surface)
            if start not in best or len(surface) > best[start][0] - start:
                best[start] = (end, surface, ids, short)
        last_end = 0
        for start in sorted(best):
            end, surface, ids, short = best[start]
            if start < last_end:
                continue
            # prefer a longer match that starts inside this one and ends later only
            # when this one is a short form (潞城 vs 城区…): keep it simple and greedy.
            yield start, end, surface, ids, short
            last_end = end


def _utf32(text: str) -> str:
    """``text`` as big-endian UTF-32 bytes, one Latin-1 character per byte."""
    return text.encode("utf-32-be", "surrogatepass").decode("latin-1")
