"""The facts table (``facts.csv``): one row per fact read from text, for spreadsheets.

The unit tests read the file back with :mod:`csv`; the LibreOffice test opens
it in a real spreadsheet engine (Debian's LibreOffice Calc, headless, with
formula evaluation on) and saves it as xlsx and back as CSV.
"""
from __future__ import annotations

import csv
import io
import os
import random
import subprocess
import zipfile
from pathlib import Path

import networkx as nx
import pytest

from kg.export.csvsafe import FORMULA_START, original_text
from kg.export.facts import FACT_COLUMNS, iter_fact_rows, write_facts_csv
from kg.ids import iri

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = iri("article:t-1")
ARTICLE2 = iri("article:t-2")

#: Cells a spreadsheet would run, and text CSV must quote.
HOSTILE = ["=1+2 东湖公园开园", "@SUM(1)榆次区", "+1+1清徐县", "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1",
           "'引号开头", '含"引号",逗号\n换行\r\n回车']


def _ev(start: int, end: int, text: str, article: str = ARTICLE, role=None, value=None) -> dict:
    ev = {"article": article, "start": start, "end": end, "text": text, "role": role, "rule": "r"}
    if value is not None:
        ev["value"] = value
    return ev


def small_graph(order: int = 0) -> nx.MultiDiGraph:
    """Two articles, an agency, a person with a role, a project with an investment, a gazetteer edge.

    ``order`` shuffles the insertion order of nodes and edges (the rows must not change).
    """
    nodes = [
        (ARTICLE, {"kind": "Article", "label": "第一篇", "title": "第一篇", "source": "b.txt", "start": 0,
                   "end": 100, "date": None}),
        (ARTICLE2, {"kind": "Article", "label": "第二篇", "title": "第二篇", "source": "a.txt", "start": 0,
                    "end": 50, "date": None}),
        (iri("division:140722"), {"kind": "Division", "label": "左权县", "aliases": [], "mentioned_in": [ARTICLE],
                                  "level": "county", "adcode": "140722"}),
        (iri("division:140700"), {"kind": "Division", "label": "晋中市", "aliases": [], "mentioned_in": [],
                                  "level": "prefecture", "adcode": "140700"}),
        (iri("agency:a"), {"kind": "Agency", "label": "左权县民政局", "aliases": [], "mentioned_in": [ARTICLE]}),
        (iri("person:p"), {"kind": "Person", "label": "王明远", "aliases": [], "mentioned_in": [ARTICLE]}),
        (iri("project:x"), {"kind": "Project", "label": "东湖工程", "aliases": [], "mentioned_in": [ARTICLE2],
                            "investment": "175300000",
                            "investment_evidence": [_ev(5, 20, "投资1.753亿元建东湖工程。", ARTICLE2,
                                                        value="175300000")]}),
    ]
    edges = [
        (iri("agency:a"), iri("division:140722"), "administers",
         [_ev(10, 30, "左权县民政局召开会议。"), _ev(40, 60, "左权县民政局发布通知。")]),
        (iri("person:p"), iri("agency:a"), "worksFor", [_ev(10, 30, "左权县民政局召开会议。", role="局长")]),
        (iri("division:140722"), iri("division:140700"), "partOf", []),
    ]
    rnd = random.Random(order)
    if order:
        rnd.shuffle(nodes)
        rnd.shuffle(edges)
    g = nx.MultiDiGraph()
    g.add_nodes_from(nodes)
    for h, t, rel, evidence in edges:
        g.add_edge(h, t, key=rel, rel=rel, evidence=evidence)
    return g


def read_facts(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


# -- rows -----------------------------------------------------------------------------

def test_one_row_per_evidence_of_each_relation_and_attribute_in_reading_order(tmp_path):
    rows = read_facts(write_facts_csv(small_graph(), tmp_path / "facts.csv"))
    assert rows[0] == list(FACT_COLUMNS)
    assert rows[1:] == [
        # a.txt before b.txt; then by offsets; the gazetteer's partOf has no row
        ["东湖工程", "Project", "investment", "", "", "175300000", "第二篇", "a.txt", "投资1.753亿元建东湖工程。", "5", "20"],
        ["左权县民政局", "Agency", "administers", "左权县", "Division", "", "第一篇", "b.txt", "左权县民政局召开会议。",
         "10", "30"],
        ["王明远", "Person", "worksFor", "左权县民政局", "Agency", "局长", "第一篇", "b.txt", "左权县民政局召开会议。",
         "10", "30"],
        ["左权县民政局", "Agency", "administers", "左权县", "Division", "", "第一篇", "b.txt", "左权县民政局发布通知。",
         "40", "60"],
    ]


def test_bytes_are_rfc_4180_with_a_bom_and_do_not_depend_on_insertion_order(tmp_path):
    first = write_facts_csv(small_graph(), tmp_path / "a.csv").read_bytes()
    assert first.startswith("\ufeffhead,head_type,relation,".encode("utf-8"))
    assert first.count(b"\r\n") == 5 and b"\n" not in first.replace(b"\r\n", b"")
    for order in (1, 2, 3):
        assert write_facts_csv(small_graph(order), tmp_path / f"{order}.csv").read_bytes() == first


def test_hostile_text_is_quoted_and_never_starts_a_formula(tmp_path):
    g = small_graph()
    for i, text in enumerate(HOSTILE):
        g.add_node(iri(f"organization:{i}"), kind="Organization", label=text, aliases=[], mentioned_in=[ARTICLE])
        g.add_edge(iri(f"organization:{i}"), iri("division:140722"), key="locatedIn", rel="locatedIn",
                   evidence=[_ev(100 + i, 110 + i, text, role=None)])
    g.nodes[iri("person:p")]["label"] = "-王明远"
    g.edges[iri("person:p"), iri("agency:a"), "worksFor"]["evidence"][0]["role"] = "=局长"
    g.nodes[ARTICLE]["title"] = "@标题"
    path = write_facts_csv(g, tmp_path / "facts.csv")
    rows = read_facts(path)
    assert all(len(r) == len(FACT_COLUMNS) for r in rows)
    cells = [c for r in rows[1:] for c in r]
    assert not [c for c in cells if c and c[0] in FORMULA_START], "a spreadsheet would run a cell"
    # every text comes back once the one apostrophe is taken off
    texts = {original_text(c) for c in cells}
    assert set(HOSTILE) | {"-王明远", "=局长", "@标题"} <= texts
    by_head = {original_text(r[0]): r for r in rows[1:]}
    for text in HOSTILE:
        assert original_text(by_head[text][8]) == text  # the evidence cell too
    # numbers stay numbers
    assert by_head["东湖工程"][5] == "175300000"


def test_the_corpus_facts_quote_their_source_exactly(corpus_facts):
    """Every row's evidence is ``text[start:end]`` of its source file, and every evidence has a row."""
    graph, rows = corpus_facts
    texts: dict[str, str] = {}
    for r in rows[1:]:
        row = dict(zip(FACT_COLUMNS, r))
        source = row["source"]
        if source not in texts:
            texts[source] = (ROOT / "corpus" / source).read_text(encoding="utf-8")
        assert texts[source][int(row["start"]):int(row["end"])] == original_text(row["evidence"])
        assert row["head"] and row["head_type"] and row["article_title"]
    evidences = sum(len(d["evidence"]) for _, _, d in graph.edges(data=True))
    evidences += sum(len(d.get("investment_evidence", ())) for _, d in graph.nodes(data=True))
    assert len(rows) - 1 == evidences > 100
    assert {r[2] for r in rows[1:]} >= {"administers", "locatedIn", "undertakes", "worksFor", "investment"}
    assert list(iter_fact_rows(graph))[0][0] == rows[1][0]


def test_the_committed_facts_table_is_the_corpus_build(corpus_facts, tmp_path):
    graph, _ = corpus_facts
    fresh = write_facts_csv(graph, tmp_path / "facts.csv").read_bytes()
    assert (ROOT / "exports" / "facts.csv").read_bytes() == fresh


@pytest.fixture(scope="module")
def corpus_facts(tmp_path_factory):
    from kg.corpus import iter_corpus_files
    from kg.graph import build_graph
    from kg.knowledge.gazetteer import load_gazetteer
    from kg.run.build import BuildSummary, iter_results

    graph = build_graph(iter_results(iter_corpus_files([ROOT / "corpus"]), BuildSummary()),
                        load_gazetteer().divisions)
    path = write_facts_csv(graph, tmp_path_factory.mktemp("facts") / "facts.csv")
    return graph, read_facts(path)


# -- a real spreadsheet engine ------------------------------------------------------------

# LibreOffice's CSV filter options (positional): separator 44 (,), text delimiter 34 ("),
# character set 76 (UTF-8), first line 1, ..., token 13 "evaluate formulas".  The import
# evaluates formulas, as a spreadsheet that is not careful would; the export writes the
# cells' values (not as shown: a large number keeps all its digits).
_IMPORT = "CSV:44,34,76,1,,0,false,false,false,false,false,-1,true"
_EXPORT = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false"


def _soffice(soffice: str, profile: Path, *args: str) -> None:
    result = subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                             *args], capture_output=True, text=True, timeout=300,
                            env=dict(os.environ, HOME=str(profile)))
    assert result.returncode == 0, result.stderr[-2000:]


def spreadsheet_round_trip(soffice: str, csv_path: Path, work: Path) -> tuple[list[list[str]], str]:
    """``csv_path`` opened in LibreOffice Calc, saved as xlsx, that saved as CSV: (rows, sheet XML)."""
    profile = work / "lo-profile"
    _soffice(soffice, profile, f"--infilter={_IMPORT}", "--convert-to", "xlsx", "--outdir", str(work / "xlsx"),
             str(csv_path))
    xlsx = work / "xlsx" / (csv_path.stem + ".xlsx")
    with zipfile.ZipFile(xlsx) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    _soffice(soffice, profile, "--convert-to", _EXPORT, "--outdir", str(work / "back"), str(xlsx))
    text = (work / "back" / (csv_path.stem + ".csv")).read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""))), sheet


def _lf(cell: str) -> str:
    return cell.replace("\r\n", "\n").replace("\r", "\n")


@pytest.mark.external
def test_libreoffice_reads_the_facts_table_as_text_and_runs_no_formula(soffice, corpus_facts, tmp_path):
    graph, _ = corpus_facts
    graph = graph.copy()
    # hostile names and sentences beside the corpus's facts
    article = next(k for k, d in graph.nodes(data=True) if d["kind"] == "Article")
    county = next(k for k, d in graph.nodes(data=True) if d.get("level") == "county")
    for i, text in enumerate(HOSTILE[:6]):
        key = iri(f"organization:hostile-{i}")
        graph.add_node(key, kind="Organization", label=text, aliases=[], mentioned_in=[article])
        graph.add_edge(key, county, key="locatedIn", rel="locatedIn",
                       evidence=[{"article": article, "start": 1000 + i, "end": 1010 + i, "text": text + "。",
                                  "role": None, "rule": "r"}])
    path = write_facts_csv(graph, tmp_path / "facts.csv")
    expected = read_facts(path)
    back, sheet = spreadsheet_round_trip(soffice, path, tmp_path)
    # every cell, Chinese and all, as written; a spreadsheet cell keeps its line
    # breaks as LF (a CR in the CSV comes back as one), which is no formula matter
    assert back == [[_lf(c) for c in r] for r in expected]
    assert "<f>" not in sheet and "<f " not in sheet, "LibreOffice stored a formula"
    assert any(r[0] == "'=1+2 东湖公园开园" for r in back)


@pytest.mark.external
def test_control_libreoffice_does_run_a_formula_cell_left_as_it_is(soffice, tmp_path):
    """Without :func:`safe_cell` the same import evaluates the cell: the test above can fail."""
    path = tmp_path / "raw.csv"
    path.write_bytes("\ufeffhead,evidence\r\n\"=1+2\",左权县\r\n".encode("utf-8"))
    back, sheet = spreadsheet_round_trip(soffice, path, tmp_path)
    assert back == [["head", "evidence"], ["3", "左权县"]]
    assert "<f" in sheet
