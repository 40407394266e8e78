"""``kg eval`` with several gold sets (``--gold A --gold B``), their total, and the shipped gold.

Two small gold files written here over the two sample documents (``support``):
set A is about ``a.txt``, set B about ``b.txt``.  The counts below are worked
out by hand from the sample graph:

* A: entities 3 TP (张三, the project, the company), 5 FP (the other names
  of a.txt), 1 FN (李四); relations 2 TP, 3 FP; investment 1 TP;
* B: entities 2 TP, 2 FP (the project and the company of b.txt); relations
  1 TP (worksFor), 1 FP (undertakes); investment 1 FP + 1 FN (the gold's
  value is not the text's);
* total (micro): entities 5 / 7 / 1 -> P 0.417, R 0.833, F1 0.556;
  relations 3 / 4 / 0 -> F1 0.600; investment 1 / 1 / 1 -> 0.500.
"""
from __future__ import annotations

import json

import pytest

from kg.cli import main
from kg.export.turtle import write_turtle
from kg.paths import CORPUS_GOLD
from kg.report.evaluate import evaluate, format_report, to_dict, to_markdown
from kg.report.sets import evaluate_sets, pair_graphs, total_of
from support import ROOT


def _entity(kind: str, name: str) -> dict:
    return {"type": kind, "name": name, "aliases": [], "level": None}


def _relation(head: str, rel: str, tail: str) -> dict:
    return {"head": head, "rel": rel, "tail": tail, "evidence": ""}


GOLD_A = {"doc": "a.txt", "city": "长治市",
          "entities": [_entity("Person", "张三"), _entity("Project", "潞城区光伏发电项目"),
                       _entity("Organization", "山西潞安集团有限公司"), _entity("Person", "李四")],
          "relations": [_relation("张三", "worksFor", "潞城区发展和改革局"),
                        _relation("山西潞安集团有限公司", "undertakes", "潞城区光伏发电项目")],
          "attributes": [{"entity": "潞城区光伏发电项目", "attr": "investment", "value": 918000000}]}
GOLD_B = {"doc": "b.txt", "city": "长治市",
          "entities": [_entity("Person", "张三"), _entity("Agency", "潞城区发展和改革局")],
          "relations": [_relation("张三", "worksFor", "潞城区发展和改革局")],
          "attributes": [{"entity": "潞城区光伏发电项目", "attr": "investment", "value": 1000000}]}


@pytest.fixture(scope="module")
def files(sample_graph, tmp_path_factory):
    folder = tmp_path_factory.mktemp("eval-sets")
    graph = write_turtle(sample_graph, folder / "graph.ttl")
    golds = []
    for name, record in (("seta", GOLD_A), ("setb", GOLD_B)):
        path = folder / f"{name}.jsonl"
        path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
        golds.append(str(path))
    return golds, str(graph)


def _counts(score: dict) -> tuple[int, int, int]:
    return score["tp"], score["fp"], score["fn"]


def test_each_set_is_scored_alone_and_the_total_adds_them_up(files):
    (gold_a, gold_b), graph = files
    a, b = evaluate_sets(pair_graphs([gold_a, gold_b], [graph]))
    assert (a.entities.tp, a.entities.fp, a.entities.fn) == (3, 5, 1)
    assert (b.entities.tp, b.entities.fp, b.entities.fn) == (2, 2, 0)
    assert (b.investment.tp, b.investment.fp, b.investment.fn) == (0, 1, 1)
    total = total_of([a, b])
    assert (total.entities.tp, total.entities.fp, total.entities.fn) == (5, 7, 1)
    assert (total.relations.tp, total.relations.fp, total.relations.fn) == (3, 4, 0)
    assert round(total.entities.f1, 3) == 0.556 and total.relations.f1 == pytest.approx(0.6)
    assert total.investment.f1 == pytest.approx(0.5)


def test_json_has_one_part_per_set_and_the_total(files, capsys):
    (gold_a, gold_b), graph = files
    assert main(["eval", "--gold", gold_a, "--gold", gold_b, "--graph", graph, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["gold"] for s in data["sets"]] == [gold_a, gold_b]
    assert data["sets"][0] == to_dict(evaluate(gold_a, graph))  # as a single --gold gives it
    assert data["sets"][1] == to_dict(evaluate(gold_b, graph))
    total = data["total"]
    assert total["sets"] == 2 and total["documents"] == 2
    assert _counts(total["entities"]["all"]) == (5, 7, 1)
    assert _counts(total["relations"]["all"]) == (3, 4, 0)
    assert _counts(total["investment"]) == (1, 1, 1)
    assert total["entities"]["all"]["f1"] == 0.5556


def test_text_has_each_set_s_table_then_the_total_side_by_side(files, capsys):
    (gold_a, gold_b), graph = files
    assert main(["eval", "--gold", gold_a, "--gold", gold_b, "--graph", graph]) == 0
    out = capsys.readouterr().out
    first, second = out.index("== gold set 1 of 2 =="), out.index("== gold set 2 of 2 ==")
    assert format_report(evaluate(gold_a, graph)) in out[first:second]
    assert format_report(evaluate(gold_b, graph)) in out[second:]
    total = out[out.index("== total: 2 gold sets, 2 documents"):]
    heads = total.splitlines()[2].split()
    assert heads == ["seta", "F1", "setb", "F1", "total", "P", "total", "R", "total", "F1", "TP", "FP", "FN"]
    rows = {line.split()[0]: line.split()[1:] for line in total.splitlines()[3:] if line.strip()}
    assert rows["entities"] == ["0.500", "0.667", "0.417", "0.833", "0.556", "5", "7", "1"]
    assert rows["investment"] == ["1.000", "0.000", "0.500", "0.500", "0.500", "1", "1", "1"]


def test_markdown_puts_the_sets_side_by_side(files, capsys):
    (gold_a, gold_b), graph = files
    assert main(["eval", "--gold", gold_a, "--gold", gold_b, "--graph", graph, "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == ("| | seta P | seta R | seta F1 | setb P | setb R | setb F1 | total P | total R | "
                        "total F1 | TP | FP | FN |")
    assert "| **entities** | 0.375 | 0.750 | 0.500 | 0.500 | 1.000 | 0.667 | 0.417 | 0.833 | 0.556 | 5 | 7 | 1 |" \
        in lines
    assert to_markdown(evaluate(gold_b, graph)).rstrip("\n") in out


def test_errors_are_listed_for_each_set(files, capsys):
    (gold_a, gold_b), graph = files
    assert main(["eval", "--gold", gold_a, "--gold", gold_b, "--graph", graph, "--errors"]) == 0
    out = capsys.readouterr().out
    part_b = out[out.index("== gold set 2 of 2 =="):out.index("== total:")]
    assert "李四" in out[:out.index("== gold set 2 of 2 ==")] and "李四" not in part_b
    assert "1000000" in part_b  # B's wrong investment value is a miss of B only


def test_one_graph_per_gold_in_order(files, sample_graph, tmp_path, capsys):
    (gold_a, gold_b), graph = files
    empty = write_turtle(type(sample_graph)(), tmp_path / "empty.ttl")
    assert main(["eval", "--gold", gold_a, "--graph", graph, "--gold", gold_b, "--graph", str(empty),
                 "--format", "json"]) == 0
    a, b = json.loads(capsys.readouterr().out)["sets"]
    assert (a["graph"], b["graph"]) == (graph, str(empty))
    assert _counts(a["entities"]["all"]) == (3, 5, 1)
    assert _counts(b["entities"]["all"]) == (0, 0, 2) and b["missing_documents"] == ["b.txt"]


def test_graphs_must_pair_with_golds(files, capsys):
    (gold_a, gold_b), graph = files
    assert main(["eval", "--gold", gold_a, "--gold", gold_b, "--graph", graph, "--graph", graph,
                 "--graph", graph]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: 2 --gold and 3 --graph: give --graph once")


def test_one_gold_prints_what_it_always_printed(files, capsys):
    (gold_a, _), graph = files
    assert main(["eval", "--gold", gold_a, "--graph", graph]) == 0
    assert capsys.readouterr().out == format_report(evaluate(gold_a, graph)) + "\n"


def test_without_gold_the_shipped_gold_of_the_bundled_corpus_is_used(capsys):
    assert CORPUS_GOLD.is_file() and CORPUS_GOLD == ROOT / "eval" / "corpus.jsonl"
    graph = str(ROOT / "exports" / "graph.ttl")
    assert main(["eval", "--graph", graph, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["gold"] == str(CORPUS_GOLD) and data["documents"] == 5 and not data["missing_documents"]
    assert data == to_dict(evaluate(CORPUS_GOLD, graph))


def test_help_names_only_files_of_the_repository(capsys):
    with pytest.raises(SystemExit):
        main(["eval", "--help"])
    text = capsys.readouterr().out
    assert "docs/annotation.md" in text and "eval/corpus.jsonl" in text
    assert "GUIDELINES" not in text and "../" not in text
    for name in ("docs/annotation.md", "eval/corpus.jsonl"):
        assert (ROOT / name).is_file()
