"""Exports of the knowledge graph, all from the networkx graph (never from text).

* :mod:`~kg.export.bundle`: :func:`~kg.export.bundle.write_all`, every export
  of a build in one staged block, optionally by forked processes;
* :mod:`~kg.export.atomic`: atomic writes (temporary file + rename), staged
  renames; :mod:`~kg.export.folderlock`: the lock on an output folder and
  the clean-up of dead runs' temporary files;
* RDF: :mod:`~kg.export.quads` (the networkx graph as quads of the graph
  contract, and rdflib's form of them), :mod:`~kg.export.index` (the subject
  index the writers work from), :mod:`~kg.export.terms` (terms as text),
  :mod:`~kg.export.blocks` and :mod:`~kg.export.entities` (the writers'
  fast paths), and one module per syntax: :mod:`~kg.export.turtle`,
  :mod:`~kg.export.ntriples`, :mod:`~kg.export.trig`, :mod:`~kg.export.jsonld`;
* :mod:`~kg.export.graphml` and :mod:`~kg.export.neo4j` (property graphs);
* :mod:`~kg.export.facts` (``facts.csv``, the facts table for spreadsheets) and
  :mod:`~kg.export.csvsafe` (the one neutralisation of spreadsheet formula
  cells, for every CSV meant for people);
* the HTML view: :mod:`~kg.export.html` (the page), :mod:`~kg.export.page_data`
  (its data), :mod:`~kg.export.view` (its labels and look),
  :mod:`~kg.export.layout` (positions of large graphs),
  :mod:`~kg.export.summary` (what the page of a graph too large to draw whole holds);
* :mod:`~kg.export.from_rdf`: an RDF export read back into the networkx graph.

Only this package imports pyvis, and rdflib besides :mod:`kg.rdfio`.
"""
