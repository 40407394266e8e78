"""Organizations: region + brand + industry + legal form (companies, schools, hospitals, foundations)."""
from __future__ import annotations

from collections.abc import Sequence

from kg.names.boundary import CJK, continues_word, suffix_heads, suffix_names, word_hits
from kg.names.context import Candidate, Context
from kg.names.registry import name_finder

__all__ = ["find_organizations"]


@name_finder("Organization", rules=("org-suffix", "org-anaphor", "org-brand-industry"))
def find_organizations(text: str, ctx: Context, divisions: Sequence[Candidate]) -> list[Candidate]:
    """Companies, schools, hospitals, foundations, newspapers: name + legal/institution head."""
    w = ctx.words
    out = suffix_names(text, ctx, divisions, w.org_strong, "Organization", "org-suffix", 30)
    # a bare head (基金会理事长…, 该公司) refers back to an organization named before
    # the longest head word at each start, when it has two characters or more (the
    # same as overlapping matches of the two-character heads alone)
    for s0, e0, _suffix in (hit for hit in word_hits(text, w.org_strong, ctx) if hit[1] - hit[0] >= 2):
        before = text[s0 - 1] if s0 > 0 else ""
        if before not in ("", w.anaphor_marker) and before not in w.hard and not before.isspace():
            continue
        if not continues_word(text, e0, ctx):
            start = s0 - 1 if before == w.anaphor_marker else s0
            out.append(Candidate(start, e0, "Organization", text[start:e0], "org-anaphor"))
    # brand + industry (某某化工): only when the brand is a name the segmenter does not know
    for s, e, suffix in suffix_heads(text, w.org_weak, ctx):
        if continues_word(text, e, ctx):
            continue
        for k in (2, 3):
            b = s - k
            if b < 0 or not all(CJK.match(ch) for ch in text[b:s]):
                continue
            after = text[e:e + 2]
            ends = after == "" or after[:1] in w.hard or after.startswith(w.brand_followers)
            if ends and ctx.tag(b, s) in ("", "nz") and (b == 0 or text[b - 1] in "、，,：:（(“ " or b in ctx.token_starts):
                out.append(Candidate(b, e, "Organization", text[b:e], "org-brand-industry"))
                break
    return out
