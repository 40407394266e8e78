"""Mentions in one form: the resolution stage's Resolved is a Mention plus what it decided."""
from __future__ import annotations

import dataclasses
import pickle

from kg.records import Article, Mention
from kg.resolve import ArticleText, Resolved


def _resolved(**changes) -> Resolved:
    m = Resolved("agency:x", "a-1", 2, 5, "住建局", "Agency", "某县住房和城乡建设局", "agency-suffix", juris="140000")
    return dataclasses.replace(m, **changes)


def test_resolved_is_a_mention_plus_fields():
    mention_fields = [f.name for f in dataclasses.fields(Mention)]
    resolved_fields = [f.name for f in dataclasses.fields(Resolved)]
    assert issubclass(Resolved, Mention) and resolved_fields[:len(mention_fields)] == mention_fields
    assert set(resolved_fields) - set(mention_fields) == {"type", "name", "rule", "division_id", "juris", "title",
                                                           "in_name"}


def test_a_resolved_mention_pickles_as_itself():
    m = _resolved(title="局长")
    again = pickle.loads(pickle.dumps(m))
    assert type(again) is Resolved and again == m


def test_to_mention_maps_offsets_into_the_source_file():
    # the article's normalised text dropped a line break of the source at offset 13
    source_index = (10, 11, 12, 14, 15, 16)
    art = ArticleText(Article("a-1", "a.txt", 10, 17, ""), "某县住建局X", source_index)
    m = _resolved(start=2, end=5, text="住建局")
    assert art.to_mention(m) == Mention("agency:x", "a-1", 12, 16, "住建局")
    assert type(art.to_mention(m)) is Mention
