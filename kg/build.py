"""Wiring: corpus files → per-document results → graph → exports.

``process_document`` runs every per-document stage (tagging, resolution,
relations) and returns a picklable :class:`~kg.records.DocResult`; documents
are independent, so results of parts of a corpus merge by union in
:func:`kg.graph.build_graph`.
"""
from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.corpus import normalize, read_document, split_articles
from kg.errors import InputError, KGError
from kg.ids import entity_id
from kg.records import Attribute, Document, DocResult, Entity, Mention, Relation

__all__ = ["BuildSummary", "iter_corpus_files", "load_document", "process_document", "build", "PIPELINE_VERSION"]

#: Bumped whenever the per-document stages change what they produce.
PIPELINE_VERSION = "1"


@dataclass
class BuildSummary:
    documents: int = 0
    articles: int = 0
    skipped: list[str] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    entities: int = 0
    triples: int = 0


def iter_corpus_files(paths: Sequence[str | os.PathLike[str]]) -> Iterator[Path]:
    """Every file named or found (recursively, sorted) under the given paths."""
    files: set[Path] = set()
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files.update(f for f in path.rglob("*") if f.is_file() and not f.name.startswith("."))
        elif path.exists():
            files.add(path)
        else:
            raise InputError(f"{path}: no such file or directory")
    # sort by file name then path: the input order never changes the output
    yield from sorted(files, key=lambda f: (f.name, str(f)))


def load_document(path: Path) -> Document:
    """Read and split one corpus file (raises InputError for unreadable input)."""
    doc = read_document(path)
    return dataclasses.replace(doc, articles=split_articles(doc.text, doc.source))


def process_document(doc: Document, nlp=None, gazetteer=None, lexicon=None) -> DocResult:
    """Tag, resolve and relate one document."""
    from kg.gazetteer import load_gazetteer
    from kg.lexicon import load_lexicon
    from kg.relations import extract_relations
    from kg.resolve import ArticleText, Resolved, resolve_document
    from kg.tagging import candidates_of, make_nlp

    gazetteer = gazetteer or load_gazetteer()
    lexicon = lexicon or load_lexicon()
    nlp = nlp or make_nlp()
    texts = []
    for a in doc.articles:
        norm, index = normalize(doc.text, a.start, a.end)
        texts.append(ArticleText(a, norm, tuple(index)))
    pairs = [(at, candidates_of(d)) for at, d in zip(texts, nlp.pipe([t.text for t in texts]))]
    resolutions, entities, city = resolve_document(pairs, gazetteer, lexicon)

    newspaper = _newspaper(resolutions, lexicon, gazetteer, city)
    if newspaper is not None:
        entities.setdefault(newspaper.entity_id, Entity(newspaper.entity_id, "Organization", newspaper.name))
    mentions: list[Mention] = []
    relations: list[Relation] = []
    attributes: list[Attribute] = []
    extra_aliases: dict[str, set[str]] = {}
    for res in resolutions:
        art = res.art
        for m in res.mentions:
            if m.in_name:
                continue
            s, e = art.to_source(m.start, m.end)
            mentions.append(Mention(m.entity_id, art.article.article_id, s, e, m.surface))
        if newspaper is not None:
            for pos in _find_all(art.text, "本报"):
                s, e = art.to_source(pos, pos + 2)
                mentions.append(Mention(newspaper.entity_id, art.article.article_id, s, e, "本报"))
                extra_aliases.setdefault(newspaper.entity_id, set()).add("本报")
        rels, attrs = extract_relations(res, lexicon, gazetteer, newspaper=newspaper)
        for r in rels:
            relations.append(dataclasses.replace(r, evidence=doc.text[r.start:r.end]))
        for a in attrs:
            attributes.append(dataclasses.replace(a, evidence=doc.text[a.start:a.end]))
    # make sure every relation endpoint is an entity (fixed employers such as 中共中央)
    for r in relations:
        for eid in (r.head, r.tail):
            if eid not in entities and not eid.startswith("division:"):
                name = _national_name(lexicon, eid)
                if name:
                    entities[eid] = Entity(eid, "Agency", name)
    ents = []
    for eid in sorted(entities):
        ent = entities[eid]
        if eid in extra_aliases:
            ent = dataclasses.replace(ent, aliases=tuple(sorted(set(ent.aliases) | extra_aliases[eid])))
        ents.append(ent)
    return DocResult(doc, tuple(ents), tuple(sorted(set(mentions), key=_mention_key)),
                     tuple(sorted(set(relations), key=_rel_key)), tuple(sorted(set(attributes), key=_attr_key)),
                     city=f"division:{city}" if city else None)


def _find_all(text: str, word: str) -> Iterator[int]:
    i = text.find(word)
    while i >= 0:
        yield i
        i = text.find(word, i + 1)


def _newspaper(resolutions, lexicon, gazetteer, city):
    """The home paper (本报) as an organization when a reporter of it is named."""
    from kg.resolve import Resolved

    org = lexicon.data["organization"]
    reporters = set(lexicon.data["relations"]["newspaper"]["reporter_titles"])
    if not city:
        return None
    has_reporter = any(m.type == "Person" and m.title in reporters for res in resolutions for m in res.mentions)
    mentions_self = any(org["self_reference"] in res.art.text for res in resolutions)
    if not (has_reporter and mentions_self):
        return None
    div = gazetteer.get(city)
    short = next((f for f in div.short_forms if len(f) >= 2), div.name)
    name = short + org["newspaper_suffix"]
    return Resolved(0, 0, "Organization", name, org["self_reference"], entity_id("Organization", name), "newspaper")


def _national_name(lexicon, eid: str) -> str | None:
    for name in set(lexicon.table("abbreviations", "national").values()) | set(
            lexicon.data["relations"]["worksFor"]["fixed_employer"].values()):
        if entity_id("Agency", name) == eid:
            return name
    return None


def _mention_key(m: Mention):
    return (m.article_id, m.start, m.end, m.entity_id)


def _rel_key(r: Relation):
    return (r.article_id, r.start, r.head, r.rel, r.tail, r.end, r.rule)


def _attr_key(a: Attribute):
    return (a.article_id, a.start, a.entity_id, a.attr, a.value)


def iter_results(files: Iterable[Path], summary: BuildSummary,
                 on_skip: Callable[[str], None] = lambda msg: print(f"skipped {msg}", file=sys.stderr)
                 ) -> Iterator[DocResult]:
    """Process files one at a time (streaming); unreadable ones are reported and skipped."""
    for path in files:
        try:
            doc = load_document(path)
        except InputError as exc:
            summary.skipped.append(str(exc))
            on_skip(str(exc))
            continue
        summary.documents += 1
        summary.articles += len(doc.articles)
        yield process_document(doc)


def build(corpus: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str]) -> BuildSummary:
    """Build the graph of a corpus and write every export into ``out``."""
    from kg.gazetteer import load_gazetteer
    from kg.graph import build_graph

    out_dir = Path(out)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KGError(f"{out_dir}: cannot create output directory ({exc.strerror})") from exc
    if not os.access(out_dir, os.W_OK):
        raise KGError(f"{out_dir}: output directory is not writable")
    summary = BuildSummary()
    files = list(iter_corpus_files(corpus))
    gazetteer = load_gazetteer()
    graph = build_graph(iter_results(files, summary), gazetteer.divisions)
    summary.outputs = write_exports(graph, out_dir)
    summary.entities = sum(1 for _, d in graph.nodes(data=True) if d.get("kind") != "Article")
    return summary


def write_exports(graph, out_dir: Path) -> list[Path]:
    """Every export of the graph into ``out_dir`` (each written atomically)."""
    from kg.export.graphml import write_graphml
    from kg.export.html import write_html
    from kg.export.jsonld import write_jsonld
    from kg.export.neo4j import write_neo4j_csv
    from kg.export.rdf import write_ntriples, write_trig, write_turtle

    return [write_turtle(graph, out_dir / "graph.ttl"), write_html(graph, out_dir / "graph.html"),
            write_ntriples(graph, out_dir / "graph.nt"), write_trig(graph, out_dir / "graph.trig"),
            write_jsonld(graph, out_dir / "graph.jsonld"),
            write_graphml(graph, out_dir / "graph.graphml"),
            *write_neo4j_csv(graph, out_dir / "neo4j")]
