"""Error hierarchy: every message says what failed, where, and what to do."""
from __future__ import annotations

__all__ = ["KGError", "InputError", "DataError", "GoldError", "QueryError", "ExportError"]


class KGError(Exception):
    """Base class; the CLI prints ``error: <message>`` and exits non-zero."""


class InputError(KGError):
    """A corpus file cannot be read as text (binary, empty, undecodable)."""


class DataError(KGError):
    """A data file under ``ontology/`` is malformed; the message names file:line."""


class GoldError(KGError):
    """A gold file is malformed."""


class QueryError(KGError):
    """A SPARQL query cannot be parsed or run."""


class ExportError(KGError):
    """An export cannot be written."""
