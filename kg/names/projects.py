"""Projects: place/facility + work + head (工程, 项目, 改造, 一期 …), list items, built facilities,
and what an investment built."""
from __future__ import annotations

import re
from collections.abc import Sequence

from kg.names.boundary import (continues_word, is_specific, jurisdiction, place_prefix, protected_map, scan_left,
                               suffix_heads, trim)
from kg.names.context import Candidate, Context
from kg.names.registry import name_finder
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
            q_start = place_prefix(text, q_start, ctx, divisions, prot)  # 某某市禁燃区“…”项目
            name = _QUOTES.sub("", text[q_start:e])
            if len(name) > len(suffix) + 1:
                out.append(Candidate(q_start, e, "Project", text[q_start:e], "project-quoted", name=name))
            continue
        start = trim(text, start, e, ctx)
        if e - start <= len(suffix) + 1 or w.quantity.match(text, start):
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
        if name.endswith(w.generic) and not is_specific(
                text, start, e - len(suffix), ctx, divisions, count_divisions=False):
            continue  # 某县民生项目: a place before a generic head does not make a name
        weak = name.endswith(w.weak_heads)
        if weak and text.startswith(w.verb_followers, e):
            continue  # 改造为…: a verb here
        completed = text.startswith(w.completion_tails, e)
        if not completed and not is_specific(text, start, e, ctx, divisions, count_divisions=not weak):
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
                    not w.quantity.match(text, start):
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
    superseded: set[tuple[int, int]] = set()
    out.extend(_list_projects(text, ctx, divisions, out, superseded))
    out.extend(_invested_projects(text, ctx, divisions))
    return [c for c in out if (c.start, c.end) not in superseded or c.rule != "project-head"]


_QUOTES = re.compile("[“”\"「」『』]")


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
        if len(name) < 3 or w.quantity.match(name):
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
        counted = bool(w.list_count.match(m.group(1)))
        if len(items) >= 2 or (items and counted):
            for s, e in items:
                named_facility = e - s <= 14 and text.endswith(w.facility, s, e)
                first = ctx.tag_starting_at(s)
                if first == "t":
                    continue
                if (named_facility or is_specific(text, s, e, ctx, divisions)) and \
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
