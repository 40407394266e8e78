"""Stage 1, corpus: read newspaper pages, split them into articles, normalise.

* :mod:`~kg.corpus.files`: list corpus files (each with its source: its
  path relative to the corpus folder), read their bytes (never blocking on
  a FIFO), detect the encoding (UTF-8 with or without BOM,
  UTF-16/UTF-32 with BOM, GB18030/GBK, Big5) and reject files that are not
  text; one :class:`~kg.records.Document` per file;
* :mod:`~kg.corpus.layout` and :mod:`~kg.corpus.paragraphs`: the page-layout
  data (``ontology/patterns/corpus.toml``) and the paragraphs it classifies;
* :mod:`~kg.corpus.articles`: a page split into articles (headlines, 本报讯,
  bylines, photo captions);
* :mod:`~kg.corpus.normalize`: page-layout line breaks removed, with a map
  back to source offsets;
* :mod:`~kg.corpus.sentences`: the one sentence splitter;
* :mod:`~kg.corpus.chunks`: over-long articles cut into pieces for the NLP stages;
* :mod:`~kg.corpus.simplified`: traditional characters in simplified form.

Every offset in the project indexes the decoded, unmodified ``Document.text``.
"""
from kg.corpus.articles import split_articles
from kg.corpus.chunks import MAX_CHUNK_CHARS, iter_chunks
from kg.corpus.files import (MAX_FILE_BYTES, CorpusFile, decode_bytes, document_from_bytes, is_documentation,
                             iter_corpus_files, list_corpus, read_document, read_file_bytes, source_name)
from kg.corpus.layout import LAYOUT_FILE, Layout, load_layout
from kg.corpus.normalize import OffsetMap, normalize, to_source
from kg.corpus.sentences import iter_sentences, sentence_spans
from kg.corpus.simplified import to_simplified

__all__ = ["LAYOUT_FILE", "Layout", "OffsetMap", "load_layout", "CorpusFile", "list_corpus", "iter_corpus_files",
           "is_documentation", "source_name", "read_document",
           "read_file_bytes", "decode_bytes", "document_from_bytes", "split_articles", "normalize", "to_source",
           "iter_sentences", "sentence_spans", "iter_chunks", "to_simplified", "MAX_CHUNK_CHARS", "MAX_FILE_BYTES"]
