"""Relations: rules over sentences, each with a hand-written example."""
from __future__ import annotations

from decimal import Decimal

import pytest

from helpers import process_text, triples
from kg.knowledge.lexicon import load_lexicon
from kg.corpus.sentences import sentence_spans as iter_sentence_spans
from kg.knowledge.money import parse_amount


@pytest.mark.parametrize("text, expected", [
    # administers: from the jurisdiction in the name, the most specific one
    ("本报讯 盂县教育局召开会议。", ("盂县教育局", "administers", "盂县")),
    ("本报讯 晋中市生态环境局榆次分局开展检查。", ("晋中市生态环境局榆次分局", "administers", "榆次区")),
    # subOrganizationOf: a branch written inside its parent's name
    ("本报讯 晋中市生态环境局榆次分局开展检查。",
     ("晋中市生态环境局榆次分局", "subOrganizationOf", "晋中市生态环境局")),
    # locatedIn: the place in the name; 位于X的Y
    ("本报讯 平遥县西关街提质改造工程开工。", ("平遥县西关街提质改造工程", "locatedIn", "平遥县")),
    ("本报讯 位于太谷区的山西某某农业科技有限公司扩大生产。",
     ("山西某某农业科技有限公司", "locatedIn", "太谷区")),
    # undertakes: ORG + trigger + PROJECT; ORG的PROJECT
    ("本报讯 灵石县住房和城乡建设局实施翠峰路改造工程。",
     ("灵石县住房和城乡建设局", "undertakes", "翠峰路改造工程")),
    ("本报讯 晋能控股集团的“煤矸石综合利用”工程投产。",
     ("晋能控股集团", "undertakes", "煤矸石综合利用工程")),
    # worksFor: ORG + title + NAME, chains of titles
    ("本报讯 山西某某建设集团有限公司董事长王建国表示,项目年底完工。",
     ("王建国", "worksFor", "山西某某建设集团有限公司")),
    ("本报讯 寿阳县第一中学党支部书记、校长刘志刚表示,学校将扩建。",
     ("刘志刚", "worksFor", "寿阳县第一中学")),
])
def test_relation_rules(text, expected):
    assert expected in triples(process_text(text))


def test_worksfor_keeps_the_role():
    result = process_text("本报讯 山西某某建设集团有限公司董事长王建国表示,项目年底完工。")
    roles = {r.role for r in result.relations if r.rel == "worksFor"}
    assert "董事长" in roles


def test_relations_keep_their_evidence_offsets():
    text = "本报讯 灵石县住房和城乡建设局实施翠峰路改造工程。\n\n(王芳)\n"
    result = process_text(text)
    assert result.relations
    for r in result.relations:
        assert text[r.start:r.end] == r.evidence and r.evidence


def test_investment_on_the_project_the_money_built():
    result = process_text("本报讯 平遥县中医院投资1.2亿元完成门诊楼改造。")
    names = {e.entity_id: e.name for e in result.entities}
    values = {(names[a.entity_id], a.value) for a in result.attributes}
    assert ("门诊楼改造", "120000000") in values


def test_no_investment_for_a_total_over_a_list():
    result = process_text("本报讯 实施总投资20亿元的东关街棚户区改造、西关街道路工程等项目建设。")
    assert result.attributes == ()


@pytest.mark.parametrize("phrase, value", [
    ("9.1876亿元", Decimal("918760000")),
    ("100余万元", Decimal("1000000")),   # vague amounts: the lower bound
    ("47万元", Decimal("470000")),
])
def test_parse_amount(phrase, value):
    assert parse_amount(phrase) == value


def test_sentence_spans():
    text = "第一句。第二句!“第三句。”\n标题\n"
    spans = [text[s:e] for s, e in iter_sentence_spans(text)]
    assert spans == ["第一句。", "第二句!", "“第三句。”", "标题"]


# Every trigger rule in ontology/patterns/relations.toml carries an example sentence;
# each example must produce the relation it documents.
_EXAMPLES = [
    ("undertakes", "example", "undertakes"),
    ("undertakes", "partner_example", "undertakes"),
    ("undertakes", "role_example", "undertakes"),
    ("undertakes", "topic_example", "undertakes"),
    ("locatedIn", "example", "locatedIn"),
    ("worksFor", "example", "worksFor"),
    ("subOrganizationOf", "example", "subOrganizationOf"),
    ("passive", "example", "undertakes"),
]


@pytest.mark.parametrize("table, key, rel", _EXAMPLES)
def test_every_rule_example_produces_its_relation(table, key, rel):
    example = load_lexicon().data["relations"][table][key]
    found = {r for _, r, _ in triples(process_text("本报讯 " + example))}
    assert rel in found, f"{table}.{key}: {example!r} gave {found}"


@pytest.mark.parametrize("text, expected", [
    ("", []),
    ("  \n ", []),
    ("\u3000第一句。  第二句", [(1, 5), (7, 10)]),
    ("问？”！”。", [(0, 3), (3, 5), (5, 6)]),
    ("无标点", [(0, 3)]),
])
def test_sentence_spans_strip_whitespace(text, expected):
    assert list(iter_sentence_spans(text)) == expected
