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
    return sorted(out, key=lambda c: c.start)


def _names_a_street(text: str, end: int, ctx: Context) -> bool:
    """Whole words right after a division's name that make it a street's (某某|北路, 某某|大街)."""
    m = ctx.words.division_street.match(text, end)
    return m is not None and end in ctx.token_starts and m.end() in ctx.token_ends
