"""Open-class pattern data: ``ontology/patterns/*.toml``, validated against its schema once.

Knowledge about names (suffixes of government bodies and organizations,
project words, titles, trigger words of relations, abbreviations, page
layout) is data, not code.  Every key of every pattern file is declared in
``ontology/patterns/schema.toml`` -- itself data -- with its *kind* and a
one-line description.  Loading checks each file against it: an unknown key
(a misspelt one), a missing key, a value of the wrong kind or a regular
expression that does not compile is a :class:`~kg.errors.DataError` of one
line naming ``file:line`` and the key, so a typo can no longer turn a rule
off in silence.

Code reads the data through typed accessors (:meth:`Lexicon.words`,
:meth:`Lexicon.regex`, …): asking for a key the schema does not declare, or
for a key of another kind, raises at once; there is no default value.

>>> lex = load_lexicon()
>>> "局" in lex.words("agency", "suffixes.strong")
True
>>> lex.regex("boundaries", "phase_pattern").match("(二期)") is not None
True
>>> lex.words("agency", "suffixes.strnog")
Traceback (most recent call last):
...
KeyError: "agency.toml has no key 'suffixes.strnog' (not declared in schema.toml)"
"""
from __future__ import annotations

import dataclasses
import functools
import os
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from kg.errors import DataError
from kg.paths import PATTERNS_DIR

__all__ = ["PATTERNS_DIR", "SCHEMA_FILE", "KINDS", "Lexicon", "PatternFile", "load_lexicon", "load_toml",
           "read_pattern_file", "read_schema"]

#: The schema of every pattern file: its keys, their kinds and what they are for.
#: It describes what the code reads, so it is always the package's own (a directory
#: of pattern files given to :func:`load_lexicon` is checked against it).
SCHEMA_FILE = PATTERNS_DIR / "schema.toml"

#: The kinds a declared key may have, and how an error message describes each.
KINDS = {
    "words": "a list of non-empty strings",
    "string": "a non-empty string",
    "chars": "a non-empty string of characters (read as a set)",
    "regex": "a regular expression (a string)",
    "regexes": "a list of regular expressions",
    "table": "a table of non-empty strings (key = \"value\")",
    "numbers": "a table of positive integers (key = 10000)",
    "integer": "a positive integer",
    "triple": "a table { head, rel, tail } of non-empty strings",
}

_T = TypeVar("_T")
_WILDCARD = "*"  # in the schema: the keys every table of that level has (relations.toml: every rule)
_TRIPLE = ("head", "rel", "tail")


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
        line = match.group(1) if match else "1"
        raise DataError(f"{path}:{line}: {str(exc).splitlines()[0]}") from exc


# -- where a key is written ----------------------------------------------------------
_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|' + r"'[^']*'"
_KEY = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER_LINE = re.compile(rf"\s*\[\s*({_DOTTED})\s*\]\s*(?:#.*)?$")
_KEY_LINE = re.compile(rf"\s*({_DOTTED})\s*=")
_KEY_PART = re.compile(_KEY)


def _key_parts(dotted: str) -> tuple[str, ...]:
    parts = []
    for m in _KEY_PART.finditer(dotted):
        part = m.group(0)
        if part[0] in "\"'":
            part = tomllib.loads(f"k = {part}")["k"]
        parts.append(part)
    return tuple(parts)


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Line of every table header and key of a TOML text (keys of inline tables and
    elements of arrays are found at the line of the key that holds them)."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    depth = 0  # open brackets of a multi-line array or inline table
    for n, line in enumerate(text.splitlines(), 1):
        if depth == 0:
            header = _HEADER_LINE.match(line)
            if header:
                table = _key_parts(header.group(1))
                lines.setdefault(table, n)
                continue
            key = _KEY_LINE.match(line)
            if key:
                lines.setdefault(table + _key_parts(key.group(1)), n)
        depth = max(0, depth + _bracket_balance(line))
    return lines


def _bracket_balance(line: str) -> int:
    """Opened minus closed brackets on a line, outside strings and comments."""
    balance, quote, i = 0, "", 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        elif ch in "[{":
            balance += 1
        elif ch in "]}":
            balance -= 1
        i += 1
    return balance


@dataclass(frozen=True)
class _Where:
    """``file:line`` of the keys of one TOML file (its ``text``)."""

    path: Path
    text: str = dataclasses.field(repr=False)

    @functools.cached_property
    def lines(self) -> Mapping[tuple[str, ...], int]:
        # found when a message first needs one: a build reads every key and never
        # asks where one is written (the scan was 40 % of loading the lexicon)
        return _key_lines(self.text)

    def __call__(self, key: tuple[str, ...]) -> str:
        # the key's own line, else the line of the table that holds (or should hold) it
        for n in range(len(key), 0, -1):
            line = self.lines.get(key[:n])
            if line is not None:
                return f"{self.path}:{line}"
        return f"{self.path}:1"


# -- the schema --------------------------------------------------------------------------
@dataclass(frozen=True)
class _Decl:
    """One declared key: its kind and what it is for."""

    kind: str
    about: str


def read_schema(path: Path = SCHEMA_FILE) -> dict[str, Any]:
    """The schema: file -> nested sections whose leaves are declarations (``kind``, ``about``).

    A table with a ``kind`` key declares one key; any other table is a section of the
    pattern file (a TOML table).  ``"*"`` declares the keys every table of its level has.
    """
    data = load_toml(path)
    where = _Where(path, path.read_text(encoding="utf-8"))

    def section(node: dict[str, Any], at: tuple[str, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in node.items():
            here = at + (key,)
            if not isinstance(value, dict):
                raise DataError(f"{where(here)}: schema entry '{'.'.join(here)}' must be a table "
                                "(a declaration { kind, about } or a section)")
            if "kind" in value:
                if set(value) != {"kind", "about"}:
                    raise DataError(f"{where(here)}: declaration '{'.'.join(here)}' needs exactly kind and about")
                if value["kind"] not in KINDS:
                    raise DataError(f"{where(here)}: declaration '{'.'.join(here)}' has unknown kind "
                                    f"{value['kind']!r} (one of {', '.join(KINDS)})")
                if not isinstance(value["about"], str) or not value["about"].strip():
                    raise DataError(f"{where(here)}: declaration '{'.'.join(here)}' needs a description (about)")
                out[key] = _Decl(value["kind"], value["about"])
            else:
                out[key] = section(value, here)
        return out

    return section(data, ())


# -- one pattern file ----------------------------------------------------------------------
class PatternFile:
    """The values of one pattern file, checked against its schema section and typed.

    Values are read by kind; a key the schema does not declare, or one of
    another kind, raises :class:`KeyError` (a mistake in the code, not in the data).
    """

    def __init__(self, name: str, path: Path, values: dict[str, Any], kinds: dict[str, str],
                 locate: _Where, tables: tuple[str, ...], prefix: str = "") -> None:
        self.name = name
        self.path = path
        self._values = values
        self._kinds = kinds
        self._locate = locate
        self._prefix = prefix
        #: the top-level tables (of the file, or of this section), in the order they are written
        self.tables = tables

    def _get(self, key: str, kind: str) -> Any:
        found = self._kinds.get(key)
        if found is None:
            raise KeyError(f"{self.name}.toml has no key '{self._prefix}{key}' (not declared in schema.toml)")
        if found != kind:
            raise KeyError(f"{self.name}.toml: '{self._prefix}{key}' is declared as {found}, not {kind}")
        return self._values[key]

    def section(self, table: str) -> PatternFile:
        """The keys of one table as a file of their own (relations.toml: one rule's words)."""
        start = table + "."
        keys = [k for k in self._kinds if k.startswith(start)]
        if not keys:
            raise KeyError(f"{self.name}.toml has no table '{self._prefix}{table}' (not declared in schema.toml)")
        n = len(start)
        return PatternFile(self.name, self.path, {k[n:]: self._values[k] for k in keys},
                           {k[n:]: self._kinds[k] for k in keys}, self._locate, (), self._prefix + start)

    def words(self, key: str) -> tuple[str, ...]:
        """A list of words (``kind = "words"``), in the order written."""
        return self._get(key, "words")

    def string(self, key: str) -> str:
        """One string (``kind = "string"``)."""
        return self._get(key, "string")

    def chars(self, key: str) -> str:
        """A string read as a set of characters (``kind = "chars"``)."""
        return self._get(key, "chars")

    def regex(self, key: str) -> re.Pattern[str]:
        """A regular expression, compiled at load (``kind = "regex"``)."""
        return self._get(key, "regex")

    def regexes(self, key: str) -> tuple[re.Pattern[str], ...]:
        """A list of regular expressions, compiled at load (``kind = "regexes"``)."""
        return self._get(key, "regexes")

    def table(self, key: str) -> Mapping[str, str]:
        """A table of strings, in the order written (``kind = "table"``)."""
        return self._get(key, "table")

    def numbers(self, key: str) -> Mapping[str, int]:
        """A table of positive integers (``kind = "numbers"``)."""
        return self._get(key, "numbers")

    def integer(self, key: str) -> int:
        """A positive integer (``kind = "integer"``)."""
        return self._get(key, "integer")

    def triple(self, key: str) -> tuple[str, str, str]:
        """``(head, rel, tail)`` (``kind = "triple"``)."""
        return self._get(key, "triple")

    def where(self, key: str) -> str:
        """``file:line`` of a key or table (dotted), for messages about the data."""
        return self._locate(tuple((self._prefix + key).split(".")))

    def keys(self) -> Iterator[str]:
        """Every key (dotted), in the order written."""
        return iter(self._kinds)


def _convert(kind: str, value: Any, where: Callable[[], str], key: str) -> Any:
    """The typed value of a declared key, or a one-line DataError (``where()``: the key's ``file:line``)."""
    def bad() -> DataError:
        return DataError(f"{where()}: '{key}' must be {KINDS[kind]}")

    def compile_(pattern: Any) -> re.Pattern[str]:
        if not isinstance(pattern, str) or not pattern:
            raise bad()
        try:
            return re.compile(pattern)
        except re.error as exc:
            raise DataError(f"{where()}: '{key}': bad regex {pattern!r}: {exc}") from None

    if kind == "words":
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise bad()
        return tuple(value)
    if kind in ("string", "chars"):
        if not isinstance(value, str) or not value:
            raise bad()
        return value
    if kind == "regex":
        return compile_(value)
    if kind == "regexes":
        if not isinstance(value, list):
            raise bad()
        return tuple(compile_(v) for v in value)
    if kind == "table":
        if not isinstance(value, dict) or not all(k and isinstance(v, str) and v for k, v in value.items()):
            raise bad()
        return MappingProxyType(dict(value))
    if kind == "numbers":
        if not isinstance(value, dict) or not all(
                k and isinstance(v, int) and not isinstance(v, bool) and v > 0 for k, v in value.items()):
            raise bad()
        return MappingProxyType(dict(value))
    if kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise bad()
        return value
    if kind == "triple":
        if not isinstance(value, dict) or set(value) != set(_TRIPLE) or not all(
                isinstance(v, str) and v for v in value.values()):
            raise bad()
        return tuple(value[k] for k in _TRIPLE)
    raise AssertionError(kind)  # read_schema admits only KINDS


def _section_for(section: dict[str, Any], key: str) -> Any:
    """The declaration or sub-section of ``key`` in a schema section (None: undeclared)."""
    spec = section.get(key)
    wild = section.get(_WILDCARD)
    if wild is None or isinstance(spec, _Decl):
        return spec
    return {**wild, **spec} if isinstance(spec, dict) else wild


def read_pattern_file(path: Path | str, name: str | None = None,
                      schema: dict[str, Any] | None = None) -> PatternFile:
    """Read one pattern file and check it against section ``name`` (default: its stem) of the schema.

    Errors are one-line :class:`~kg.errors.DataError` naming ``file:line`` and the key:
    an unknown key first (a misspelt key is also a missing one: the misspelling is
    the news), then a wrong kind or a bad regex, then a missing key.
    """
    path = Path(path)
    name = name or path.stem
    schema = read_schema() if schema is None else schema
    if name not in schema:
        raise DataError(f"{path}:1: unknown pattern file '{name}' (not declared in {SCHEMA_FILE.name})")
    data = load_toml(path)
    where = _Where(path, path.read_text(encoding="utf-8"))
    values: dict[str, Any] = {}
    kinds: dict[str, str] = {}

    def check(node: dict[str, Any], section: dict[str, Any], at: tuple[str, ...]) -> None:
        for key, value in node.items():
            here = at + (key,)
            dotted = ".".join(here)
            spec = _section_for(section, key)
            if spec is None:
                raise DataError(f"{where(here)}: unknown key '{dotted}' (not declared in "
                                f"{SCHEMA_FILE.name} [{name}])")
            if isinstance(spec, _Decl):
                values[dotted] = _convert(spec.kind, value, functools.partial(where, here), dotted)
                kinds[dotted] = spec.kind
            elif not isinstance(value, dict):
                raise DataError(f"{where(here)}: '{dotted}' must be a table of keys")
            else:
                check(value, spec, here)
        for key in section:
            if key != _WILDCARD and key not in node:
                spec = section[key]
                here = at + (key,)
                what = KINDS[spec.kind] if isinstance(spec, _Decl) else "a table"
                raise DataError(f"{where(here)}: missing key '{'.'.join(here)}' ({what})")

    check(data, schema[name], ())
    tables = tuple(k for k, v in data.items() if isinstance(v, dict) and not isinstance(
        _section_for(schema[name], k), _Decl))
    return PatternFile(name, path, values, kinds, where, tables)


# -- all of them ---------------------------------------------------------------------------
class Lexicon:
    """All pattern files of a directory (default ``ontology/patterns``), typed and checked.

    ``lexicon.words("agency", "suffixes.strong")`` is
    ``lexicon.file("agency").words("suffixes.strong")``; each accessor raises
    :class:`KeyError` for a key the schema does not declare.
    """

    def __init__(self, directory: Path, files: Mapping[str, PatternFile]) -> None:
        self.directory = directory
        self._files = dict(files)
        self._prepared: dict[Callable[[Lexicon], Any], Any] = {}

    def __getstate__(self) -> dict[str, Any]:
        # what was prepared from the data is rebuilt where it is needed, not shipped
        return {**self.__dict__, "_prepared": {}}

    def prepared(self, build: Callable[[Lexicon], _T]) -> _T:
        """``build(self)``, made once per lexicon: the data prepared for a stage
        (word lists by length, compiled alternations), so that the rules, which
        run per article, never prepare anything themselves."""
        try:
            return self._prepared[build]
        except KeyError:
            value = self._prepared[build] = build(self)
            return value

    def file(self, name: str) -> PatternFile:
        """The pattern file ``name`` (``"agency"`` for ``agency.toml``)."""
        try:
            return self._files[name]
        except KeyError:
            raise KeyError(f"no pattern file '{name}' (not declared in schema.toml)") from None

    def words(self, file: str, key: str) -> tuple[str, ...]:
        return self.file(file).words(key)

    def string(self, file: str, key: str) -> str:
        return self.file(file).string(key)

    def chars(self, file: str, key: str) -> str:
        return self.file(file).chars(key)

    def regex(self, file: str, key: str) -> re.Pattern[str]:
        return self.file(file).regex(key)

    def regexes(self, file: str, key: str) -> tuple[re.Pattern[str], ...]:
        return self.file(file).regexes(key)

    def table(self, file: str, key: str) -> Mapping[str, str]:
        return self.file(file).table(key)

    def numbers(self, file: str, key: str) -> Mapping[str, int]:
        return self.file(file).numbers(key)

    def integer(self, file: str, key: str) -> int:
        return self.file(file).integer(key)

    def triple(self, file: str, key: str) -> tuple[str, str, str]:
        return self.file(file).triple(key)


def load_lexicon(directory: str | os.PathLike[str] | None = None) -> Lexicon:
    """Load every pattern file of ``directory`` (default ``ontology/patterns``) and check
    each against :data:`SCHEMA_FILE`: every declared file must be there, and no other.

    One lexicon per directory and process: ``load_lexicon()``,
    ``load_lexicon(None)`` and ``load_lexicon("")`` are the same object.
    """
    # the cache is keyed by the directory, not by how it was asked for: the
    # stages ask with no argument, the tokenizer with None, and lru_cache keys
    # those apart, which loaded every pattern file twice a build (0.05 s CPU, 2026-12)
    return _load_lexicon(Path(directory) if directory else PATTERNS_DIR)


@functools.lru_cache(maxsize=4)
def _load_lexicon(root: Path) -> Lexicon:
    schema = read_schema()
    present = {p.stem: p for p in sorted(root.glob("*.toml")) if p.name != SCHEMA_FILE.name}
    for name, path in present.items():
        if name not in schema:
            raise DataError(f"{path}:1: unknown pattern file '{name}' (not declared in {SCHEMA_FILE.name})")
    files = {}
    for name in schema:
        if name not in present:
            raise DataError(f"{root / (name + '.toml')}: pattern file missing (declared in {SCHEMA_FILE.name})")
        files[name] = read_pattern_file(present[name], name, schema)
    return Lexicon(root, files)
