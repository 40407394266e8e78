"""kg: a knowledge-graph builder for Shanxi local-government news.

The Python API, what ``kg build`` does in parts:

* :func:`build_graph` — corpus files or folders → the knowledge graph
  (a ``networkx.MultiDiGraph``, the graph ``kg build`` exports);
* :func:`write_exports` — that graph → the export files (all, or some formats);
* :func:`read_graph` — an RDF export (``graph.ttl`` …) → the same graph again;
* :func:`to_rdflib` — the graph as an ``rdflib.Graph`` (the triples of ``graph.ttl``);
* :func:`load_nlp` — the spaCy pipeline, for one text at a time.

The graph's nodes are keyed by IRI; a node's ``kind`` is its type
(``Division``, ``Agency``, ``Organization``, ``Project``, ``Person``,
``Article``) and ``label`` its canonical name; an edge's key is its relation
(``administers``, ``locatedIn``, ``subOrganizationOf``, ``undertakes``,
``worksFor``, ``partOf``) and its ``evidence`` the sentences it was read from
(:mod:`kg.graph` has every attribute).  ``import kg`` loads none of the
stages: each function imports what it runs when it runs.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable

__version__ = "0.1.0"

__all__ = ["build_graph", "read_graph", "to_rdflib", "write_exports", "load_nlp", "__version__"]

_Path = str | os.PathLike[str]


def build_graph(paths: _Path | Iterable[_Path] = "corpus", *, workers: int = 1, engine: str = "local",
                scheduler: str | None = None, cache: bool = True, cache_dir: _Path | None = None,
                on_skip: Callable[[str], None] | None = None):
    """The knowledge graph of a corpus: the graph ``kg build`` would export, as a ``networkx.MultiDiGraph``.

    Parameters
    ----------
    paths
        Corpus files and folders (folders are read with every sub-folder),
        as ``kg build CORPUS ...`` takes them; default ``corpus``.
    workers, engine, scheduler
        Where the documents are processed, as ``kg build --workers N
        --engine local|dask --scheduler ADDRESS``; the graph is the same
        for every choice.
    cache, cache_dir
        Reuse the results of documents processed before, as ``kg build``
        does by default (``cache=False`` is ``--no-cache``; the folder
        defaults to ``$KG_CACHE_DIR`` or ``~/.cache/shanxi-kg``).
    on_skip
        Called with a one-line message for each file that cannot be read
        (default: the message goes to stderr, as in ``kg build``).

    Raises
    ------
    kg.errors.KGError
        A path does not exist, or no file could be read.

    Examples
    --------
    >>> import kg, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "page.txt").write_text(
    ...     "长治市潞城区人民政府召开会议。潞城区发展和改革局局长张三介绍，"
    ...     "潞城区光伏发电项目总投资9.18亿元，由山西潞安集团有限公司承建。", encoding="utf-8")
    >>> graph = kg.build_graph(folder, cache=False)
    >>> name = {node: data["label"] for node, data in graph.nodes(data=True)}
    >>> sorted((name[head], rel, name[tail]) for head, tail, rel in graph.edges(keys=True)
    ...        if rel in ("undertakes", "worksFor"))
    [('山西潞安集团有限公司', 'undertakes', '潞城区光伏发电项目'), ('张三', 'worksFor', '潞城区发展和改革局')]
    >>> [data["investment"] for _, data in graph.nodes(data=True) if data["kind"] == "Project"]
    ['918000000']
    """
    from kg.errors import InputError  # lazy: `import kg` loads no stage
    from kg.graph import build_graph as graph_of_results  # lazy: `import kg` loads no stage
    from kg.knowledge.gazetteer import load_gazetteer  # lazy: `import kg` loads no stage
    from kg.run.build import BuildSummary, corpus_files, iter_results  # lazy: `import kg` loads no stage
    from kg.run.cache import DocCache  # lazy: `import kg` loads no stage

    paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    summary = BuildSummary()
    report = {} if on_skip is None else {"on_skip": on_skip}
    files = corpus_files(paths, summary, on_skip)
    results = iter_results(files, summary, **report, doc_cache=DocCache(cache_dir) if cache else None,
                           engine=engine, workers=workers, scheduler=scheduler, keep_text=False)
    graph = graph_of_results(results, load_gazetteer().divisions)
    if not summary.documents:
        raise InputError(f"no readable corpus file in {', '.join(map(str, paths))} "
                         f"({len(summary.skipped)} skipped)")
    return graph


def write_exports(graph, out_dir: _Path = "exports", formats: Collection[str] | None = None, *,
                  jobs: int = 1) -> list:
    """Write the exports of ``graph`` into ``out_dir``, the files ``kg build`` writes; their paths.

    Parameters
    ----------
    graph
        A graph from :func:`build_graph` or :func:`read_graph`.
    out_dir
        Created if needed; ``neo4j/`` beneath it holds the property-graph files.
    formats
        Some of ``"ttl"``, ``"nt"``, ``"trig"``, ``"jsonld"``, ``"html"``,
        ``"graphml"``, ``"neo4j"``, ``"facts"`` (default: all of them).
    jobs
        Processes that write the files (the bytes are the same for any number).

    Every file is written to a temporary name and all are renamed into
    place at the end: on an error no file in ``out_dir`` has changed.

    Examples
    --------
    >>> import kg, networkx, tempfile
    >>> graph = networkx.MultiDiGraph()
    >>> graph.add_node("https://w3id.org/shanxi-kg/id/person/1", kind="Person", label="张三")
    >>> [path.name for path in kg.write_exports(graph, tempfile.mkdtemp(), formats=["ttl", "facts"])]
    ['graph.ttl', 'facts.csv']
    """
    from kg.export.bundle import write_all  # lazy: `import kg` loads no stage

    return write_all(graph, out_dir, jobs=jobs, formats=formats)


def read_graph(path: _Path):
    """The graph of an RDF export (``graph.ttl``, ``.nt``, ``.trig``, ``.jsonld``; syntax from the name).

    The graph :func:`build_graph` made, as far as RDF keeps it: exported
    again, it gives the same files.

    Examples
    --------
    >>> import kg, networkx, tempfile
    >>> graph = networkx.MultiDiGraph()
    >>> graph.add_node("https://w3id.org/shanxi-kg/id/person/1", kind="Person", label="张三",
    ...                aliases=[], mentioned_in=[])
    >>> (ttl,) = kg.write_exports(graph, tempfile.mkdtemp(), formats=["ttl"])
    >>> dict(kg.read_graph(ttl).nodes(data=True)) == dict(graph.nodes(data=True))
    True
    """
    from kg.export.from_rdf import read_rdf_graph  # lazy: `import kg` loads no stage

    return read_rdf_graph(path)


def to_rdflib(graph):
    """The graph as an ``rdflib.Graph``: the triples of ``graph.ttl`` (the graph contract), prefixes bound.

    Examples
    --------
    >>> import kg, networkx
    >>> graph = networkx.MultiDiGraph()
    >>> graph.add_node("https://w3id.org/shanxi-kg/id/person/1", kind="Person", label="张三")
    >>> rdf = kg.to_rdflib(graph)
    >>> [str(row.name) for row in rdf.query("SELECT ?name WHERE { ?p a kg:Person ; rdfs:label ?name }")]
    ['张三']
    """
    from kg.export.quads import to_rdf  # lazy: `import kg` loads no stage

    return to_rdf(graph)


# -- the spaCy pipeline ------------------------------------------------------------------

def load_nlp(gazetteer_path=None, patterns_dir=None):
    """The project's spaCy pipeline: a ``Doc`` of a text carries its candidate names and resolved entities.

    ``spacy.blank("zh")`` with the jieba tokenizer (gazetteer names kept whole,
    ``token.tag_`` = jieba's part-of-speech tag), then two components:

    * ``kg_candidates``: every candidate name, overlapping and ambiguous ones
      too, in ``doc.spans["kg_candidates"]`` (``span.label_`` the type,
      ``span.id_`` the naming rule, ``span.kb_id_`` the ``|``-joined gazetteer
      ids a division name may denote);
    * ``kg_resolve``: the names resolved to entities in ``doc.ents``
      (``ent.label_`` the type, ``ent.kb_id_`` the entity's IRI, the node
      ``kg build`` makes of it), and every mention, nested ones too (the county
      in a county bureau's name), in ``doc.spans["kg_mentions"]``.

    The text is resolved as a file holding only that text would be (``kg build``
    resolves all the articles of a file together, and first normalises the text:
    traditional characters, page-layout line breaks).  ``gazetteer_path`` and
    ``patterns_dir`` name other data than the project's own ``ontology/``.
    Each call makes a new pipeline.  ``nlp.to_disk(path)`` saves it, and plain
    ``spacy.load(path)`` loads it again in any process where this package is
    installed (its parts are registered with spaCy through entry points).

    >>> import kg
    >>> nlp = kg.load_nlp()
    >>> doc = nlp("小店区住建局局长李红梅到太原市第五中学检查供暖工作。")
    >>> [(ent.text, ent.label_) for ent in doc.ents]
    [('小店区住建局', 'Agency'), ('李红梅', 'Person'), ('太原市第五中学', 'Organization')]
    >>> doc.ents[0].kb_id_  # 小店区住房和城乡建设局
    'https://w3id.org/shanxi-kg/id/agency/d3a9c7cc0379ed20'
    >>> [(span.text, span.kb_id_) for span in doc.spans["kg_mentions"] if span.label_ == "Division"]
    [('小店区', 'https://w3id.org/shanxi-kg/id/division/140105')]
    >>> [(span.text, span.label_, span.id_) for span in doc.spans["kg_candidates"]][:2]
    [('小店区住建局', 'Agency', 'agency-suffix'), ('小店区', 'Division', 'gazetteer')]
    """
    from kg.nlp.pipeline import new_nlp  # here: `import kg` (kg --help, kg eval) never loads spaCy

    return new_nlp(str(gazetteer_path or ""), str(patterns_dir or ""))
