"""What the tests share that is not a fixture: sample data and small tools.

Not a test module (pytest collects ``test_*.py`` only): test modules import
from here and never from one another.  Fixtures built from these (one shared
copy of a graph, the corpus built once per session) are in ``conftest.py``.

* the sample documents and graph: a four-level fake gazetteer and two small
  hand-written documents (:func:`result_a`, :func:`result_b`,
  :func:`make_sample_graph`);
* hostile text: the sample corpus plus markup (:func:`hostile_results`) and a
  graph of quotes, backslashes and every C0 control (:func:`make_nasty_graph`);
* the bundled corpus and its exports (:func:`build_corpus_graph`,
  :func:`write_every_export`, :func:`same_exports`);
* tools: :func:`ensure_debian` (install a Debian package a test needs),
  :func:`from_rapper` (raptor's reading of an RDF file), :func:`page_json`
  (the HTML view's JSON text), :func:`benchmark` (a script of
  ``benchmarks/`` as a module).

Running the per-document stages on a hand-written text: ``helpers.py``.
"""
from __future__ import annotations

import filecmp
import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import networkx as nx
import pytest
from rdflib import Dataset, Graph

from kg.graph import build_graph
from kg.ids import entity_id
from kg.records import Article, Attribute, Division, Document, DocResult, Entity, Mention, Relation

ROOT = Path(__file__).resolve().parents[1]
#: The files of the bundled corpus, in name order.
CORPUS = sorted((ROOT / "corpus").iterdir())

# -- the sample documents -----------------------------------------------------------

#: A tiny gazetteer: 山西省 ← 长治市 ← 潞城区 ← 店上镇 (a township without code).
GAZETTEER = {
    d.id: d
    for d in (
        Division("140000", "140000", "山西省", "province", None, ("山西", "晋")),
        Division("140400", "140400", "长治市", "prefecture", "140000", ("长治",)),
        Division("140406", "140406", "潞城区", "county", "140400", ("潞城",)),
        Division("140406-dsz", None, "店上镇", "township", "140406", ("店上",)),
    )
}

SHANXI, CHANGZHI, LUCHENG, DIANSHANG = (
    "division:140000", "division:140400", "division:140406", "division:140406-dsz")
GOV = entity_id("Agency", "潞城区人民政府")
FGJ = entity_id("Agency", "潞城区发展和改革局")
ZHANG = entity_id("Person", "张三")
PROJECT = entity_id("Project", "潞城区光伏发电项目")
COMPANY = entity_id("Organization", "山西潞安集团有限公司")

TEXT_A = ("长治市潞城区人民政府召开会议。"
          "潞城区发展和改革局局长张三介绍，潞城区光伏发电项目总投资918000000元。"
          "该项目由山西潞安集团有限公司承建，位于店上镇。")
TEXT_B = ("潞城区光伏发电项目开工。"
          "区发改局局长张三说，项目总投资9亿元。"
          "潞城区光伏发电项目总投资900000000元，由潞安集团承建。")


def sentence(text: str, n: int) -> tuple[int, int, str]:
    """Offsets and text of the n-th sentence (from 0, ending in 。)."""
    start = 0
    for _ in range(n):
        start = text.index("。", start) + 1
    end = text.index("。", start) + 1
    return start, end, text[start:end]


def span(text: str, surface: str, after: int = 0) -> tuple[int, int]:
    start = text.index(surface, after)
    return start, start + len(surface)


def result_a() -> DocResult:
    """Document A: one article, every relation, one investment."""
    art = Article("a-1", "a.txt", 0, len(TEXT_A), "潞城区召开会议", "2023-05-06")
    doc = Document("a.txt", TEXT_A, "utf-8", (art,))
    s0, s1, s2 = (sentence(TEXT_A, i) for i in range(3))
    entities = (
        Entity(CHANGZHI, "Division", "长治市", level="prefecture", code="140400", parent=SHANXI),
        Entity(LUCHENG, "Division", "潞城区", ("潞城",), "county", "140406", CHANGZHI),
        Entity(DIANSHANG, "Division", "店上镇", level="township", parent=LUCHENG),
        Entity(GOV, "Agency", "潞城区人民政府"),
        Entity(FGJ, "Agency", "潞城区发展和改革局"),
        Entity(ZHANG, "Person", "张三"),
        Entity(PROJECT, "Project", "潞城区光伏发电项目"),
        Entity(COMPANY, "Organization", "山西潞安集团有限公司"),
    )
    mentions = tuple(
        Mention(eid, "a-1", *span(TEXT_A, surface), surface)
        for eid, surface in [(CHANGZHI, "长治市"), (LUCHENG, "潞城区"), (GOV, "潞城区人民政府"),
                             (FGJ, "潞城区发展和改革局"), (ZHANG, "张三"),
                             (PROJECT, "潞城区光伏发电项目"), (COMPANY, "山西潞安集团有限公司"),
                             (DIANSHANG, "店上镇")]
    )
    relations = (
        Relation(GOV, "administers", LUCHENG, "a-1", s0[0], s0[1], s0[2], rule="gov_of_division"),
        Relation(FGJ, "subOrganizationOf", GOV, "a-1", s1[0], s1[1], s1[2], rule="name_prefix"),
        Relation(ZHANG, "worksFor", FGJ, "a-1", s1[0], s1[1], s1[2], role="局长",
                 rule="title_before_name"),
        Relation(COMPANY, "undertakes", PROJECT, "a-1", s2[0], s2[1], s2[2], rule="chengjian"),
        Relation(PROJECT, "locatedIn", DIANSHANG, "a-1", s2[0], s2[1], s2[2], rule="weiyu"),
    )
    attributes = (Attribute(PROJECT, "investment", "918000000", "a-1", s1[0], s1[1], s1[2]),)
    return DocResult(doc, entities, mentions, relations, attributes, city=CHANGZHI)


def result_b() -> DocResult:
    """Document B: two articles; the worksFor fact again, a later investment value."""
    cut = sentence(TEXT_B, 1)[1]
    arts = (Article("b-1", "b.txt", 0, cut, "光伏项目开工"),
            Article("b-2", "b.txt", cut, len(TEXT_B), "项目简讯"))
    doc = Document("b.txt", TEXT_B, "utf-8", arts)
    s1, s2 = sentence(TEXT_B, 1), sentence(TEXT_B, 2)
    entities = (
        Entity(LUCHENG, "Division", "潞城区", ("潞城",), "county", "140406", CHANGZHI),
        Entity(FGJ, "Agency", "潞城区发展和改革局", ("区发改局",)),
        Entity(ZHANG, "Person", "张三"),
        Entity(PROJECT, "Project", "潞城区光伏发电项目", ("光伏项目",)),
        Entity(COMPANY, "Organization", "山西潞安集团有限公司", ("潞安集团",)),
    )
    mentions = (
        Mention(PROJECT, "b-1", *span(TEXT_B, "潞城区光伏发电项目"), "潞城区光伏发电项目"),
        Mention(FGJ, "b-1", *span(TEXT_B, "区发改局"), "区发改局"),
        Mention(ZHANG, "b-1", *span(TEXT_B, "张三"), "张三"),
        Mention(PROJECT, "b-2", *span(TEXT_B, "潞城区光伏发电项目", s2[0]), "潞城区光伏发电项目"),
        Mention(COMPANY, "b-2", *span(TEXT_B, "潞安集团"), "潞安集团"),
    )
    relations = (
        Relation(ZHANG, "worksFor", FGJ, "b-1", s1[0], s1[1], s1[2], role="局长",
                 rule="title_before_name"),
        Relation(COMPANY, "undertakes", PROJECT, "b-2", s2[0], s2[1], s2[2], rule="chengjian"),
    )
    attributes = (Attribute(PROJECT, "investment", "900000000", "b-2", s2[0], s2[1], s2[2]),)
    return DocResult(doc, entities, mentions, relations, attributes, city=CHANGZHI)


def sample_results() -> list[DocResult]:
    """Documents A and B."""
    return [result_a(), result_b()]


def make_sample_graph() -> nx.MultiDiGraph:
    """A new graph of the two sample documents (the ``sample_graph`` fixture is one shared copy)."""
    return build_graph(sample_results(), GAZETTEER)


def snapshot(g: nx.MultiDiGraph) -> tuple[list, list]:
    """Everything observable about a graph, including its order."""
    return list(g.nodes(data=True)), list(g.edges(keys=True, data=True))


# -- hostile text -------------------------------------------------------------------

#: Markup that would run if it ever reached the DOM as HTML.
XSS = "<img src=x onerror=window.__pwned=1>"
BREAKOUT = "</script><script>window.__pwned=1</script><!--"
ALIAS = '"quoted" & <b onmouseover=window.__pwned=1>alias</b>'
MARKER = "%%PAGE_JS%% %%DATA%%"  # template markers inside corpus text stay text


def hostile_results() -> list[DocResult]:
    """The sample corpus plus an organization whose name, alias, evidence, rule and article are markup."""
    base = result_a()
    text = base.document.text + BREAKOUT
    art = Article("a-1", "a.txt", 0, len(text), XSS, "2023-05-06")
    doc = Document("a.txt", text, "utf-8", (art,))
    org = entity_id("Organization", XSS)
    rel = Relation(org, "undertakes", PROJECT, "a-1", len(TEXT_A), len(text), BREAKOUT,
                   rule="<b>rule</b>")
    extra = DocResult(doc, (Entity(org, "Organization", XSS, (ALIAS, MARKER)),
                            base.entities[6]),
                      (Mention(org, "a-1", 0, 1, "x"),), (rel,))
    return [*sample_results(), extra]


def make_hostile_graph() -> nx.MultiDiGraph:
    """A new graph of :func:`hostile_results` (the ``hostile_graph`` fixture is one shared copy)."""
    return build_graph(hostile_results(), GAZETTEER)


#: Untrusted text: quotes, backslashes, line breaks, markup and every C0 control.
NASTY = ('say """hi""" \\ back\\slash \\" end\\"\n'
         '<script>alert("x")</script> \'single\' '
         + "".join(chr(c) for c in range(0x20)) + "\x7f 中文 \\u0041 ends with \\\"")


def make_nasty_graph() -> tuple[nx.MultiDiGraph, str]:
    """Document A plus an organization named :data:`NASTY`, and that organization's id."""
    res = result_a()
    text = res.document.text + NASTY
    art = Article("a-1", "a.txt", 0, len(text), NASTY, "2023-05-06")
    doc = Document("a.txt", text, "utf-8", (art,))
    org = entity_id("Organization", NASTY)
    ent = Entity(org, "Organization", NASTY, (NASTY + "别名",))
    rel = Relation(org, "undertakes", PROJECT, "a-1", len(res.document.text), len(text), NASTY,
                   role=None, rule=NASTY)
    return build_graph([DocResult(doc, (ent, res.entities[6]), (Mention(org, "a-1", 0, 1, "x"),),
                                  (rel,))], GAZETTEER), org


# -- the bundled corpus and its exports ------------------------------------------------

def build_corpus_graph() -> nx.MultiDiGraph:
    """The knowledge graph of the bundled corpus (the ``corpus_graph`` fixture builds it once)."""
    from kg.corpus import iter_corpus_files
    from kg.knowledge.gazetteer import load_gazetteer
    from kg.run.build import BuildSummary, iter_results

    files = list(iter_corpus_files([ROOT / "corpus"]))
    return build_graph(iter_results(files, BuildSummary()), load_gazetteer().divisions)


def write_every_export(graph: nx.MultiDiGraph, out: Path) -> Path:
    """Every export of ``kg build`` of ``graph`` written into ``out``; returns ``out``."""
    from kg.run.build import write_exports

    write_exports(graph, out)
    return out


def same_exports(a: Path, b: Path) -> None:
    """Two export folders hold the same files, byte for byte (``graph.ttl`` among them)."""
    names = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    assert "graph.ttl" in names
    for name in names:
        assert filecmp.cmp(a / name, b / name, shallow=False), f"{name} differs"


def copy_corpus(folder: Path, count: int, extra: dict[str, bytes] | None = None) -> Path:
    """The first ``count`` files of the bundled corpus copied into ``folder``, plus ``extra`` files."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in CORPUS[:count]:
        shutil.copy(path, folder / path.name)
    for name, data in (extra or {}).items():
        (folder / name).write_bytes(data)
    return folder


# -- tools --------------------------------------------------------------------------

_APT_UPDATED = False


def ensure_debian(package: str, binary: str) -> str:
    """Path of ``binary``, installing Debian ``package`` first if it is missing.

    The test command installs what it needs (the machine is root, apt reaches
    Debian's registry); where that is impossible the calling test is skipped
    with the reason, never silently passed.
    """
    global _APT_UPDATED
    found = shutil.which(binary) or (binary if os.path.exists(binary) else None)
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip(f"{binary} missing and cannot install Debian package {package} (not root / no apt)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        if not _APT_UPDATED:
            subprocess.run(["apt-get", "update", "-q"], check=True, env=env, capture_output=True, timeout=600)
            _APT_UPDATED = True
        subprocess.run(["apt-get", "install", "-y", "-q", package], check=True, env=env,
                       capture_output=True, timeout=1200)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"installing Debian package {package} failed: {exc}")
    found = shutil.which(binary) or (binary if os.path.exists(binary) else None)
    if not found:
        pytest.fail(f"Debian package {package} installed but {binary} not found")
    return found


def from_rapper(rapper: str, path: Path, syntax: str) -> Graph:
    """The triples raptor's ``rapper`` reads from ``path`` (named graphs merged); it must not complain."""
    out = subprocess.run([rapper, "-q", "-i", syntax, "-o", "nquads", str(path)],
                         capture_output=True, check=True)
    assert out.stderr == b""
    ds = Dataset()
    ds.parse(data=out.stdout.decode("utf-8"), format="nquads")
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def page_json(value) -> str:
    """JSON text as the HTML view's data block writes it: UTF-8, keys sorted, no blanks, no NaN.

    :func:`kg.export.page_data.streamed_page_data` must write the text of
    ``page_json(to_page_data(graph))``.
    """
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def benchmark(name: str) -> ModuleType:
    """The script ``benchmarks/<name>.py`` imported as a module (its generators, its measuring tools)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.pop(0)


def pattern_examples(table: str) -> list:
    """One ``pytest.param(text, type, found, absent)`` per ``[TABLE.NAME]`` of every pattern file.

    ``table`` is ``"examples"`` (the names a finder must find) or ``"resolved"``
    (the names resolution must give); each id is ``FILE:NAME``.
    """
    from kg.knowledge.lexicon import load_lexicon, read_schema

    lexicon = load_lexicon()
    params = []
    for name in read_schema():
        patterns = lexicon.file(name)
        rules = dict.fromkeys(k.split(".")[1] for k in patterns.keys() if k.startswith(table + "."))
        for rule in rules:
            example = patterns.section(f"{table}.{rule}")
            params.append(pytest.param(example.string("text"), example.string("type"), example.words("found"),
                                       example.words("absent"), id=f"{name}:{rule}"))
    return params


def load_ladybug(csv_dir: Path, db_path: Path):
    """A LadybugDB connection to ``db_path`` loaded by the export's own ``ladybug.cypher``, run from ``csv_dir``."""
    import ladybug  # the test extra (pyproject.toml): missing is a failure of the tests that ask, not a skip

    conn = ladybug.Connection(ladybug.Database(str(db_path)))
    cwd = os.getcwd()
    os.chdir(csv_dir)  # the script names the CSV files relative to its directory
    try:
        conn.execute((csv_dir / "ladybug.cypher").read_text(encoding="utf-8"))
    finally:
        os.chdir(cwd)
    return conn
