"""Organizations: region + brand + industry + legal form (companies, schools, hospitals, foundations)."""
from __future__ import annotations

from collections.abc import Sequence

from kg.names.boundary import CJK, continues_word, suffix_heads, suffix_names, word_hits
from kg.names.context import Candidate, Context
from kg.names.registry import name_finder, name_pass

__all__ = ["find_organizations"]


@name_finder("Organization", rules=("org-suffix", "org-anaphor", "org-brand-industry", "org-source",
                                     "democratic-party"))
def find_organizations(text: str, ctx: Context, divisions: Sequence[Candidate]) -> list[Candidate]:
    """Companies, schools, hospitals, foundations, newspapers: name + legal/institution head."""
    w = ctx.words
    # a count inside the name makes it a description (新上马4个大型洗煤厂, 某村3所改扩建幼儿园)
    out = [_after_open_bracket(c, w) for c in
           suffix_names(text, ctx, divisions, w.org_strong, "Organization", "org-suffix", 30)
           if not w.inner_count.search(c.text) and not _described(c.text, w)]
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
        after = text[e:e + 2]
        if not (after == "" or after[:1] in w.hard or after.startswith(w.brand_followers)
                or text.startswith(w.titles, e)):
            continue
        b = _brand_start(text, ctx, s)
        if b is not None:
            out.append(Candidate(b, e, "Organization", text[b:e], "org-brand-industry"))
    return out


#: the longest brand before an industry word (某某某某 + 化工)
_BRAND_MAX = 6


def _brand_start(text: str, ctx: Context, end: int) -> int | None:
    """Start of the brand ending at ``end``: the words before it the segmenter does not know
    (or tags nz), two to six characters; None when there is none.

    An unknown word of three characters opening with a one-character boundary word is
    that word glued to a two-character brand (有 + 某某: 旗下有某某机械制造).
    """
    b = end
    while True:
        tok = ctx.ending_at(b)
        if tok is None:
            break
        a, tag = tok
        if tag not in ("", "nz") or end - a > _BRAND_MAX or not all(CJK.match(ch) for ch in text[a:b]):
            break
        b = a
    if end - b < 2:
        return None
    first = ctx.starting_at(b)
    if first is not None and first[0] - b == 3 and text[b] in ctx.words.left and end - b > 3 - 1:
        b += 1
    return b


def _described(name: str, w) -> bool:
    """A one-character head after one character (绿矿, 一厂) names nothing."""
    head = next((h for h in w.org_strong if name.endswith(h)), "")
    return len(head) == 1 and len(name) - len(head) < 2


def _after_open_bracket(c: Candidate, w) -> Candidate:
    """A name never holds a bracket it does not close: 某街(某路口至某某加油站 → the part after it."""
    cut = max(c.text.rfind(b) for b in w.opening_brackets)
    if cut < 0 or any(b in c.text[cut:] for b in w.closing_brackets) or len(c.text) - cut - 1 < 3:
        return c
    start = c.start + cut + 1
    return Candidate(start, c.end, c.type, c.text[cut + 1:], c.rule)


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


#: tags of a token that is a proper name (a brand, a place), or no dictionary word at all
_PROPER = ("", "nz", "ns", "nt")


@name_pass("Organization", rules=("org-owner-in-name",))
def owners_in_names(text: str, ctx: Context, divisions: Sequence[Candidate],
                    found: Sequence[Candidate]) -> list[Candidate]:
    """The company a project is named after: 某某公司某某项目, 某某化工煤焦油…项目,
    山西某某年产4万吨…项目.

    The project name's prefix up to its first organization head (公司, 集团; an
    industry word such as 化工 only after a brand the segmenter does not know),
    or up to a capacity (年产, 15万吨) after such a brand, is its owner: a name
    holding a proper name, never a description (某市绿色能源…).
    """
    w = ctx.words
    out = []
    for c in found:
        if c.type != "Project" or c.name or c.rule != "project-head":
            continue
        s, e = c.start, c.end
        end = _first_head_end(text, s + 2, e - 2, w.org_strong, ctx)
        weak = end is None
        if weak:
            end = _first_head_end(text, s + 2, e - 2, w.org_weak, ctx)
        if end is None or (weak and not _branded(text, ctx, s, end)):
            cap = w.capacity.search(text, s + 2, e)
            end = cap.start() if cap and _branded(text, ctx, s, cap.start()) else None
        if end is None or end - s < 3 or end > e - 2 or (ctx.token_starts and end not in ctx.token_starts) or \
                any(b in text[s:end] for b in w.opening_brackets):
            continue  # (某街(某路口至某加油站)改造工程: a section of a road, not its owner)
        if not any(tag in _PROPER and b - a >= 2 for a, b, tag in ctx.tokens_in(s, end)) and \
                not _divisions_at(divisions, s):
            continue
        out.append(Candidate(s, end, "Organization", text[s:end], "org-owner-in-name"))
    return out


def _first_head_end(text: str, start: int, end: int, heads: tuple[str, ...], ctx: Context) -> int | None:
    """End of the first head word (by position) within ``[start, end)`` that ends a token."""
    best = None
    for s0, e0, _head in word_hits(text, heads, ctx):
        if s0 >= start and e0 <= end and (not ctx.token_ends or e0 in ctx.token_ends):
            if best is None or e0 < best:
                best = e0
    return best


def _branded(text: str, ctx: Context, start: int, end: int) -> bool:
    """Is there a brand the segmenter does not know (an unknown word or nz, not a number) in
    ``[start, end)``?"""
    return any(tag in ("", "nz") and b - a >= 2 and CJK.match(text[a])
               for a, b, tag in ctx.tokens_in(start, end))
