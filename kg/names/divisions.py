"""Division names and short forms in a text (the gazetteer's matcher, and guarded short forms)."""
from __future__ import annotations

from kg.names.context import Candidate, Context

__all__ = ["find_divisions"]


def find_divisions(text: str, ctx: Context) -> list[Candidate]:
    """Division names and short forms (leftmost-longest)."""
    out = []
    for start, end, surface, ids, short in ctx.divisions.iter_matches(text):
        if _names_a_street(text, end, ctx):
            continue  # 某某北路: a street named after the place, not the place
        out.append(Candidate(start, end, "Division", surface, "gazetteer-short" if short else "gazetteer",
                             division_ids=ids, short=short))
    w = ctx.words
    taken = [(c.start, c.end) for c in out]
    for m in ctx.divisions.guarded_re.finditer(text):
        form = m.group(0)
        if w.guarded_branch.match(text, m.end()) and not any(a < m.end() and m.start() < b for a, b in taken):
            out.append(Candidate(m.start(), m.end(), "Division", form, "gazetteer-short",
                                 division_ids=tuple(sorted(ctx.divisions.guarded[form])), short=True))
    zones = _named_zones(text, ctx, out)
    if zones:
        # a gazetteer name inside a zone's own name (某某镇 in 某某陶瓷工业园区) is part of that name
        out = [c for c in out if not any(z.start <= c.start and c.end <= z.end for z in zones)] + zones
    return sorted(out, key=lambda c: c.start)


def _named_zones(text: str, ctx: Context, found: list[Candidate]) -> list[Candidate]:
    """Functional zones named before their head (某某陶瓷工业园区, 某某经济技术开发区): the words
    before the head back to punctuation, a division or a word of another class (references.toml
    zone_name_tags), one of them a proper name; none when a division stands right before the
    head (某县经济技术开发区: the resolver names that zone after the county)."""
    w = ctx.words
    if not ctx.token_starts or not w.zone_suffix_re.search(text):
        return []
    division_ends = {c.end for c in found}
    out = []
    for m in w.zone_suffix_re.finditer(text):
        s, e = m.span()
        if s not in ctx.token_starts or e not in ctx.token_ends:
            continue
        start, proper = s, False
        while start not in division_ends:
            word = ctx.ending_at(start)
            if word is None or s - word[0] > w.zone_name_max or word[1] and word[1] not in w.zone_name_tags or \
                    not all("\u3400" <= ch <= "\u9fff" for ch in text[word[0]:start]):
                break
            proper = proper or not word[1] or word[1] in w.zone_proper_tags
            start = word[0]
        if start < s and proper:
            out.append(Candidate(start, e, "Division", text[start:e], "zone-named"))
    return out


def _names_a_street(text: str, end: int, ctx: Context) -> bool:
    """Whole words right after a division's name that make it a street's (某某|北路, 某某|大街)."""
    m = ctx.words.division_street.match(text, end)
    return m is not None and end in ctx.token_starts and m.end() in ctx.token_ends
