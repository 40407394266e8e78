"""Relations: rules over sentences, each with a hand-written example."""
from __future__ import annotations

from decimal import Decimal

import pytest

from helpers import name_of, process_text, triples
from kg.corpus.sentences import sentence_spans as iter_sentence_spans
from kg.errors import DataError
from kg.knowledge.lexicon import PATTERNS_DIR, load_lexicon
from kg.knowledge.money import parse_amount
from kg.relations.extract import extract_relations  # noqa: F401  (registers the rules)
from kg.relations.registry import RULES, relation_rule, rules_of


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
    ("本报讯 晋能控股集团的“秸秆综合利用”工程投产。",
     ("晋能控股集团", "undertakes", "秸秆综合利用工程")),
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
    result = process_text("本报讯 平遥县中医院投资1.2亿元完成综合楼改造。")
    names = {e.entity_id: e.name for e in result.entities}
    values = {(names[a.entity_id], a.value) for a in result.attributes}
    assert ("综合楼改造", "120000000") in values


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


# Every rule has a table in ontology/patterns/relations.toml with an example sentence
# and the fact it must read from it: run each example through the whole pipeline.
def _rule_examples():
    rules = load_lexicon().file("relations")
    return [pytest.param(name, rules.string(f"{name}.example"), rules.triple(f"{name}.expect"), id=name)
            for name in rules.tables]


@pytest.mark.parametrize("rule, example, expect", _rule_examples())
def test_every_rule_reads_the_fact_of_its_example(rule, example, expect):
    result = process_text(example)
    head, rel, tail = expect
    if any(a.attr == rel for a in result.attributes):
        # attributes record no rule: the rule of an attribute is named as it (investment)
        assert rule == rel
        found = {(name_of(result, a.entity_id), a.attr, a.value) for a in result.attributes}
    else:
        found = {(name_of(result, r.head), r.rel, name_of(result, r.tail)) for r in result.relations
                 if r.rule == rule}
    assert expect in found, f"{rule}: {example!r} gave {found}"


def test_every_rule_has_a_table_and_every_table_a_rule():
    assert {r.name for r in rules_of(load_lexicon())} == set(RULES) == set(load_lexicon().file("relations").tables)


def _patterns_with(tmp_path, edit) -> str:
    """A copy of ontology/patterns whose relations.toml is ``edit(text)``."""
    for path in PATTERNS_DIR.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        if path.name == "relations.toml":
            text = edit(text)
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    return str(tmp_path)


def test_a_rule_table_without_a_function_is_a_load_error(tmp_path):
    lexicon = load_lexicon(_patterns_with(tmp_path, lambda text: text.replace("[possessive]", "[possessive-v2]")))
    with pytest.raises(DataError, match=r"relations\.toml:\d+: rule 'possessive-v2' has no function") as info:
        rules_of(lexicon)
    assert "\n" not in str(info.value)


def test_a_registered_rule_without_a_table_is_a_load_error(tmp_path):
    @relation_rule("test-only-rule")
    def test_only_rule(art, words):
        return iter(())

    try:
        with pytest.raises(DataError, match=r"relations\.toml:1: rule 'test-only-rule' .* has no table"):
            rules_of(load_lexicon(_patterns_with(tmp_path, lambda text: text)))
    finally:
        del RULES["test-only-rule"]


def test_a_rule_before_one_it_follows_is_a_load_error(tmp_path):
    def move_article_home_first(text: str) -> str:
        # article-home before located-context, whose misses it places
        home = text[text.index("[article-home]"):text.index("[nested-name]")]
        return text.replace(home, "").replace("[located-context]", home + "[located-context]")

    lexicon = load_lexicon(_patterns_with(tmp_path, move_article_home_first))
    with pytest.raises(DataError, match=r"relations\.toml:\d+: rule 'article-home' must come after "
                                        r"'located-context'"):
        rules_of(lexicon)


@pytest.mark.parametrize("text, expected", [
    ("", []),
    ("  \n ", []),
    ("\u3000第一句。  第二句", [(1, 5), (7, 10)]),
    ("问？”！”。", [(0, 3), (3, 5), (5, 6)]),
    ("无标点", [(0, 3)]),
])
def test_sentence_spans_strip_whitespace(text, expected):
    assert list(iter_sentence_spans(text)) == expected
