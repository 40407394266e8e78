"""Open-class pattern data: loaded once from ``ontology/patterns/*.toml``.

Knowledge about names (suffixes of government bodies and organizations,
project words, titles, trigger words of relations, abbreviations) is data, not
code.  Each file is TOML; loading validates the shape once and names
``file:line`` in every error, so a typo in the data fails loudly at start-up.
"""
from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import DataError
from kg.paths import PATTERNS_DIR

__all__ = ["PATTERNS_DIR", "Lexicon", "load_lexicon", "load_toml", "line_of"]


def load_toml(path: Path) -> dict[str, Any]:
    """Read one TOML data file; syntax errors become ``DataError(file:line: …)``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"{path}: cannot read pattern file ({exc.strerror})") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = match.group(1) if match else "?"
        raise DataError(f"{path}:{line}: {exc}") from exc


def line_of(path: Path, key: str) -> str:
    """Best-effort line number of ``key`` in a TOML file (for error messages)."""
    try:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(rf"\s*\[?\s*{re.escape(key)}\b", line):
                return str(n)
    except OSError:
        pass
    return "?"


def _strings(data: dict[str, Any], key: str, path: Path, *, required: bool = True) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        if required:
            raise DataError(f"{path}:{line_of(path, key.split('.')[0])}: missing list '{key}'")
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise DataError(f"{path}:{line_of(path, key)}: '{key}' must be a list of non-empty strings")
    return tuple(value)


@dataclass(frozen=True)
class Lexicon:
    """All open-class pattern data, as loaded from ``ontology/patterns``."""

    data: dict[str, dict[str, Any]]

    def words(self, file: str, key: str) -> tuple[str, ...]:
        """The word list ``key`` (dotted for tables) of pattern file ``file``."""
        section: Any = self.data[file]
        *tables, last = key.split(".")
        for table in tables:
            section = section.get(table, {})
        return tuple(section.get(last, ()))

    def table(self, file: str, key: str) -> dict[str, Any]:
        """A TOML table (dict) of pattern file ``file``."""
        section: Any = self.data[file]
        for table in key.split("."):
            section = section.get(table, {})
        return section


# The lists every pattern file must provide (file -> keys); validated at load.
_REQUIRED = {
    "agency": ("suffixes.strong", "suffixes.weak", "jurisdiction_words", "domain_compounds", "subunit_suffixes"),
    "organization": ("suffixes.strong", "suffixes.weak"),
    "project": ("suffixes", "generic_heads", "facility_words"),
    "person": ("titles", "byline_markers", "speech_verbs", "surnames", "not_given_names"),
    "boundaries": ("left", "trim_prefix", "list_separators"),
    "references": ("home_markers", "anaphors"),
}


@functools.lru_cache(maxsize=4)
def load_lexicon(directory: str | None = None) -> Lexicon:
    """Load and validate every ``*.toml`` under ``ontology/patterns``."""
    root = Path(directory) if directory else PATTERNS_DIR
    data: dict[str, dict[str, Any]] = {}
    for path in sorted(root.glob("*.toml")):
        data[path.stem] = load_toml(path)
    for file, keys in _REQUIRED.items():
        path = root / f"{file}.toml"
        if file not in data:
            raise DataError(f"{path}: pattern file missing")
        for key in keys:
            section: Any = data[file]
            *tables, last = key.split(".")
            for table in tables:
                section = section.get(table, {})
            _strings(section, last, path) if isinstance(section, dict) else None
    return Lexicon(data)
