"""Token boundaries where a name starts or ends inside one of jieba's words.

jieba joins a name's edge with the next word now and then (about 2 % of the
candidate names of the corpus start or end inside a token), and a spaCy
``Span`` is made of whole tokens.  :func:`split_tokens` splits those tokens,
so that the components store every name as an exact ``Span``.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterable

from spacy.tokens import Doc, SpanGroup

__all__ = ["split_tokens"]


def split_tokens(doc: Doc, offsets: Iterable[int]) -> None:
    """Make every character offset in ``offsets`` a token boundary of ``doc``.

    A token an offset falls strictly inside is split there (each piece keeps
    the token's tag); offsets at a boundary or in trailing whitespace are
    left alone.  spaCy's retokenizer keeps ``doc.ents`` (they are token
    attributes) but leaves the spans of ``doc.spans`` on their old token
    indices, so every span group is made again at its spans' character
    offsets, with the same labels, ids and ``attrs``.
    """
    starts = doc.to_array("IDX").tolist() if len(doc) else []
    cuts: dict[int, list[int]] = {}
    for offset in sorted(set(offsets)):
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and starts[i] < offset < starts[i] + len(doc[i]):
            cuts.setdefault(i, []).append(offset - starts[i])
    if not cuts:
        return
    groups = {key: (group.attrs, [(s.start_char, s.end_char, s.label, s.kb_id, s.id) for s in group])
              for key, group in doc.spans.items()}
    with doc.retokenize() as retokenizer:
        for i, inner in cuts.items():
            token = doc[i]
            text = token.text
            bounds = [0, *inner, len(text)]
            pieces = [text[a:b] for a, b in zip(bounds, bounds[1:])]
            retokenizer.split(token, pieces, heads=[(token, k) for k in range(len(pieces))],
                              attrs={"TAG": [token.tag_] * len(pieces)})
    for key, (attrs, spans) in groups.items():
        made = [doc.char_span(s, e, label=label, kb_id=kb_id, span_id=span_id)
                for s, e, label, kb_id, span_id in spans]
        doc.spans[key] = SpanGroup(doc, name=key, attrs=attrs, spans=made)
