"""The registry of name finders: one finder per open class, with the rules it applies.

(Divisions come first and from the gazetteer, :func:`~kg.names.divisions.find_divisions`,
with the rules ``gazetteer`` and ``gazetteer-short``, and ``zone-named`` for a functional
zone named before its head; every finder reads them.)

Every candidate records the rule that found it (``Candidate.rule``, kept as
``Resolved.rule`` and in the review pages); :func:`finder_of` says which
finder, and so which module, a rule lives in::

    >>> from kg.names import finder_of
    >>> finder_of("org-anaphor").fn.__module__
    'kg.names.organizations'
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kg.names.context import Candidate, Context

__all__ = ["Finder", "FINDERS", "FAMILIES", "name_finder", "name_pass", "finder_of", "finders"]

#: A finder: the article's text, its context and the division candidates found first.
FinderFn = Callable[[str, Context, Sequence[Candidate]], list[Candidate]]
#: A second pass: the text, its context, the divisions and every candidate the finders found.
PassFn = Callable[[str, Context, Sequence[Candidate], Sequence[Candidate]], list[Candidate]]


@dataclass(frozen=True)
class Finder:
    """A registered finder: the family it finds, its function and the rules it applies."""

    family: str  # the candidates' type: "Agency", "Organization", "Project", "Person"
    fn: FinderFn
    rules: tuple[str, ...]
    #: its names are dropped when they are a quantity or a slogan (boundaries.toml patterns)
    checked: bool
    #: second passes of the family (:func:`name_pass`), run after every finder, in order
    passes: tuple[PassFn, ...] = ()


#: The open classes, in the order their finders run.
FAMILIES = ("Agency", "Organization", "Project", "Person")

#: The finders of the open classes by family (as registered: see :func:`finders`).
FINDERS: dict[str, Finder] = {}


def name_finder(family: str, *, rules: tuple[str, ...], checked: bool = True):
    """Register the finder of ``family``; ``rules`` are the ``Candidate.rule`` values it gives."""
    def register(fn: FinderFn) -> FinderFn:
        if family not in FAMILIES:
            raise ValueError(f"{family} is not an open class ({', '.join(FAMILIES)})")
        if family in FINDERS:
            raise ValueError(f"two finders for {family}: {FINDERS[family].fn.__module__}, {fn.__module__}")
        FINDERS[family] = Finder(family, fn, tuple(rules), checked)
        return fn
    return register


def name_pass(family: str, *, rules: tuple[str, ...] = ()):
    """Register a second pass of ``family``'s finder: it reads what every finder found (a
    project's name holds its owner; an institution a construction list names is a project)
    and gives candidates of ``family``; ``rules`` are its new ``Candidate.rule`` values."""
    def register(fn: PassFn) -> PassFn:
        finder = FINDERS.get(family)
        if finder is None:
            raise ValueError(f"a pass of {family} before its finder ({fn.__module__})")
        FINDERS[family] = Finder(family, finder.fn, finder.rules + tuple(rules), finder.checked,
                                 finder.passes + (fn,))
        return fn
    return register


def finders() -> tuple[Finder, ...]:
    """The registered finders in the order they run (:data:`FAMILIES`)."""
    return tuple(FINDERS[family] for family in FAMILIES if family in FINDERS)


def finder_of(rule: str) -> Finder:
    """The finder that applies ``rule`` (a ``Candidate.rule``)."""
    for finder in FINDERS.values():
        if rule in finder.rules:
            return finder
    raise KeyError(f"no finder applies the rule {rule!r}")
