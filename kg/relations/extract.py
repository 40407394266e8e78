"""Relations and attributes of one resolved article, each with its evidence sentence.

Rules over one sentence at a time (trigger words from
``ontology/patterns/relations.toml``, prepared by :mod:`kg.relations.rules`)
plus the structure of names; see :mod:`kg.relations` for the list.
Evidence offsets are mapped back to the source file, so that
``document.text[start:end] == evidence``.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence

from kg.corpus.sentences import paragraph_breaks, sentence_spans, within_paragraph
from kg.ids import division_entity_id, entity_id
from kg.knowledge.lexicon import Lexicon
from kg.knowledge.money import parse_amount
from kg.records import Attribute, Relation
from kg.relations.rules import Rules
from kg.resolve import ArticleResolution, Resolved

__all__ = ["extract_relations"]

# compiled once: the rules apply them per mention or per sentence
# compiled once: the rules apply them per mention or per sentence
_THIS_PROJECT = re.compile(r"该(?:工程|项目)")
_ROLE_LEAD = re.compile(r"^(?:作为|是|为)")  # 某集团作为施工单位
_DATELINE = re.compile(r"^本报讯\s*(?:[（(][^）)]*[）)])?")
_UNIT_GAP = re.compile(r"[\u3400-\u9fff]*[科处室股部队]?")


def extract_relations(res: ArticleResolution, lexicon: Lexicon, gazetteer, *,
                      newspaper: Resolved | None = None,
                      entity_names: dict[str, str] | None = None,
                      source: str | None = None) -> tuple[list[Relation], list[Attribute]]:
    """All relations and attributes of one resolved article.

    With ``source``, the text of the article's file, each record's evidence is cut
    from it (``source[start:end]``); without it, the evidence is left empty.
    """
    rules = Rules.of(lexicon)
    art = res.art
    text = art.text
    out: list[Relation] = []
    attrs: list[Attribute] = []
    mentions = res.mentions
    sentences = sentence_spans(text)
    sentence_starts = [s for s, _ in sentences]
    # where a paragraph of the source ended inside a (joined) sentence: the evidence stops there
    breaks = paragraph_breaks(source, art.index) if source is not None else []

    def sentence_of(pos: int) -> tuple[int, int]:
        k = bisect.bisect_right(sentence_starts, pos) - 1  # sentences are sorted and disjoint
        if k >= 0 and pos < sentences[k][1]:
            return sentences[k]
        return pos, pos + 1

    def add(head: Resolved | str, rel: str, tail: Resolved | str, pos: int, rule: str, role: str | None = None,
            span: tuple[int, int] | None = None) -> None:
        h = head if isinstance(head, str) else head.entity_id
        t = tail if isinstance(tail, str) else tail.entity_id
        if h == t:
            return
        s, e = span or sentence_of(pos)
        if breaks:
            words = [pos, *(p for x in (head, tail) if not isinstance(x, str) for p in (x.start, x.end - 1))]
            s, e = within_paragraph(s, e, words, breaks)
        ss, se = art.to_source(s, e)
        out.append(Relation(h, rel, t, art.article.article_id, ss, se, "" if source is None else source[ss:se],
                            role, rule))

    projects = [m for m in mentions if m.type == "Project"]
    agencies_orgs = [m for m in mentions if m.type in ("Agency", "Organization")]

    # administers / subOrganizationOf / locatedIn from the structure of names
    # (the divisions a name can hold are the same for every name of the article)
    held = _division_mentions(res)
    seen_admin: set[str] = set()
    for m in mentions:
        if m.type == "Agency":
            target = _most_specific(gazetteer, res, [m.juris, *_inner_division_ids(m, res, held)])
            if target and m.entity_id not in seen_admin:
                seen_admin.add(m.entity_id)
                add(m, "administers", division_entity_id(target), m.start, "name-jurisdiction")
            for o in agencies_orgs:
                if o is not m and o.type == "Agency" and o.start == m.start and o.end < m.end:
                    add(m, "subOrganizationOf", o, m.start, "nested-name", span=sentence_of(m.start))
            if m.name != m.surface and m.name.endswith(m.surface) is False:
                pass
        elif m.type in ("Organization", "Project"):
            target, rule = _located_context(m, res, rules, text)
            if target is None:
                named = [m.juris, *_inner_division_ids(m, res, held)]
                if m.type == "Project" and res.home_county:
                    named.append(res.home_county if any(
                        gazetteer.within(res.home_county, d) for d in named if d) else None)
                target, rule = _most_specific(gazetteer, res, named), "name-jurisdiction"
            if target is None and res.home_county and (
                    m.type == "Project" or m.name.endswith(rules.local_institutions) or m.rule == "org-brand-industry"):
                target, rule = res.home_county, "article-home"
            if target:
                add(m, "locatedIn", division_entity_id(target), m.start, rule)
    # sub-units resolved to a parent (name = parent name + own name)
    names = {m.name: m for m in mentions if m.type == "Agency"}
    for m in mentions:
        if m.type != "Agency":
            continue
        for pname, p in names.items():
            if p is not m and m.name.startswith(pname) and len(m.name) > len(pname) and m.rule != "party-government":
                add(m, "subOrganizationOf", p, m.start, "subunit-of-parent")
                break

    # ORG + 组织/下属/所属 + sub-unit (某供电公司组织某某服务队)
    for a in agencies_orgs:
        for b in agencies_orgs:
            if 0 < b.start - a.end <= rules.sub_trigger_max and text[a.end:b.start] in rules.sub_triggers and \
                    b.name.endswith(rules.subunit_heads):
                add(b, "subOrganizationOf", a, b.start, "sub-trigger")

    # undertakes
    topic = _topic(res, rules.topic_openers, sentences)
    for p in projects:
        s, e = sentence_of(p.start)
        # a project named after its owner: 某厂某某综合利用
        for o in agencies_orgs:
            if o.start == p.start and o.end < p.end:
                add(o, "undertakes", p, p.start, "owner-in-name")
        # ORG的PROJECT
        before = [o for o in agencies_orgs if s <= o.start and o.end <= p.start]
        if before and text[before[-1].end:p.start].strip("“”\"") in ("的",):
            add(before[-1], "undertakes", p, p.start, "possessive")
            continue
        # ORG … trigger … PROJECT within the sentence
        subj = None
        for o in reversed(before):
            between = text[o.end:p.start]
            if any(t in between for t in rules.undertake) and not any(x.start > o.end and x.end <= p.start and
                                                                         x.type in ("Agency", "Organization")
                                                                         for x in before):
                subj = o
                break
        if subj is not None:
            # 联合X启动Y: X is a partner too
            add(subj, "undertakes", p, p.start, "subject-trigger")
            continue
        # a clause with only a trigger and the project: the article's topic body
        lead = text[s:p.start]
        if topic is not None and not any(s <= o.start < e for o in agencies_orgs) and \
                (any(t in lead for t in rules.undertake) or p.rule.startswith("project-list")):
            add(topic, "undertakes", p, p.start, "article-topic")
    # passive: (该工程/某工程)由ORG实施 → ORG undertakes the project the sentence is about
    marker = rules.passive
    for o in agencies_orgs:
        if o.start > 0 and text[o.start - 1] == marker and any(text.startswith(t, o.end) for t in rules.undertake):
            s, e = sentence_of(o.start)
            subject = [p for p in projects if s <= p.start < o.start]
            target = subject[-1] if subject else (
                max((p for p in projects if p.start < s), key=lambda p: p.start, default=None)
                if _THIS_PROJECT.search(text, s, o.start) else None)
            if target is not None:
                add(o, "undertakes", target, o.start, "passive-agent")

    # role words: 某集团有限公司施工现场负责人 / 施工单位某集团 → the article's main project(s)
    main = _main_project(projects)
    for o in agencies_orgs:
        after = _ROLE_LEAD.sub("", text[o.end:o.end + 10])  # 某集团作为施工单位
        before = text[max(0, o.start - 5):o.start]
        if after.startswith(rules.roles_any) or before.endswith(rules.roles_any):
            s, e = sentence_of(o.start)
            in_sentence = [p for p in projects if s <= p.start < e]
            for p in in_sentence or ([main] if main else []):
                add(o, "undertakes", p, o.start, "role-word")
        if before.endswith(rules.partner_any):
            s, e = sentence_of(o.start)
            for p in projects:
                if o.end <= p.start < e:
                    add(o, "undertakes", p, o.start, "partner")
                    break

    # worksFor
    persons = [m for m in mentions if m.type == "Person"]
    for person in persons:
        if person.title and person.title in rules.fixed_employer:
            continue
        if person.title in rules.reporter_titles and newspaper is not None:
            add(person, "worksFor", newspaper, person.start, "reporter", role=person.title)
            continue
        if person.rule == "speaker" and not person.title:
            # 某局某科郭某介绍: a speaker right after their unit works there
            org = max((o for o in agencies_orgs if o.end <= person.start and person.start - o.end <= 8),
                      key=lambda o: o.end, default=None)
            if org is not None and _UNIT_GAP.fullmatch(text, org.end, person.start):
                add(person, "worksFor", org, person.start, "speaker-unit")
            continue
        if not person.title or person.title not in rules.employee_titles:
            continue
        # ORG [sub-unit] TITLE NAME, possibly a chain ORG TITLE、ORG TITLE NAME
        pos = person.start
        while pos > 0 and text[pos - 1] in " \u3000":
            pos -= 1
        title_start = pos - len(person.title)
        _works_for_chain(text, title_start, person, agencies_orgs, add, rules)
    for person in persons:
        if person.title in rules.fixed_employer:
            employer = rules.fixed_employer[person.title]
            target = next((m for m in mentions if m.name == employer), None)
            add(person, "worksFor", target.entity_id if target else _national_id(employer), person.start,
                "fixed-employer", role=person.title)
        after = text[person.end:person.end + 12]
        if after.startswith(rules.core):
            target = next((m for m in agencies_orgs if m.start >= person.end + len(rules.core) - 1
                           and m.start <= person.end + len(rules.core) + 1), None)
            if target:
                add(person, "worksFor", target, person.start, "core-of")

    # investment (an amount ends in 元: an article or sentence without one has none,
    # which a character search tells sooner than the triggers' pattern)
    for s, e in (sentences if "元" in text else ()):
        if text.find("元", s, e) < 0 or not rules.money_any.search(text, s, e):
            continue  # no trigger + amount in the sentence
        sentence = text[s:e]
        for pattern in rules.money_patterns:
            for m in pattern.finditer(sentence):
                amount = parse_amount(m.group(1))
                if amount is None:
                    continue
                pos = s + m.end()
                target = _investment_target(pos, s, e, projects, main, text)
                if target is None or text[target.end:target.end + 1] == "、" or (
                        target.start > 0 and text[target.start - 1] == "、"):
                    continue  # a total for a list of projects, not one project's
                a, b = within_paragraph(s, e, [s + m.start(1), pos - 1, target.start, target.end - 1], breaks)
                ss, se = art.to_source(a, b)
                attrs.append(Attribute(target.entity_id, "investment", str(amount), art.article.article_id,
                                       ss, se, "" if source is None else source[ss:se]))
            sentence = sentence  # triggers overlap (总投资 ⊃ 投资): dedupe below
    attrs = list(dict.fromkeys(attrs))
    return _dedupe(out), _dedupe_attrs(attrs)


def _national_id(name: str) -> str:
    return entity_id("Agency", name)


def _division_mentions(res: ArticleResolution) -> list[Resolved]:
    """The divisions of an article a name may hold: those inside names, then the others."""
    return res.inner_divisions + [x for x in res.mentions if x.type == "Division"]


def _inner_division_ids(m: Resolved, res: ArticleResolution,
                        divisions: Sequence[Resolved] | None = None) -> list[str]:
    """Ids of the divisions written inside ``m`` (``divisions``: the article's
    :func:`_division_mentions`, when the caller has them already)."""
    if divisions is None:
        divisions = _division_mentions(res)
    return [d.division_id for d in divisions if m.start <= d.start and d.end <= m.end and d.division_id]


_LEVEL_DEPTH = {"province": 0, "prefecture": 1, "county": 2, "zone": 2, "township": 3, "village": 4}


def _most_specific(gazetteer, res: ArticleResolution, ids: Sequence[str | None]) -> str | None:
    """The deepest division among those a name or context gives (长治市…潞州分局 → 潞州区)."""
    best, depth = None, -1
    for did in ids:
        if not did:
            continue
        div = gazetteer.get(did)
        level = div.level if div else ("village" if did.count("-") else "township")
        d = _LEVEL_DEPTH.get(level, 0)
        if d > depth:
            best, depth = did, d
    return best


def _located_context(m: Resolved, res: ArticleResolution, rules: Rules, text: str) -> tuple[str | None, str]:
    """位于X的Y / 在X的Y: the most specific division right before 的."""
    divs = [d for d in res.mentions if d.type == "Division" and d.end <= m.start and m.start - d.end <= 2]
    if divs and text[divs[-1].end:m.start] in ("的", ""):
        window = text[max(0, divs[-1].start - 12):divs[-1].start]
        chain = [d for d in res.mentions if d.type == "Division" and d.end <= m.start and m.start - d.end <= 12]
        if any(t in window for t in rules.located) or chain:
            return divs[-1].division_id, "located-context"
    return None, ""


def _topic(res: ArticleResolution, openers: Sequence[str],
           sentences: Sequence[tuple[int, int]] | None = None) -> Resolved | None:
    """The body an article is about: an agency/organization that opens a sentence,
    alone or after a time adverbial (近年来,某县某局…), before any other such sentence."""
    text = res.art.text
    if sentences is None:
        sentences = sentence_spans(text)
    # each sentence's first agency/organization (in mention order), found by bisecting
    # the sorted, disjoint sentences rather than scanning every mention for every sentence
    starts = [s for s, _ in sentences]
    first: dict[int, Resolved] = {}
    for m in res.mentions:
        if m.type in ("Agency", "Organization"):
            k = bisect.bisect_right(starts, m.start) - 1
            if k >= 0 and m.start < sentences[k][1] and k not in first:
                first[k] = m
    for k in sorted(first):
        s, m = starts[k], first[k]
        prefix = _DATELINE.sub("", text[s:m.start]).strip(" ,，、\u3000")
        if prefix == "" or prefix in openers:
            return m
    return None


def _main_project(projects: Sequence[Resolved]) -> Resolved | None:
    """The project an article is about: the most mentioned, an 工程/项目 before a facility."""
    if not projects:
        return None
    counts = Counter(p.entity_id for p in projects)
    return min(projects, key=lambda p: (-counts[p.entity_id], 0 if p.name.endswith(("工程", "项目")) else 1,
                                        p.start))


def _investment_target(pos: int, s: int, e: int, projects: Sequence[Resolved], main: Resolved | None,
                       text: str) -> Resolved | None:
    if _THIS_PROJECT.search(text, s, pos) and not any(s <= p.start < e for p in projects):
        return max((p for p in projects if p.start < s), key=lambda p: p.start, default=main)
    after = [p for p in projects if pos <= p.start < e]
    clause_end = pos
    while clause_end < e and text[clause_end] not in "，,；;。":
        clause_end += 1
    if after and after[0].start < clause_end + 1:
        return after[0]
    before = [p for p in projects if s <= p.start < pos]
    if before:
        return before[-1]
    if after:
        return after[0]
    return main


def _works_for_chain(text: str, title_start: int, person: Resolved, orgs: Sequence[Resolved], add, rules) -> None:
    """ORG TITLE NAME, and the chains news writes before a name:
    ORG TITLE、TITLE NAME (某中学党支部书记、校长某某) and
    ORG TITLE、ORG TITLE NAME (某会委员、某集团董事长某某)."""
    pos = title_start
    first = True
    for _ in range(6):
        # skip titles joined by 、 (党支部书记、校长): they belong to the same organization
        pos = _skip_titles(text, pos, rules)
        cands = [o for o in orgs if o.end <= pos and pos - o.end <= 8]
        if not cands:
            break
        org = max(cands, key=lambda o: (o.end, o.end - o.start))
        gap = text[org.end:pos]
        if any(ch in gap for ch in "，。、；,"):
            break
        add(person, "worksFor", org, person.start, "org-title" if first else "title-chain",
            role=person.title if first else None)
        first = False
        # the previous segment: 、ORG TITLE (or an honorary title with no organization: 全国劳动模范)
        seg = org.start - 1
        while seg > 0 and text[seg] in "、，,":
            prev_title = next((t for t in rules.titles_longest_first if text.endswith(t, 0, seg)), None)
            if prev_title is not None:
                pos = seg - len(prev_title)
                break
            # an honour without an organization (全国劳动模范): step over it
            back = seg
            while back > 0 and text[back - 1] not in "、，,。；":
                back -= 1
            if seg - back > 10 or back == 0:
                seg = -1
                break
            seg = back - 1
        else:
            break
        if seg <= 0:
            break


def _skip_titles(text: str, pos: int, rules) -> int:
    titles = rules.titles_longest_first
    while pos > 0 and text[pos - 1] == "、":
        t = next((t for t in titles if text.endswith(t, 0, pos - 1)), None)
        if t is None:
            break
        pos = pos - 1 - len(t)
    return pos


def _dedupe(rels: list[Relation]) -> list[Relation]:
    seen = {}
    for r in rels:
        key = (r.head, r.rel, r.tail, r.start, r.end)
        if key not in seen:
            seen[key] = r
    return list(seen.values())


def _dedupe_attrs(attrs: list[Attribute]) -> list[Attribute]:
    seen = {}
    for a in attrs:
        key = (a.entity_id, a.attr, a.start)
        if key not in seen:
            seen[key] = a
    return list(seen.values())
