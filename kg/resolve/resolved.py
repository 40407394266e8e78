"""The records of the resolution stage: an article's normalised text, and the mentions resolved in it."""
from __future__ import annotations

from dataclasses import dataclass, field

from kg.records import Article

__all__ = ["ArticleText", "Resolved", "ArticleResolution"]


@dataclass(frozen=True, slots=True)
class ArticleText:
    """An article's normalised text and its map back to source offsets."""

    article: Article
    text: str
    index: tuple[int, ...]  # normalised offset -> source offset

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        return self.index[start], self.index[end - 1] + 1


@dataclass(frozen=True, slots=True)
class Resolved:
    """A mention resolved to an entity (offsets into the normalised article text)."""

    start: int
    end: int
    type: str
    name: str  # canonical name
    surface: str
    entity_id: str
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
