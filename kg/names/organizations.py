"""Organizations: region + brand + industry + legal form (companies, schools, hospitals, foundations)."""
from __future__ import annotations

from collections.abc import Sequence

from kg.names.boundary import CJK, continues_word, suffix_heads, suffix_names, word_hits
from kg.names.context import Candidate, Context
from kg.names.registry import name_finder

__all__ = ["find_organizations"]


@name_finder("Organization", rules=("org-suffix", "org-anaphor", "org-brand-industry", "org-source",
                                     "democratic-party"))
def find_organizations(text: str, ctx: Context, divisions: Sequence[Candidate]) -> list[Candidate]:
    """Companies, schools, hospitals, foundations, newspapers: name + legal/institution head."""
    w = ctx.words
    out = suffix_names(text, ctx, divisions, w.org_strong, "Organization", "org-suffix", 30)
    sources = _outlets(text, ctx, out)
    if sources:
        # an outlet found by its head too is the source (one candidate per span)
        spans = {(c.start, c.end) for c in sources}
        out = [c for c in out if (c.start, c.end) not in spans]
        out.extend(sources)
    out.extend(_party_committees(text, ctx, divisions))
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


def _party_committees(text: str, ctx: Context, divisions: Sequence[Candidate]) -> list[Candidate]:
    """A democratic party's committee of a place: 民盟某市委会 → 中国民主同盟某市委员会."""
    w = ctx.words
    out = []
    for m in w.democratic_party_re.finditer(text):
        for div in _divisions_at(divisions, m.end()):
            place_end = div.end
            if text[place_end:place_end + 1] in w.party_juris and not div.text.endswith(text[place_end]):
                place_end += 1  # 太原/市委: the short form and the level written apart
            word = next((x for x in w.party_committee_words if text.startswith(x, place_end)), None)
            if word is None:
                continue
            end = place_end + len(word)
            if continues_word(text, end, ctx) and not text.startswith(w.titles, end):
                continue
            name = w.democratic_parties[m.group(0)] + text[div.start:place_end] + w.party_committee_full
            out.append(Candidate(m.start(), end, "Organization", text[m.start():end], "democratic-party", name=name))
            break
    return out


def _divisions_at(divisions: Sequence[Candidate], start: int) -> list[Candidate]:
    """Division candidates starting at ``start``, longest first."""
    return sorted((c for c in divisions if c.start == start), key=lambda c: c.start - c.end)


def _outlets(text: str, ctx: Context, named: Sequence[Candidate]) -> list[Candidate]:
    """The outlet that published the text: a source line's value (来源:某某新闻网) or a
    media name opening a dateline (某某日报讯, 某某新闻网某某讯), rule ``org-source``."""
    w = ctx.words
    out = []
    if any(label in text for label in w.source_labels):
        for m in w.source_re.finditer(text):
            value = m.group(1)
            if value.endswith(w.not_outlets) or any(head in value for head in w.agency_strong):
                continue  # 来源:某区人民政府网站, 来源:某某局: a body or its website, not an outlet
            out.append(Candidate(m.start(1), m.end(1), "Organization", value, "org-source"))
    for c in named:
        if c.text.endswith(w.media_heads) and w.dateline.match(text, c.end):
            out.append(Candidate(c.start, c.end, "Organization", c.text, "org-source"))
    return out
