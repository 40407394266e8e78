"""Tests of kg.report.query.sparql: what ``kg query`` reads from a query's text before an engine runs it.

Predeclared prefixes, ``--bind``, the refusal of updates, SERVICE and FROM,
and one-line messages with the position of a malformed query (issue 16
items 5 and 16, issue 17 item 4).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.cli import main
from kg.errors import QueryError
from kg.report.query import PREFIXES, run_query
from kg.report.query.sparql import bind_term, parse_binding, prepare

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ("oxigraph", "rdflib")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def graph(tmp_path_factory) -> Path:
    """Two agencies, one division (labels @zh, level a plain string), in N-Triples (no prefixes)."""
    path = tmp_path_factory.mktemp("text") / "g.nt"
    kg, rdfs, rdf = PREFIXES["kg"], PREFIXES["rdfs"], PREFIXES["rdf"]
    path.write_text("".join(f"{s} {p} {o} .\n" for s, p, o in [
        ("<http://example.org/a1>", f"<{rdf}type>", f"<{kg}Agency>"),
        ("<http://example.org/a1>", f"<{rdfs}label>", '"东湖区教育局"@zh'),
        ("<http://example.org/a1>", f"<{kg}administers>", "<http://example.org/d1>"),
        ("<http://example.org/a2>", f"<{rdf}type>", f"<{kg}Agency>"),
        ("<http://example.org/a2>", f"<{rdfs}label>", '"西岭县民政局"@zh'),
        ("<http://example.org/d1>", f"<{rdfs}label>", '"东湖区"@zh'),
        ("<http://example.org/d1>", f"<{kg}level>", '"county"'),
    ]), encoding="utf-8")
    return path


def labels(result) -> list[str]:
    return sorted(row[0].value for row in result.rows)


# -- predeclared prefixes ------------------------------------------------------------------------

def _declared(path: Path) -> dict[str, str]:
    return dict(re.findall(r"@prefix (\w+): <([^>]+)>", path.read_text(encoding="utf-8")))


def test_prefixes_are_those_of_the_ontology_and_the_exports():
    for source in (ROOT / "ontology/kg.ttl", ROOT / "exports/graph.ttl"):
        declared = _declared(source)
        assert declared and {p: PREFIXES.get(p) for p in declared} == declared, source.name
    assert set(PREFIXES) >= {"kg", "rdf", "rdfs", "xsd", "owl", "skos", "prov", "dcterms", "org", "schema"}


def test_help_lists_every_prefix_and_the_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["query", "--help"])
    out = capsys.readouterr().out
    for name, iri in PREFIXES.items():
        assert re.search(rf"^\s+{name}:\s+<{re.escape(iri)}>$", out, re.MULTILINE), name
    assert "--bind NAME=VALUE" in out and "(default: 60; 0: no limit)" in out


@pytest.mark.parametrize("engine", ENGINES)
def test_a_query_needs_no_prefix_declarations(graph, engine):
    result = run_query("SELECT ?n WHERE { ?a a kg:Agency ; rdfs:label ?n }", graph, engine)
    assert labels(result) == ["东湖区教育局", "西岭县民政局"]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_query_that_declares_its_own_prefix_still_works_and_wins(graph, engine):
    own = "PREFIX kg: <https://w3id.org/shanxi-kg/ontology#> SELECT ?n WHERE { ?a a kg:Agency ; rdfs:label ?n }"
    assert len(run_query(own, graph, engine).rows) == 2
    other = "PREFIX kg: <http://example.org/other#> SELECT ?n WHERE { ?a a kg:Agency ; rdfs:label ?n }"
    assert run_query(other, graph, engine).rows == ()


def test_an_undeclared_prefix_is_named_with_its_position():
    with pytest.raises(QueryError) as exc:
        prepare("SELECT ?x WHERE {\n  ?x a ex:Thing }")
    assert str(exc.value) == ("unknown prefix ex: (declare it with PREFIX ex: <…>; predeclared: "
                              + ", ".join(PREFIXES) + ") (line 2, column 8)")


# -- refused before anything runs -------------------------------------------------------------

@pytest.mark.parametrize("query, message", [
    ("DROP ALL", "SPARQL updates (DROP ALL) are not supported: kg query only reads the graph (line 1, column 1)"),
    ("PREFIX ex: <http://example.org/>\ndelete where { ?s ?p ?o }", "SPARQL updates (DELETE WHERE) are not supported"),
    ("LOAD <file:///etc/passwd>", "SPARQL updates (LOAD) are not supported"),
    ("SELECT * WHERE { ?s ?p ?o SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?x } }",
     "SERVICE <http://127.0.0.1:9/> is not allowed: kg query never reaches the network"),
    ("select * where { service ?endpoint { ?s ?p ?o } }", "SERVICE ?endpoint is not allowed"),
    ("SELECT * FROM NAMED <file:///etc/passwd> WHERE { ?s ?p ?o }",
     "FROM NAMED <file:///etc/passwd> is not allowed: kg query reads only --graph FILE"),
    ("ASK FROM <http://example.org/g> { ?s ?p ?o }", "FROM <http://example.org/g> is not allowed"),
])
def test_updates_service_and_from_are_refused(query, message):
    with pytest.raises(QueryError, match=re.escape(message)):
        prepare(query)


@pytest.mark.parametrize("query", [
    'SELECT ?x WHERE { ?x rdfs:label "FROM SERVICE DROP" }',  # inside a string
    "SELECT ?x WHERE { ?x <http://example.org/SERVICE> ?from } # FROM <file:///etc/passwd>",  # IRI, variable, comment
    "SELECT ?x WHERE { ?x schema:service ?y }",  # a prefixed name
])
def test_the_words_inside_strings_iris_names_and_comments_are_no_clauses(query):
    assert prepare(query).text == query


# -- --bind -------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, term", [
    ("东湖区", '"东湖区"@zh'),  # Han text: the graph's names are @zh
    ("county", '"county"'),  # other text: a plain string (levels, file names)
    ('"东湖区.txt"', '"东湖区.txt"'),  # a literal as written: the user chooses
    ('"x"@en', '"x"@en'),
    ('"5"^^xsd:string', '"5"^^xsd:string'),
    ("42", "42"), ("-3.5", "-3.5"), ("1e6", "1e6"), ("true", "true"),
    ("<http://example.org/a>", "<http://example.org/a>"),
    ("kg:Agency", "kg:Agency"),
    ("https://example.org/a?b=c", "<https://example.org/a?b=c>"),
    ("urn:isbn:123", "<urn:isbn:123>"),
    ("nope:thing", '"nope:thing"'),  # no such prefix: text
    ('他说"好"\\n', '"他说\\"好\\"\\\\n"@zh'),  # quotes and backslashes escaped
    ("a\nb", '"a\\nb"'),
])
def test_bind_term_types_values_sensibly(value, term):
    assert bind_term(value) == term


@pytest.mark.parametrize("engine", ENGINES)
def test_bind_replaces_the_values_default(graph, engine):
    query = 'SELECT ?n WHERE { VALUES ?place { "东湖区"@zh } ?d rdfs:label ?place . ?a kg:administers ?d ; rdfs:label ?n }'
    assert labels(run_query(query, graph, engine)) == ["东湖区教育局"]
    assert labels(run_query(query, graph, engine, bindings={"place": "西岭县"})) == []
    query = query.replace('"东湖区"@zh', "UNDEF")
    assert labels(run_query(query, graph, engine)) == ["东湖区教育局"]
    assert labels(run_query(query, graph, engine, bindings={"place": "东湖区"})) == ["东湖区教育局"]


@pytest.mark.parametrize("engine", ENGINES)
def test_bind_binds_iris_numbers_and_plain_strings(graph, engine):
    query = "SELECT ?n WHERE { ?a rdfs:label ?n ; a ?type }"
    assert len(run_query(query, graph, engine, bindings={"type": "kg:Agency"}).rows) == 2
    assert run_query(query, graph, engine, bindings={"type": "kg:Person"}).rows == ()
    query = "SELECT ?n WHERE { ?d rdfs:label ?n ; kg:level ?level }"
    assert labels(run_query(query, graph, engine, bindings={"level": "county"})) == ["东湖区"]
    query = "SELECT ?n WHERE { ?a rdfs:label ?n FILTER (STRLEN(?n) > ?min) }"
    assert labels(run_query(query, graph, engine, bindings={"min": "5"})) == ["东湖区教育局", "西岭县民政局"]
    assert labels(run_query(query, graph, engine, bindings={"min": "6"})) == []


def test_bind_keeps_the_query_as_written_where_it_changes_nothing():
    query = "SELECT ?s WHERE {\n  VALUES ?s { UNDEF }\n  ?s ?p ?o }"
    prepared = prepare(query, {"s": "<http://example.org/a>"})
    assert prepared.text == "SELECT ?s WHERE {\n  VALUES ?s { <http://example.org/a> }\n  ?s ?p ?o }"
    assert prepare("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"p": "rdfs:label"}).text == \
        "CONSTRUCT { ?s ?p ?o } WHERE { VALUES ?p { rdfs:label } ?s ?p ?o }"
    with pytest.raises(QueryError, match="CONSTRUCT WHERE"):
        prepare("CONSTRUCT WHERE { ?s ?p ?o }", {"p": "rdfs:label"})


def test_parse_binding():
    assert parse_binding("county=左权县") == ("county", "左权县")
    assert parse_binding("?x=a=b") == ("x", "a=b")
    assert parse_binding("$x=") == ("x", "")
    for bad in ("x", "=1", "a b=1"):
        with pytest.raises(QueryError, match="expected NAME=VALUE"):
            parse_binding(bad)


# -- malformed queries: one line with the position in the query as written ----------------------

@pytest.mark.parametrize("engine, query, where", [
    ("oxigraph", "SELECT * WHERE { ?s ?p }", 'line 1, column 25, after "SELECT * WHERE { ?s ?p }"'),
    ("rdflib", "SELECT * WHERE { ?s ?p }", 'line 1, column 18, after "SELECT * WHERE {"'),
    ("oxigraph", "SELECT *\nWHERE { ?s ?p ?o }\nLIMIT x", 'line 3, column 7, after "LIMIT"'),
    ("rdflib", "SELECT *\nWHERE { ?s ?p ?o }\nLIMIT x", 'line 3, column 1, before "LIMIT x"'),
    ("oxigraph", 'SELECT * WHERE { ?s ?p "unterminated }', "a string is not closed on its line (line 1, column 24)"),
])
def test_malformed_queries_name_line_and_column(graph, capsys, engine, query, where):
    assert main(["query", query, "--graph", str(graph), "--engine", engine]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: malformed SPARQL query") and where in err, err
    assert len(err) < 300, err


@pytest.mark.parametrize("engine", ENGINES)
def test_positions_are_those_of_the_query_as_written_after_a_binding(graph, capsys, engine):
    query = "SELECT ?n WHERE { ?a rdfs:label ?n } ORDER BY ?n LIMIT nope"
    assert main(["query", query, "--graph", str(graph), "--engine", engine]) == 1
    unbound = capsys.readouterr().err
    assert main(["query", query, "--graph", str(graph), "--engine", engine, "--bind", "a=<http://example.org/a1>"]) == 1
    bound = capsys.readouterr().err  # the binding wrote 31 characters into line 1, before the error
    assert int(re.search(r"line 1, column (\d+)", unbound).group(1)) > 40 and bound == unbound, (unbound, bound)


def test_a_query_file_is_named_in_its_errors(tmp_path, graph, capsys):
    query = tmp_path / "broken.rq"
    query.write_text("SELECT *\nWHERE { ?s ?p }\n", encoding="utf-8")
    assert main(["query", str(query), "--graph", str(graph)]) == 1
    assert capsys.readouterr().err.startswith(f"error: {query}: malformed SPARQL query at line ")
