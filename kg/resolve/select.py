"""Choosing among overlapping open-class candidates (agencies, organizations, projects, persons)."""
from __future__ import annotations

import bisect
from collections.abc import Collection, Sequence

from kg.names import Candidate

__all__ = ["select_open"]

# Rules that read a construction context beat a name's head word for the same
# span (推进某某小学建设: a project, not the school); a titled person beats a credit.
_CONTEXT_RULES = ("facility-built", "project-list", "invested-object", "invested-bare", "project-list-distributed")


def _preference(c: Candidate) -> tuple:
    # ends in a total order: equal spans may carry different assembled names
    return (1 if c.rule in _CONTEXT_RULES else 0, -_TYPE_RANK[c.type], 1 if c.title else 0,
            len(c.surface), c.surface, c.rule)


# Rules whose project is named by the item and words written elsewhere (a shared head).
_ASSEMBLED_RULES = ("project-list-distributed",)

_TYPE_RANK = {"Agency": 0, "Organization": 1, "Project": 2, "Person": 3}


def select_open(cands: Sequence[Candidate], branch_heads: tuple[str, ...],
                units: Collection[str] = ()) -> list[Candidate]:
    """Choose among overlapping open-class candidates (``branch_heads``: agency.toml's;
    ``units``: the offices of a committee or government written after it, agency.toml's).

    Nested agencies stay (市税务局 inside 市税务局城区分局, 县政府 inside 县政府办公室:
    parent and sub-unit); otherwise the longer candidate wins, a project built from a
    facility wins over the same span as an organization, and persons inside
    other names are dropped.
    """
    open_c = [c for c in cands if c.type != "Division"]
    # same span, several types: facility being built is a project; else by rank.  A list
    # item whose project's name is assembled (某某中学 in 某某中学、某某二中3所学校的某某工程)
    # names the institution as well: both stay.
    by_span: dict[tuple[int, int, bool], Candidate] = {}
    for c in open_c:
        key = (c.start, c.end, c.rule in _ASSEMBLED_RULES)
        old = by_span.get(key)
        if old is None:
            by_span[key] = c
            continue
        if _preference(c) > _preference(old):
            by_span[key] = c
    # (a bare project of that span gives way to the assembled one)
    chosen = sorted((c for (a, b, assembled), c in by_span.items()
                     if assembled or c.type != "Project" or (a, b, True) not in by_span),
                    key=lambda c: (c.start, -(c.end - c.start)))
    # Only a longer candidate that overlaps (or holds) c can drop it; such a one
    # starts in [c.start - longest, c.end], so each c looks at a window of the
    # start-sorted list (linear for names of bounded length, not quadratic).
    starts = [c.start for c in chosen]
    longest = max((c.end - c.start for c in chosen), default=0)
    keep: list[Candidate] = []
    for c in chosen:
        drop = False
        lo = bisect.bisect_left(starts, c.start - longest)
        hi = bisect.bisect_right(starts, c.end)
        for o in chosen[lo:hi]:
            if o is c or (o.end - o.start) <= (c.end - c.start):
                continue
            if o.start <= c.start and c.end <= o.end:
                # nested inside a longer one
                if c.type == "Agency" and o.type == "Agency" and c.start == o.start and \
                        o.text.endswith(branch_heads):
                    continue  # parent body inside a branch's name (某局某分局)
                if c.rule == "party-government" and o.type == "Agency" and o.text[c.end - o.start:] in units:
                    continue  # 县委 in 县委办, 某县政府 in 某县政府办公室: the unit's parent body
                if c.type in ("Organization", "Agency") and o.type == "Project" and c.start == o.start:
                    continue  # 某厂 in 某厂某某综合利用, 某县公安局 in 某县公安局业务用房项目: the undertaker
                drop = True
                break
            if o.start < c.start < o.end < c.end or c.start < o.start < c.end < o.end:
                # partial overlap: keep the longer, persons lose
                if c.type == "Person" or (o.end - o.start) > (c.end - c.start):
                    drop = True
                    break
        if not drop:
            keep.append(c)
    return keep
