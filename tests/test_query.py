"""Tests of kg.report.query and ``kg query``: the competency questions on every export and engine."""
from __future__ import annotations

import csv
import re
import shlex
import io
import json
from pathlib import Path

import pytest

from kg.cli import main
from kg.errors import QueryError
from kg.export.turtle import write_turtle
from kg.report.query import Value, format_csv, format_json, format_table, load_store, run_query

from support import make_sample_graph, write_every_export

ROOT = Path(__file__).resolve().parents[1]
QUERIES = sorted((ROOT / "queries").glob("*.rq"))

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def texts(result) -> list[tuple]:
    return [tuple(None if v is None else v.value for v in row) for row in result.rows]


def test_there_are_at_least_eight_competency_questions():
    assert len(QUERIES) >= 8
    for q in QUERIES:
        first = q.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# "), f"{q.name} starts with a comment saying what it asks"


@pytest.fixture(scope="module")
def corpus_store(corpus_exports):
    return load_store(corpus_exports / "graph.ttl")


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_every_query_answers_on_the_bundled_corpus(query, corpus_store):
    result = run_query(str(query), corpus_store)
    assert result.rows, f"{query.name} has no answer on the bundled corpus"
    assert all(v is not None for v in result.variables)


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_rdflib_gives_the_same_answers_as_oxigraph(query, corpus_exports):
    path = corpus_exports / "graph.ttl"
    assert run_query(str(query), path, engine="rdflib") == run_query(str(query), path)


@pytest.mark.parametrize("name", ["graph.nt", "graph.trig", "graph.jsonld"])
def test_every_rdf_export_answers_the_same(name, corpus_store, corpus_exports):
    for query in QUERIES:
        expected = run_query(str(query), corpus_store)
        assert run_query(str(query), corpus_exports / name) == expected, (name, query.name)


# -- known answers on the hand-written sample graph ------------------------------------

@pytest.fixture(scope="module")
def sample_ttl(sample_graph, tmp_path_factory):
    return write_turtle(sample_graph, tmp_path_factory.mktemp("q") / "graph.ttl")


def test_projects_in_prefecture_at_any_depth(sample_ttl):
    result = run_query(str(ROOT / "queries/projects_in_prefecture.rq"), sample_ttl)
    assert result.variables == ("prefecture", "project", "place", "investment")
    assert texts(result) == [("长治市", "潞城区光伏发电项目", "店上镇", "918000000")]
    assert result.rows[0][3] == Value("literal", "918000000", "http://www.w3.org/2001/XMLSchema#decimal")


def test_people_and_roles(sample_ttl):
    result = run_query(str(ROOT / "queries/people_and_roles.rq"), sample_ttl)
    assert texts(result) == [("张三", "局长", "潞城区发展和改革局")]


def test_evidence_and_article_of_a_fact(sample_ttl):
    query = """
        PREFIX kg: <https://w3id.org/shanxi-kg/ontology#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?evidence ?source WHERE {
          ?s rdf:predicate kg:undertakes ; kg:evidence ?evidence ; prov:wasDerivedFrom ?a .
          ?a dcterms:source ?source .
        } ORDER BY ?source"""
    assert texts(run_query(query, sample_ttl)) == [
        ("该项目由山西潞安集团有限公司承建，位于店上镇。", "a.txt"),
        ("潞城区光伏发电项目总投资900000000元，由潞安集团承建。", "b.txt")]


def test_named_graphs_of_the_trig_export(tmp_path):
    out = write_every_export(make_sample_graph(), tmp_path)
    query = """
        PREFIX kg: <https://w3id.org/shanxi-kg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?article (COUNT(?e) AS ?mentions) WHERE { GRAPH ?article { ?e kg:mentionedIn ?article } }
        GROUP BY ?article ORDER BY ?article"""
    result = run_query(query, out / "graph.trig")
    counts: dict[str, int] = {}
    for _, data in make_sample_graph().nodes(data=True):
        for article in data.get("mentioned_in", ()):
            counts[article] = counts.get(article, 0) + 1
    assert [(a, int(n)) for a, n in texts(result)] == sorted(counts.items())
    assert [a.rsplit("/", 1)[1] for a, _ in texts(result)] == ["a-1", "b-1", "b-2"]


def test_ask_and_construct(sample_ttl):
    assert run_query("ASK { ?s ?p ?o }", sample_ttl).boolean is True
    result = run_query("PREFIX kg: <https://w3id.org/shanxi-kg/ontology#> "
                       "CONSTRUCT { ?a kg:partOf ?b } WHERE { ?a kg:partOf ?b }", sample_ttl)
    assert result.variables == ("subject", "predicate", "object") and len(result.rows) == 3


# -- output formats ------------------------------------------------------------------------

def test_table_aligns_chinese_text():
    result = run_query("SELECT ?a ?b WHERE { VALUES (?a ?b) { (\"长治市\" \"x\") (\"ab\" \"y\") } }",
                       load_store(_empty_graph()))
    assert format_table(result).splitlines() == [
        "a       b", "------  -", "长治市  x", "ab      y", "(2 rows)"]


def _empty_graph() -> Path:
    import tempfile
    path = Path(tempfile.mkdtemp()) / "empty.nt"
    path.write_text("", encoding="utf-8")
    return path


def test_csv_and_json_are_the_w3c_result_formats(sample_ttl):
    result = run_query(str(ROOT / "queries/projects_in_prefecture.rq"), sample_ttl)
    rows = list(csv.reader(io.StringIO(format_csv(result), newline="")))
    assert rows == [["prefecture", "project", "place", "investment"],
                    ["长治市", "潞城区光伏发电项目", "店上镇", "918000000"]]
    assert format_csv(result).endswith("\r\n")
    doc = json.loads(format_json(result))
    assert doc["head"]["vars"] == ["prefecture", "project", "place", "investment"]
    assert doc["results"]["bindings"][0]["investment"] == {
        "type": "literal", "value": "918000000", "datatype": "http://www.w3.org/2001/XMLSchema#decimal"}
    assert doc["results"]["bindings"][0]["place"] == {"type": "literal", "value": "店上镇", "xml:lang": "zh"}


def test_unbound_values_stay_empty(sample_ttl):
    result = run_query("SELECT ?x ?y WHERE { BIND (1 AS ?x) }", sample_ttl)
    assert result.rows == ((Value("literal", "1", "http://www.w3.org/2001/XMLSchema#integer"), None),)
    assert format_csv(result) == "x,y\r\n1,\r\n"
    assert json.loads(format_json(result))["results"]["bindings"] == [
        {"x": {"type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]


# -- the CLI --------------------------------------------------------------------------------

def test_cli_prints_a_table(sample_ttl, capsys):
    assert main(["query", str(ROOT / "queries/people_and_roles.rq"), "--graph", str(sample_ttl)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["person", "role", "employer"]
    assert out[2].split() == ["张三", "局长", "潞城区发展和改革局"]
    assert out[-1] == "(1 row)"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_cli_formats(sample_ttl, capsys, fmt):
    assert main(["query", str(ROOT / "queries/people_and_roles.rq"), "--graph", str(sample_ttl),
                 "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "张三" in out
    if fmt == "json":
        assert json.loads(out)["head"]["vars"] == ["person", "role", "employer"]


@pytest.mark.parametrize("args, message", [
    (["SELECT * WHERE { ?s ?p }"], "malformed SPARQL query"),
    (["nope.rq"], "nope.rq: no such query file"),
    (["SELECT * WHERE { ?s ?p ?o }", "--graph", "missing.ttl"], "missing.ttl: no such graph file"),
    (["SELECT * WHERE { ?s ?p ?o }", "--graph", "GRAPH.xyz"], "unknown RDF file extension"),
    (["SELECT * WHERE { ?s ?p }", "--engine", "rdflib"], "malformed SPARQL query"),
])
def test_cli_errors_are_one_line(tmp_path, sample_ttl, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "GRAPH.xyz").write_text("x")
    if "--graph" not in args:
        args = args + ["--graph", str(sample_ttl)]
    assert main(["query", *args]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err


def test_cli_rejects_a_broken_graph_file(tmp_path, capsys):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    assert main(["query", "ASK {}", "--graph", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {bad}: cannot load as")


def test_query_error_type():
    with pytest.raises(QueryError):
        run_query("SELECT", _empty_graph())


def test_readme_block_is_regenerated_and_checked(tmp_path, sample_ttl):
    import importlib.util

    spec = importlib.util.spec_from_file_location("readme_queries", ROOT / "scripts/readme_queries.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n<!-- queries:begin -->\nold\n<!-- queries:end -->\ntail\n", encoding="utf-8")
    args = ["--graph", str(sample_ttl), "--readme", str(readme)]
    assert script.main(args + ["--check"]) == 1
    assert script.main(args) == 0
    text = readme.read_text(encoding="utf-8")
    assert script.main(args + ["--check"]) == 0
    assert text.startswith("# x\n\n<!-- queries:begin -->\n**`queries/") and text.endswith("<!-- queries:end -->\ntail\n")
    for query in QUERIES:
        assert f"**`queries/{query.name}`**" in text
    # the answer table of a query is the one `kg query --format table` prints
    assert format_table(run_query(str(ROOT / "queries/people_and_roles.rq"), sample_ttl)) in text


# -- shipped queries take their place as a parameter (issue 17) ----------------------------

#: Variables a shipped query declares as ``VALUES ?name { UNDEF }``: every place, unless --bind names one.
PARAMETERS = {q: re.findall(r"VALUES \?(\w+) \{ UNDEF \}", q.read_text(encoding="utf-8")) for q in QUERIES}
PLACE_QUERIES = [q for q in QUERIES if PARAMETERS[q]]
_HAN = re.compile("[\u4e00-\u9fff]")


def test_place_queries_name_no_place():
    """The queries that ask about a place take it as a parameter; none names a place of one corpus."""
    assert {q.stem for q in PLACE_QUERIES} >= {"agencies_administering_county", "evidence_of_facts",
                                              "investment_by_county", "located_in_prefecture",
                                              "projects_in_prefecture"}
    for query in QUERIES:
        code = [line.partition("#")[0] for line in query.read_text(encoding="utf-8").splitlines()]
        assert not _HAN.search("\n".join(code)), f"{query.name} names a place outside its comments"
        if query in PLACE_QUERIES:
            assert f"--bind {PARAMETERS[query][0]}=" in query.read_text(encoding="utf-8"), \
                f"{query.name}: its leading comment says how to bind its place"


@pytest.mark.parametrize("query", PLACE_QUERIES, ids=lambda p: p.stem)
def test_bind_narrows_a_shipped_query_to_one_place(query, corpus_store):
    everywhere = run_query(str(query), corpus_store)
    name = PARAMETERS[query][0]
    column = everywhere.variables.index(name)
    places = sorted({row[column].value for row in everywhere.rows})
    assert len(places) >= 2, f"{query.name}: the bundled corpus answers for {places}"
    for place in places[:2]:
        one = run_query(str(query), corpus_store, bindings={name: place})
        assert one.rows and one.rows == tuple(r for r in everywhere.rows if r[column].value == place)
    assert run_query(str(query), corpus_store, bindings={name: "没有这个地方"}).rows == ()


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_bind_on_the_command_line(sample_ttl, capsys, engine):
    query = str(ROOT / "queries/projects_in_prefecture.rq")
    assert main(["query", query, "--graph", str(sample_ttl), "--engine", engine, "--format", "csv",
                 "--bind", "prefecture=长治市"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "长治市,潞城区光伏发电项目,店上镇,918000000"
    assert main(["query", query, "--graph", str(sample_ttl), "--engine", engine, "--format", "csv",
                 "--bind", "prefecture=太原市"]) == 0
    assert capsys.readouterr().out.splitlines() == ["prefecture,project,place,investment"]


def test_bind_is_repeatable_and_binds_a_query_without_values(sample_ttl, capsys):
    query = "SELECT ?agency WHERE { ?a rdfs:label ?agency ; kg:administers ?d . ?d rdfs:label ?place ; kg:level ?l }"
    assert main(["query", query, "--graph", str(sample_ttl), "--format", "csv",
                 "--bind", "place=潞城区", "--bind", "l=county"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["潞城区人民政府"]
    assert main(["query", query, "--graph", str(sample_ttl), "--format", "csv",
                 "--bind", "place=潞城区", "--bind", "l=township"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == []


@pytest.mark.parametrize("args, message", [
    (["--bind", "nope=1"], "--bind nope: the query has no variable ?nope (its variables: ?o, ?p, ?s)"),
    (["--bind", "novalue"], "expected NAME=VALUE"),
    (["--bind", "?s=<http://example.org/a>", "--bind", "p=x", "--bind", "2bad name=1"], "expected NAME=VALUE"),
])
def test_bind_errors_are_one_line(sample_ttl, capsys, args, message):
    assert main(["query", "SELECT * WHERE { ?s ?p ?o }", "--graph", str(sample_ttl), *args]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err


# -- the README's examples run as written ------------------------------------------------------

def _readme_block(language: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("<!-- section:sparql -->"):text.index("<!-- /section:sparql -->")]
    return re.search(rf"```{language}\n(.*?)```", section, re.DOTALL).group(1)


def test_readme_query_examples_run_as_written(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    lines = _readme_block("bash").splitlines()
    assert len(lines) >= 5
    for line in lines:
        argv = shlex.split(line, comments=True)
        assert argv[:2] == ["kg", "query"], line
        assert main(argv[1:]) == 0, line
        captured = capsys.readouterr()
        assert captured.out.strip() and not captured.err, line


def test_readme_python_example_runs_in_plain_rdflib(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    exec(compile(_readme_block("python"), "README.md", "exec"), {})
    assert "潞城区散煤清零清洁供热工程" in capsys.readouterr().out
