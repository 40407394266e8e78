"""Resolution: from candidate names to canonical entities, one per real thing.

* Divisions: an alias may denote several divisions (城区, 王家庄村); the one
  inside the document's home city / the article's home county, or under the
  division written right before it (黄碾镇故南村), wins; otherwise the mention
  is dropped rather than guessed.
* Home jurisdictions: the document's home city is the prefecture most of its
  division mentions lie in; an article's home county is its most mentioned
  county-level division.  我市/全市 → home city, 本县/该区/全县 → home county.
* Names with a bare jurisdiction word get it made explicit (市自然资源局 in a
  晋城 paper → 晋城市自然资源局; 县中医院 → 平遥县中医院); abbreviations
  are expanded (发改委 → 发展和改革委员会; 晋城市委 → 中共晋城市委员会); a body
  listed after another (市自然资源局、应急局) shares its jurisdiction; a
  sub-unit (大队, 中队) written without its parent gets the parent's name.
* The same canonical name of the same type is one entity across articles and
  documents (ids from :func:`kg.ids.entity_id`).
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from kg.ids import division_entity_id, entity_id
from kg.lexicon import Lexicon
from kg.names import Candidate
from kg.records import Article, Division, Entity

__all__ = ["ArticleText", "Resolved", "ArticleResolution", "resolve_document", "home_city"]


@dataclass(frozen=True, slots=True)
class ArticleText:
    """An article's normalised text and its map back to source offsets."""

    article: Article
    text: str
    index: tuple[int, ...]  # normalised offset -> source offset

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        return self.index[start], self.index[end - 1] + 1


@dataclass(frozen=True, slots=True)
class Resolved:
    """A mention resolved to an entity (offsets into the normalised article text)."""

    start: int
    end: int
    type: str
    name: str  # canonical name
    surface: str
    entity_id: str
    rule: str
    division_id: str | None = None  # divisions: gazetteer id
    juris: str | None = None  # agency/org/project: gazetteer id of its jurisdiction
    title: str | None = None  # persons: title before the name
    in_name: bool = False  # a division written inside an organization/project name


@dataclass
class ArticleResolution:
    art: ArticleText
    mentions: list[Resolved] = field(default_factory=list)
    home_county: str | None = None
    home_city: str | None = None
    inner_divisions: list[Resolved] = field(default_factory=list)  # divisions inside org/project names


_SPACES = re.compile(r"[\s\u3000]+")


def home_city(gazetteer, division_ids: Sequence[str]) -> str | None:
    """The prefecture most of the given divisions lie in (None if there is none)."""
    counts: Counter[str] = Counter()
    for did in division_ids:
        pref = _ancestor_at(gazetteer, did, "prefecture")
        if pref:
            counts[pref] += 1
    if not counts:
        return None
    best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return best[0][0]


def _ancestor_at(gazetteer, did: str, level: str) -> str | None:
    div = gazetteer.get(did)
    if div is None:
        return None
    if div.level == level:
        return div.id
    for anc in gazetteer.ancestors(did):
        if anc.level == level:
            return anc.id
    return None


def _within(gazetteer, did: str, ancestor: str | None) -> bool:
    if ancestor is None:
        return False
    return did == ancestor or any(a.id == ancestor for a in gazetteer.ancestors(did))


_HIGH = ("province", "prefecture", "county", "zone")


class _Resolver:
    def __init__(self, gazetteer, lexicon: Lexicon) -> None:
        self.gaz = gazetteer
        self.lex = lexicon
        self.abbrev_agency = dict(sorted(lexicon.table("abbreviations", "agency").items(),
                                         key=lambda kv: -len(kv[0])))
        self.abbrev_zone = lexicon.table("abbreviations", "zone")
        self.national = lexicon.table("abbreviations", "national")
        self.party = lexicon.table("abbreviations", "party")
        self.juris_words = set(lexicon.words("agency", "jurisdiction_words"))
        self.school_abbrev = lexicon.table("organization", "school_abbreviations")
        self.subunits = lexicon.words("agency", "subunit_suffixes")
        self.home_markers = lexicon.words("references", "home_markers")
        self.anaphors = lexicon.words("references", "anaphors")
        self.home_words = self.home_markers + self.anaphors
        # their first characters: most articles hold only some of them, and one
        # character test per first character is cheaper than a search per word
        self.home_word_starts = tuple(dict.fromkeys(w[0] for w in self.home_words))
        self.level_of = lexicon.table("references", "level_of")
        # the home words that name a level (该公司 and the like do not), with it
        self.home_levels = tuple((w, self.level_of[w[-1]]) for w in self.home_words if w[-1] in self.level_of)
        self.township_suffixes = lexicon.words("references", "township_suffixes")
        self.township_suffix_starts = frozenset(t[:1] for t in self.township_suffixes)
        self.zone_suffixes = tuple(sorted(lexicon.words("references", "zone_suffixes"), key=len, reverse=True))
        # first characters, to rule a suffix out with one set look-up before comparing it
        self.zone_suffix_starts = frozenset(z[0] for z in self.zone_suffixes)
        self.village_suffixes = lexicon.words("references", "village_suffixes")
        self.village_suffix_starts = frozenset(v[:1] for v in self.village_suffixes)
        # a village name: a few characters and a village suffix (as written, suffixes are patterns)
        self.village_after = re.compile(r"[\u3400-\u9fff]{1,5}?(?:" + "|".join(self.village_suffixes) + ")")
        self.legal_forms = lexicon.words("organization", "legal_forms")
        self.local_institutions = tuple(lexicon.words("organization", "local_institutions"))
        self.institution_modifiers = tuple(lexicon.data["organization"].get("institution_modifiers", ()))
        self.extra: dict[str, Division] = {}  # divisions found in text, missing from the gazetteer
        self.known: dict[tuple[str, ...], list[Division]] = {}  # see divisions_of (callers do not mutate)
        self.not_place_stems = tuple(lexicon.data["references"].get("not_place_stems", ()))
        self.quantifying = tuple(lexicon.data["references"].get("quantifying_markers", ()))
        self.seen_orgs: list[str] = []  # organizations named so far in the document (for 该公司/基金会)

    def divisions_of(self, ids: tuple[str, ...]) -> list[Division]:
        """The gazetteer divisions among ``ids``, in order (remembered per id tuple: the
        same names recur in a document and are looked at in several passes)."""
        divs = self.known.get(ids)
        if divs is None:
            divs = self.known[ids] = [d for d in map(self.gaz.get, ids) if d is not None]
        return divs

    def get(self, did: str | None):
        if did is None:
            return None
        return self.gaz.get(did) or self.extra.get(did)

    def within(self, did: str, ancestor: str | None) -> bool:
        if ancestor is None:
            return False
        while did is not None:
            if did == ancestor:
                return True
            div = self.get(did)
            did = div.parent if div is not None else None
        return False

    # -- divisions --------------------------------------------------------
    def pick_division(self, cand: Candidate, chain: Sequence[Resolved], city: str | None,
                      county: str | None) -> str | None:
        divs = self.divisions_of(cand.division_ids)
        if not divs:
            return None
        high = [d for d in divs if d.level in _HIGH]
        low = [d for d in divs if d.level not in _HIGH]
        # under a division of the chain written right before it (黄碾镇故南村, 黎城县某镇某村)
        for prev in reversed(chain):
            under = [d for d in divs if self.within(d.id, prev.division_id) and d.id != prev.division_id]
            if under:
                return sorted(under, key=lambda d: d.id)[0].id
        if chain and not high:
            return None  # a chain names another place: do not guess from the home county
        if high:
            if len(high) == 1:
                return high[0].id
            for scope in (county, city):
                inside = [d for d in high if _within(self.gaz, d.id, scope)]
                if len(inside) == 1:
                    return inside[0].id
            return None
        # townships and villages only inside the article's home county (or city for townships)
        for scope, levels in ((county, ("township", "village")), (city, ("township",))):
            inside = [d for d in low if d.level in levels and _within(self.gaz, d.id, scope)]
            if len(inside) == 1:
                return inside[0].id
        return None

    # -- names --------------------------------------------------------------
    def division_name(self, did: str | None) -> str | None:
        div = self.gaz.get(did) if did else None
        return div.name if div else None

    def expand_agency(self, body: str) -> str:
        """Expand standard abbreviations inside an agency name's domain+body."""
        # only a whole abbreviated body (住建局), not a word inside a longer domain
        # (教育科技局 stays: 科技局 there is part of the body's own name)
        return self.abbrev_agency.get(body, body)

    def jurisdiction_for(self, word: str, city: str | None, county: str | None,
                         own_county: bool = True) -> str | None:
        """The division a bare 省/市/县/区 stands for; ``own_county`` says the county
        is named in the article itself (not inherited from the document)."""
        if word == "省":
            return self.gaz.province_id if hasattr(self.gaz, "province_id") else "140000"
        if word == "市":
            # in an article about a county-level city (原平市), 市委/市长 are that city's
            if own_county and county and (self.division_name(county) or "").endswith("市"):
                return county
            return city
        if word in ("县", "区"):
            if county:
                name = self.division_name(county) or ""
                if name.endswith(word) or word == "区" and self.gaz.get(county).level == "zone":
                    return county
            return None
        return None


def _strip(text: str) -> str:
    if text.isalnum():
        return text  # no letter or digit is whitespace: nothing to remove (most names)
    return _SPACES.sub("", text)


def resolve_document(articles: Sequence[tuple[ArticleText, Sequence[Candidate]]], gazetteer,
                     lexicon: Lexicon) -> tuple[list[ArticleResolution], dict[str, Entity], str | None]:
    """Resolve every article of one document; returns resolutions, entities, home city id."""
    r = _Resolver(gazetteer, lexicon)
    # pass 1: unambiguous county-level-and-above divisions -> home city;
    # unambiguous counties -> the document's county (one walk over the candidates for both)
    first: list[str] = []
    doc_county_counts: Counter[str] = Counter()
    for art, cands in articles:
        # only organization and project names can hold a division
        holders = [o for o in cands if o.type in ("Organization", "Project")]
        for c in cands:
            if c.type == "Division":
                divs = r.divisions_of(c.division_ids)
                high = [d for d in divs if d.level in _HIGH]
                if len(high) == 1 and not _inside_other(c, holders):
                    first.append(high[0].id)
                counties = [d for d in divs if d.level == "county"]
                if len(counties) == 1:
                    doc_county_counts[counties[0].id] += 1
    city = home_city(gazetteer, first)
    entities: dict[str, tuple] = {}  # id -> the fields of its Entity but the aliases (see _add_entity)
    aliases: dict[str, set[str]] = {}
    results = []
    doc_county = doc_county_counts.most_common(1)[0][0] if doc_county_counts else None
    for art, cands in articles:
        results.append(_resolve_article(r, art, cands, city, doc_county))
    _merge_variants(r, results)
    for res in results:
        for m in res.mentions + res.inner_divisions:
            if m.in_name:
                if m.type == "Division" and gazetteer.get(m.division_id) is None:
                    _add_entity(entities, aliases, m, r)  # endpoint of locatedIn, not a mention
                continue
            _add_entity(entities, aliases, m, r)
    out = {}
    for eid, (type_, name, level, code, parent) in entities.items():
        al = tuple(sorted(a for a in aliases.get(eid, ()) if a != name))
        out[eid] = Entity(eid, type_, name, al, level, code, parent)
    return results, out, city


def _merge_variants(r: "_Resolver", results: Sequence["ArticleResolution"]) -> None:
    """Name variants of one entity within a document become one entity.

    * 某某集团 and 某某集团有限公司 (legal form added);
    * 某基金会 and 山西省某基金会, 某项目 and 某区某项目 (place prefixed);
    * 某县住房和城乡建设局 and 某县住房和城乡建设管理局 (an expanded abbreviation
      and the body's local full name: same stem, same body word).
    The longest variant is the canonical name; the others stay as aliases.
    """
    import dataclasses

    names: dict[str, set[str]] = {}
    for res in results:
        for m in res.mentions:
            if m.type in ("Agency", "Organization", "Project"):
                names.setdefault(m.type, set()).add(m.name)
    mapping: dict[tuple[str, str], str] = {}
    for type_, group in names.items():
        longest_first = sorted(group, key=lambda n: (-len(n), n))
        for x in sorted(group, key=len):
            head = x[:4]
            for y in longest_first:
                if len(y) <= len(x):
                    break
                # a variant starts as x does (its first four) or ends with x: the
                # other names are ruled out here, without a call per pair
                if (y.startswith(head) or y.endswith(x)) and _variant(r, type_, x, y):
                    mapping[(type_, x)] = y
                    break
    if not mapping:
        return

    def final(type_: str, name: str) -> str:
        seen = set()
        while (type_, name) in mapping and name not in seen:
            seen.add(name)
            name = mapping[(type_, name)]
        return name

    for res in results:
        new = []
        for m in res.mentions:
            if (m.type, m.name) in mapping:
                name = final(m.type, m.name)
                m = dataclasses.replace(m, name=name, entity_id=entity_id(m.type, name))
            new.append(m)
        res.mentions = new


def _variant(r: "_Resolver", type_: str, x: str, y: str) -> bool:
    if type_ == "Organization" and y.startswith(x) and y[len(x):] in r.legal_forms:
        return True
    if y.endswith(x):
        head = y[: len(y) - len(x)]
        if r.gaz.lookup(head) or r.gaz.lookup_short(head) or head in ("山西", "山西省"):
            return True
    if type_ == "Agency" and len(x) >= 6 and y.startswith(x[:-1]) and y.endswith(x[-1]) and len(y) - len(x) <= 3:
        return True
    if type_ == "Agency" and x[:4] == y[:4]:  # (a common start of 4 is needed below)
        # the same unit written without its number: …支队某中心 = …支队110某中心
        common = 0
        while common < min(len(x), len(y)) and x[common] == y[common]:
            common += 1
        x_rest, y_rest = x[common:], y[common:]
        if common >= 4 and len(x_rest) >= 2 and y_rest.endswith(x_rest) and \
                re.fullmatch(r"[0-9０-９]+", y_rest[: len(y_rest) - len(x_rest)]):
            return True
    return False


def _add_entity(entities: dict[str, tuple], aliases: dict[str, set[str]], m: Resolved, r: "_Resolver") -> None:
    """Note the entity of ``m`` (by id: type, name, level, code, parent; the
    :class:`Entity` is made once, with its aliases, at the end) and its alias."""
    if m.entity_id not in entities:
        if m.type == "Division":
            div = r.get(m.division_id)
            parent = division_entity_id(div.parent) if div.parent else None
            entities[m.entity_id] = ("Division", div.name, div.level, div.code, parent)
        else:
            entities[m.entity_id] = (m.type, m.name, None, None, None)
    if m.rule != "home-reference":  # 我市/全县 refer to it but are not its names
        aliases.setdefault(m.entity_id, set()).add(_strip(m.surface))
    else:
        aliases.setdefault(m.entity_id, set())


def _inside_other(c: Candidate, cands: Sequence[Candidate]) -> bool:
    return any(o.type in ("Organization", "Project") and o.start <= c.start and c.end <= o.end
               and (o.end - o.start) > (c.end - c.start) for o in cands)


def _resolve_article(r: _Resolver, art: ArticleText, cands: Sequence[Candidate], city: str | None,
                     doc_county: str | None) -> ArticleResolution:
    gaz = r.gaz
    text = art.text
    divisions = [c for c in cands if c.type == "Division"]
    # home county of the article: its most mentioned county-level division
    counts: Counter[str] = Counter()
    for c in divisions:
        ds = [d for d in r.divisions_of(c.division_ids) if d.level in ("county", "zone")]
        if len(ds) == 1:
            counts[ds[0].id] += 1
        elif ds:
            inside = [d for d in ds if _within(gaz, d.id, city)]
            if len(inside) == 1:
                counts[inside[0].id] += 1
    county = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if counts else doc_county
    own = bool(counts)
    if county and city is None:
        city = _ancestor_at(gaz, county, "prefecture")
    res = ArticleResolution(art, home_county=county, home_city=city)
    open_class = _select_open(cands)
    covering = [o for o in open_class if o.type in ("Organization", "Project", "Person")]
    resolved_divs: list[Resolved] = []
    chain: list[Resolved] = []
    pending = sorted(divisions, key=lambda c: c.start)
    pending_starts = [c.start for c in pending]
    cover_starts = [o.start for o in covering]  # covering is sorted by start, as open_class
    cover_longest = max((o.end - o.start for o in covering), default=0)
    i = 0
    while i < len(pending):
        c = pending[i]
        i += 1
        if chain and chain[-1].end != c.start:
            chain = []
        did = r.pick_division(c, chain, city, county)
        if did is None:
            # a known name, but not under the unit written before it: another place of that name
            nxt = _unknown_division(r, text, chain[-1]) if chain and chain[-1].end == c.start else None
            if nxt is not None:
                resolved_divs.append(nxt)
                chain.append(nxt)
            else:
                chain = []
            continue
        m = _division_mention(r, c.start, c.end, c.text, did, c.rule, covering, cover_starts, cover_longest)
        resolved_divs.append(m)
        chain.append(m)
        # a unit missing from the gazetteer right after it: 某县 + X镇 (+ Y村)
        while True:
            # (none when a known division of those still pending starts right there)
            k = bisect.bisect_left(pending_starts, m.end, i)
            known = k < len(pending) and pending_starts[k] == m.end
            nxt = None if known else _unknown_division(r, text, m)
            if nxt is None:
                break
            resolved_divs.append(nxt)
            chain.append(nxt)
            m = nxt
            while i < len(pending) and pending[i].start < nxt.end:
                i += 1
    res.inner_divisions = [m for m in resolved_divs if m.in_name]
    mentions = [m for m in resolved_divs if not m.in_name]
    # 我市 / 全县 / 该区 → home jurisdictions
    # (the home unit a word would stand for is found first: words without one, such
    # as 该镇 or 我县 in an article with no home county, are not searched for)
    starts = {ch for ch in r.home_word_starts if ch in text}
    for word, level in r.home_levels:
        if word[0] not in starts:
            continue
        target = None
        if level == "prefecture":
            target = r.jurisdiction_for("市", city, county, own)
        elif level == "province":
            target = "140000" if gaz.get("140000") else None
        elif level == "county" and county and (gaz.get(county).name.endswith(word[-1])):
            target = county
        if not target or word not in text:
            continue
        for pos in _occurrences(text, word):
            if any(o.start <= pos < o.end for o in open_class):
                continue
            div = gaz.get(target)
            mentions.append(Resolved(pos, pos + len(word), "Division", div.name, word, division_entity_id(target),
                                     "home-reference", division_id=target))
    # open-class names
    last_agency_juris: tuple[int, str | None] | None = None
    parents: list[Resolved] = []
    for c in open_class:
        if c.type == "Person":
            name = _strip(c.text)
            mentions.append(Resolved(c.start, c.end, "Person", name, c.text, entity_id("Person", name), c.rule,
                                     title=c.title))
            continue
        name, juris = _canonical(r, c, text, resolved_divs, city, county, mentions, parents, last_agency_juris, own,
                                 open_class)
        if name is None:
            continue
        m = Resolved(c.start, c.end, c.type, name, c.surface, entity_id(c.type, name), c.rule, juris=juris)
        mentions.append(m)
        if c.type == "Organization" and c.rule != "org-anaphor":
            r.seen_orgs.append(name)
        if c.type == "Agency":
            parents.append(m)
            last_agency_juris = (c.end, juris)
    res.mentions = sorted(mentions, key=lambda m: (m.start, -m.end, m.type))
    return res


def _occurrences(text: str, word: str) -> Iterator[int]:
    """Starts of the non-overlapping occurrences of ``word``, left to right (as ``re.finditer``)."""
    i = text.find(word)
    while i >= 0:
        yield i
        i = text.find(word, i + len(word))


def _division_mention(r: _Resolver, start: int, end: int, surface: str, did: str, rule: str,
                      covering: Sequence[Candidate], cover_starts: Sequence[int] | None = None,
                      cover_longest: int = 0) -> Resolved:
    if cover_starts is not None:
        # covering sorted by start: a name holding [start, end) starts in [end - longest, start]
        covering = covering[bisect.bisect_left(cover_starts, end - cover_longest):
                            bisect.bisect_right(cover_starts, start)]
    in_name = any(o.start <= start and end <= o.end and (o.start, o.end) != (start, end) for o in covering)
    return Resolved(start, end, "Division", r.get(did).name, surface, division_entity_id(did), rule,
                    division_id=did, in_name=in_name)


_UNIT_END = set("、，。；：,;:（(）)“”\n 的") | {""}
_CJK_RUN = re.compile(r"[\u3400-\u9fff]{1,5}")


def _unknown_division(r: _Resolver, text: str, prev: Resolved) -> Resolved | None:
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
        name = prev.surface + zone
        did = _child_id(parent.id, name)
        if did not in r.extra:
            r.extra[did] = Division(did, None, name, "zone", parent.id, ())
        return Resolved(prev.start, pos + len(zone), "Division", name, name, division_entity_id(did),
                        "division-chain", division_id=did)
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
                if not (after[:1] in _UNIT_END or (level == "township" and r.village_after.match(after))):
                    continue
                did = _child_id(parent.id, name)
                if did not in r.extra:
                    r.extra[did] = Division(did, None, name, level, parent.id, ())
                return Resolved(pos, pos + len(name), "Division", name, name, division_entity_id(did),
                                "division-chain", division_id=did)
    return None


def _child_id(parent_id: str, name: str) -> str:
    """Same scheme as the gazetteer's ids for units without a code."""
    import hashlib

    return f"{parent_id}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:8]}"


# Rules that read a construction context beat a name's head word for the same
# span (推进某某小学建设: a project, not the school); a titled person beats a credit.
_CONTEXT_RULES = ("facility-built", "project-list", "invested-object", "invested-bare", "project-list-distributed")


def _preference(c: Candidate) -> tuple:
    # ends in a total order: equal spans may carry different assembled names
    return (1 if c.rule in _CONTEXT_RULES else 0, -_TYPE_RANK[c.type], 1 if c.title else 0,
            len(c.surface), c.surface, c.rule)


_TYPE_RANK = {"Agency": 0, "Organization": 1, "Project": 2, "Person": 3}


def _select_open(cands: Sequence[Candidate]) -> list[Candidate]:
    """Choose among overlapping open-class candidates.

    Nested agencies stay (市税务局 inside 市税务局城区分局: parent and
    sub-unit); otherwise the longer candidate wins, a project built from a
    facility wins over the same span as an organization, and persons inside
    other names are dropped.
    """
    open_c = [c for c in cands if c.type != "Division"]
    # same span, several types: facility being built is a project; else by rank
    by_span: dict[tuple[int, int], Candidate] = {}
    for c in open_c:
        key = (c.start, c.end)
        old = by_span.get(key)
        if old is None:
            by_span[key] = c
            continue
        if _preference(c) > _preference(old):
            by_span[key] = c
    chosen = sorted(by_span.values(), key=lambda c: (c.start, -(c.end - c.start)))
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
                        o.text.endswith(_BRANCH_HEADS):
                    continue  # parent body inside a branch's name (某局某分局)
                if c.type == "Organization" and o.type == "Project" and c.start == o.start:
                    continue  # 某厂 in 某厂某某综合利用: the undertaker
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


def _canonical(r: _Resolver, c: Candidate, text: str, divs: Sequence[Resolved], city: str | None,
               county: str | None, mentions: Sequence[Resolved], parents: Sequence[Resolved],
               last_agency: tuple[int, str | None] | None, own: bool = True,
               named: Sequence[Candidate] = ()) -> tuple[str | None, str | None]:
    """Canonical name and jurisdiction id of an agency/organization/project candidate."""
    surface = _strip(c.surface)
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
            rest = _strip(text[je:c.end])
        elif word in r.quantifying:
            return None, None  # 全省知名医院: "all … of the province", not a name
        elif word in r.home_markers or word in r.anaphors:
            # 该县第十届人民代表大会, 本县中医院: the home jurisdiction of that level
            level = r.level_of.get(word[-1])
            juris_id = r.jurisdiction_for("市", city, county, own) if level == "prefecture" else \
                county if level == "county" else None
            if level == "province":
                juris_id = "140000"
            if juris_id:
                prefix = r.division_name(juris_id)
                rest = _strip(text[je:c.end])
            else:
                return None, None
        elif word in r.juris_words:
            if len(word) > 1:  # 全国/国家/中央/中共: a national body, written in full
                return (surface if c.type != "Agency" else r.expand_agency(surface)), None
            juris_id = r.jurisdiction_for(word, city, county, own)
            if juris_id:
                prefix = r.division_name(juris_id)
                rest = _strip(text[je:c.end])
    if c.type == "Agency" and c.juris is not None and _ends_with_subunit(r, surface):
        # 某区三大队 under a 支队 named before: the unit of that 支队 for that district
        div = next((d for d in divs if (d.start, d.end) == c.juris), None)
        if div is not None and div.rule == "gazetteer-short":
            top = _first_body_rank(surface)
            for p in reversed(parents):
                if 0 <= _body_rank(p.name) < top:
                    return p.name + surface, div.division_id
    if c.rule == "org-anaphor":
        head = surface.lstrip("该")
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
            expanded = _expand_school(r, surface[len(_strip(lead.surface)):])
            if expanded != surface[len(_strip(lead.surface)):]:
                return r.division_name(lead.division_id) + expanded, lead.division_id
            return surface, lead.division_id
        if _generic_name(rest):
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
    if c.rule == "party-government":
        word = surface[len(prefix):] if prefix else rest
        base = prefix or surface
        tail = rest
        if tail == r.party["suffix"]:
            return f"{r.party['prefix_full']}{base}{r.party['suffix_full']}", juris_id
        return base + r.expand_agency(tail), juris_id
    generic = _generic_name(rest)
    rest = r.expand_agency(rest)
    if prefix:
        return prefix + rest, juris_id
    # no jurisdiction written: sub-unit of a parent body in this article?
    top = _first_body_rank(rest)
    for p in reversed(parents):
        if _ends_with_subunit(r, rest) and 0 <= _body_rank(p.name) < top:
            return p.name + rest, p.juris
    # listed right after another body (市自然资源局、应急局): shares its jurisdiction
    if last_agency is not None and last_agency[1] and 0 <= c.start - last_agency[0] <= 1 \
            and text[last_agency[0]:c.start] in ("、", ""):
        juris_id = last_agency[1]
        return r.division_name(juris_id) + rest, juris_id
    if generic and city:
        return r.division_name(city) + rest, city
    return rest, None


def _named_neighbour(text: str, c: Candidate, named: Sequence[Candidate]) -> bool:
    """Is a list neighbour of ``c`` (across one 、) an agency or organization candidate?"""
    return any(o is not c and o.type in ("Agency", "Organization") and
               (o.end == c.start - 1 or o.start == c.end + 1) for o in named)


def _coordinated(text: str, c: Candidate) -> bool:
    """Is the candidate an item of a 、-list (A、B、C)?"""
    return (c.start > 0 and text[c.start - 1] == "、") or text[c.end:c.end + 1] == "、"


def _agency_table(key: str) -> tuple[str, ...]:
    from kg.lexicon import load_lexicon

    return tuple(load_lexicon().words("agency", key))


_BODY_ORDER = _agency_table("body_ranks")
_BRANCH_HEADS = _agency_table("branch_heads")


def _body_rank(name: str) -> int:
    """Rank of a body in the chain 厅 > 局 > 支队 > 大队 > 中队; a centre under a
    支队 ranks with the 大队; other bodies are never parents (-1)."""
    for rank, body in reversed(list(enumerate(_BODY_ORDER))):
        if name.endswith(body):
            return rank
    if name.endswith("中心"):
        return 3
    return -1


def _first_body_rank(name: str) -> int:
    """Rank of the highest body written in a name (某区三大队一中队 → 大队)."""
    ranks = [rank for rank, body in enumerate(_BODY_ORDER) if body in name]
    if "中心" in name:
        ranks.append(3)
    return min(ranks) if ranks else 99


def _ends_with_subunit(r: _Resolver, name: str) -> bool:
    return any(name.endswith(s) for s in r.subunits) and not name.endswith("局")


def _generic_name(name: str) -> bool:
    """A name made only of common words (自来水公司, 消防支队): no proper name in it.

    Remembered per name while jieba's dictionary stays the same (names recur
    across articles).
    """
    from kg.segmenter import compiled

    fast = compiled()
    if _GENERIC_NAMES.get(None) is not fast or len(_GENERIC_NAMES) > 100_000:
        _GENERIC_NAMES.clear()
        _GENERIC_NAMES[None] = fast
    known = _GENERIC_NAMES.get(name)
    if known is None:
        known = _GENERIC_NAMES[name] = _segment_generic(fast, name)
    return known


_GENERIC_NAMES: dict = {}  # name -> _segment_generic(name); None -> the FastJieba they were cut with


def _segment_generic(fast, name: str) -> bool:
    tags = fast.dictionary.tags
    for word in fast.cut(name):
        tag = tags.get(word)
        if tag is None or tag in ("ns", "nz", "nr", "nrt", "nt") or re.search(r"[0-9A-Za-z]", word):
            return False
    return True


def _expand_school(r: _Resolver, rest: str) -> str:
    for short, full in r.school_abbrev.items():
        if rest == short:
            return full
    return rest


def _inner_division(c: Candidate, divs: Sequence[Resolved]) -> str | None:
    inner = [d for d in divs if c.start <= d.start and d.end <= c.end]
    return inner[-1].division_id if inner else None
