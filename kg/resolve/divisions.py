"""Division mentions: a candidate resolved to a division, and the units the gazetteer lacks
that a chain 某县 + X镇 (+ Y村) names in the text."""
from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Sequence

from kg.ids import division_entity_id
from kg.names import Candidate
from kg.records import Division
from kg.resolve.resolved import Resolved
from kg.resolve.resolver import Resolver

__all__ = ["division_mention", "unknown_division", "named_zone"]


def division_mention(r: Resolver, article_id: str, start: int, end: int, surface: str, did: str, rule: str,
                      covering: Sequence[Candidate], cover_starts: Sequence[int] | None = None,
                      cover_longest: int = 0) -> Resolved:
    if cover_starts is not None:
        # covering sorted by start: a name holding [start, end) starts in [end - longest, start]
        covering = covering[bisect.bisect_left(cover_starts, end - cover_longest):
                            bisect.bisect_right(cover_starts, start)]
    in_name = any(o.start <= start and end <= o.end and (o.start, o.end) != (start, end) for o in covering)
    return Resolved(division_entity_id(did), article_id, start, end, surface, "Division", r.get(did).name, rule,
                    division_id=did, in_name=in_name)


_CJK_RUN = re.compile(r"[\u3400-\u9fff]{1,5}")


def unknown_division(r: Resolver, text: str, prev: Resolved) -> Resolved | None:
    """A township or village right after its parent but missing from the gazetteer.

    Renamed and merged units (某乡 became 某镇) are common in news; the chain
    某县某镇某村 itself says what they are.  Only when no known division starts
    there (the caller's check), and the parent is a county (for townships) or a
    township (for villages).
    """
    pos = prev.end
    parent = r.get(prev.division_id)
    if parent is None:
        return None
    zone = None
    if text[pos:pos + 1] in r.zone_suffix_starts:
        zone = next((z for z in r.zone_suffixes if text.startswith(z, pos)), None)
    if zone and parent.level in ("prefecture", "county"):
        name = prev.text + zone
        did = _child_id(parent.id, name)
        if did not in r.extra:
            r.extra[did] = Division(did, None, name, "zone", parent.id, ())
        return Resolved(division_entity_id(did), prev.article_id, prev.start, pos + len(zone), name, "Division",
                        name, "division-chain", division_id=did)
    if parent.level in ("county", "zone"):
        suffixes, level, suffix_starts = r.township_suffixes, "township", r.township_suffix_starts
    elif parent.level == "township":
        suffixes, level, suffix_starts = r.village_suffixes, "village", r.village_suffix_starts
    else:
        return None
    # a suffix starts 1 to 4 characters on, or there is no unit: one set look-up per
    # character rules most positions out before the regex and the suffix comparisons
    if "" not in suffix_starts and not any(ch in suffix_starts for ch in text[pos + 1:pos + 5]):
        return None
    run = _CJK_RUN.match(text, pos)
    if not run or run.group(0).startswith(r.not_place_stems):
        return None  # 部分乡镇, 各村: a description, not a unit
    for n in range(1, min(len(run.group(0)), 4) + 1):
        for suffix in suffixes:
            if text.startswith(suffix, pos + n):
                name = text[pos:pos + n + len(suffix)]
                after = text[pos + len(name):pos + len(name) + 6]
                # the unit must end there: punctuation, or a village of it follows
                if not (after[:1] in r.unit_end or (level == "township" and r.village_after.match(after))):
                    continue
                did = _child_id(parent.id, name)
                if did not in r.extra:
                    r.extra[did] = Division(did, None, name, level, parent.id, ())
                return Resolved(division_entity_id(did), prev.article_id, pos, pos + len(name), name, "Division",
                                name, "division-chain", division_id=did)
    return None


def _child_id(parent_id: str, name: str) -> str:
    """Same scheme as the gazetteer's ids for units without a code."""
    return f"{parent_id}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:8]}"


def named_zone(r: Resolver, article_id: str, start: int, end: int, name: str, parent_id: str | None,
               covering: Sequence[Candidate]) -> Resolved | None:
    """A functional zone with a name of its own (某某陶瓷工业园区: names.divisions), a zone of
    ``parent_id`` (the division written right before it, else the article's home county or
    city); None without a parent."""
    parent = r.get(parent_id)
    if parent is None:
        return None
    did = _child_id(parent.id, name)
    if did not in r.extra:
        r.extra[did] = Division(did, None, name, "zone", parent.id, ())
    return division_mention(r, article_id, start, end, name, did, "zone-named", covering)
