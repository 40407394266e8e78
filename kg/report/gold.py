"""Reading the gold annotations: one JSON record per corpus file (``docs/annotation.md``),
validated with every error naming ``file:line`` and the field."""
from __future__ import annotations

__all__ = ["load_gold", "MAX_GOLD_BYTES"]

#: Gold files larger than this are refused (the bundled gold is a few hundred KB).
MAX_GOLD_BYTES = 256 * 1024 * 1024

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from kg.errors import GoldError
from kg.safeio import read_regular_file
from kg.records import ENTITY_TYPES, LEVELS
from kg.report.scores import (ATTRIBUTES, SCORED_RELATIONS, GoldAttribute, GoldDoc, GoldEntity, GoldRelation,
                              normalize_name, to_decimal)


class _Where(NamedTuple):
    path: str
    line: int

    def error(self, what: str) -> GoldError:
        return GoldError(f"{self.path}:{self.line}: {what}")


def _require(obj: Mapping[str, Any], key: str, ctx: str, where: _Where) -> Any:
    if key not in obj:
        raise where.error(f"{ctx}missing key {key!r}")
    return obj[key]


def _str(value: Any, ctx: str, where: _Where, *, nullable: bool = False,
         nonempty: bool = True) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise where.error(f"{ctx} must be a string, not {type(value).__name__}")
    if nonempty and not normalize_name(value):
        raise where.error(f"{ctx} must not be empty")
    return value


def _list(value: Any, ctx: str, where: _Where) -> list[Any]:
    if not isinstance(value, list):
        raise where.error(f"{ctx} must be a list, not {type(value).__name__}")
    return value


def _obj(value: Any, ctx: str, where: _Where) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise where.error(f"{ctx} must be an object, not {type(value).__name__}")
    return value


def _choice(value: Any, choices: Sequence[str], ctx: str, where: _Where, what: str) -> str:
    if value not in choices:
        hint = " (partOf is not scored: docs/annotation.md)" if value == "partOf" else ""
        raise where.error(f"{ctx}: unknown {what} {value!r}{hint}; "
                          f"expected one of {', '.join(choices)}")
    return value


def _gold_entity(raw: Any, i: int, where: _Where) -> GoldEntity:
    ctx = f"entities[{i}]"
    obj = _obj(raw, ctx, where)
    req = lambda key: _require(obj, key, f"{ctx}: ", where)  # noqa: E731
    type_ = _choice(req("type"), ENTITY_TYPES, f"{ctx}.type", where, "entity type")
    name = _str(req("name"), f"{ctx}.name", where)
    aliases = _list(req("aliases"), f"{ctx}.aliases", where)
    for k, alias in enumerate(aliases):
        _str(alias, f"{ctx}.aliases[{k}]", where)
    level = req("level")
    if level is not None:
        _choice(level, LEVELS, f"{ctx}.level", where, "level")
    return GoldEntity(type_, name, tuple(aliases), level)


def _gold_relation(raw: Any, i: int, where: _Where) -> GoldRelation:
    ctx = f"relations[{i}]"
    obj = _obj(raw, ctx, where)
    req = lambda key: _require(obj, key, f"{ctx}: ", where)  # noqa: E731
    head = _str(req("head"), f"{ctx}.head", where)
    rel = _choice(req("rel"), SCORED_RELATIONS, f"{ctx}.rel", where, "relation")
    tail = _str(req("tail"), f"{ctx}.tail", where)
    evidence = _str(req("evidence"), f"{ctx}.evidence", where, nonempty=False)
    return GoldRelation(head, rel, tail, evidence)


def _gold_attribute(raw: Any, i: int, where: _Where) -> GoldAttribute:
    ctx = f"attributes[{i}]"
    obj = _obj(raw, ctx, where)
    req = lambda key: _require(obj, key, f"{ctx}: ", where)  # noqa: E731
    entity = _str(req("entity"), f"{ctx}.entity", where)
    attr = _choice(req("attr"), ATTRIBUTES, f"{ctx}.attr", where, "attribute")
    raw_value = req("value")
    value = to_decimal(raw_value)
    if value is None or value < 0:
        raise where.error(f"{ctx}.value must be a non-negative number (yuan), not {raw_value!r}")
    return GoldAttribute(entity, attr, value)


def _gold_doc(raw: Any, where: _Where) -> GoldDoc:
    obj = _obj(raw, "a gold record", where)
    req = lambda key: _require(obj, key, "", where)  # noqa: E731
    doc = _str(req("doc"), "doc", where)
    city = _str(req("city"), "city", where, nullable=True)
    entities = tuple(_gold_entity(e, i, where)
                     for i, e in enumerate(_list(req("entities"), "entities", where)))
    relations = tuple(_gold_relation(r, i, where)
                      for i, r in enumerate(_list(req("relations"), "relations", where)))
    attributes = tuple(_gold_attribute(a, i, where)
                       for i, a in enumerate(_list(req("attributes"), "attributes", where)))
    doubtful = _list(obj.get("doubtful", []), "doubtful", where)
    for k, note in enumerate(doubtful):
        _str(note, f"doubtful[{k}]", where, nonempty=False)
    # "Each entity is listed once per document" (docs/annotation.md, "The record format").
    seen: dict[tuple[str, str], int] = {}
    for i, e in enumerate(entities):
        key = (e.type, normalize_name(e.name))
        if key in seen:
            raise where.error(f"entities[{i}]: {e.type} {e.name!r} is listed twice "
                              f"(also entities[{seen[key]}])")
        seen[key] = i
    return GoldDoc(doc, city, entities, relations, attributes, tuple(doubtful), where.line)


def _is_json_document(text: str) -> bool:
    try:
        json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return False
    return True


def load_gold(path: str | os.PathLike[str]) -> list[GoldDoc]:
    """Read a gold JSONL file (one record per line, blank lines ignored).

    Raises :class:`~kg.errors.GoldError` naming ``path:line`` for a line that is
    not JSON or breaks the format of docs/annotation.md; every key of its
    example is required (``doubtful`` is optional, unknown keys are ignored).
    """
    where = _Where(str(path), 0)
    if not Path(path).exists() and not Path(path).is_symlink():
        raise GoldError(f"{path}: gold file not found")
    # a regular file only, never more than MAX_GOLD_BYTES: /dev/zero or a FIFO is refused, never read
    data = read_regular_file(path, MAX_GOLD_BYTES, error=GoldError)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GoldError(f"{path}: cannot read the gold file: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    docs: list[GoldDoc] = []
    first_line: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = _Where(str(path), n)
        try:
            raw = json.loads(line)
        except RecursionError:
            raise where.error("nested too deeply to be a gold record") from None
        except json.JSONDecodeError as exc:
            hint = "each line must hold one whole record (JSON Lines)"
            if n == 1 and _is_json_document(text):
                hint = "the file is one JSON document; gold must be JSON Lines, one record a line"
            raise where.error(f"not valid JSON ({exc.msg} at column {exc.colno}); {hint}") from None
        gold = _gold_doc(raw, where)
        if gold.doc in first_line:
            raise where.error(f"doc {gold.doc!r} already has a record "
                              f"on line {first_line[gold.doc]}")
        first_line[gold.doc] = n
        docs.append(gold)
    if not docs:
        raise GoldError(f"{path}: empty gold file: expected one JSON record per line")
    return docs
