"""Amounts of money as news writes them (投资1.5亿元, 100余万元), and their value in yuan.

The one definition of an amount: the naming rules find what an investment
built (:mod:`kg.names.projects`), the relation rules read the investment of
a project (:mod:`kg.relations.extract`), both with :data:`MONEY`, and
:func:`parse_amount` gives the value.
"""
from __future__ import annotations

import functools
import re
from decimal import Decimal

from kg.knowledge.jio import jionlp

__all__ = ["MONEY", "parse_amount"]

_NUMBER = r"\d+(?:\.\d+)?"
_VAGUE = "余|多"  # 100余万元: more than 1,000,000 yuan
_UNITS = "千万|百万|万|亿"  # (each starts with another character: their order never matters)
_UNIT_VALUES = {"万": 10 ** 4, "亿": 10 ** 8, "千万": 10 ** 7, "百万": 10 ** 6, None: 1}

#: One amount, as a regular expression without groups (to embed in other patterns).
MONEY = rf"{_NUMBER}(?:{_VAGUE})?(?:{_UNITS})?元"

# MONEY with its number (group 1) and unit (group 3): the fallback of parse_amount
_AMOUNT = re.compile(rf"({_NUMBER})({_VAGUE})?({_UNITS})?元")


@functools.lru_cache(maxsize=4096)
def parse_amount(text: str) -> Decimal | None:
    """Amount in yuan of a money phrase; vague amounts give their lower bound.

    Remembered per phrase (the same amounts recur, and jionlp's parser is the
    costliest step of the relation stage; a Decimal is immutable, so sharing it is safe).

    >>> parse_amount("9.1876亿元")
    Decimal('918760000')
    >>> parse_amount("100余万元")
    Decimal('1000000')
    """
    try:
        parsed = jionlp().parse_money(text)
    except Exception:  # jionlp raises bare exceptions on odd input; fall back below
        parsed = None
    num = parsed.get("num") if isinstance(parsed, dict) else None
    if isinstance(num, list):
        num = num[0]
    if num is None:
        m = _AMOUNT.search(text)
        if not m:
            return None
        return (Decimal(m.group(1)) * _UNIT_VALUES[m.group(3)]).normalize()
    value = Decimal(num)
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
