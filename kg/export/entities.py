"""The block of an entity node, written from its record without sorting its triples (the writers' fast path)."""
from __future__ import annotations

__all__ = ["make_entity_block"]

import itertools
from collections.abc import Callable
from typing import Any

from kg.export.blocks import ntriples_order
from kg.export.index import GraphIndex
from kg.export.quads import MENTIONED, P, TYPE, decimal_literal
from kg.export.terms import AT_ZH, EOL, IRI_FORBIDDEN, SPECIAL, SURROGATE, Encoder, Memo, escape_string
from kg.ids import KG_NS

# -- entity nodes ------------------------------------------------------------------
#
# An entity's predicates are fixed except its relations: rdf:type, rdfs:label,
# skos:altLabel, then kg: predicates (every vocabulary IRI sorts before the
# kg: namespace, "http:" < "https:"), among which the relations fall by name.
# Each predicate's objects are all IRIs or all literals, so sorting them alone
# gives the order of _ordered (Turtle: raw values) or of sorted lines
# (N-Triples: the text of the objects).  A relation named like one of the
# entity's own kg: predicates would mix IRIs and literals under one predicate:
# such heads take the general path (_OWN_NAMES).

_LABEL, _ALT = P["label"], P["altLabel"]
_LEVEL, _ADCODE, _INVESTMENT = (KG_NS + name for name in ("level", "adcode", "investment"))


#: Mentions from which an entity's ``kg:mentionedIn`` lines are joined as text in one go.
_MANY_MENTIONS = 16


def make_entity_block(index: GraphIndex, enc: Encoder, ntriples: bool, indent: str = "",
                  mentions: bool = True) -> Callable[[Any, tuple], bytes]:
    """The block of an entity as UTF-8, as the general path writes it: the Turtle
    block of :func:`subject_blocks` (predicates by IRI, each one's objects by
    value), without ``kg:mentionedIn`` when ``mentions`` is false (the default
    graph of the TriG export); or, with ``ntriples``, the N-Triples lines of
    :func:`_ntriples_blocks` (lines sorted, i.e. predicates by "<p>", each one's
    objects as text; UTF-8 sorts as code points do).

    N-Triples lines are built with their `` .`` and newline, and the block is
    one join with the subject between them (no line is a prefix of another,
    so the ends do not change their order).  The ``kg:mentionedIn`` lines of
    an entity of at least :data:`_MANY_MENTIONS` articles (the main city of
    a large corpus has a hundred thousand) are joined as text in one piece,
    with no lookup per article, when every article is written ``<iri>``."""
    verb = enc.iri_bytes if ntriples else enc.verb_bytes
    iri, literal, esc, search = enc.iri_bytes, enc.literal, escape_string, SPECIAL.search
    # what ends a line: the block joins Turtle lines with " ;", N-Triples lines with the subject
    end = EOL.encode() if ntriples else b""
    types = Memo(lambda kind: verb(TYPE) + b" " + iri(KG_NS + kind) + end)
    label, alt = verb(_LABEL) + b' "', verb(_ALT) + b' "'
    mentioned, level, adcode, invested = (verb(p) + b" " for p in (MENTIONED, _LEVEL, _ADCODE,
                                                                       _INVESTMENT))
    rel_verbs = Memo(lambda p: verb(p) + b" ")
    rel_lines = Memo(lambda rel: rel_verbs[rel[0]] + iri(rel[1]) + end)  # (predicate, tail) -> line
    mention_lines = Memo(lambda article: mentioned + iri(article) + end)
    # the keys groups sort by: the predicate's IRI (Turtle) or its text (N-Triples)
    if ntriples:
        keys = (mentioned, level, adcode, invested)
        before_mentions = Memo(lambda p: iri(p) < iri(MENTIONED))  # a relation's line
    else:
        keys = (MENTIONED, _LEVEL, _ADCODE, _INVESTMENT)
        before_mentions = Memo(lambda p: p < MENTIONED)
    by_mentioned, by_level, by_adcode, by_investment = keys
    start, first, sep = (text.encode() for text in (f"\n{indent}", f"\n{indent}    ", f" ;\n{indent}    "))
    quote, closing, at_zh, eol = b'"', b'"' + end, AT_ZH.encode() + end, EOL.encode()
    bare = index.bare_iris(() if ntriples else enc.namespaces)  # see turtle_statement
    space = " " if ntriples else ""  # after the subject
    # many mention lines as text: "<open><article><close>", each but the last one followed
    # by the subject (N-Triples) or " ;" (Turtle)
    mention_open, mention_close = (mentioned + b"<").decode("utf-8"), ">" + end.decode()
    namespaces = () if ntriples else enc.namespaces
    plain: set[str] = set()  # articles checked to be written "<iri>"

    def mention_text(articles: list[str], between: str) -> bytes | None:
        """The lines of ``articles`` in one piece, or ``None`` if one is not written ``<iri>``."""
        if not plain.issuperset(articles):
            fresh = set(articles).difference(plain)
            try:
                text = "".join(fresh)
            except TypeError:  # not all strings
                return None
            if (IRI_FORBIDDEN.search(text) or SURROGATE.search(text)
                    or any(map(str.startswith, fresh, itertools.repeat(namespaces)))):
                return None  # the lookups write prefixed names and raise the errors
            plain.update(fresh)
        # mentioned_in is sorted as a rule: sorting it is one pass (a set's order is not)
        ordered = sorted(articles)
        if any(map(str.startswith, itertools.islice(ordered, 1, None), ordered)):
            # a duplicate, or an article that is a prefix of the next one
            ordered = list(dict.fromkeys(ordered))
            if ntriples:
                ordered = ntriples_order(ordered)  # lines sort as "<article>"
        between = mention_close + between + mention_open
        return (mention_open + between.join(ordered) + mention_close).encode("utf-8")

    def block(s: Any, record: tuple) -> bytes:
        kind, text, aliases, articles, investment, rels, data = record
        if search(text):
            text = esc(text)
        subject = f"<{s}>{space}".encode() if bare else iri(s) + space.encode()
        label_line = label + text.encode("utf-8") + at_zh
        # N-Triples: b"" first, for the subject before the first line too
        out = [b"", types[kind], label_line] if ntriples else [types[kind], label_line]
        if aliases:
            if len(aliases) > 1 and not ntriples:
                aliases = sorted(set(aliases))
            if search("".join(aliases)):
                aliases = [esc(a) for a in aliases]
            if ntriples:
                out += sorted({alt + a.encode("utf-8") + at_zh for a in aliases})
            else:
                out += [alt + a.encode("utf-8") + at_zh for a in aliases]
        if articles and mentions:
            if len(articles) == 1:
                articles = [mention_lines[a] for a in articles]
            else:
                many = None
                if len(articles) >= _MANY_MENTIONS:
                    many = mention_text(articles, subject.decode("utf-8") if ntriples else sep.decode())
                if many is not None:
                    articles = [many]
                elif ntriples:
                    articles = sorted({mention_lines[a] for a in articles})
                else:
                    articles = [mention_lines[a] for a in sorted(set(articles))]
        else:
            articles = None
        if kind != "Division" and investment is None and (not rels or len(rels) == 1):
            # the usual entity: mentions and at most one relation, no groups to sort
            if rels:
                line = rel_lines[rels[0]]
                if not articles:
                    out.append(line)
                elif before_mentions[rels[0][0]]:
                    out.append(line)
                    out += articles
                else:
                    out += articles
                    out.append(line)
            elif articles:
                out += articles
        else:
            groups: list[tuple[Any, list[bytes]]] = []
            if articles:
                groups.append((by_mentioned, articles))
            if kind == "Division":
                if data.get("level"):
                    groups.append((by_level, [level + quote + esc(data["level"]).encode("utf-8") + closing]))
                if data.get("adcode"):
                    groups.append((by_adcode, [adcode + quote + esc(data["adcode"]).encode("utf-8") + closing]))
            if investment is not None:
                groups.append((by_investment, [invested + literal(*decimal_literal(investment)).encode() + end]))
            if rels:
                if len(rels) == 1:
                    p, tail = rels[0]
                    v = rel_verbs[p]
                    groups.append((v if ntriples else p, [v + iri(tail) + end]))
                else:
                    tails: dict[str, set] = {}
                    for p, tail in rels:
                        tails.setdefault(p, set()).add(tail)
                    for p, objects in tails.items():
                        v = rel_verbs[p]
                        if ntriples:
                            groups.append((v, sorted({v + iri(t) + end for t in objects})))
                        else:
                            groups.append((p, [v + iri(t) for t in sorted(objects)]))
            if len(groups) > 1:
                groups.sort()  # predicates differ: the lines are never compared
            for _, lines in groups:
                out += lines
        if ntriples:
            return subject.join(out)
        return b"".join((start, subject, first, sep.join(out), eol))

    return block
