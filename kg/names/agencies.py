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
    out = suffix_names(text, ctx, divisions, w.agency_strong, "Agency", "agency-suffix", 30)
    # weak heads (中心, 站 …) count with a jurisdiction prefix or an agency domain word
    for c in suffix_names(text, ctx, divisions, w.agency_weak, "Agency", "agency-weak", 20):
        body = c.text
        if w.facility_center_re.search(body):
            continue
        if c.juris is not None and len(body) - (c.juris[1] - c.juris[0]) >= 3 or w.center_words_re.search(body):
            out.append(c)
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
    for m in w.national_re.finditer(text):
        out.append(Candidate(m.start(), m.end(), "Agency", m.group(0), "national-body"))
    return out
