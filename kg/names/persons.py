"""Persons, only with evidence: a title, a byline or credit, a speech verb, an honorific."""
from __future__ import annotations

import re

from collections.abc import Sequence

from kg.names.context import Candidate, Context
from kg.names.personal import NAME_END as _NAME_END, common_word, name_at as _name_at, verb_after
from kg.names.registry import name_finder

__all__ = ["find_persons"]

_CREDIT_PARENS = re.compile(r"[（(]([^（()）\n]{2,30})[）)]")
_CREDIT_BODY = re.compile(r"[\u3400-\u9fff、 \u3000/]+")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")

# (no quantity or slogan check: a name of two or three characters is never one)
@name_finder("Person", rules=("title-name", "credit", "credit-label", "speaker", "honorific", "doctrine"), checked=False)
def find_persons(text: str, ctx: Context, divisions: Sequence[Candidate] = ()) -> list[Candidate]:
    """Persons: title + name, bylines and credits, speakers, honorifics (``divisions``
    are not read: persons are found by titles, credits and speech)."""
    w = ctx.words
    out: list[Candidate] = []
    # title + name (董事长张三, 记者 李四)
    titles = list(w.title_re.finditer(text))
    for m in titles:
        i = m.end()
        while i < len(text) and text[i] in " \u3000":
            i += 1
        span = _name_at(text, i, ctx, strict_end=False)
        if span and not common_word(text, span, ctx):
            # 通讯员 A B: several names separated by spaces
            out.append(Candidate(span[0], span[1], "Person", text[span[0]:span[1]], "title-name", title=m.group(0)))
            j = span[1]
            while j < len(text) and text[j] in " \u3000、":
                k = j
                while k < len(text) and text[k] in " \u3000、":
                    k += 1
                nxt = _name_at(text, k, ctx)
                if not nxt and text[j:k] == "、":
                    # the last of a list: 副县长某某、某某参加 (its verb ends it)
                    nxt = _name_at(text, k, ctx, strict_end=False)
                    if nxt is None or not verb_after(text, nxt[1], ctx):
                        break
                if not nxt or common_word(text, nxt, ctx):
                    break
                out.append(Candidate(nxt[0], nxt[1], "Person", text[nxt[0]:nxt[1]], "title-name", title=m.group(0)))
                j = nxt[1]
    # labelled credits: 编辑:某某, 作者:某某  责任编辑:某某, 摄影: 某某 某 某
    for m in (w.credit_label_re.finditer(text) if any(c in text for c in w.credit_label_separators) else ()):
        start = end = m.end()
        limit = min(len(text), start + _CREDIT_VALUE_MAX)
        while end < limit and text[end] not in _CREDIT_VALUE_END:
            end += 1
        nxt = w.credit_label_re.search(text, start, end)
        names = _credit_names(text, start, nxt.start() if nxt else end, ctx, rule="credit-label", title=m.group(1))
        if not names or names[0].start != start:
            # the first name glued to the words after it (编辑:某某 + the next line)
            span = _name_at(text, start, ctx, strict_end=False)
            if span is not None:
                names.insert(0, Candidate(span[0], span[1], "Person", text[span[0]:span[1]], "credit-label",
                                          title=m.group(1)))
        out.extend(names)
    # credits: (A、B) / (A B 文/图) / A 摄 / A B 摄影 at a line's end
    for m in _CREDIT_PARENS.finditer(text):
        body = m.group(1)
        if not _CREDIT_BODY.fullmatch(body):
            continue
        out.extend(_credit_names(text, m.start(1), m.end(1), ctx))
    if any(mark in text for mark in w.credit_line_marks):  # (the line pattern scans every position)
        for m in w.credit_line_re.finditer(text):
            out.extend(_credit_names(text, m.start(1), m.end(1), ctx))
    # speakers: 。张三说 / ，李四表示 (not starting inside a title: 局长孙某)
    in_title: set[int] | None = None
    for m in w.speech_re.finditer(text):
        if in_title is None:
            in_title = {i for t in titles for i in range(t.start() + 1, t.end())}
        s = m.start()
        for n in (3, 2, 4):
            i = s - n
            if i < 0 or i in in_title:
                continue
            span = _name_at(text, i, ctx)
            if span and span[1] == s and (i == 0 or text[i - 1] in _NAME_END or text[i - 1] in w.unit_end_chars) \
                    and not common_word(text, span, ctx):
                out.append(Candidate(i, s, "Person", text[i:s], "speaker"))
                break
    # a doctrine after a leader's name: 某某某新时代…思想 (a name the segmenter knows)
    for m in (w.doctrine_re.finditer(text) if any(t in text for t in w.doctrine_tails) else ()):
        word = ctx.ending_at(m.start())
        if word is not None and word[1] in w.doctrine_name_tags and 2 <= m.start() - word[0] <= 4:
            span = _name_at(text, word[0], ctx, strict_end=False)
            if span is not None and span[1] == m.start():
                out.append(Candidate(span[0], span[1], "Person", text[span[0]:span[1]], "doctrine"))
    out.extend(_last_line_credit(text, ctx))
    # honorifics after the name: 某某某总书记, 某某某同志
    for h, pattern in w.honorific_res:
        for m in pattern.finditer(text):
            s = m.start()
            for n in (3, 2):
                i = s - n
                if i < 0:
                    continue
                span = _name_at(text, i, ctx)
                if span and span[1] == s:
                    out.append(Candidate(i, s, "Person", text[i:s], "honorific", title=h))
                    break
    return out


_LAST_LINE = re.compile(r"\n[ \u3000]*([\u3400-\u9fff]{2,3}(?:[ \u3000]+[\u3400-\u9fff]{2,3})+)[ \u3000]*\n*$")


def _last_line_credit(text: str, ctx: Context) -> list[Candidate]:
    """An article's last line made of names alone (某某 某某某): its authors."""
    m = _LAST_LINE.search(text, max(0, len(text) - 40))
    if m is None:
        return []
    names = [(p.start(), p.end()) for p in _CJK_RUN.finditer(text, m.start(1), m.end(1))]
    if not all(_name_at(text, s, ctx) == (s, e) for s, e in names):
        return []
    return [Candidate(s, e, "Person", text[s:e], "credit") for s, e in names]


#: a labelled credit's names end at a line's end, a bar, a bracket or a clause mark
_CREDIT_VALUE_END = set("\n|｜)）]】[【(（，,。;；")
_CREDIT_VALUE_MAX = 30


def _credit_names(text: str, start: int, end: int, ctx: Context, *, rule: str = "credit",
                  title: str | None = None) -> list[Candidate]:
    """Names in a credit like ``张三、李四 文/图`` between start and end."""
    w = ctx.words
    body = text[start:end]
    out = []
    # strip trailing markers (文/图, 摄) glued to the last name
    cut = len(body)
    stripped = body.rstrip()
    for marker in w.byline:
        if stripped.endswith(marker):
            cut = len(stripped) - len(marker)
            break
    # 毛 峰: a two-character name typeset with a space between its characters
    pieces = [(m.start(), m.group(0)) for m in _CJK_RUN.finditer(body[:cut])]
    merged: list[tuple[int, str]] = []
    for off, piece in pieces:
        if merged and len(piece) == 1 and len(merged[-1][1]) == 1 and body[merged[-1][0] + 1:off].strip() == "":
            merged[-1] = (merged[-1][0], merged[-1][1] + piece)
        else:
            merged.append((off, piece))
    for off, piece in merged:
        s = start + off
        if len(piece) == 2 and text[s + 1] != piece[1]:  # spaced name: check the two characters
            if (piece[0] in w.surnames1) and piece not in w.not_names:
                e = text.index(piece[1], s + 1) + 1
                out.append(Candidate(s, e, "Person", text[s:e], rule, title=title, name=piece))
            continue
        if 2 <= len(piece) <= 4 and _name_at(text, s, ctx, strict_end=False) is not None:
            span = (s, s + len(piece))
            if piece[:2] in w.surnames2 or piece[0] in w.surnames1:
                if piece not in w.not_names:
                    out.append(Candidate(span[0], span[1], "Person", piece, rule, title=title))
    return out
