"""Division names and short forms in a text (the gazetteer's matcher, and guarded short forms)."""
from __future__ import annotations

from kg.names.context import Candidate, Context

__all__ = ["find_divisions"]


def find_divisions(text: str, ctx: Context) -> list[Candidate]:
    """Division names and short forms (leftmost-longest)."""
    out = []
    for start, end, surface, ids, short in ctx.divisions.iter_matches(text):
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
