"""Rules that say whom a person works for: the home paper of its reporters, the unit a
speaker is named after, the organization before a title (and a chain of them), a title's
fixed employer, 以X同志为核心的党中央."""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from kg.ids import entity_id
from kg.knowledge.lexicon import Lexicon, PatternFile
from kg.relations.article import ArticleFacts
from kg.relations.registry import Fact, relation_rule
from kg.resolve import Resolved

__all__ = ["reporter", "speaker_unit", "org_title", "title_chain", "fixed_employer", "core_of"]


def _fixed_employers(lexicon: Lexicon) -> Mapping[str, str]:
    """Titles that imply a fixed employer (总书记 → 中共中央): no other rule reads them."""
    return lexicon.table("relations", "fixed-employer.employers")


class _Reporter:
    def __init__(self, table: PatternFile, lexicon: Lexicon) -> None:
        self.titles = frozenset(table.words("titles"))
        self.fixed = _fixed_employers(lexicon)


def _is_reporter(art: ArticleFacts, person: Resolved, words: _Reporter) -> bool:
    return not (person.title and person.title in words.fixed) and person.title in words.titles and \
        art.newspaper is not None


@relation_rule("reporter", prepare=_Reporter)
def reporter(art: ArticleFacts, words: _Reporter) -> Iterator[Fact]:
    """A reporter of 本报 works for the paper, the home city's daily."""
    for person in art.persons:
        if _is_reporter(art, person, words):
            yield Fact(person, "worksFor", art.newspaper, person.start, role=person.title)


def _unit_gap(table: PatternFile, lexicon: Lexicon):
    return table.regex("gap")


@relation_rule("speaker-unit", prepare=_unit_gap)
def speaker_unit(art: ArticleFacts, gap) -> Iterator[Fact]:
    """某局某科王某介绍: a speaker (without a title) right after their unit works there."""
    text = art.text
    for person in art.persons:
        if person.rule != "speaker" or person.title:
            continue
        org = max((o for o in art.agencies_orgs if o.end <= person.start and person.start - o.end <= 8),
                  key=lambda o: o.end, default=None)
        if org is not None and gap.fullmatch(text, org.end, person.start):
            yield Fact(person, "worksFor", org, person.start)


class _Titles:
    def __init__(self, table: PatternFile, lexicon: Lexicon) -> None:
        self.employee_titles = frozenset(lexicon.words("person", "employee_titles"))
        # ties in length never both end at one place, so their order is free
        self.longest_first = tuple(sorted(self.employee_titles, key=len, reverse=True))
        self.fixed = _fixed_employers(lexicon)
        # (reporters of the home paper are the reporter rule's)
        self.reporter_titles = frozenset(lexicon.words("relations", "reporter.titles"))
        chain = lexicon.file("relations").section("org-title")
        #: titles of a member of a body (人大代表): the person works for the body written before
        self.member_titles = frozenset(chain.words("member_titles"))
        #: words before a title that qualify it (常务副县长): the body comes before them
        self.modifiers = tuple(sorted(chain.words("title_modifiers"), key=len, reverse=True))
        #: characters that end a chain between a body and its title (a clause, a list, a field)
        self.breaks = frozenset(chain.chars("breaks"))


def _employers(art: ArticleFacts, person: Resolved, words: _Titles) -> list[Resolved]:
    """ORG [sub-unit] TITLE NAME and the chains news writes before a name, nearest first:
    ORG TITLE、TITLE NAME (某中学党支部书记、校长某某) and ORG TITLE、ORG TITLE NAME
    (某会委员、某集团董事长某某).  Persons the reporter rule or a fixed employer takes, and
    persons without an employee title, have none.  (Read by org-title and title-chain:
    walked once per person.)"""
    title = person.title
    if not title or title in words.fixed:
        return []
    if title not in words.employee_titles and title not in words.member_titles and \
            not _after_joined_title(art, person, words):
        return []  # (a rank after a post, 某局局长、一级巡视员某某, keeps the post's chain)
    if title in words.reporter_titles and art.newspaper is not None:
        return []  # the reporter rule's
    key = ("employers", id(person))
    chain = art.cache.get(key)
    if chain is None:
        chain = art.cache[key] = list(_walk_chain(art, person, words))
    return chain


def _after_joined_title(art: ArticleFacts, person: Resolved, words: _Titles) -> bool:
    """Is the person's title joined by 、 to a post title before it (某局局长、一级巡视员某某)?"""
    pos = _title_start(art, person, words)
    return pos > 0 and art.text[pos - 1] == "、" and \
        any(art.text.endswith(t, 0, pos - 1) for t in words.longest_first)


def _title_start(art: ArticleFacts, person: Resolved, words: _Titles) -> int:
    """Where the title before ``person`` begins, with its qualifiers (常务副县长)."""
    text = art.text
    pos = person.start
    while pos > 0 and text[pos - 1] in " \u3000":
        pos -= 1
    pos -= len(person.title)
    return _skip_modifiers(text, pos, words.modifiers)


def _skip_modifiers(text: str, pos: int, modifiers: Sequence[str]) -> int:
    m = next((m for m in modifiers if text.endswith(m, 0, pos)), None)
    return pos - len(m) if m else pos


def _person_ends(art: ArticleFacts) -> frozenset[int]:
    ends = art.cache.get("person-ends")
    if ends is None:
        ends = art.cache["person-ends"] = frozenset(p.end for p in art.persons)
    return ends


def _walk_chain(art: ArticleFacts, person: Resolved, words: _Titles) -> Iterator[Resolved]:
    text = art.text
    pos = _title_start(art, person, words)
    orgs = art.agencies_orgs
    person_ends = _person_ends(art)
    # a body whose name ends inside the title (市人大 in 市人大代表某某): the title's body
    inside = max((o for o in orgs if o.start < pos < o.end <= person.start), key=lambda o: o.end, default=None)
    if inside is not None:
        yield inside
        return
    for _ in range(6):
        # skip titles joined by 、 (党支部书记、校长): they belong to the same organization
        pos = _skip_titles(text, pos, words.longest_first, words.modifiers)
        cands = [o for o in orgs if o.end <= pos and pos - o.end <= 8]
        if not cands:
            break
        org = max(cands, key=lambda o: (o.end, o.end - o.start))
        gap = text[org.end:pos]
        if any(ch in words.breaks for ch in gap):
            break
        yield org
        # the previous segment: 、ORG TITLE (or an honorary title with no organization: 全国劳动模范);
        # a comma right after another person's name ends this person's chain (…主任甲,…主席乙)
        seg = org.start - 1
        while seg > 0 and text[seg] in "、，," and not (text[seg] != "、" and seg in person_ends):
            prev_title = next((t for t in words.longest_first if text.endswith(t, 0, seg)), None)
            if prev_title is not None:
                pos = _skip_modifiers(text, seg - len(prev_title), words.modifiers)
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


def _skip_titles(text: str, pos: int, titles: Sequence[str], modifiers: Sequence[str]) -> int:
    while pos > 0 and text[pos - 1] == "、":
        t = next((t for t in titles if text.endswith(t, 0, pos - 1)), None)
        if t is None:
            break
        pos = _skip_modifiers(text, pos - 1 - len(t), modifiers)
    return pos


@relation_rule("org-title", prepare=_Titles)
def org_title(art: ArticleFacts, words: _Titles) -> Iterator[Fact]:
    """ORG [sub-unit] TITLE NAME: the person works for ORG, in the role TITLE."""
    for person in art.persons:
        employers = _employers(art, person, words)
        if employers:
            yield Fact(person, "worksFor", employers[0], person.start, role=person.title)


@relation_rule("title-chain", prepare=_Titles)
def title_chain(art: ArticleFacts, words: _Titles) -> Iterator[Fact]:
    """ORG1 TITLE、ORG2 TITLE NAME: the person works for every organization of the chain
    before the nearest (org-title's)."""
    for person in art.persons:
        for org in _employers(art, person, words)[1:]:
            yield Fact(person, "worksFor", org, person.start)


def _employer_table(table: PatternFile, lexicon: Lexicon) -> Mapping[str, str]:
    return table.table("employers")


@relation_rule("fixed-employer", prepare=_employer_table)
def fixed_employer(art: ArticleFacts, employers: Mapping[str, str]) -> Iterator[Fact]:
    """A title with a fixed employer (总书记 → 中共中央): the person works for it, a
    mention of the article or the national body."""
    for person in art.persons:
        if person.title in employers:
            employer = employers[person.title]
            target = next((m for m in art.mentions if m.name == employer), None)
            yield Fact(person, "worksFor", target.entity_id if target else entity_id("Agency", employer),
                       person.start, role=person.title)


def _core_pattern(table: PatternFile, lexicon: Lexicon) -> str:
    return table.string("pattern")


@relation_rule("core-of", prepare=_core_pattern)
def core_of(art: ArticleFacts, core: str) -> Iterator[Fact]:
    """以X同志为核心的党中央: X works for the body right after the pattern."""
    text = art.text
    for person in art.persons:
        if text[person.end:person.end + 12].startswith(core):
            target = next((m for m in art.agencies_orgs if m.start >= person.end + len(core) - 1
                           and m.start <= person.end + len(core) + 1), None)
            if target:
                yield Fact(person, "worksFor", target, person.start)


class _Government:
    def __init__(self, table: PatternFile, lexicon: Lexicon) -> None:
        self.titles = _Titles(table, lexicon)
        #: title ending (县长) -> the last character of the division it heads (县)
        self.heads = dict(table.table("heads"))
        self.longest_first = tuple(sorted(self.heads, key=len, reverse=True))
        self.government = table.string("government")


@relation_rule("head-of-government", prepare=_Government, after=("org-title", "title-chain"))
def head_of_government(art: ArticleFacts, words: _Government) -> Iterator[Fact]:
    """县长/副县长/常务副市长 X: X works for the people's government of the division the
    title heads, when the text names that government (县政府, 某县人民政府): the one of
    the division written before the title, else of the bodies of X's chain, else of the
    article's home county or city, else the only one."""
    governments = [m for m in art.agencies_orgs if m.type == "Agency" and m.juris and
                   m.name.endswith(words.government)]
    if not governments:
        return
    gazetteer = art.gazetteer
    for person in art.persons:
        if not person.title:
            continue
        for title, start in _chain_titles(art, person, words):
            head = next((h for h in words.longest_first if title.endswith(h)), None)
            if head is None:
                continue
            level = words.heads[head]
            cands = [g for g in governments if (div := gazetteer.get(g.juris)) is not None and
                     div.name.endswith(level)]
            if not cands:
                continue
            written = [d.division_id for d in art.mentions if d.type == "Division" and d.end == start]
            chain = [o.juris for o in _employers(art, person, words.titles) if o.juris]
            home = [art.res.home_county, art.res.home_city]
            for prefer in (written, chain, home):
                found = [g for g in cands if g.juris in prefer]
                if found:
                    yield Fact(person, "worksFor", found[0], person.start, role=title)
                    break
            else:
                if len({g.entity_id for g in cands}) == 1:
                    yield Fact(person, "worksFor", cands[0], person.start, role=title)


def _chain_titles(art: ArticleFacts, person: Resolved, words: _Government) -> list[tuple[str, int]]:
    """The person's title and the titles joined to it by 、 before it (副县长、某局局长某某:
    副县长 too), each with where it starts (its qualifiers included).  A title written after a
    body (某局局长) ends the walk once taken: what comes before it is that body's chain."""
    text = art.text
    titles = words.titles
    pos = _title_start(art, person, titles)
    out = [(person.title, pos)]
    body_ends = _body_ends(art)
    while pos > 0:
        if pos in body_ends:
            # a body before this title: step over it to the 、 before it (某局局长、…)
            body = max((o for o in art.agencies_orgs if o.end == pos), key=lambda o: o.end - o.start)
            pos = body.start
        if pos <= 1 or text[pos - 1] != "、":
            break
        prev = next((t for t in titles.longest_first if text.endswith(t, 0, pos - 1)), None)
        if prev is None:
            break
        pos = _skip_modifiers(text, pos - 1 - len(prev), titles.modifiers)
        out.append((prev, pos))
    return out


def _body_ends(art: ArticleFacts) -> frozenset[int]:
    ends = art.cache.get("body-ends")
    if ends is None:
        ends = art.cache["body-ends"] = frozenset(o.end for o in art.agencies_orgs)
    return ends
