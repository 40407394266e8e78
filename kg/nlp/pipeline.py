"""The project's spaCy pipeline: ``spacy.blank("zh")`` with the jieba tokenizer
(:mod:`kg.nlp.tokenizer`), then ``kg_candidates`` (every candidate name into
``doc.spans``, :mod:`kg.nlp.candidates`) and ``kg_resolve`` (the resolved
entities into ``doc.ents``, :mod:`kg.nlp.entities`).

The tokenizer and both components are registered with spaCy through entry
points (``spacy_tokenizers``, ``spacy_factories`` in ``pyproject.toml``), so
a pipeline saved with ``nlp.to_disk(path)`` loads with plain
``spacy.load(path)`` in a process that never imported :mod:`kg`.
"""
from __future__ import annotations

import functools

import spacy
from spacy.language import Language

# the modules that register the components with spaCy (@Language.factory)
import kg.nlp.candidates  # noqa: F401
import kg.nlp.entities  # noqa: F401
from kg.nlp.tokenizer import add_project_words

__all__ = ["make_nlp", "new_nlp"]


def new_nlp(gazetteer_path: str = "", patterns_dir: str = "", compiled: bool = True) -> Language:
    """A new pipeline: blank Chinese + jieba tokenizer + ``kg_candidates`` + ``kg_resolve``.

    ``gazetteer_path`` and ``patterns_dir`` name other data than the
    project's own (``""``); ``compiled=False`` segments with Python jieba
    instead of the compiled one (the tokens are the same, see
    :mod:`kg.nlp.segmenter`).
    """
    add_project_words(gazetteer_path, patterns_dir)
    data = {"gazetteer_path": gazetteer_path, "patterns_dir": patterns_dir}
    tokenizer = {"@tokenizers": "kg.jieba_tokenizer.v1", **data, "compiled": compiled}
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": tokenizer}})
    nlp.add_pipe("kg_candidates", config=data)
    nlp.add_pipe("kg_resolve", config=data)
    return nlp


@functools.lru_cache(maxsize=4)
def make_nlp(gazetteer_path: str = "", patterns_dir: str = "", compiled: bool = True) -> Language:
    """The pipeline of :func:`new_nlp`, one per process and arguments (the build's)."""
    return new_nlp(gazetteer_path, patterns_dir, compiled)
