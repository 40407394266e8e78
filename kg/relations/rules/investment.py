"""The investment of a project: 投资/投入/总投资 + amount, on the project of the clause."""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from kg.knowledge.lexicon import Lexicon, PatternFile
from kg.knowledge.money import Money, money_of
from kg.relations.article import ArticleFacts
from kg.relations.registry import Value, relation_rule
from kg.resolve import Resolved

__all__ = ["investment"]


class _Investment:
    def __init__(self, table: PatternFile, lexicon: Lexicon) -> None:
        self.money: Money = money_of(lexicon)
        triggers = sorted(lexicon.words("project", "money_triggers"), key=len, reverse=True)
        # an amount right after a money trigger, perhaps qualified (投资1.5亿元, 总投资约2亿元): group 1
        after = f"{self.money.qualifier}({self.money.pattern})"
        self.patterns = tuple(re.compile(re.escape(t) + after) for t in triggers)
        self.any = re.compile("(?:" + "|".join(map(re.escape, triggers)) + ")" + after) if triggers else \
            re.compile("(?!)")
        #: a count of projects (10个重点项目, 重点项目25个)
        self.count = table.regex("count")
        #: a count right after an amount (总投资9亿元的9个项目): the amount is their total
        self.link = table.string("count_link")
        self.count_after = re.compile(rf"(?:{re.escape(self.link)})?[^，,。；;]{{0,4}}?"
                                      rf"(?:{self.count.pattern})")


@relation_rule("investment", prepare=_Investment)
def investment(art: ArticleFacts, words: _Investment) -> Iterator[Value]:
    """投资/投入 (+ 约/近…) + amount: the investment of the project the clause names (not
    the total of a list of projects, nor of a count of them)."""
    text = art.text
    currency = words.money.currency
    # an amount ends in the currency word: an article or sentence without it has none,
    # which a character search tells sooner than the triggers' pattern
    if currency not in text:
        return
    for s, e in art.sentences:
        if text.find(currency, s, e) < 0 or not words.any.search(text, s, e):
            continue  # no trigger + amount in the sentence
        sentence = text[s:e]
        for pattern in words.patterns:  # (triggers overlap, 总投资 ⊃ 投资: the runner keeps one)
            for m in pattern.finditer(sentence):
                amount = words.money.parse(m.group(1))
                if amount is None or _is_total(art, words, s + m.start(1), s + m.end(), s):
                    continue
                target = _target(art, words, s + m.end(), s, e)
                if target is None or text[target.end:target.end + 1] == "、" or (
                        target.start > 0 and text[target.start - 1] == "、"):
                    continue  # a total for a list of projects, not one project's
                words_at = [s + m.start(1), s + m.end() - 1, target.start, target.end - 1]
                yield Value(target, "investment", str(amount), art.evidence(s, e, words_at))


_CLAUSE_BREAKS = frozenset("，,。；;")


def _is_total(art: ArticleFacts, words: _Investment, start: int, end: int, s: int) -> bool:
    """Is the amount at ``[start, end)`` (sentence from ``s``) the total of a count of
    projects: one right after it (总投资9亿元的9个项目), or one before it in the
    sentence with no project named between them (开工10个项目,总投资20亿元), unless the
    amount is the one of the project right after it (…项目2个,包含投资2亿元的某某项目)?"""
    text = art.text
    if words.count_after.match(text, end):
        return True
    if text.startswith(words.link, end):
        # 投资X元的某某项目: the amount of the project after it (even after a count)
        nxt = next((p for p in art.projects if p.start >= end), None)
        if nxt is not None and not any(ch in _CLAUSE_BREAKS for ch in text[end:nxt.start]):
            return False
    last = None
    for last in words.count.finditer(text, s, start):
        pass
    if last is None:
        return False
    return not any(last.end() <= p.start < start for p in art.projects)


def _target(art: ArticleFacts, words: _Investment, pos: int, s: int, e: int) -> Resolved | None:
    """The project an amount at ``pos`` of sentence ``[s, e)`` is the investment of."""
    projects: Sequence[Resolved] = art.projects
    text = art.text
    if art.refers_to_project(s, pos) and not any(s <= p.start < e for p in projects):
        return max((p for p in projects if p.start < s), key=lambda p: p.start, default=art.main_project())
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
        # a project in a later clause, unless another amount comes first (总投资1亿元的某某项目:
        # that project's own)
        return None if words.any.search(text, pos, after[0].start) else after[0]
    return art.main_project()
