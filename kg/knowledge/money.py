"""Amounts of money as news writes them (投资1.5亿元, 100余万元), and their value in yuan.

The one definition of an amount, read from ``ontology/patterns/money.toml``:
the naming rules find what an investment built (:mod:`kg.names.projects`),
the relation rules read the investment of a project
(:mod:`kg.relations.rules.investment`), both with :attr:`Money.pattern`, and
:meth:`Money.parse` gives the value.

>>> money = money_of(load_lexicon())
>>> money.parse("9.1876亿元")
Decimal('918760000')
>>> money.parse("100余万元")
Decimal('1000000')
"""
from __future__ import annotations

import functools
import re
from decimal import Decimal

from kg.knowledge.jio import jionlp
from kg.knowledge.lexicon import Lexicon, load_lexicon

__all__ = ["Money", "money_of", "parse_amount"]

_NUMBER = r"\d+(?:\.\d+)?"


class Money:
    """How amounts are written (``money.toml``), and their value."""

    def __init__(self, lexicon: Lexicon) -> None:
        currency = re.escape(lexicon.string("money", "currency"))
        vague = "|".join(map(re.escape, lexicon.words("money", "vague")))
        units = lexicon.numbers("money", "units")
        unit_words = "|".join(map(re.escape, units))
        #: the currency word every amount ends with (a text without it has no amount)
        self.currency = lexicon.string("money", "currency")
        #: one amount, as a regular expression without groups (to embed in other patterns)
        self.pattern = rf"{_NUMBER}(?:{vague})?(?:{unit_words})?{currency}"
        #: the words that may qualify an amount after its trigger (总投资约1.94亿元), a group-free
        #: regular expression matching one of them or nothing
        approximate = sorted(lexicon.words("money", "approximate"), key=len, reverse=True)
        self.qualifier = "(?:" + "|".join(map(re.escape, approximate)) + ")?" if approximate else ""
        # the pattern with its number (group 1) and unit (group 3): the fallback of parse
        self._amount = re.compile(rf"({_NUMBER})({vague})?({unit_words})?{currency}")
        self._unit_values = {**units, None: 1}
        # remembered per phrase: the same amounts recur, and jionlp's parser is the
        # costliest step of the relation stage (a Decimal is immutable: sharing it is safe)
        self.parse = functools.lru_cache(maxsize=4096)(self._parse)

    def _parse(self, text: str) -> Decimal | None:
        """Amount in yuan of a money phrase; vague amounts give their lower bound."""
        try:
            parsed = jionlp().parse_money(text)
        except Exception:  # jionlp raises bare exceptions on odd input; fall back below
            parsed = None
        num = parsed.get("num") if isinstance(parsed, dict) else None
        if isinstance(num, list):
            num = num[0]
        if num is None:
            m = self._amount.search(text)
            if not m:
                return None
            return (Decimal(m.group(1)) * self._unit_values[m.group(3)]).normalize()
        value = Decimal(num)
        return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def money_of(lexicon: Lexicon) -> Money:
    """The :class:`Money` of a lexicon (built once per lexicon)."""
    return lexicon.prepared(Money)


def parse_amount(text: str, lexicon: Lexicon | None = None) -> Decimal | None:
    """Amount in yuan of a money phrase, by the money words of ``lexicon``
    (default: the package's own ``ontology/patterns``).

    >>> parse_amount("47万元")
    Decimal('470000')
    """
    return money_of(lexicon or load_lexicon()).parse(text)
