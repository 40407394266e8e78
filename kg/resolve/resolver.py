"""The resolver's view of the data: gazetteer, lexicon tables, divisions found in text; home jurisdictions.

* Divisions: an alias may denote several divisions (城区, 王家庄村); the one
  inside the document's home city / the article's home county, or under the
  division written right before it (黄碾镇故南村), wins; otherwise the mention
  is dropped rather than guessed (:meth:`Resolver.pick_division`).
* Home jurisdictions: the document's home city is the prefecture most of its
  division mentions lie in (:func:`home_city`); 我市/全市 → home city,
  本县/该区/全县 → home county (:meth:`Resolver.jurisdiction_for`).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from kg.errors import DataError
from kg.knowledge.lexicon import Lexicon
from kg.names import Candidate
from kg.records import Division
from kg.resolve.resolved import Resolved

__all__ = ["HIGH", "Resolver", "home_city"]

HIGH = ("province", "prefecture", "county", "zone")


def home_city(gazetteer, division_ids: Sequence[str]) -> str | None:
    """The prefecture most of the given divisions lie in (None if there is none)."""
    counts: Counter[str] = Counter()
    for did in division_ids:
        pref = gazetteer.ancestor_at(did, "prefecture")
        if pref:
            counts[pref] += 1
    if not counts:
        return None
    best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return best[0][0]


class Resolver:
    def __init__(self, gazetteer, lexicon: Lexicon) -> None:
        self.gaz = gazetteer
        self.lex = lexicon
        # the lexicon's words and tables, made once per lexicon, not once per document
        # (40 µs a document: 0.01 s CPU over 252 documents, 2026-12)
        vars(self).update(lexicon.prepared(_tables))
        # the province written as a name's place prefix (山西省某基金会 = 某基金会)
        province = gazetteer.get(gazetteer.province_id) if gazetteer.province_id else None
        self.province_names = frozenset((province.name, *province.short_forms) if province else ())
        self.extra: dict[str, Division] = {}  # divisions found in text, missing from the gazetteer
        self.known: dict[tuple[str, ...], list[Division]] = {}  # see divisions_of (callers do not mutate)
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

    # -- divisions --------------------------------------------------------
    def pick_division(self, cand: Candidate, chain: Sequence[Resolved], city: str | None,
                      county: str | None) -> str | None:
        divs = self.divisions_of(cand.division_ids)
        if not divs:
            return None
        high = [d for d in divs if d.level in HIGH]
        low = [d for d in divs if d.level not in HIGH]
        # under a division of the chain written right before it (黄碾镇故南村, 黎城县某镇某村)
        for prev in reversed(chain):
            under = [d for d in divs if self.gaz.within(d.id, prev.division_id, self.extra)
                     and d.id != prev.division_id]
            if under:
                return sorted(under, key=lambda d: d.id)[0].id
        if chain and not high:
            return None  # a chain names another place: do not guess from the home county
        if high:
            if len(high) == 1:
                return high[0].id
            for scope in (county, city):
                inside = [d for d in high if self.gaz.within(d.id, scope)]
                if len(inside) == 1:
                    return inside[0].id
            return None
        # townships and villages only inside the article's home county (or city for townships)
        for scope, levels in ((county, ("township", "village")), (city, ("township",))):
            inside = [d for d in low if d.level in levels and self.gaz.within(d.id, scope)]
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

    def dominant_county(self, text: str, county: str | None, divs: Sequence[Resolved]) -> str | None:
        """The article's home county when the article is about it: the only county-level
        division it names outside other names, or one it calls its own (我县, 本区, 全县,
        该区: a home word of the county level ending in the county's last character).
        None otherwise (a city paper naming several districts keeps its bodies at the city)."""
        if county is None:
            return None
        div = self.gaz.get(county)
        if div is None:
            return None
        named = {d.division_id for d in divs if not d.in_name}
        others = [did for did in named if did != county and (self.get(did) is not None) and
                  self.get(did).level in ("county", "zone")]
        if not others:
            return county
        last = div.name[-1:]
        if any(level == "county" and w.endswith(last) and w in text for w, level in self.home_levels):
            return county
        return None

    def committee_name(self, place: str, body: str) -> str | None:
        """The full name of a committee written as its jurisdiction ``place`` + short form
        (+ unit) ``body`` (委 → 中共{place}委员会, 委办 → …委员会办公室); None if ``body``
        is no committee's short form."""
        for short, template in self.committees:
            if body.startswith(short):
                unit = body[len(short):]
                if not unit:
                    return template.replace("{}", place)
                if unit in self.committee_units:
                    return template.replace("{}", place) + self.committee_units[unit]
        return None

    def jurisdiction_for(self, word: str, city: str | None, county: str | None,
                         own_county: bool = True) -> str | None:
        """The division a bare jurisdiction word (省/市/县/区, by its level in
        ``references.toml`` level_of) stands for; ``own_county`` says the county
        is named in the article itself (not inherited from the document)."""
        level = self.level_of.get(word)
        if level == "province":
            return self.gaz.province_id
        if level == "prefecture":
            # in an article about a county-level city (原平市), 市委/市长 are that city's
            if own_county and county and (self.division_name(county) or "").endswith(word):
                return county
            return city
        if level == "county":
            if county:
                name = self.division_name(county) or ""
                if name.endswith(word) or word in self.zone_words and self.gaz.get(county).level == "zone":
                    return county
            return None
        return None


def _tables(lexicon: Lexicon) -> dict[str, Any]:
    """The attributes of a :class:`Resolver` read from the lexicon (shared, never mutated)."""
    t = SimpleNamespace()
    t.abbrev_agency = dict(sorted(lexicon.table("abbreviations", "agency").items(),
                                  key=lambda kv: -len(kv[0])))
    t.national = lexicon.table("abbreviations", "national")
    # the project's words of body names, known to the segmenter without a tag (住建局, 住房和城乡建设)
    t.body_words = frozenset(t.abbrev_agency) | frozenset(lexicon.words("agency", "domain_compounds"))
    # committees whose full name wraps the jurisdiction (晋城市委 -> 中共晋城市委员会),
    # longest short form first (纪委 before 委)
    data = lexicon.file("abbreviations")
    for key, template in data.table("committees").items():
        if template.count("{}") != 1:
            raise DataError(f"{data.where('committees.' + key)}: 'committees.{key}' must hold "
                            "one {} (where the jurisdiction goes)")
    t.committees = tuple(sorted(data.table("committees").items(), key=lambda kv: -len(kv[0])))
    t.committee_units = data.table("committee_units")
    t.committee_written = tuple(sorted(data.table("committee_written").items(), key=lambda kv: -len(kv[0])))
    t.committee_bodies = tuple(sorted(data.words("committee_bodies"), key=len, reverse=True))
    t.juris_words = frozenset(lexicon.words("agency", "jurisdiction_words"))
    t.school_abbrev = lexicon.table("organization", "school_abbreviations")
    t.subunits = lexicon.words("agency", "subunit_suffixes")
    t.self_named_subunits = lexicon.words("agency", "self_named_subunits")
    t.body_ranks = lexicon.words("agency", "body_ranks")
    # a body that ranks as another: its rank is that body's (中心 → 大队)
    t.body_rank_aliases = tuple((body, t.body_ranks.index(as_))
                                for body, as_ in lexicon.table("agency", "body_rank_aliases").items())
    t.branch_heads = lexicon.words("agency", "branch_heads")
    t.office_units = frozenset(lexicon.words("agency", "office_units"))
    t.anaphor_marker = lexicon.string("references", "anaphor_marker")
    t.zone_words = lexicon.words("references", "zone_words")
    t.unit_end = frozenset(lexicon.chars("references", "unit_end_chars")) | {""}
    t.home_markers = lexicon.words("references", "home_markers")
    t.anaphors = lexicon.words("references", "anaphors")
    t.home_words = t.home_markers + t.anaphors
    # their first characters: most articles hold only some of them, and one
    # character test per first character is cheaper than a search per word
    t.home_word_starts = tuple(dict.fromkeys(w[0] for w in t.home_words))
    t.level_of = lexicon.table("references", "level_of")
    # the home words that name a level (该公司 and the like do not), with it
    t.home_levels = tuple((w, t.level_of[w[-1]]) for w in t.home_words if w[-1] in t.level_of)
    t.township_suffixes = lexicon.words("references", "township_suffixes")
    t.township_suffix_starts = frozenset(w[:1] for w in t.township_suffixes)
    t.zone_suffixes = tuple(sorted(lexicon.words("references", "zone_suffixes"), key=len, reverse=True))
    # first characters, to rule a suffix out with one set look-up before comparing it
    t.zone_suffix_starts = frozenset(z[0] for z in t.zone_suffixes)
    t.village_suffixes = lexicon.words("references", "village_suffixes")
    t.village_suffix_starts = frozenset(v[:1] for v in t.village_suffixes)
    # a village name: a few characters and a village suffix (as written, suffixes are patterns)
    t.village_after = re.compile(r"[\u3400-\u9fff]{1,5}?(?:" + "|".join(t.village_suffixes) + ")")
    t.legal_forms = lexicon.words("organization", "legal_forms")
    # an organization's name ends here (某某有限公司): before a project's name, its owner
    t.org_heads = tuple(lexicon.words("organization", "suffixes.strong"))
    t.local_institutions = tuple(lexicon.words("organization", "local_institutions"))
    t.institution_modifiers = lexicon.words("organization", "institution_modifiers")
    t.variant_heads = lexicon.words("references", "variant_heads")
    t.phase_end = lexicon.regex("references", "variant_phase")
    t.variant_dashes = lexicon.regex("references", "variant_dashes")
    t.variant_stem_min = lexicon.integer("references", "variant_stem_min")
    t.org_variant_tails = lexicon.words("references", "org_variant_tails")
    t.capacity = lexicon.regex("references", "variant_capacity")
    t.not_place_stems = lexicon.words("references", "not_place_stems")
    t.quantifying = lexicon.words("references", "quantifying_markers")
    return vars(t)
