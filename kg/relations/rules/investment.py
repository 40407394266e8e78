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
        # an amount right after a money trigger (投资1.5亿元): group 1
        after = f"({self.money.pattern})"
        self.patterns = tuple(re.compile(re.escape(t) + after) for t in triggers)
        self.any = re.compile("(?:" + "|".join(map(re.escape, triggers)) + ")" + after) if triggers else \
            re.compile("(?!)")


@relation_rule("investment", prepare=_Investment)
def investment(art: ArticleFacts, words: _Investment) -> Iterator[Value]:
    """投资/投入 + amount: the investment of the project the clause names (not the total
    of a list of projects)."""
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
                if amount is None:
                    continue
                target = _target(art, s + m.end(), s, e)
                if target is None or text[target.end:target.end + 1] == "、" or (
                        target.start > 0 and text[target.start - 1] == "、"):
                    continue  # a total for a list of projects, not one project's
                yield Value(target, "investment", str(amount), (s, e))


def _target(art: ArticleFacts, pos: int, s: int, e: int) -> Resolved | None:
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
        return after[0]
    return art.main_project()
