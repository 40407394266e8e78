"""The relation rules' data: trigger words and tables of ``relations.toml`` (and the
other pattern files), prepared once per lexicon."""
from __future__ import annotations

import re

from kg.knowledge.lexicon import Lexicon
from kg.knowledge.money import MONEY

__all__ = ["Rules"]


class Rules:
    def __init__(self, lexicon: Lexicon) -> None:
        rel = lexicon.data["relations"]
        self.undertake = sorted(rel["undertakes"]["triggers"], key=len, reverse=True)
        self.partner = rel["undertakes"]["partner_words"]
        self.roles = sorted(rel["undertakes"]["role_words"], key=len, reverse=True)
        self.roles_any = tuple(self.roles)  # for one startswith/endswith over them all
        self.partner_any = tuple(self.partner)
        self.located = rel["locatedIn"]["triggers"]
        self.fixed_employer = rel["worksFor"]["fixed_employer"]
        self.core = rel["worksFor"]["core_pattern"]
        self.sub_triggers = rel["subOrganizationOf"]["triggers"]
        self.reporter_titles = set(rel["newspaper"]["reporter_titles"])
        self.employee_titles = set(lexicon.words("person", "employee_titles"))
        self.money_triggers = sorted(lexicon.words("project", "money_triggers"), key=len, reverse=True)
        self.topic_openers = tuple(rel["undertakes"].get("topic_openers", ()))
        self.local_institutions = tuple(lexicon.words("organization", "local_institutions"))
        self.subunit_heads = tuple(lexicon.words("organization", "subunit_heads"))
        self.passive = rel.get("passive", {}).get("agent_marker", "由")
        # prepared once per lexicon (the rules run per article)
        self.sub_trigger_max = max(map(len, self.sub_triggers), default=0)
        # ties in length never both end at one place, so their order is free
        self.titles_longest_first = tuple(sorted(self.employee_titles, key=len, reverse=True))
        self.money_patterns = tuple(re.compile(re.escape(trig) + _MONEY_AFTER_TRIGGER)
                                    for trig in self.money_triggers)
        self.money_any = re.compile("(?:" + "|".join(map(re.escape, self.money_triggers)) + ")"
                                    + _MONEY_AFTER_TRIGGER) if self.money_triggers else re.compile("(?!)")

    @classmethod
    def of(cls, lexicon: Lexicon) -> "Rules":
        """The rules of a lexicon (built once per lexicon)."""
        cached = _RULES.get(id(lexicon))
        if cached is None or cached[0] is not lexicon:
            cached = _RULES[id(lexicon)] = (lexicon, cls(lexicon))
        return cached[1]


_RULES: dict[int, tuple[Lexicon, Rules]] = {}
# an amount right after a money trigger (投资1.5亿元)
_MONEY_AFTER_TRIGGER = f"({MONEY})"
