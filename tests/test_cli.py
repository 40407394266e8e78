"""End to end: the CLI on a tiny corpus and on the bundled corpus."""
from __future__ import annotations

import filecmp
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from kg.cli import main
from kg.ids import KG_NS

ROOT = Path(__file__).resolve().parents[1]
KG = Namespace(KG_NS)
PROV = Namespace("http://www.w3.org/ns/prov#")

TINY = """某县发布会

本报讯 近日,左权县交通运输管理局实施左权县西关街提质改造工程。该局负责人张建国表示,工程年内完工。

(李明)
"""


def run_cli(*args: str) -> int:
    return main(list(args))


def test_build_and_eval_on_a_tiny_corpus(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TINY, encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("build", str(corpus), "--out", str(out)) == 0
    assert (out / "graph.ttl").exists() and (out / "graph.html").exists()
    g = Graph().parse(out / "graph.ttl")
    labels = {str(o) for o in g.objects(None, RDFS.label)}
    assert {"左权县", "左权县交通运输管理局", "左权县西关街提质改造工程", "李明"} <= labels
    # every reified statement's offsets reproduce its evidence in the source file
    text = (corpus / "a.txt").read_text(encoding="utf-8")
    statements = list(g.subjects(RDF.type, RDF.Statement))
    assert statements
    for s in statements:
        start, end = int(g.value(s, KG.start)), int(g.value(s, KG.end))
        assert text[start:end] == str(g.value(s, KG.evidence))
    # the agency administers the county; the project is located there
    agency = next(g.subjects(RDFS.label, Literal("左权县交通运输管理局", lang="zh")))
    county = next(g.subjects(RDFS.label, Literal("左权县", lang="zh")))
    assert (agency, KG.administers, county) in g
    # and eval scores it against a hand-written gold line
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({
        "doc": "a.txt", "city": "晋中市",
        "entities": [{"type": "Agency", "name": "左权县交通运输管理局", "aliases": [], "level": None},
                     {"type": "Division", "name": "左权县", "aliases": ["左权"], "level": "county"}],
        "relations": [{"head": "左权县交通运输管理局", "rel": "administers", "tail": "左权县", "evidence": ""}],
        "attributes": []}, ensure_ascii=False) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert run_cli("eval", "--gold", str(gold), "--graph", str(out / "graph.ttl")) == 0
    report = capsys.readouterr().out
    assert "administers" in report and "Agency" in report


def test_missing_corpus_is_one_line_error(tmp_path, capsys):
    assert run_cli("build", str(tmp_path / "nope"), "--out", str(tmp_path / "o")) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "nope" in err[0]


@pytest.mark.slow
@pytest.mark.parametrize("seed", ["0", "12345"])
def test_fresh_build_equals_committed_exports(tmp_path, seed):
    """exports/ is the committed build of corpus/: a fresh build is byte-identical."""
    out = tmp_path / "exports"
    env = dict(os.environ, PYTHONHASHSEED=seed)
    subprocess.run([sys.executable, "-m", "kg.cli", "build", str(ROOT / "corpus"), "--out", str(out)],
                   check=True, env=env, cwd=tmp_path, capture_output=True)
    committed = ROOT / "exports"
    fresh = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert {"graph.ttl", "graph.html"} <= {str(p) for p in fresh}
    for rel in fresh:
        assert (committed / rel).exists(), f"exports/{rel} is not committed"
        assert filecmp.cmp(out / rel, committed / rel, shallow=False), f"{rel} differs from exports/{rel}"


def test_build_prints_only_its_summary_on_stdout(tmp_path):
    """Library banners (jionlp prints one on import) stay off the CLI's stdout."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TINY.replace("工程年内完工", "工程总投资3.5亿元,年内完工"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(corpus), "--out", str(tmp_path / "out"),
                           "--no-cache"], check=True, cwd=tmp_path, capture_output=True, text=True)
    assert done.stdout.splitlines()[0].startswith("built 1 documents"), done.stdout
    assert len(done.stdout.splitlines()) == 1, done.stdout
    g = Graph().parse(tmp_path / "out" / "graph.ttl")
    assert any(str(o) == "350000000" for o in g.objects(None, KG.investment)), "the amount was parsed"
