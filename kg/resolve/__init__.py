"""Stage 3, resolution: from candidate names to canonical entities, one per real thing.

* Divisions: an alias may denote several divisions (城区, 王家庄村); the one
  inside the document's home city / the article's home county, or under the
  division written right before it (黄碾镇故南村), wins; otherwise the mention
  is dropped rather than guessed.
* Home jurisdictions: the document's home city is the prefecture most of its
  division mentions lie in; an article's home county is its most mentioned
  county-level division.  我市/全市 → home city, 本县/该区/全县 → home county.
* Names with a bare jurisdiction word get it made explicit (市自然资源局 in a
  晋城 paper → 晋城市自然资源局; 县中医院 → 平遥县中医院); abbreviations
  are expanded (发改委 → 发展和改革委员会; 晋城市委 → 中共晋城市委员会); a body
  listed after another (市自然资源局、应急局) shares its jurisdiction; a
  sub-unit (大队, 中队) written without its parent gets the parent's name.
* The same canonical name of the same type is one entity across articles and
  documents (ids from :func:`kg.ids.entity_id`).

Modules: :mod:`~kg.resolve.document` (the stage, :func:`resolve_document`),
:mod:`~kg.resolve.resolver` (the data it reads, home jurisdictions),
:mod:`~kg.resolve.divisions`, :mod:`~kg.resolve.select` (overlapping
candidates), :mod:`~kg.resolve.canonical` (canonical names), and the records
it hands to the relation stage (:mod:`~kg.resolve.resolved`).
"""
from kg.resolve.document import resolve_document
from kg.resolve.resolved import ArticleResolution, ArticleText, Resolved
from kg.resolve.resolver import home_city

__all__ = ["ArticleText", "Resolved", "ArticleResolution", "resolve_document", "home_city"]
