"""Projects: place/facility + work + head (工程, 项目, 改造, 一期 …), list items, built facilities,
and what an investment built."""
from __future__ import annotations

import re
from collections.abc import Sequence

from kg.names.boundary import (CJK, continues_word, counted, is_specific, jurisdiction, place_prefix, protected_map,
                               scan_left, suffix_heads, trim)
from kg.names.context import Candidate, Context
from kg.names.registry import name_finder, name_pass
from kg.names.trie import ending_at

__all__ = ["find_projects"]


@name_finder("Project", rules=("project-head", "project-quoted", "project-placed", "facility-built",
                                "project-list", "project-list-distributed", "project-list-shared-head",
                                "invested-object", "invested-bare"))
def find_projects(text: str, ctx: Context, divisions: Sequence[Candidate]) -> list[Candidate]:
    """Specific projects: a name ending in a project head, list items, built facilities."""
    w = ctx.words
    prot = protected_map(text, ctx, divisions)
    out: list[Candidate] = []
    for s, e, suffix in suffix_heads(text, w.project_heads, ctx):
        # 工程建设 is one word to the segmenter; the head still ends the name there
        if continues_word(text, e, ctx) and not text.startswith(w.build_tails + w.completion_tails, e):
            continue
        if text.startswith(w.head_modified_by, e):
            continue  # 平台优势, 工程质量: the head is a modifier here
        start = scan_left(text, s, ctx, prot, 30)
        quoted = _quoted_before(text, start)
        if quoted is not None:
            # “废水近零排放”工程, 一期“某某苑”项目: the quoted words are the name
            q_start, q_end = quoted
            if text.endswith(w.campaign_words, q_start, q_end - 1):
                continue  # “冬季攻坚行动”项目: a campaign's programme
            placed_at = place_prefix(text, q_start, ctx, divisions, prot)  # 某某市禁燃区“…”项目
            if placed_at == q_start and start == s and text[q_start + 1:q_end - 1] in w.generic_words:
                continue  # “煤改电”工程: a campaign's generic word and a bare head, no one work
            q_start = placed_at
            name = _QUOTES.sub("", text[q_start:e])
            if len(name) > len(suffix) + 1:
                out.append(Candidate(q_start, e, "Project", text[q_start:e], "project-quoted", name=name))
            continue
        start = trim(text, start, e, ctx)
        if e - start <= len(suffix) + 1 or counted(text, start, ctx, divisions):
            continue
        placed = _division_ending(divisions, start - 1, ctx) if start > 0 and text[start - 1] == w.possessive else None
        if placed is not None and not text.endswith(w.generic, start, e):
            # 某区的某某工程: the text places it; its name with the place
            out.append(Candidate(placed.start, e, "Project", text[placed.start:e], "project-placed",
                                 juris=(placed.start, placed.end), name=placed.text + text[start:e]))
            continue
        phase = w.phase.match(text, e)
        if phase:
            e = phase.end()
        name = text[start:e]
        generic = _generic_end(name, w)
        if generic and not is_specific(text, start, e - generic, ctx, divisions, count_divisions=False):
            continue  # 某县民生项目: a place before a generic head does not make a name
        weak = name.endswith(w.weak_heads)
        if weak and text.startswith(w.verb_followers, e):
            continue  # 改造为…: a verb here
        completed = text.startswith(w.completion_tails, e)
        if not completed and not is_specific(text, start, e, ctx, divisions, count_divisions=not weak) and \
                not (not generic and _own_amount(text, start, e, ctx)):
            continue
        out.append(Candidate(start, e, "Project", name, "project-head",
                             juris=jurisdiction(text, start, e, ctx, divisions)))
    # facilities that are the object of construction: 推进某某公园建设, 开工建设某某学校
    for m in w.build_tail_re.finditer(text):
        s = end = m.start()
        ph = w.phase_before.search(text[max(0, s - 6):s])
        if ph:
            s -= len(ph.group(0))
        fac = ending_at(text, s, w.facility_sets)  # the longest facility word ending there
        if fac is not None:
            start = scan_left(text, s - len(fac), ctx, prot, 25)
            start = trim(text, start, s, ctx)
            if s - start > len(fac) and is_specific(text, start, s, ctx, divisions) and \
                    not counted(text, start, ctx, divisions):
                out.append(Candidate(start, end, "Project", text[start:end], "facility-built",
                                     juris=jurisdiction(text, start, end, ctx, divisions)))
    for trig in w.built_trigger_res:
        for m in trig.finditer(text):
            e0 = m.end()
            for fac in w.facility:
                idx = text.find(fac, e0, e0 + 20)
                if idx < 0:
                    continue
                end = idx + len(fac)
                segment = text[e0:end]
                if any(ch in w.hard for ch in segment):
                    continue
                if end - e0 > len(fac) and is_specific(text, e0, end, ctx, divisions) and \
                        not continues_word(text, end, ctx):
                    out.append(Candidate(e0, end, "Project", segment, "facility-built"))
                break
    out.extend(_enumerated(text, ctx, divisions))
    out.extend(_programme_objects(text, ctx, divisions))
    superseded: set[tuple[int, int]] = set()
    out.extend(_list_projects(text, ctx, divisions, out, superseded))
    out.extend(_invested_projects(text, ctx, divisions))
    # (a measure with 以上/左右 in the name: 某万平方米以上供热改造 describes works, names none)
    return [c for c in out if ((c.start, c.end) not in superseded or c.rule != "project-head")
            and not w.description.search(c.surface)]


#: rules of institutions named in full (not 该院, which refers back)
_INSTITUTION_RULES = ("org-suffix", "agency-suffix", "agency-weak")


@name_pass("Project")
def built_institutions(text: str, ctx: Context, divisions: Sequence[Candidate],
                       found: Sequence[Candidate]) -> list[Candidate]:
    """Institutions that a list closes with a construction word are facilities being built:
    某学院、某检验中心开工; 某园、某园两所新建幼儿园 (rule ``facility-built``)."""
    w = ctx.words
    named = [c for c in found if c.type in ("Organization", "Agency", "Project")]
    if not named:
        return []
    by_start: dict[int, Candidate] = {}
    for c in named:
        old = by_start.get(c.start)
        if old is None or c.end > old.end:
            by_start[c.start] = c
    out = []
    for c in named:
        if c.type == "Project" or c.rule not in _INSTITUTION_RULES or not c.text.endswith(w.built_institutions):
            continue
        j = c.end
        while j < len(text) and text[j] in w.list_joiners + w.item_separator:  # the rest of the list (、B、C)
            nxt = by_start.get(j + 1)
            if nxt is None:
                break
            j = nxt.end
        count = w.list_count.match(text, j)
        k = count.end() if count else j
        word = next((x for x in w.built_after_list if text.startswith(x, k)), None)
        if word is None:
            continue
        after = k + len(word)
        tail = next((t for t in w.build_tails if text.startswith(t, after)), None)
        if (tail is not None and after + len(tail) < len(text) and text[after + len(tail)] not in w.hard) or \
                text.startswith(w.project_heads, after):
            continue  # 某医院开工建设新楼: it builds; 某中学新建项目: part of a longer name
        out.append(Candidate(c.start, c.end, "Project", c.text, "facility-built", juris=c.juris))
    return out


_QUOTES = re.compile("[“”\"「」『』]")


def _generic_end(name: str, w) -> int:
    """Length of the generic head a name ends in (民生工程, 民生工程项目), else 0."""
    for tail in ("",) + w.redundant_tails:
        if name.endswith(tail):
            stem = name[:len(name) - len(tail)]
            if stem.endswith(w.generic):  # (one test for most names)
                return len(next(g for g in w.generic if stem.endswith(g))) + len(tail)
    return 0


def _own_amount(text: str, start: int, end: int, ctx: Context) -> bool:
    """An amount of its own right before the name singles it out (投资2亿元的某某加工项目),
    unless the name is made of generic words (投资1亿元的老旧小区及配套改造)."""
    w = ctx.words
    if not w.own_amount_re.search(text, max(0, start - 40), start):
        return False
    return not any(text[s:e] in w.generic_words for s, e, _tag in ctx.tokens_in(start, end))


def _division_ending(divisions: Sequence[Candidate], end: int, ctx: Context) -> Candidate | None:
    """The first division candidate (in list order) that ends at ``end``."""
    cached = ctx.cache.get("division-ends")
    if cached is None or cached[0] is not divisions:
        ends: dict[int, Candidate] = {}
        for c in divisions:
            ends.setdefault(c.end, c)
        cached = ctx.cache["division-ends"] = (divisions, ends)
    return cached[1].get(end)


def _quoted_before(text: str, start: int) -> tuple[int, int] | None:
    """The span of “…” ending right at ``start`` (a quoted name before a head)."""
    if start == 0 or text[start - 1] != "”":
        return None
    open_ = text.rfind("“", max(0, start - 32), start - 1)
    if open_ < 0 or any(ch in "。！？；，,\n" for ch in text[open_:start]):
        return None
    return open_, start


def _invested_projects(text: str, ctx: Context, divisions: Sequence[Candidate]) -> list[Candidate]:
    """What an investment built: 投资1亿元完成某楼改造 / 投入100万元实施升级改造.

    The object after the amount and a verb (money_objects) is a project even
    without a proper name: the sentence itself singles it out.  A bare work
    (升级改造) is named after the investor written before the amount.
    """
    w = ctx.words
    prot = protected_map(text, ctx, divisions)
    heads = w.invested_heads
    out = []
    for m in w.invested_re.finditer(text):
        obj_start = m.end()
        # the object ends at the first project head / facility word before punctuation
        stop = obj_start
        while stop < len(text) and stop - obj_start < 25 and text[stop] not in w.hard:
            stop += 1
        best = None
        for h in heads:
            idx = text.rfind(h, obj_start, stop)
            if idx >= 0 and (best is None or idx + len(h) > best):
                if not continues_word(text, idx + len(h), ctx):
                    best = idx + len(h)
        if best is None:
            continue
        start = scan_left(text, best - 1, ctx, prot, best - obj_start) if best - 1 > obj_start else obj_start
        start = max(start, obj_start)
        name = text[start:best]
        if m.group(4) and (text[best:best + 1] == "、" or name.endswith(w.generic)):
            continue  # 总投资X元的A、B…: a total over a list; the items are found as a list
        if name in w.bare_works:
            # the investor: the name right before the money trigger
            inv_end = m.start()
            inv_start = scan_left(text, inv_end, ctx, prot, 12)
            if inv_end - inv_start < 2:
                continue
            out.append(Candidate(inv_start, best, "Project", text[inv_start:best], "invested-bare",
                                 juris=jurisdiction(text, inv_start, inv_end, ctx, divisions),
                                 name=text[inv_start:inv_end] + name))
            continue
        if len(name) < 3 or counted(text, start, ctx, divisions):
            continue
        out.append(Candidate(start, best, "Project", name, "invested-object",
                             juris=jurisdiction(text, start, best, ctx, divisions)))
    return out


def _list_projects(text: str, ctx: Context, divisions: Sequence[Candidate],
                   found: Sequence[Candidate], superseded: set[tuple[int, int]]) -> list[Candidate]:
    """Items of a coordinated list closed by a project head: A、B、C等N个…项目 / A、B道路工程.

    Spans of candidates that turn out to be a list's last item plus a shared
    head are added to ``superseded``.
    """
    w = ctx.words
    out = []
    # A、B、C等(N个…)项目|工程|建设
    for m in w.list_close_re.finditer(text):
        list_end = m.start()
        items = _list_items(text, list_end, ctx, divisions)
        count = w.list_count.match(m.group(1))
        counted = count is not None
        # 等6个棚改项目: the words between the count and the head are the items' category
        category = _category(m.group(1)[count.end():], w) if count else ""
        if category and (len(items) >= 2 or counted) and not _generic_end(category + text[m.end(1):m.end()], w):
            out.extend(_distributed(text, items, category + text[m.end(1):m.end()], ctx, divisions))
            continue
        if len(items) >= 2 or (items and counted):
            for s, e in items:
                named_facility = e - s <= 14 and text.endswith(w.facility, s, e)
                first = ctx.tag_starting_at(s)
                if first == "t":
                    continue
                phased = w.item_phase.search(text, s, e) is not None  # 某某电厂一期
                if (named_facility or phased or is_specific(text, s, e, ctx, divisions)) and \
                        not text[s:e].endswith(w.generic):
                    out.append(Candidate(s, e, "Project", text[s:e], "project-list"))
    # A、B、C三大片区某某项目: every item takes the shared head
    for c in found:
        if c.rule != "project-head":
            continue
        q = w.list_category.search(c.text)
        if not q or q.start() == 0 or c.text[q.start() - 1] in w.list_closers:
            continue
        cut = c.start + q.start()
        head = text[cut + len(q.group(1)):c.end]
        items = _list_items(text, cut, ctx, divisions)
        if len(items) >= 2 and items[-1][1] == cut:
            for a, b in items:
                if q.group(2) in w.distributing:  # 三大片区棚户区改造项目: each item takes the head
                    out.append(Candidate(a, b, "Project", text[a:b], "project-list-distributed",
                                         name=text[a:b] + head))
                else:  # 三个百亿级项目: a category; the items are the names
                    out.append(Candidate(a, b, "Project", text[a:b], "project-list"))
            superseded.add((c.start, c.end))
    # A、B、C3所学校的某某工程 / A、B、C3所改扩建幼儿园: what follows the count is each item's
    for m in w.list_count.finditer(text) if w.item_separator in text else ():
        p0 = m.start()
        if p0 == 0 or not CJK.match(text[p0 - 1]) or text[p0 - 1] in w.list_closers or \
                w.numerals_re.match(text[p0 - 1]) or text.rfind(w.item_separator, max(0, p0 - 22), p0) < 0:
            continue  # (no list ends here: most counts)
        items = _list_items(text, p0, ctx, divisions)
        if len(items) < 2 or items[-1][1] != p0:
            continue
        rest_start = m.end()
        genitive = w.genitive_class.match(text, rest_start)  # 3所学校的…: "the … of the three schools"
        if genitive:
            rest_start = genitive.end()
        head_end = _last_head_end(text, rest_start, 20, ctx)
        if head_end is None:
            continue
        rest = text[rest_start:head_end]
        if rest in w.list_close_heads or _generic_end(rest, w):
            # A、B两个项目, A、B三项重点工程: a category; the items are the names (all of
            # them when the count says how many there are)
            exact = _count_value(m.group(0)[:-1], w) == len(items)
            out.extend(_distributed(text, items, "", ctx, divisions, counted_all=exact))
        else:
            out.extend(_distributed(text, items, rest, ctx, divisions, always=bool(genitive)))
    # A、B道路工程: the first items share the last item's head
    for c in found:
        if c.rule != "project-head":
            continue
        s = c.start
        if s > 0 and text[s - 1] == "、":
            for a, b in _list_items(text, s - 1, ctx, divisions):
                if is_specific(text, a, b, ctx, divisions):
                    out.append(Candidate(a, b, "Project", text[a:b], "project-list-shared-head"))
    return out


def _programme_objects(text: str, ctx: Context, divisions: Sequence[Candidate]) -> list[Candidate]:
    """Facilities a numbered programme builds: 五是新建某某路某某小学人行天桥, 九是进一步建设完善
    某某便民市场 (rule ``facility-built``)."""
    w = ctx.words
    out = []
    for m in w.programme_marker.finditer(text):
        if m.start() > 0 and text[m.start() - 1] not in w.object_ends and not text[m.start() - 1].isspace():
            continue  # (the marker opens a clause)
        k = m.end()
        adverb = next((a for a in w.programme_adverbs if text.startswith(a, k)), None)
        if adverb:
            k += len(adverb)
        verbs = 0
        while True:
            verb = next((v for v in w.programme_verbs if text.startswith(v, k)), None)
            if verb is None:
                break
            k += len(verb)
            verbs += 1
        if not verbs:
            continue
        end = _last_head_end(text, k, 30, ctx, w.object_ends)  # (quotes may stand inside: 某某“三农”中心)
        if end is None:
            continue
        name = text[k:end]
        head = ending_at(text, end, w.facility_sets) or next((h for h in w.project_heads if name.endswith(h)), "")
        if len(name) <= len(head) + 1 or _generic_end(name, w) or counted(text, k, ctx, divisions) or \
                w.inner_count.search(name):
            continue
        out.append(Candidate(k, end, "Project", name, "facility-built",
                             juris=jurisdiction(text, k, end, ctx, divisions)))
    return out


def _enumerated(text: str, ctx: Context, divisions: Sequence[Candidate]) -> list[Candidate]:
    """The items of an enumeration of projects: 某类项目12项,具体为:A、B、C。 Each item is one
    project the text counts (guideline: the text treats it as one identifiable item)."""
    w = ctx.words
    out = []
    for m in w.enumeration_re.finditer(text):
        end = m.end()
        while end < len(text) and text[end] not in w.enumeration_ends:
            end += 1
        a = m.end()
        while a < end:
            b = text.find(w.item_separator, a, end)
            b = end if b < 0 else b
            s, e = trim(text, a, b, ctx), b
            if text[s:e].endswith(w.list_closers):
                e -= len(w.list_closers)
            if 2 <= e - s <= 24 and not any(ch in w.hard for ch in text[s:e]) and \
                    not counted(text, s, ctx, divisions) and not _generic_end(text[s:e], w):
                out.append(Candidate(s, e, "Project", text[s:e], "project-list"))
            a = b + 1
    return out


def _category(words: str, w) -> str:
    """The category words between a list's count and its head (等6个棚改项目 → 棚改); after a
    classifier noun and 的 only what follows (等3个村的供水项目 → 供水)."""
    if w.possessive in words:
        return words[words.index(w.possessive) + 1:]
    return words


def _distributed(text: str, items: Sequence[tuple[int, int]], rest: str, ctx: Context,
                 divisions: Sequence[Candidate], always: bool = False, counted_all: bool = False) -> list[Candidate]:
    """The projects of list items sharing ``rest`` (a category and head): item + rest, or the
    bare item when it already names a facility or a project (古街园、思源园等5个园林项目);
    ``always``: every item takes ``rest`` (3所学校的某某工程); ``counted_all``: the text counts
    the items (A、B、C三项重点工程), so each is one identifiable project."""
    w = ctx.words
    out = []
    for s, e in items:
        if ctx.tag_starting_at(s) == "t":
            continue  # a time word: an activity
        complete = _complete_item(text, s, e, w)
        if not (complete or counted_all or is_specific(text, s, e, ctx, divisions) or w.item_phase.search(text, s, e)):
            continue
        if rest and (always or not complete):
            out.append(Candidate(s, e, "Project", text[s:e], "project-list-distributed", name=text[s:e] + rest))
        elif not text.endswith(w.generic, s, e):
            out.append(Candidate(s, e, "Project", text[s:e], "project-list"))
    return out


def _count_value(count: str, w) -> int | None:
    """The number a count's numerals write (3, 三, 两), or None (十二 and the like)."""
    if count.isdigit():
        return int(count)
    return w.numeral_values.get(count)


def _complete_item(text: str, s: int, e: int, w) -> bool:
    """Does a list item already end in a facility, project or institution head (某某园, 某某小学)?"""
    if text[e - 1] in w.closing_brackets:  # 某某停车场(小微绿地): the head is before the note
        open_ = max(text.rfind(b, s, e) for b in w.opening_brackets)
        if open_ > s:
            e = open_
    return text.endswith(w.facility, s, e) or text.endswith(w.project_heads, s, e) or \
        text.endswith(w.org_strong, s, e)


def _last_head_end(text: str, start: int, max_len: int, ctx: Context,
                   stops: frozenset[str] | None = None) -> int | None:
    """End of the last project head or facility word after ``start`` before punctuation
    (``stops``; default: the hard stops)."""
    w = ctx.words
    stops = w.hard if stops is None else stops
    stop = start
    while stop < len(text) and stop - start < max_len and text[stop] not in stops:
        stop += 1
    best = None
    for h in w.invested_heads:
        idx = text.rfind(h, start, stop)
        if idx >= 0 and (best is None or idx + len(h) > best) and not continues_word(text, idx + len(h), ctx):
            best = idx + len(h)
    return best


def _list_items(text: str, list_end: int, ctx: Context, divisions: Sequence[Candidate]) -> list[tuple[int, int]]:
    """The items of a 、-separated list that ends at ``list_end`` (right to left)."""
    w = ctx.words
    prot = protected_map(text, ctx, divisions)
    items = []
    end = list_end
    while end > 0:
        start = scan_left(text, end, ctx, prot, 20)
        start = trim(text, start, end, ctx)
        if end - start >= 2:
            items.append((start, end))
        if start > 0 and text[start - 1] == "、":
            end = start - 1
            continue
        # 及/和 join the last two items
        if start > 0 and text[start - 1] in w.list_joiners and items:
            end = start - 1
            continue
        break
    return list(reversed(items))
