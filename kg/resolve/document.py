"""Resolving one document: every article's candidates to mentions of entities, one entity per real thing.

Two passes: the document's home city from its unambiguous divisions, then
each article (home county, divisions, 我市/该区 references, open-class names);
name variants of one entity within the document then become one entity
(:func:`_merge_variants`).  The same canonical name of the same type is one
entity across articles and documents (ids from :func:`kg.ids.entity_id`).
"""
from __future__ import annotations

import bisect
import dataclasses
import re
from collections import Counter
from collections.abc import Iterator, Sequence

from kg.ids import division_entity_id, entity_id
from kg.knowledge.lexicon import Lexicon
from kg.names import Candidate
from kg.records import Entity
from kg.resolve.canonical import canonical, jurisdiction_word, strip_spaces
from kg.resolve.divisions import division_mention, named_zone, unknown_division
from kg.resolve.resolved import ArticleResolution, ArticleText, Resolved
from kg.resolve.resolver import HIGH, Resolver, home_city
from kg.resolve.select import select_open

__all__ = ["resolve_document"]


def resolve_document(articles: Sequence[tuple[ArticleText, Sequence[Candidate]]], gazetteer,
                     lexicon: Lexicon) -> tuple[list[ArticleResolution], dict[str, Entity], str | None]:
    """Resolve every article of one document; returns resolutions, entities, home city id."""
    r = Resolver(gazetteer, lexicon)
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
                high = [d for d in divs if d.level in HIGH]
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


def _merge_variants(r: "Resolver", results: Sequence["ArticleResolution"]) -> None:
    """Name variants of one entity within a document become one entity.

    * 某某集团 and 某某集团有限公司 (legal form added), 某某中学 and 某某中学校;
    * 某基金会 and 山西省某基金会, 某项目 and 某市某区某项目 (places prefixed);
    * 某县住房和城乡建设局 and 某县住房和城乡建设管理局 (an expanded abbreviation
      and the body's local full name: same stem, same body word);
    * projects: 某某项目 and 年产5万吨某某项目 or 某公司某某项目 (a longer name ending
      in it), 某某道路 and 某某道路工程, 某某项目 and 某某项目(一期), dashes written
      differently, 某某技改项目 and 某某技改扩建项目(一期) (the short name's stem
      starts the long one).
    The longest variant is the canonical name; the others stay as aliases.  A name
    that two different longer names could stand for stays as it is.
    """
    names: dict[str, set[str]] = {}
    for res in results:
        for m in res.mentions:
            if m.type in ("Agency", "Organization", "Project"):
                names.setdefault(m.type, set()).add(m.name)
    mapping: dict[tuple[str, str], str] = {}

    def final(type_: str, name: str) -> str:
        seen = set()
        while (type_, name) in mapping and name not in seen:
            seen.add(name)
            name = mapping[(type_, name)]
        return name

    for type_, group in names.items():
        longest_first = sorted(group, key=lambda n: (-len(n), n))
        keys = {n: _variant_key(r, n) for n in group} if type_ == "Project" else {}
        for k, x in enumerate(longest_first):
            head = x[:4]
            found: dict[str, set[str]] = {}  # kind of variant -> the names x may stand for
            for y in longest_first[:k]:
                if len(y) < len(x) or len(y) == len(x) and not (type_ == "Project" and keys[x] == keys[y]):
                    continue  # (某某工程 and 某某项目: one stands for the other)
                # a variant starts as x does (its first four) or ends with x: the
                # other names are ruled out here, without a call per pair
                if y.startswith(head) or y.endswith(x) or type_ == "Project" and keys[y].startswith(keys[x][:4]):
                    kind = _variant(r, type_, x, y, keys)
                    if kind:
                        found.setdefault(kind, set()).add(y)
            owned = found.get("owner", set())
            if len(owned) == 1 and (type_, next(iter(owned))) not in mapping:
                # 某公司某某项目: the project is 某某项目, named with its owner before it
                mapping[(type_, owned.pop())] = x
                continue
            # a same-name variant first; a short name whose stem starts the long one only
            # when there is none; a name two different entities could stand for stays
            for kind in ("same", "stem"):
                targets = {final(type_, y) for y in found.get(kind, ())}
                if targets:
                    if len(targets) == 1:
                        mapping[(type_, x)] = targets.pop()
                    break
    if not mapping:
        return
    for res in results:
        new = []
        for m in res.mentions:
            if (m.type, m.name) in mapping:
                name = final(m.type, m.name)
                m = dataclasses.replace(m, name=name, entity_id=entity_id(m.type, name))
            new.append(m)
        res.mentions = new


def _variant_key(r: "Resolver", name: str) -> str:
    """A project's name without what its variants add or write otherwise: dashes in one
    form, no parenthesised phase at the end, no trailing project head (某某道路工程项目 → 某某道路)."""
    key = r.variant_dashes.sub("—", name)
    key = r.phase_end.sub("", key)
    changed = True
    while changed:
        changed = False
        for head in r.variant_heads:
            if key.endswith(head) and len(key) > len(head):
                key = key[: -len(head)]
                changed = True
    return key


def _division_chain(r: "Resolver", head: str) -> bool:
    """Is ``head`` a chain of division names or short forms (大同市新荣区, 某县某镇)?"""
    i = 0
    while i < len(head):
        for j in range(len(head), i, -1):
            piece = head[i:j]
            if r.gaz.lookup(piece) or r.gaz.lookup_short(piece, include_stoplisted=True) or \
                    piece in r.province_names:
                i = j
                break
        else:
            return False
    return bool(head)


def _variant(r: "Resolver", type_: str, x: str, y: str, keys: dict[str, str]) -> str | None:
    """Is ``y`` (longer) a variant of ``x``: "same" (one name written more fully), "stem"
    (``x`` is a short name of ``y``), "owner" (``y`` is the project ``x`` named with its
    owner before it); None if not."""
    if type_ == "Organization" and y.startswith(x) and y[len(x):] in r.legal_forms + r.org_variant_tails:
        return "same"
    if y.endswith(x):
        head = y[: len(y) - len(x)]
        if _division_chain(r, head):
            return "same"
        if type_ == "Project" and len(keys[x]) >= r.variant_stem_min:
            if head.endswith(r.org_heads):
                return "owner"  # 某某有限公司某某项目: the project, named with its owner
            if r.capacity.fullmatch(head):
                return "same"  # 年产5万吨某某项目: the same project, more fully named
    if type_ == "Project":
        kx, ky = keys[x], keys[y]
        if kx == ky:
            return "same"
        # a short name (某某技改项目) whose stem starts the full one; not a facility
        # without a head (某某污水处理厂 is no short name of 某某污水处理厂管网工程)
        if len(kx) >= r.variant_stem_min and ky.startswith(kx) and \
                (x.endswith(r.variant_heads) or r.phase_end.search(x)):
            return "stem"
    if type_ == "Agency" and len(x) >= 6 and y.startswith(x[:-1]) and y.endswith(x[-1]) and len(y) - len(x) <= 3:
        return "same"
    if type_ == "Agency" and x[:4] == y[:4]:  # (a common start of 4 is needed below)
        # the same unit written without its number: …支队某中心 = …支队110某中心
        common = 0
        while common < min(len(x), len(y)) and x[common] == y[common]:
            common += 1
        x_rest, y_rest = x[common:], y[common:]
        if common >= 4 and len(x_rest) >= 2 and y_rest.endswith(x_rest) and \
                re.fullmatch(r"[0-9０-９]+", y_rest[: len(y_rest) - len(x_rest)]):
            return "same"
    return None


def _add_entity(entities: dict[str, tuple], aliases: dict[str, set[str]], m: Resolved, r: "Resolver") -> None:
    """Note the entity of ``m`` (by id: type, name, level, code, parent; the
    :class:`Entity` is made once, with its aliases, at the end) and its alias."""
    if m.entity_id not in entities:
        if m.type == "Division":
            div = r.get(m.division_id)
            parent = division_entity_id(div.parent) if div.parent else None
            entities[m.entity_id] = ("Division", div.name, div.level, div.code, parent)
        else:
            entities[m.entity_id] = (m.type, m.name, None, None, None)
    if m.rule not in ("home-reference", "jurisdiction-word"):  # 我市, 市(住建局) refer to it, not its names
        aliases.setdefault(m.entity_id, set()).add(strip_spaces(m.text))
    else:
        aliases.setdefault(m.entity_id, set())


def _inside_other(c: Candidate, cands: Sequence[Candidate]) -> bool:
    return any(o.type in ("Organization", "Project") and o.start <= c.start and c.end <= o.end
               and (o.end - o.start) > (c.end - c.start) for o in cands)


def _resolve_article(r: Resolver, art: ArticleText, cands: Sequence[Candidate], city: str | None,
                     doc_county: str | None) -> ArticleResolution:
    gaz = r.gaz
    text = art.text
    article_id = art.article.article_id
    divisions = [c for c in cands if c.type == "Division"]
    # home county of the article: its most mentioned county-level division
    counts: Counter[str] = Counter()
    for c in divisions:
        ds = [d for d in r.divisions_of(c.division_ids) if d.level in ("county", "zone")]
        if len(ds) == 1:
            counts[ds[0].id] += 1
        elif ds:
            inside = [d for d in ds if gaz.within(d.id, city)]
            if len(inside) == 1:
                counts[inside[0].id] += 1
    county = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if counts else doc_county
    own = bool(counts)
    if county and city is None:
        city = gaz.ancestor_at(county, "prefecture")
    res = ArticleResolution(art, home_county=county, home_city=city)
    open_class = select_open(cands, r.branch_heads, r.office_units)
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
        if c.rule == "zone-named":
            # a zone named before its head: inside the county or city written right before it
            parent = chain[-1].division_id if chain and r.get(chain[-1].division_id).level in \
                ("prefecture", "county") else county or city
            m = named_zone(r, article_id, c.start, c.end, c.text, parent, covering)
            if m is not None:
                resolved_divs.append(m)
            chain = []
            continue
        did = r.pick_division(c, chain, city, county)
        if did is None:
            # a known name, but not under the unit written before it: another place of that name
            nxt = unknown_division(r, text, chain[-1]) if chain and chain[-1].end == c.start else None
            if nxt is not None:
                resolved_divs.append(nxt)
                chain.append(nxt)
            else:
                chain = []
            continue
        m = division_mention(r, article_id, c.start, c.end, c.text, did, c.rule, covering, cover_starts,
                             cover_longest)
        resolved_divs.append(m)
        chain.append(m)
        # a unit missing from the gazetteer right after it: 某县 + X镇 (+ Y村)
        while True:
            # (none when a known division of those still pending starts right there)
            k = bisect.bisect_left(pending_starts, m.end, i)
            known = k < len(pending) and pending_starts[k] == m.end
            nxt = None if known else unknown_division(r, text, m)
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
            target = r.jurisdiction_for(word[-1], city, county, own)
        elif level == "province":
            target = gaz.province_id
        elif level == "county" and county and (gaz.get(county).name.endswith(word[-1])):
            target = county
        if not target or word not in text:
            continue
        for pos in _occurrences(text, word):
            if any(o.start <= pos < o.end for o in open_class):
                continue
            div = gaz.get(target)
            mentions.append(Resolved(division_entity_id(target), article_id, pos, pos + len(word), word, "Division",
                                     div.name, "home-reference", division_id=target))
    # open-class names
    home = r.dominant_county(text, county, resolved_divs) if own else None
    last_agency_juris: tuple[int, str | None] | None = None
    parents: list[Resolved] = []
    for c in open_class:
        if c.type == "Person":
            name = strip_spaces(c.text)
            mentions.append(Resolved(entity_id("Person", name), article_id, c.start, c.end, c.text, "Person", name,
                                     c.rule, title=c.title))
            continue
        name, juris = canonical(r, c, text, resolved_divs, city, county, mentions, parents, last_agency_juris, own,
                                 open_class, home or city)
        if name is None:
            continue
        m = Resolved(entity_id(c.type, name), article_id, c.start, c.end, c.surface, c.type, name, c.rule,
                     juris=juris)
        mentions.append(m)
        word = jurisdiction_word(r, c, text, resolved_divs) if c.type == "Agency" and juris and gaz.get(juris) \
            else None
        if word is not None:
            # guideline: the division an agency's bare 市委/县住建局 stands for counts, as for 我市
            # (not an organization's: 省某某学会 does not make the province an entity)
            div = gaz.get(juris)
            mentions.append(Resolved(division_entity_id(juris), article_id, word[0], word[1], text[word[0]:word[1]],
                                     "Division", div.name, "jurisdiction-word", division_id=juris))
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
