"""Stage 2, names: candidate names in one article, found by the gazetteer and by naming rules.

Pure functions over an article's normalised text (no spaCy here; the spaCy
component of :mod:`kg.nlp.pipeline` calls :func:`find_all` and stores the
results in ``doc.spans``).  Each finder yields :class:`Candidate` records
with offsets into the text it was given; one module per entity family:

* :mod:`~kg.names.divisions`: division names and short forms (the
  gazetteer's automaton, :mod:`~kg.names.matcher`);
* :mod:`~kg.names.agencies`: government bodies, jurisdiction + domain + body
  (+ sub-unit), e.g. 县 + 住房和城乡建设 + 管理局;
* :mod:`~kg.names.organizations`: region + brand + industry + legal form;
* :mod:`~kg.names.projects`: place/facility + work + head (工程, 项目, 改造, 一期 …);
* :mod:`~kg.names.persons`: a title, byline or speech verb next to a surname + given name.

Each open-class finder is registered (:mod:`~kg.names.registry`) with the
rules it applies (``Candidate.rule``): :func:`finder_of` names the finder of
a rule, :func:`finders` gives them in the order they run.

The words of that grammar live in ``ontology/patterns`` (see
:mod:`kg.knowledge.lexicon`), prepared once per lexicon by
:mod:`~kg.names.words`; :mod:`~kg.names.context` holds the record and the
per-text context, :mod:`~kg.names.boundary` the left-boundary scan the
finders share, :mod:`~kg.names.trie` the word-list matchers.
"""
from __future__ import annotations

from kg.names.agencies import find_agencies
from kg.names.context import Candidate, Context, TokenTags
from kg.names.divisions import find_divisions
from kg.names.matcher import DivisionMatcher
from kg.names.organizations import find_organizations
from kg.names.persons import find_persons
from kg.names.projects import find_projects
from kg.names.registry import FINDERS, Finder, finder_of, finders, name_finder, name_pass

__all__ = [
    "Candidate",
    "Context",
    "TokenTags",
    "DivisionMatcher",
    "find_divisions",
    "find_agencies",
    "find_organizations",
    "find_projects",
    "find_persons",
    "find_all",
    "FINDERS",
    "Finder",
    "finder_of",
    "finders",
    "name_finder",
    "name_pass",
]


def find_all(text: str, ctx: Context) -> list[Candidate]:
    """Every candidate of every type in ``text`` (overlaps allowed)."""
    divisions = find_divisions(text, ctx)
    out: list[Candidate] = list(divisions)
    # the checked finders drop names that are a quantity or a slogan (divisions and
    # persons never are); the candidates stay in the order they were found
    w = ctx.words
    quantity, slogan, inner_count = w.quantity.match, w.slogan.match, w.inner_count.search
    # (a name that starts with a division's name is never a count: 五台县 is not 五 + 台)
    placed = {c.start for c in divisions}

    def keep(finder: Finder, found: list[Candidate]) -> None:
        if not finder.checked:
            out.extend(found)
            return
        for c in found:
            surface = c.name or c.text
            if not ((quantity(surface) and c.start not in placed) or slogan(c.text)
                    or (c.type == "Project" and inner_count(surface))):
                out.append(c)

    for finder in finders():
        keep(finder, finder.fn(text, ctx, divisions))
    # second passes read what every finder found (one snapshot: no pass sees another's)
    found_all = tuple(out)
    for finder in finders():
        for second in finder.passes:
            keep(finder, second(text, ctx, divisions, found_all))
    # a total order (set order varies with PYTHONHASHSEED)
    return sorted(set(out), key=_order)


def _order(c: Candidate) -> tuple:
    """find_all's sort key (``c.surface`` spelt out: this runs once per candidate)."""
    return (c.start, -c.end, c.type, c.rule, c.name or c.text, c.title or "")
