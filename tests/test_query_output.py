"""Tests of kg.report.query.formats and runner: what ``kg query`` prints, and how it runs.

Table cells cut at ``--max-width`` and safe for a terminal, W3C TSV, formula
cells neutralised in CSV and nothing else, tables larger than memory, the
options' checks, and the streaming runner (issue 16 items 8, 9, 14; issue 17
item 4).  The time limit and Ctrl-C of real queries are in
``tests/test_attack_query.py``; the rdflib engine's are here.
"""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.cli import main
from kg.report.query import QueryResult, Value, format_csv, format_json, format_table, format_tsv, write_query
from kg.report.query import formats

ROOT = Path(__file__).resolve().parents[1]
XSD = "http://www.w3.org/2001/XMLSchema#"
LONG = "山西省" * 40  # 120 汉字: 240 display columns

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def lit(text: str, datatype: str | None = None, lang: str | None = None) -> Value:
    return Value("literal", text, datatype, lang)


@pytest.fixture(scope="module")
def graph(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("out") / "g.nt"
    path.write_text(f'<http://example.org/a> <http://example.org/p> "{LONG}"@zh .\n'
                    '<http://example.org/b> <http://example.org/p> "短"@zh .\n', encoding="utf-8")
    return path


# -- table ----------------------------------------------------------------------------------------

def _widths(out: str) -> list[int]:
    return [formats._width(line) for line in out.splitlines()]


def test_table_cells_are_cut_at_max_width_60_by_default(graph, capsys):
    assert main(["query", "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?s", "--graph", str(graph)]) == 0
    lines = capsys.readouterr().out.splitlines()
    # (a 汉字 takes two columns: the cut line is 59 or 60 columns wide)
    assert lines[2].endswith("…") and 59 <= formats._width(lines[2]) <= 60 and lines[2].startswith("山西省山西省")
    assert lines[3] == "短" and lines[-1] == "(2 rows)"


@pytest.mark.parametrize("width, longest", [("10", (9, 10)), ("0", (240, 240)), ("300", (240, 240))])
def test_max_width(graph, capsys, width, longest):
    assert main(["query", "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?s", "--graph", str(graph),
                 "--max-width", width]) == 0
    assert longest[0] <= max(_widths(capsys.readouterr().out)) <= longest[1]


@pytest.mark.parametrize("option, value", [("--max-width", "-1"), ("--max-width", "x"), ("--timeout", "-1"),
                                           ("--timeout", "inf"), ("--timeout", "nan"), ("--timeout", "soon")])
def test_bad_option_values_are_usage_errors(graph, capsys, option, value):
    with pytest.raises(SystemExit) as exc:
        main(["query", "ASK {}", "--graph", str(graph), option, value])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: argument " + option)


def test_table_shows_control_characters_as_escapes_and_line_breaks_as_marks():
    result = QueryResult(("o",), ((lit("前\x1b[2J中\x07后\n尾\u202e!"),), (Value("uri", "http://example.org/\x85"),)))
    table = format_table(result)
    assert table.splitlines()[2] == "前\\x1b[2J中\\x07后⏎尾\\u202e!"
    assert table.splitlines()[3] == "http://example.org/\\x85"


def test_table_shortens_the_graph_vocabulary_and_answers_ask():
    result = QueryResult(("t",), ((Value("uri", "https://w3id.org/shanxi-kg/ontology#Agency"),),
                                  (Value("uri", "http://www.w3.org/ns/org#Organization"),)))
    assert format_table(result).splitlines()[2:4] == ["kg:Agency", "org:Organization"]
    assert format_table(QueryResult((), (), True)) == "true"


def test_a_table_larger_than_its_memory_spills_to_disk_and_prints_the_same(monkeypatch):
    rows = tuple((lit(f"第{i}行" * (i % 7)), lit(str(i), XSD + "integer")) for i in range(50))
    result = QueryResult(("text", "n"), rows)
    in_memory = format_table(result, max_width=12)
    monkeypatch.setattr(formats, "SPILL_ROWS", 3)
    spilled = io.StringIO()
    writer = formats.TableWriter(spilled, 12)
    writer.start(result.variables)
    writer.write_rows(rows[:20])
    assert writer.spill is not None  # rows 4-20 already wait on disk
    writer.write_rows(rows[20:])
    writer.finish()
    assert spilled.getvalue() == in_memory + "\n"


# -- csv, tsv, json ----------------------------------------------------------------------------

HOSTILE = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x", "'quoted", "-5", "3.5", "东湖"]


def test_csv_neutralises_formula_cells_and_only_those():
    result = QueryResult(("o",), tuple((lit(t),) for t in HOSTILE) + ((lit("-7", XSD + "integer"),),))
    cells = [r[0] for r in csv.reader(io.StringIO(format_csv(result), newline=""))][1:]
    assert cells == ["'=1+2", "'+SUM(A1)", "'-2+3", "'@cmd", "'\t=x", "'\r=x", "''quoted", "-5", "3.5", "东湖", "-7"]


def test_json_and_tsv_stay_exact():
    result = QueryResult(("o",), tuple((lit(t),) for t in HOSTILE))
    bindings = json.loads(format_json(result))["results"]["bindings"]
    assert [b["o"]["value"] for b in bindings] == HOSTILE
    lines = format_tsv(result).split("\n")
    assert lines[0] == "?o" and lines[1:3] == ['"=1+2"', '"+SUM(A1)"'] and lines[5:7] == ['"\\t=x"', '"\\r=x"']


def test_tsv_is_the_w3c_format():
    result = QueryResult(("s", "o", "n"), (
        (Value("uri", "http://example.org/a"), lit("长治\t市", lang="zh"), lit("918000000", XSD + "decimal")),
        (Value("bnode", "b0"), lit('say "hi"\\'), lit("12", XSD + "integer")),
        (None, lit("2024-01-01", XSD + "date"), lit("x1", XSD + "integer")),
    ))
    assert format_tsv(result) == (
        "?s\t?o\t?n\n"
        '<http://example.org/a>\t"长治\\t市"@zh\t"918000000"^^<http://www.w3.org/2001/XMLSchema#decimal>\n'
        '_:b0\t"say \\"hi\\"\\\\"\t12\n'
        f'\t"2024-01-01"^^<{XSD}date>\t"x1"^^<{XSD}integer>\n')


@pytest.mark.parametrize("fmt, expected", [("table", "true\n"), ("csv", "boolean\r\ntrue\r\n"), ("tsv", "true\n"),
                                           ("json", '{"head": {}, "boolean": true}\n')])
def test_ask_in_every_format(graph, capsys, fmt, expected):
    assert main(["query", "ASK { ?s ?p ?o }", "--graph", str(graph), "--format", fmt]) == 0
    assert capsys.readouterr().out == expected


# -- the runner ------------------------------------------------------------------------------------

class _Recorder(io.StringIO):
    """An output that notes how many rows had been written at each write."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0


def test_write_query_writes_rows_as_they_come(tmp_path):
    path = tmp_path / "many.nt"
    path.write_text("".join(f'<http://example.org/s{i}> <http://example.org/p> "{i}" .\n' for i in range(3000)),
                    encoding="utf-8")
    out = _Recorder()
    writes = []
    out.write = lambda text, _write=out.write: (writes.append(text.count("\n")), _write(text))[1]
    rows = write_query("SELECT ?o WHERE { ?s ?p ?o }", path, out, fmt="csv")
    assert rows == 3000 and out.getvalue().count("\r\n") == 3001
    assert len(writes) > 3, "the rows were written in one piece, not as they came"


def test_a_query_file_that_is_not_a_regular_file_is_refused(tmp_path, graph, capsys):
    fifo = tmp_path / "q.rq"
    os.mkfifo(fifo)
    assert main(["query", str(fifo), "--graph", str(graph)]) == 1
    assert capsys.readouterr().err == f"error: {fifo}: not a regular file\n"


def _kg(*args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUTF8="1")
    return subprocess.Popen([sys.executable, "-m", "kg.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, start_new_session=True)


_ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("small") / "small.nt"
    path.write_text("".join(f'<http://example.org/s{i}> <http://example.org/p{i % 5}> "{i}" .\n' for i in range(150)),
                    encoding="utf-8")
    return path


def test_the_rdflib_engine_times_out_too(small):
    proc = _kg("query", _ENDLESS, "--graph", str(small), "--engine", "rdflib", "--timeout", "1")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and out == b""
    assert err.decode().startswith("error: query timed out after 1 s")


def test_ctrl_c_ends_an_rdflib_join(small):
    proc = _kg("query", _ENDLESS, "--graph", str(small), "--engine", "rdflib")
    time.sleep(4)  # started, graph loaded, inside the join (it runs for hours)
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 130 and err == b"error: interrupted\n"


def test_a_reader_that_goes_away_ends_the_query_quietly(tmp_path):
    path = tmp_path / "many.nt"
    path.write_text("".join(f'<http://example.org/s{i}> <http://example.org/p> "{i}" .\n' for i in range(20000)),
                    encoding="utf-8")
    proc = _kg("query", "SELECT ?o WHERE { ?s ?p ?o }", "--graph", str(path), "--format", "csv")
    proc.stdout.read(100)
    proc.stdout.close()  # as `kg query … | head` does
    err = proc.stderr.read()
    proc.wait(timeout=30)
    assert proc.returncode == 1 and err == b""


def test_an_engine_panic_is_one_line(graph, monkeypatch):
    """pyoxigraph reports its own bugs as pyo3's PanicException, a BaseException: still one error line."""
    from kg.errors import QueryError
    from kg.report.query import engines, runner

    panic = type("PanicException", (BaseException,), {})

    def crash(*args, **kwargs):
        raise panic("index out of bounds")

    monkeypatch.setattr(runner, "solutions", crash)
    with pytest.raises(QueryError, match=r"internal error \(index out of bounds\)"):
        write_query("ASK { ?s ?p ?o }", graph, io.StringIO())
    monkeypatch.setattr(engines, "_oxigraph", crash)
    with pytest.raises(QueryError, match=r"internal error \(index out of bounds\)"):
        engines.solutions(engines.Prepared("ASK {}", "ASK {}"), graph)
