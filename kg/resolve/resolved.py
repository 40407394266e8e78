"""The records of the resolution stage: an article's normalised text, and the mentions resolved in it."""
from __future__ import annotations

from dataclasses import dataclass, field

from kg.records import Article, Mention, pickled_by_value

__all__ = ["ArticleText", "Resolved", "ArticleResolution"]


@dataclass(frozen=True, slots=True)
class ArticleText:
    """An article's normalised text and its map back to source offsets."""

    article: Article
    text: str
    index: tuple[int, ...]  # normalised offset -> source offset

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        return self.index[start], self.index[end - 1] + 1

    def to_mention(self, m: Mention) -> Mention:
        """The :class:`~kg.records.Mention` of ``m`` (a :class:`Resolved` in this article's text)
        in the source file: the record a :class:`~kg.records.DocResult` carries."""
        start, end = self.to_source(m.start, m.end)
        return Mention(m.entity_id, m.article_id, start, end, m.text)


@pickled_by_value  # (Mention's own would pickle a Resolved as a Mention)
@dataclass(frozen=True, slots=True)
class Resolved(Mention):
    """A :class:`~kg.records.Mention` as resolution makes it: the mention plus what was decided about it.

    Its ``start``/``end`` are offsets into the article's normalised text
    (:attr:`ArticleText.text`, which the relation stage reads), not into the
    source file: :meth:`ArticleText.to_mention` maps it there.  ``text`` is
    the name as written (a name assembled from a list, 市自然资源局、应急局 →
    市应急局, is the assembled one); ``name`` the canonical name.
    """

    type: str
    name: str  # canonical name
    rule: str
    division_id: str | None = None  # divisions: gazetteer id
    juris: str | None = None  # agency/org/project: gazetteer id of its jurisdiction
    title: str | None = None  # persons: title before the name
    in_name: bool = False  # a division written inside an organization/project name


@dataclass
class ArticleResolution:
    art: ArticleText
    mentions: list[Resolved] = field(default_factory=list)
    home_county: str | None = None
    home_city: str | None = None
    inner_divisions: list[Resolved] = field(default_factory=list)  # divisions inside org/project names
