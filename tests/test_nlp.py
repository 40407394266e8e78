"""The spaCy pipeline as spaCy users see it: candidates in doc.spans, resolved entities in
doc.ents with kb_id_, one form of each, and a saved pipeline that plain spacy.load reads."""
from __future__ import annotations

import doctest
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

import kg
from kg.corpus import read_document
from kg.ids import entity_id, iri
from kg.names import Candidate
from kg.nlp.candidates import DETAILS_KEY, SPANS_KEY, candidates_of, to_spans
from kg.nlp.entities import MENTIONS_KEY
from kg.nlp.pipeline import make_nlp
from kg.nlp.retokenize import split_tokens
from kg.run.document import process_document

ROOT = Path(__file__).resolve().parents[1]
CORPUS = sorted((ROOT / "corpus").iterdir())

# invented sentences (no name from the gold files or the dev texts)
SENTENCES = [
    "小店区住建局局长李红梅到太原市第五中学检查供暖工作。",
    "祁县住建局局长李红梅在东观镇检查供热管网。",
    "太谷区市场监督管理局与晋中市某某有限公司签约。",
    "城区召开会议。我市将推进老旧小区改造工程，总投资3亿元。",
    "平遥县  文化局 \n\n局长 王小川 表示，项目年内完工。 ",
]


@pytest.mark.parametrize("text, expected", [
    ("小店区住建局局长李红梅到太原市第五中学检查供暖工作。",
     [("小店区住建局", "Agency", iri(entity_id("Agency", "小店区住房和城乡建设局"))),
      ("李红梅", "Person", iri(entity_id("Person", "李红梅"))),
      ("太原市第五中学", "Organization", iri(entity_id("Organization", "太原市第五中学")))]),
    ("祁县和平遥县的干部在太原市开会。",
     [("祁县", "Division", iri("division:140727")), ("平遥县", "Division", iri("division:140728")),
      ("太原市", "Division", iri("division:140100"))]),
])
def test_doc_ents_carry_type_and_entity_iri(nlp, text, expected):
    doc = nlp(text)
    assert [(ent.text, ent.label_, ent.kb_id_) for ent in doc.ents] == expected


def test_nested_mentions_are_spans_and_ents_keep_the_longer(nlp):
    doc = nlp(SENTENCES[0])
    mentions = [(s.text, s.label_, s.kb_id_) for s in doc.spans[MENTIONS_KEY]]
    assert ("小店区", "Division", iri("division:140105")) in mentions
    assert "小店区" not in {ent.text for ent in doc.ents}  # inside the bureau's name
    assert {(e.text, e.label_, e.kb_id_) for e in doc.ents} <= set(mentions)
    assert all(a.end <= b.start for a, b in zip(doc.ents, doc.ents[1:]))


def test_candidate_spans_carry_type_rule_and_division_ids(nlp):
    doc = nlp("王家庄村和小店区住建局")
    spans = {(s.text, s.label_): s for s in doc.spans[SPANS_KEY]}
    village = spans[("王家庄村", "Division")]  # villages of that name lie in many counties: every one
    assert len(village.kb_id_.split("|")) > 10 and village.id_ == "gazetteer"
    assert spans[("小店区", "Division")].kb_id_ == "140105"
    agency = spans[("小店区住建局", "Agency")]
    assert agency.kb_id_ == "" and agency.id_ == "agency-suffix"


def test_candidates_have_one_form_in_the_doc(nlp):
    doc = nlp(SENTENCES[0])
    assert not Doc.has_extension("kg_candidates")
    assert set(doc.spans) == {SPANS_KEY, MENTIONS_KEY}
    assert not {k for k in doc.user_data if "kg" in str(k)}


def _texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in CORPUS] + SENTENCES + [
        "左权县 交通局  局长\n\n 和顺县\u3000a b\r\n", " 行首空格", "行尾空格 ", "\n", "", "生僻字𠀀 在句中"]


def test_spans_give_back_exactly_what_the_finders_returned(nlp):
    """candidates_of(nlp(text)) == match() of the Doc == match_words() of the build, on the corpus too."""
    tagger = nlp.get_pipe("kg_candidates")
    for text in _texts():
        found = tagger.match(nlp.make_doc(text))
        assert tagger.match_words(text, nlp.tokenizer.segment(text)) == found
        doc = nlp(text)
        assert candidates_of(doc) == found
        for span, c in zip(doc.spans[SPANS_KEY], found):
            assert (span.start_char, span.end_char, span.text) == (c.start, c.end, c.text)


def test_a_name_inside_a_token_gets_the_token_split(nlp):
    doc = nlp.make_doc("左权县东关街")
    tags = {t.text: t.tag_ for t in doc}
    words = [t.text for t in doc]
    inner = Candidate(1, 3, "Organization", "权县", "test")
    group = to_spans(doc, [inner])
    assert [(s.text, s.start_char, s.end_char) for s in group] == [("权县", 1, 3)]
    assert "".join(t.text_with_ws for t in doc) == "左权县东关街" and len(doc) > len(words)
    assert [t.text for t in doc[:2]] == ["左", "权县"]
    assert [t.tag_ for t in doc[:2]] == [tags["左权县"]] * 2  # the pieces keep the token's tag
    assert candidates_of(doc) == [inner]


def test_splitting_tokens_keeps_other_span_groups(nlp):
    doc = nlp.make_doc("左权县东关街")
    doc.spans["mine"] = [doc.char_span(0, 3, label="X", kb_id="k")]
    doc.spans["mine"].attrs["note"] = 1
    split_tokens(doc, [1, 2, 3])
    assert [(s.text, s.label_, s.kb_id_) for s in doc.spans["mine"]] == [("左权县", "X", "k")]
    assert doc.spans["mine"].attrs == {"note": 1} and [t.text for t in doc][:3] == ["左", "权", "县"]


def test_details_hold_what_a_span_has_no_slot_for(nlp):
    doc = nlp.make_doc("某县局长张三说")
    cands = [Candidate(0, 2, "Division", "某县", "gazetteer-short", division_ids=("1", "2"), short=True),
             Candidate(0, 3, "Agency", "某县局", "agency-suffix", juris=(0, 2)),
             Candidate(4, 6, "Person", "张三", "title-name", title="局长"),
             Candidate(4, 6, "Person", "张三", "credit", name="张三丰")]
    group = to_spans(doc, cands)
    assert group.attrs[DETAILS_KEY] == [{"short": True}, {"juris": [0, 2]}, {"title": "局长"}, {"name": "张三丰"}]
    assert candidates_of(doc) == cands


def test_candidates_survive_the_docs_serialisation(nlp):
    doc = nlp(SENTENCES[3])
    again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert candidates_of(again) == candidates_of(doc)
    assert [(e.text, e.label_, e.kb_id_) for e in again.ents] == [(e.text, e.label_, e.kb_id_) for e in doc.ents]


def test_a_changed_candidate_group_is_refused(nlp):
    doc = nlp(SENTENCES[0])
    doc.spans[SPANS_KEY] = list(doc.spans[SPANS_KEY])[1:]
    with pytest.raises(ValueError, match="kg_candidates"):
        candidates_of(doc)
    assert candidates_of(nlp.make_doc("左权县")) == []


@pytest.mark.parametrize("text", SENTENCES[:4])
def test_ents_are_the_mentions_kg_build_makes_of_a_one_article_file(nlp, tmp_path, text):
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    document = read_document(tmp_path / "a.txt")
    assert len(document.articles) == 1 and document.text == text
    built = {(m.start, m.end, iri(m.entity_id)) for m in process_document(document).mentions}
    doc = nlp(text)
    assert {(s.start_char, s.end_char, s.kb_id_) for s in doc.spans[MENTIONS_KEY]} == built


def test_load_nlp_makes_a_new_pipeline():
    a, b = kg.load_nlp(), kg.load_nlp()
    assert a is not b and a.pipe_names == ["kg_candidates", "kg_resolve"]
    assert a.config["nlp"]["tokenizer"]["@tokenizers"] == "kg.jieba_tokenizer.v1"


def test_load_nlp_example_runs():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner()
    for test in finder.find(kg.load_nlp, "kg.load_nlp", globs={}):
        runner.run(test)
    assert runner.summarize(verbose=False) == (0, 7)


def test_readme_example_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(>>> import kg\n>>> nlp = kg\.load_nlp\(\)\n.*?)```", readme, re.S)
    assert block, "the README's load_nlp example"
    test = doctest.DocTestParser().get_doctest(block.group(1), {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner()
    runner.run(test)
    failed, attempted = runner.summarize(verbose=False)
    assert failed == 0 and attempted >= 3


_LOAD = """
import json, sys
import spacy
assert not [m for m in sys.modules if m == "kg" or m.startswith("kg.")]
nlp = spacy.load(sys.argv[1])
doc = nlp(sys.argv[2])
json.dump({"pipes": nlp.pipe_names,
           "ents": [[e.text, e.label_, e.kb_id_] for e in doc.ents],
           "spans": [[s.text, s.label_, s.id_, s.kb_id_] for s in doc.spans["kg_candidates"]],
           "tags": [t.tag_ for t in doc]}, sys.stdout, ensure_ascii=False)
"""


def test_a_saved_pipeline_loads_with_plain_spacy_load(tmp_path):
    """Entry points: a fresh interpreter loads the saved pipeline without importing kg first."""
    text = SENTENCES[0]
    kg.load_nlp().to_disk(tmp_path / "pipeline")
    done = subprocess.run([sys.executable, "-c", _LOAD, str(tmp_path / "pipeline"), text], cwd=tmp_path,
                          capture_output=True, text=True, check=True)
    loaded = json.loads(done.stdout)
    doc = make_nlp()(text)
    assert loaded == {"pipes": ["kg_candidates", "kg_resolve"],
                      "ents": [[e.text, e.label_, e.kb_id_] for e in doc.ents],
                      "spans": [[s.text, s.label_, s.id_, s.kb_id_] for s in doc.spans[SPANS_KEY]],
                      "tags": [t.tag_ for t in doc]}
    assert loaded["ents"]


def test_entry_points_name_the_registered_parts():
    from importlib.metadata import entry_points

    factories = {ep.name: ep.value for ep in entry_points(group="spacy_factories")}
    tokenizers = {ep.name: ep.value for ep in entry_points(group="spacy_tokenizers")}
    assert factories["kg_candidates"] == "kg.nlp.candidates:make_candidates_component"
    assert factories["kg_resolve"] == "kg.nlp.entities:make_resolve_component"
    assert tokenizers["kg.jieba_tokenizer.v1"] == "kg.nlp.tokenizer:create_jieba_tokenizer"
    assert spacy.registry.tokenizers.get("kg.jieba_tokenizer.v1").__module__ == "kg.nlp.tokenizer"
