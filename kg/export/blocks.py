"""The block writers' fast paths and shared pieces: a statement's and an article's
block from its record, the dispatcher over subjects, and the writing of chunks.
"""
from __future__ import annotations

__all__ = ["BATCH", "STATEMENT_FIELDS", "ARTICLE_FIELDS", "TURTLE_STATEMENT_ORDER", "NTRIPLES_STATEMENT_ORDER",
           "turtle_statement", "ntriples_statement", "make_article_block", "ntriples_order", "iter_blocks",
           "write_chunks", "as_text", "as_lines", "prefix_text"]

import itertools
import operator
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from kg.export.atomic import atomic_writer, gc_paused
from kg.export.index import GraphIndex, QuadIndex
from kg.export.quads import P, STATEMENT, STATEMENT_NS, TYPE, date_literal
from kg.export.terms import AT_ZH, EOL, SPECIAL, Encoder, Memo, escape_string
from kg.ids import KG_NS

# Subject blocks per write: about 1 MB of text.
BATCH = 1500
# Bytes of entity blocks per write, about: entities mentioned in thousands of
# articles are megabytes each, and they sort together (a 100 MB corpus held 75 MB).
_BATCH_BYTES = 1 << 20


# -- blocks without sorting ---------------------------------------------------------
#
# Nearly every subject is an entity, a reified statement of one evidence or an
# article without relations, and the writers write those without building
# and sorting their triples.  A statement's predicates are fixed and
# written in the order the general path sorts them into
# (TURTLE_STATEMENT_ORDER, NTRIPLES_STATEMENT_ORDER); an article's are
# put in order by an itemgetter sorted once per writer; an entity's
# (entity_block) are fixed but for its relations, and only its few
# objects per predicate are sorted.  The fast paths join UTF-8
# from encoded pieces (the subject of an N-Triples line repeats on every
# line; encoding the whole text took a sixth of the time), each line built
# with what ends it (" .\n" in N-Triples), so that a block is one join: in
# N-Triples with the subject as the separator, b"<s> ".join((b"", line, …)).
# Tests check that both paths write the same bytes.

# field -> predicate, for a statement and for an article
STATEMENT_FIELDS = {
    "type": TYPE, "subject": P["subject"], "predicate": P["predicate"], "object": P["object"],
    "derived": P["derived"], "evidence": KG_NS + "evidence", "start": KG_NS + "start",
    "end": KG_NS + "end", "role": KG_NS + "role", "rule": KG_NS + "rule",
}
ARTICLE_FIELDS = {
    "type": TYPE, "title": P["title"], "source": P["source"], "start": KG_NS + "start",
    "end": KG_NS + "end", "date": P["date"],
}
_ARTICLE_TYPE = KG_NS + "Article"


def _statement_lines(enc: Encoder, verb: Callable[[str], bytes], ntriples: bool, bare: bool,
                     sep: bytes, last: bytes) -> Callable[[tuple, bytes], tuple[bytes, ...]]:
    """The ``predicate object`` texts (UTF-8) of a statement of one evidence (the
    triples of :func:`statement_quads`) from its recipe, in the order of
    :data:`NTRIPLES_STATEMENT_ORDER` or :data:`TURTLE_STATEMENT_ORDER`, after
    ``lead``: ``lines(recipe, lead)`` is ``(lead, line, …, line)``.

    Every line ends with what follows it in the block: ``sep`` (`` ;`` and the
    indent of the next line in Turtle, `` .`` and a newline in N-Triples), and
    the last one (``kg:start`` in both orders) with ``last``; so one join makes
    the block, ``b"".join`` in Turtle (``lead`` is the subject), or in
    N-Triples a join with the subject between the lines (``lead`` is ``b""``).
    A line whose object repeats (a relation, tail, article, offset, rule) is
    memoised whole; ``bare``: write the subject (a node) ``<iri>`` without a
    lookup, see :meth:`GraphIndex.bare_iris`.
    """
    iri, literal, integer, search, esc = enc.iri_bytes, enc.literal, enc.integer_bytes, SPECIAL.search, escape_string
    verbs = {f: verb(p) + b" " for f, p in STATEMENT_FIELDS.items()}
    quote, at_zh = b'"', AT_ZH.encode() + sep
    type_line = verbs["type"] + iri(STATEMENT) + sep
    objects = Memo(lambda tail: verbs["object"] + iri(tail) + sep)
    predicates = Memo(lambda rel: verbs["predicate"] + iri(KG_NS + rel) + sep)
    derived = Memo(lambda article: verbs["derived"] + iri(article) + sep)
    ends = Memo(lambda n: verbs["end"] + integer(n) + sep)
    starts = Memo(lambda n: verbs["start"] + integer(n) + last)
    rules = Memo(lambda rule: verbs["rule"] + quote + esc(rule).encode("utf-8") + quote + sep)
    evidence_verb, role_verb = verbs["evidence"] + quote, verbs["role"] + quote
    subject_verb, subject_open, subject_close = verbs["subject"], verbs["subject"] + b"<", b">" + sep

    def lines(recipe: tuple, lead: bytes) -> tuple[bytes, ...]:
        subject, rel, obj, _, _, text, role, rule, article, start, end = recipe
        if search(text):
            text = esc(text)
        obj = objects[obj] if obj.__class__ is str else verbs["object"] + literal(*obj).encode("utf-8") + sep
        subject = subject_open + subject.encode() + subject_close if bare else subject_verb + iri(subject) + sep
        head = ((lead, obj, predicates[rel], subject, type_line) if ntriples
                else (lead, type_line, obj, predicates[rel], subject))
        if role:
            role = role_verb + esc(role).encode("utf-8") + at_zh
            tail = (role, rules[rule], starts[start]) if rule else (role, starts[start])
        else:
            tail = (rules[rule], starts[start]) if rule else (starts[start],)
        return head + (derived[article], ends[end], evidence_verb + text.encode("utf-8") + at_zh) + tail

    return lines


def turtle_statement(index: GraphIndex | QuadIndex, enc: Encoder,
                      indent: str) -> Callable[[str, tuple], bytes]:
    """The Turtle block of a statement of one evidence as UTF-8 (see :func:`_statement_lines`)."""
    lines = _statement_lines(enc, enc.verb_bytes, False, index.bare_iris(enc.namespaces),
                             f" ;\n{indent}    ".encode(), EOL.encode())
    opening, first = f"\n{indent}<", f">\n{indent}    "
    # Statement IRIs are STATEMENT_NS + hex digits (statement_node): "<s>", unless a prefix covers them.
    enc.encode_iri(STATEMENT_NS)  # checked once
    plain = not any(ns.startswith(STATEMENT_NS) or STATEMENT_NS.startswith(ns) for ns in enc.namespaces)

    def block(s: str, recipe: tuple) -> bytes:
        lead = (opening + s + first if plain else f"\n{indent}{enc.encode_iri(s)}\n{indent}    ").encode()
        return b"".join(lines(recipe, lead))

    return block


def ntriples_statement(index: GraphIndex | QuadIndex, enc: Encoder) -> Callable[[str, tuple], bytes]:
    """The N-Triples lines of a statement of one evidence as UTF-8 (see :func:`_statement_lines`)."""
    # every node is an IRI in N-Triples; statement IRIs are "<s>"
    eol = EOL.encode()
    lines = _statement_lines(enc, enc.iri_bytes, True, index.bare_iris(()), eol, eol)

    def block(s: str, recipe: tuple) -> bytes:
        return ("<" + s + "> ").encode().join(lines(recipe, b""))

    return block


# The order of the lines of a statement (what the general path sorts them
# into, tests check): Turtle puts rdf:type first, then sorts by predicate IRI;
# N-Triples sorts the lines, i.e. by "<predicate>".
TURTLE_STATEMENT_ORDER = ("type", "object", "predicate", "subject", "derived", "end", "evidence",
                           "role", "rule", "start")
NTRIPLES_STATEMENT_ORDER = ("object", "predicate", "subject", "type", "derived", "end", "evidence",
                             "role", "rule", "start")


#: The fields of an article's lines, in the order :func:`article_block` builds them.
_ARTICLE_LINES = ("type", "title", "source", "start", "end", "date")


def make_article_block(index: GraphIndex | QuadIndex, enc: Encoder, ntriples: bool,
                   indent: str = "") -> Callable[[Any, Mapping[str, Any]], bytes]:
    """The text (UTF-8) of an article with no other triples (the triples of :func:`article_quads`).

    The lines are built in the order of :data:`_ARTICLE_LINES` and put into
    the writer's order by an ``itemgetter`` sorted once (Turtle: ``rdf:type``
    first, then by predicate IRI; N-Triples: by "<predicate>"); N-Triples
    lines end with `` .`` and a newline and are joined with the subject
    between them, as in :func:`entity_block`.
    """
    verb = enc.iri_bytes if ntriples else enc.verb_bytes
    iri, integer, esc = enc.iri_bytes, enc.integer_bytes, escape_string
    end = EOL.encode() if ntriples else b""
    verbs = {f: verb(p) + b" " for f, p in ARTICLE_FIELDS.items()}
    type_line = verbs["type"] + iri(_ARTICLE_TYPE) + end
    title, source = verbs["title"] + b'"', verbs["source"] + b'"'
    at_zh, closing = AT_ZH.encode() + end, b'"' + end
    starts = Memo(lambda n: verbs["start"] + integer(n) + end)
    ends = Memo(lambda n: verbs["end"] + integer(n) + end)
    dates = Memo(lambda date: verbs["date"] + enc.literal(*date_literal(date)).encode("utf-8") + end)
    # N-Triples lines sort by "<predicate>" (the predicates differ); Turtle has rdf:type first (_ordered)
    keys = [enc.iri(p) if ntriples else (p != TYPE, p) for p in map(ARTICLE_FIELDS.get, _ARTICLE_LINES)]
    plain, dated = (operator.itemgetter(*sorted(range(n), key=keys.__getitem__)) for n in (5, 6))
    opening, first, sep, eol = (text.encode() for text in (f"\n{indent}", f"\n{indent}    ",
                                                           f" ;\n{indent}    ", EOL))
    bare = index.bare_iris(() if ntriples else enc.namespaces)  # see turtle_statement

    def block(s: Any, data: Mapping[str, Any]) -> bytes:
        date = data.get("date")
        lines = (type_line, title + esc(data.get("title") or data.get("label") or "").encode("utf-8") + at_zh,
                 source + esc(data["source"]).encode("utf-8") + closing, starts[data["start"]],
                 ends[data["end"]], dates[date] if date else b"")
        lines = (dated if date else plain)(lines)
        subject = b"<" + s.encode() + b">" if bare else iri(s)
        if ntriples:
            return (subject + b" ").join((b"", *lines))
        return b"".join((opening, subject, first, sep.join(lines), eol))

    return block


def ntriples_order(subjects: list[str]) -> list[str]:
    """Sorted ``subjects`` in the order of their texts ``<s>`` (N-Triples lines sort by code point).

    The orders differ only where a subject is a prefix of another (``…-1``
    before ``…-10`` as strings, after it as ``<…-1>``, since "0" < ">").  In
    sorted order the subjects that start with a subject follow it at once,
    so each such run is sorted again on its own; the others stay in place
    and no key per subject is built.
    """
    # i where subjects[i + 1] starts with subjects[i] (found in C)
    marks = itertools.compress(range(len(subjects) - 1),
                               map(str.startswith, itertools.islice(subjects, 1, None), subjects))
    first = next(marks, None)
    if first is None:
        return subjects
    return _ntriples_runs(subjects, itertools.chain((first,), marks))


def _ntriples_runs(subjects: list[str], marks: Iterable[int]) -> list[str]:
    out: list[str] = []
    done = 0
    for i in marks:
        if i < done:  # inside the run just written
            continue
        head = subjects[i]
        j = i + 1
        while j < len(subjects) and subjects[j].startswith(head):
            j += 1
        out += subjects[done:i]  # copied in C, not yielded one by one
        out += sorted(subjects[i:j], key=lambda s: s + ">")
        done = j
    out += subjects[done:]
    return out


def write_chunks(path: str | os.PathLike[str], chunks: Iterable[list[bytes] | bytes]) -> Path:
    # A list of blocks goes to the file's buffer as it is: joined, the large
    # pieces of a big export fragment the heap (a 150 MB N-Triples export
    # grew the process by 150 MB).
    with gc_paused(), atomic_writer(path, "binary") as fh:
        for chunk in chunks:
            if isinstance(chunk, list):
                fh.writelines(chunk)
            else:
                fh.write(chunk)
    return Path(path)


def as_text(chunks: Iterable[list[bytes] | bytes]) -> Iterator[str]:
    """The chunks of a writer as text."""
    for chunk in chunks:
        yield (b"".join(chunk) if isinstance(chunk, list) else chunk).decode("utf-8")


def as_lines(chunks: Iterable[str]) -> Iterator[str]:
    """Lines (without newline) of text chunks that each end with a newline.

    No writer puts a raw line feed inside a line (literals use the one-line
    form), so splitting at ``\\n`` and nothing else gives the lines back.
    """
    for chunk in chunks:
        if chunk:
            yield from chunk[:-1].split("\n")


def prefix_text(prefixes: Mapping[str, str]) -> str:
    return "".join(f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in prefixes.items())


def iter_blocks(subjects: Iterable[Any], statement: Callable[[Any], tuple | None],
            statement_block: Callable[[Any, tuple], bytes], entity: Callable[[Any], tuple | None],
            entity_block: Callable[[Any, tuple], bytes], article: Callable[[Any], Mapping[str, Any] | None],
            article_block: Callable[[Any, Mapping[str, Any]], bytes],
            general_block: Callable[[Any], bytes]) -> Iterator[list[bytes]]:
    """The block (UTF-8) of each of ``subjects``: a statement's, an entity's or an
    article's on the fast paths (``statement``, ``entity``, ``article`` give their
    records), else the general path's; yielded in lists of :data:`BATCH`
    subjects, or fewer of about :data:`_BATCH_BYTES` (see :func:`write_chunks`)."""
    out: list[bytes] = []
    append = out.append
    size = 0  # bytes of the entity and general blocks in out
    for s in subjects:
        # one lookup for most subjects (a cache miss on a big graph): every
        # statement's IRI starts with STATEMENT_NS
        recipe = statement(s) if s.startswith(STATEMENT_NS) else None
        data = entity(s) if recipe is None else None
        if recipe is not None:
            append(statement_block(s, recipe))
        elif data is not None:
            append(entity_block(s, data))
            size += len(out[-1])
        else:
            data = article(s)
            if data is not None:
                append(article_block(s, data))
            else:
                append(general_block(s))
                size += len(out[-1])
        if len(out) >= BATCH or size >= _BATCH_BYTES:
            yield out
            out = []
            append = out.append
            size = 0
    if out:
        yield out
