"""The registry of relation rules: each rule a small function registered by name.

Like spaCy's ``@registry.misc("…")``, a rule is registered under the name of
its table in ``ontology/patterns/relations.toml``::

    @relation_rule("possessive")
    def possessive(art: ArticleFacts, words: None) -> Iterator[Fact]:
        \"\"\"ORG的PROJECT: ORG undertakes the project.\"\"\"
        ...

The table holds the rule's words, an example sentence and the fact the rule
must read from it (a test case: ``tests/test_relations.py``).  A rule reads
its words once per lexicon through ``prepare`` (word lists sorted, patterns
compiled: the rules run on every article), and yields :class:`Fact` and
:class:`Value` records; :func:`~kg.relations.extract.extract_relations` runs
the rules in the order of ``relations.toml`` and makes the records.

:func:`rules_of` checks the registry against the data: a table without a
registered function, a registered rule without a table, or a rule written
before one it must follow is a :class:`~kg.errors.DataError` naming
``relations.toml:line``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from kg.errors import DataError
from kg.knowledge.lexicon import Lexicon, PatternFile
from kg.resolve import Resolved

__all__ = ["Fact", "Value", "RuleSpec", "Rule", "RULES", "relation_rule", "rules_of"]


class Fact(NamedTuple):
    """A relation a rule read: ``head rel tail``, in the sentence at ``pos``.

    ``head`` and ``tail`` are mentions or entity ids; ``span`` is the evidence
    (offsets into the article's normalised text), by default the sentence
    holding ``pos``; ``role`` is the person's role (worksFor).
    """

    head: Resolved | str
    rel: str
    tail: Resolved | str
    pos: int
    role: str | None = None
    span: tuple[int, int] | None = None


class Value(NamedTuple):
    """An attribute a rule read (a project's investment), with its evidence ``span``."""

    entity: Resolved
    attr: str
    value: str
    span: tuple[int, int]


#: What a rule's ``prepare`` gets: its own table of ``relations.toml`` (its words) and
#: the whole lexicon (words of other files); what it returns is the rule's second argument.
Prepare = Callable[[PatternFile, Lexicon], Any]


@dataclass(frozen=True)
class RuleSpec:
    """A registered rule: its function, how it reads its words, the rules it follows."""

    name: str
    fn: Callable[[Any, Any], Iterable[Fact | Value]]
    prepare: Prepare | None
    after: tuple[str, ...]


class Rule(NamedTuple):
    """A rule ready to run: its name, function and prepared words; ``followed`` when a
    later rule asks what it found (:meth:`~kg.relations.article.ArticleFacts.found`)."""

    name: str
    fn: Callable[[Any, Any], Iterable[Fact | Value]]
    words: Any
    followed: bool


#: Every registered rule by name (filled as the modules of :mod:`kg.relations.rules` load).
RULES: dict[str, RuleSpec] = {}


def relation_rule(name: str, *, prepare: Prepare | None = None, after: tuple[str, ...] = ()):
    """Register a rule under ``name``, its table in ``relations.toml``.

    ``prepare(table, lexicon)`` reads the rule's words once per lexicon (without it
    the rule gets ``None``); ``after`` names the rules it must run after (it applies
    where they found nothing, :meth:`~kg.relations.article.ArticleFacts.found`).
    """
    def register(fn):
        if name in RULES:
            raise ValueError(f"relation rule {name!r} is registered twice ({RULES[name].fn.__module__}, "
                             f"{fn.__module__})")
        RULES[name] = RuleSpec(name, fn, prepare, tuple(after))
        return fn
    return register


def rules_of(lexicon: Lexicon) -> tuple[Rule, ...]:
    """The registered rules, in the order of ``relations.toml``, with their words (prepared
    once per lexicon).  The registry and the data must name the same rules."""
    return lexicon.prepared(_prepare_rules)


def _prepare_rules(lexicon: Lexicon) -> tuple[Rule, ...]:
    data = lexicon.file("relations")
    order = data.tables
    for name in order:
        if name not in RULES:
            raise DataError(f"{data.where(name)}: rule '{name}' has no function "
                            f"(register one with @relation_rule(\"{name}\") in kg/relations/rules/)")
    for name, spec in RULES.items():
        if name not in order:
            raise DataError(f"{data.path}:1: rule '{name}' ({spec.fn.__module__}.{spec.fn.__name__}) "
                            f"has no table [{name}] in {data.path.name}")
    position = {name: k for k, name in enumerate(order)}
    followed = {first for spec in RULES.values() for first in spec.after}
    rules = []
    for name in order:
        spec = RULES[name]
        for first in spec.after:
            if first not in position:
                raise DataError(f"{data.where(name)}: rule '{name}' follows '{first}', "
                                "which is not a rule")
            if position[first] > position[name]:
                raise DataError(f"{data.where(name)}: rule '{name}' must come after '{first}' "
                                f"in {data.path.name} (it applies where '{first}' found nothing)")
        words = spec.prepare(data.section(name), lexicon) if spec.prepare else None
        rules.append(Rule(name, spec.fn, words, name in followed))
    return tuple(rules)
