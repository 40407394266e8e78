"""Government bodies: jurisdiction + domain + body (+ sub-unit), e.g. 县 + 住房和城乡建设 + 管理局,
and the party/government short forms (市委, 县政府)."""
from __future__ import annotations

from collections.abc import Sequence

from kg.names.boundary import continues_word, suffix_names
from kg.names.context import Candidate, Context
from kg.names.registry import name_finder

__all__ = ["find_agencies"]


@name_finder("Agency", rules=("agency-suffix", "agency-weak", "party-government", "national-body"))
def find_agencies(text: str, ctx: Context, divisions: Sequence[Candidate]) -> list[Candidate]:
    """Government bodies: jurisdiction + domain + body, and party/government short forms."""
    w = ctx.words
    out = [c for c in suffix_names(text, ctx, divisions, w.agency_strong, "Agency", "agency-suffix", 30)
           if not text.startswith(w.place_after_body, c.end)]  # 某局片区: a place
    out = [c for c in out if not w.inner_count.search(c.text)]  # 某某3处: a count, not a body
    # weak heads (中心, 站 …) count with a jurisdiction prefix or an agency domain word, or
    # as an item of a list of bodies (某某局、创卫办、…)
    listed = []
    for c in suffix_names(text, ctx, divisions, w.agency_weak, "Agency", "agency-weak", 20):
        body = c.text
        if w.facility_center_re.search(body) or body.endswith(w.org_strong) or \
                text.startswith(w.place_after_body, c.end) or w.inner_count.search(body):
            continue  # 日间照料中心: a facility; 某县融媒体中心, 某研究所: organizations; 某某3所: a count
        if c.juris is not None and len(body) - (c.juris[1] - c.juris[0]) >= 3 or w.center_words_re.search(body):
            out.append(c)
        else:
            listed.append(c)
    if listed:
        # a weak head between bodies of a 、-list is a body too
        ends = {c.end for c in out}
        starts = {c.start for c in out}
        sep = w.item_separator
        out.extend(c for c in listed if (text[c.start - 1:c.start] == sep and c.start - 1 in ends) or
                   (text[c.end:c.end + 1] == sep and c.end + 1 in starts))
    # 市委/县政府/省委: jurisdiction + party/government word, as whole words
    for c in divisions:
        if not text.startswith(w.party_gov, c.end):
            continue  # (most divisions)
        for word in w.party_gov:
            end = c.end + len(word)
            if text.startswith(word, c.end) and (not continues_word(text, end, ctx)
                                                 or text.startswith(w.titles, end)):
                out.append(Candidate(c.start, c.end + len(word), "Agency", text[c.start:c.end + len(word)],
                                     "party-government", juris=(c.start, c.end)))
    for m in w.party_gov_re.finditer(text):
        s, e = m.span()
        titled = text.startswith(w.titles, e)  # 市委书记 is one word to the segmenter
        if ctx.token_starts and not ctx.is_token(s, s + 1) and not ctx.is_token(s, e) and not titled:
            continue
        if continues_word(text, e, ctx) and not titled:
            continue
        out.append(Candidate(s, e, "Agency", m.group(0), "party-government", juris=(s, s + 1)))
    if ctx.token_starts:
        # after a CJK character (贯彻落实省委, 希望县政府): the short form counts when the
        # segmenter cuts it as words of its own (省委, 县/政协, 市/人大), not inside a
        # longer word (城市/委员)
        seen = {(c.start, c.end) for c in out}
        for m in w.party_gov_any_re.finditer(text):
            s, e = m.span()
            if (s, e) in seen or s not in ctx.token_starts:
                continue
            if e in ctx.token_ends or text.startswith(w.titles, e) or text.startswith(w.member_words, e):
                out.append(Candidate(s, e, "Agency", m.group(0), "party-government", juris=(s, s + 1)))
    # 某县县委, 某区区政府: the level character written again after the division's name
    for c in divisions:
        level = c.text[-1:]
        if level in w.party_juris and text.startswith(level, c.end):
            for word in w.party_gov:
                end = c.end + 1 + len(word)
                if text.startswith(word, c.end + 1) and (not continues_word(text, end, ctx)
                                                         or text.startswith(w.titles, end)):
                    out.append(Candidate(c.end, end, "Agency", text[c.end:end], "party-government",
                                         juris=(c.end, c.end + 1)))
                    break
    for m in w.national_re.finditer(text):
        out.append(Candidate(m.start(), m.end(), "Agency", m.group(0), "national-body"))
    return out
