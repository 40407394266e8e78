"""Running the stages: one document, on an engine, with a cache, wired into a build.

* :mod:`~kg.run.document`: every per-document stage, in order, on one
  document (corpus → names → resolution → relations), giving a picklable
  :class:`~kg.records.DocResult`;
* :mod:`~kg.run.engine`: where documents run (this process, a pool of
  worker processes, a Dask cluster);
* :mod:`~kg.run.cache`: the results of documents processed before;
* :mod:`~kg.run.build`: the wiring, corpus files → results → graph → exports.

The two constants below describe the per-document stages; they live here,
apart from the stages themselves, so that the cache and the build driver
read them without importing spaCy.
"""

__all__ = ["PIPELINE_VERSION", "STAGES"]

#: Bumped whenever the per-document stages change what they produce (part of the cache's fingerprint).
PIPELINE_VERSION = "1"

#: The per-document stages, in order, as timed by ``process_document(..., timings=...)``.
STAGES = ("normalize", "segment", "candidates", "resolve", "relations")
