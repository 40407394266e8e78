"""Canonical names: a name with a bare jurisdiction word made explicit (市自然资源局 in a
晋城 paper → 晋城市自然资源局; 县中医院 → 平遥县中医院), abbreviations expanded
(发改委 → 发展和改革委员会; 晋城市委 → 中共晋城市委员会), a body listed after another
(市自然资源局、应急局) sharing its jurisdiction, a sub-unit (大队, 中队) written
without its parent given the parent's name."""
from __future__ import annotations

import re
from collections.abc import Sequence

from kg.names import Candidate
from kg.nlp.segmenter import compiled
from kg.resolve.resolved import Resolved
from kg.resolve.resolver import Resolver

__all__ = ["canonical", "jurisdiction_word", "strip_spaces"]

_SPACES = re.compile(r"[\s\u3000]+")


def strip_spaces(text: str) -> str:
    if text.isalnum():
        return text  # no letter or digit is whitespace: nothing to remove (most names)
    return _SPACES.sub("", text)


def canonical(r: Resolver, c: Candidate, text: str, divs: Sequence[Resolved], city: str | None,
               county: str | None, mentions: Sequence[Resolved], parents: Sequence[Resolved],
               last_agency: tuple[int, str | None] | None, own: bool = True,
               named: Sequence[Candidate] = (), home: str | None = None) -> tuple[str | None, str | None]:
    """Canonical name and jurisdiction id of an agency/organization/project candidate.

    ``home`` is the jurisdiction of a body written without one (能源局): the article's
    dominant county (:meth:`Resolver.dominant_county`), else the home city.
    """
    if home is None:
        home = city
    surface = strip_spaces(c.surface)
    if c.type == "Agency":
        written = _written_committee(r, text, c, divs)  # 中共某市委, 政协某县委员会
        if written is not None:
            return written
    juris_id: str | None = None
    rest = surface
    prefix = ""
    if c.juris is not None:
        js, je = c.juris
        word = text[js:je]
        div = next((d for d in divs if d.start == js and d.end == je), None)
        if div is not None:
            juris_id = div.division_id
            prefix = r.division_name(juris_id) if c.type == "Agency" else word
            rest = strip_spaces(text[je:c.end])
        elif word in r.quantifying:
            return None, None  # 全省知名医院: "all … of the province", not a name
        elif word in r.home_markers or word in r.anaphors:
            # 该县第十届人民代表大会, 本县中医院: the home jurisdiction of that level
            level = r.level_of.get(word[-1])
            juris_id = r.jurisdiction_for(word[-1], city, county, own) if level == "prefecture" else \
                county if level == "county" else None
            if level == "province":
                juris_id = r.gaz.province_id
            if juris_id:
                prefix = r.division_name(juris_id)
                rest = strip_spaces(text[je:c.end])
            else:
                return None, None
        elif word in r.juris_words:
            if len(word) > 1:  # 全国/国家/中央/中共: a national body, written in full
                return (surface if c.type != "Agency" else r.expand_agency(surface)), None
            juris_id = r.jurisdiction_for(word, city, county, own)
            if juris_id:
                prefix = r.division_name(juris_id)
                rest = strip_spaces(text[je:c.end])
    if c.type == "Agency" and c.juris is not None and _ends_with_subunit(r, surface):
        # 某区三大队 under a 支队 named before: the unit of that 支队 for that district
        div = next((d for d in divs if (d.start, d.end) == c.juris), None)
        if div is not None and div.rule == "gazetteer-short":
            top = _first_body_rank(r, surface)
            for p in reversed(parents):
                if 0 <= _body_rank(r, p.name) < top:
                    return p.name + surface, div.division_id
    if c.rule == "org-anaphor":
        head = surface.lstrip(r.anaphor_marker)
        for name in reversed(r.seen_orgs):
            if name.endswith(head) and name != head:
                return name, None
        return None, None
    if c.type == "Project":
        # guideline: projects keep the name as written
        return surface, juris_id or _inner_division(c, divs)
    if c.type == "Organization":
        if prefix:
            expanded = _expand_school(r, rest)
            if expanded != rest and juris_id:  # 平遥二中 → 平遥县第二中学
                return r.division_name(juris_id) + expanded, juris_id
            return prefix + rest, juris_id
        lead = next((d for d in divs if d.start == c.start), None)
        if lead is not None and lead.division_id:
            expanded = _expand_school(r, surface[len(strip_spaces(lead.text)):])
            if expanded != surface[len(strip_spaces(lead.text)):]:
                return r.division_name(lead.division_id) + expanded, lead.division_id
            return surface, lead.division_id
        if _generic_name(rest, r.body_words):
            # 自来水公司 among named bodies: the home county's; alone (项目公司) it names no one;
            # 示范小学, 人民医院: a local institution of the home county
            local = rest.endswith(r.local_institutions) and rest.startswith(r.institution_modifiers)
            if (local or _coordinated(text, c) and _named_neighbour(text, c, named)) and (county or city):
                home = county or city
                return r.division_name(home) + rest, home
            return None, None
        return surface, _inner_division(c, divs)
    # agencies
    if c.rule == "national-body":
        return r.national.get(surface, surface), None
    if c.juris is None and not prefix and _glued_committee(r, surface):
        # a committee's short form glued to its jurisdiction character in one word (市政协提案委)
        juris_id = r.jurisdiction_for(surface[0], city, county, own)
        if juris_id is None:
            return None, None
        prefix, rest = r.division_name(juris_id), surface[1:]
    if prefix:
        full = r.committee_name(prefix, rest)  # 县委 → 中共某县委员会, 市政协提案委 → …提案委员会
        if full:
            return full, juris_id
    if c.rule == "party-government":
        if not prefix and c.juris is not None:
            return None, None  # 县委 with no county the article establishes: no name to give it
        return (prefix or surface) + r.expand_agency(rest), juris_id
    generic = _generic_name(rest, r.body_words)
    rest = r.expand_agency(rest)
    if prefix:
        return prefix + rest, juris_id
    # no jurisdiction written: sub-unit of a parent body in this article?
    top = _first_body_rank(r, rest)
    for p in reversed(parents):
        if _ends_with_subunit(r, rest) and 0 <= _body_rank(r, p.name) < top:
            return p.name + rest, p.juris
    # listed right after another body (市自然资源局、应急局): shares its jurisdiction
    if last_agency is not None and last_agency[1] and 0 <= c.start - last_agency[0] <= 1 \
            and text[last_agency[0]:c.start] in ("、", ""):
        juris_id = last_agency[1]
        return r.division_name(juris_id) + rest, juris_id
    if generic and home:
        return r.division_name(home) + rest, home
    return rest, None


def _glued_committee(r: Resolver, surface: str) -> bool:
    """Is the name a committee's short form glued to its jurisdiction character (市政协提案委)?"""
    return surface[:1] in r.level_of and r.committee_name("", surface[1:]) is not None


def jurisdiction_word(r: Resolver, c: Candidate, text: str, divs: Sequence[Resolved]) -> tuple[int, int] | None:
    """The span of the bare jurisdiction word (省, 市, 县, 区) that stands for the
    jurisdiction of ``c`` (市住建局, 县委, 市政协提案委), None if the name writes
    its jurisdiction out (朔州市住建局) or has none."""
    if c.juris is not None:
        js, je = c.juris
        if je - js == 1 and text[js] in r.level_of and not any(d.start == js and d.end == je for d in divs):
            return js, je
        return None
    if c.type == "Agency" and _glued_committee(r, strip_spaces(c.surface)):
        return c.start, c.start + 1
    return None


def _written_committee(r: Resolver, text: str, c: Candidate, divs: Sequence[Resolved]) -> tuple[str, str] | None:
    """A committee written in full or half-full, prefix + place + body (+ unit):
    中共某市委宣传部, 政协某县委员会 → (canonical name, division id); None otherwise."""
    for prefix, short in r.committee_written:
        if not text.startswith(prefix, c.start):
            continue
        place = next((d for d in divs if d.start == c.start + len(prefix) and d.end < c.end), None)
        if place is None:
            return None
        body = strip_spaces(text[place.end:c.end])
        for written in r.committee_bodies:
            if body.startswith(written):
                body = short + body[len(written):]
                break
        full = r.committee_name(r.division_name(place.division_id) or place.name, body)
        return (full, place.division_id) if full else None
    return None


def _named_neighbour(text: str, c: Candidate, named: Sequence[Candidate]) -> bool:
    """Is a list neighbour of ``c`` (across one 、) an agency or organization candidate?"""
    return any(o is not c and o.type in ("Agency", "Organization") and
               (o.end == c.start - 1 or o.start == c.end + 1) for o in named)


def _coordinated(text: str, c: Candidate) -> bool:
    """Is the candidate an item of a 、-list (A、B、C)?"""
    return (c.start > 0 and text[c.start - 1] == "、") or text[c.end:c.end + 1] == "、"


def _body_rank(r: Resolver, name: str) -> int:
    """Rank of a body in the chain of agency.toml body_ranks (厅 > 局 > 支队 > 大队 > 中队);
    a body of body_rank_aliases ranks as its body (a centre under a 支队 with the
    大队); other bodies are never parents (-1)."""
    for rank, body in reversed(list(enumerate(r.body_ranks))):
        if name.endswith(body):
            return rank
    for body, rank in r.body_rank_aliases:
        if name.endswith(body):
            return rank
    return -1


def _first_body_rank(r: Resolver, name: str) -> int:
    """Rank of the highest body written in a name (某区三大队一中队 → 大队)."""
    ranks = [rank for rank, body in enumerate(r.body_ranks) if body in name]
    ranks.extend(rank for body, rank in r.body_rank_aliases if body in name)
    return min(ranks) if ranks else 99


def _ends_with_subunit(r: Resolver, name: str) -> bool:
    return any(name.endswith(s) for s in r.subunits) and not name.endswith(r.self_named_subunits)


def _generic_name(name: str, common: frozenset[str] = frozenset()) -> bool:
    """A name made only of common words (自来水公司, 消防支队, 住房和城乡建设局): no proper
    name in it.  ``common``: the project's own words of body names (住房和城乡建设,
    住建局), which the segmenter knows without a tag.

    Remembered per name while jieba's dictionary and ``common`` stay the same (names
    recur across articles).
    """
    fast = compiled()
    state = _GENERIC_NAMES.get(None)
    if state is None or state[0] is not fast or state[1] != common or len(_GENERIC_NAMES) > 100_000:
        _GENERIC_NAMES.clear()
        _GENERIC_NAMES[None] = (fast, common)
    known = _GENERIC_NAMES.get(name)
    if known is None:
        known = _GENERIC_NAMES[name] = _segment_generic(fast, name, common)
    return known


_GENERIC_NAMES: dict = {}  # name -> _segment_generic(name); None -> (the FastJieba they were cut with, common)


def _segment_generic(fast, name: str, common: frozenset[str]) -> bool:
    tags = fast.dictionary.tags
    for word in fast.cut(name):
        tag = tags.get(word)
        if tag is None and word in common:
            continue
        if tag is None or tag in ("ns", "nz", "nr", "nrt", "nt") or re.search(r"[0-9A-Za-z]", word):
            return False
    return True


def _expand_school(r: Resolver, rest: str) -> str:
    for short, full in r.school_abbrev.items():
        if rest == short:
            return full
    return rest


def _inner_division(c: Candidate, divs: Sequence[Resolved]) -> str | None:
    inner = [d for d in divs if c.start <= d.start and d.end <= c.end]
    return inner[-1].division_id if inner else None
