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


@pytest.mark.parametrize("text, value", [
    # a qualifier between the trigger and the amount (约, 近, 达): the amount written
    ("本报讯 阳高县东山湿地公园项目总投资约1.2亿元。", "120000000"),
    ("本报讯 阳高县东山湿地公园项目总投资达8000万元。", "80000000"),
])
def test_investment_after_a_qualifier(text, value):
    result = process_text(text)
    assert {(name_of(result, a.entity_id), a.value) for a in result.attributes} == \
        {("阳高县东山湿地公园项目", value)}


@pytest.mark.parametrize("text", [
    # a count of projects before the amount, no project between: their total
    "本报讯 阳高县集中开工12个重点项目,总投资30.5亿元。东山湿地公园项目今年完工。",
    "本报讯 今年阳高县全年签约重点项目18个,总投资42亿元,东山湿地公园项目已开工。",
    # a count right after the amount
    "本报讯 总投资8.6亿元的7个项目集中开工,东山湿地公园项目位列其中。",
])
def test_no_investment_for_the_total_of_a_count_of_projects(text):
    assert process_text(text).attributes == ()


def test_an_amount_of_its_own_after_a_count():
    result = process_text("本报讯 阳高县此次开工的12个重点项目,有民生项目2个,包含投资1.2亿元的东山湿地公园项目。")
    assert {(name_of(result, a.entity_id), a.value) for a in result.attributes} == \
        {("东山湿地公园项目", "120000000")}


def test_an_amount_of_its_own_is_not_the_earlier_amount():
    # the first amount's clause names no project; the project after it has its own amount
    result = process_text("本报讯 阳高县总投资2.6亿元对多条道路进行了改建,总投资1.2亿元的东山湿地公园项目主体完工。")
    assert {(name_of(result, a.entity_id), a.value) for a in result.attributes} == \
        {("东山湿地公园项目", "120000000")}


@pytest.mark.parametrize("text, places", [
    # 位于 + a chain of divisions: the last of the chain
    ("本报讯 东山湿地公园项目位于阳高县龙泉镇。", {"龙泉镇"}),
    # a list of chains after the site of the project named before
    ("本报讯 阳高县东山湿地公园项目开工。项目建设地点位于阳高县龙泉镇、罗文皂镇和云州区境内。",
     {"龙泉镇", "罗文皂镇", "云州区"}),
    # 在 + chain + an event that places it
    ("本报讯 东山湿地公园项目在阳高县龙泉镇落地开工。", {"龙泉镇"}),
])
def test_located_after_places_in_the_last_division_of_each_chain(text, places):
    found = {t for h, r, t in triples(process_text(text), "locatedIn") if h.endswith("东山湿地公园项目")}
    assert found == places


def test_a_meeting_place_does_not_place_the_project():
    found = triples(process_text("本报讯 东山湿地公园项目在阳高县龙泉镇召开推进会。"), "locatedIn")
    assert ("东山湿地公园项目", "locatedIn", "龙泉镇") not in found


@pytest.mark.parametrize("text, placed", [
    # a province in a company's name is part of its brand: no place unless the province is named
    ("本报讯 山西禾丰新材料有限公司扩大生产。", set()),
    ("本报讯 山西省大力发展新材料产业,山西禾丰新材料有限公司扩大生产。", {"山西省"}),
    # a county in the name places it
    ("本报讯 阳高县禾丰新材料有限公司扩大生产。", {"阳高县"}),
])
def test_a_brand_place_in_an_organization_name(text, placed):
    found = {t for h, r, t in triples(process_text(text), "locatedIn") if h.endswith("禾丰新材料有限公司")}
    assert found == placed


def test_a_title_chain_stops_after_another_persons_name():
    result = process_text("本报讯 阳高县委常委、县纪委书记钱立新,县政协副主席、县发改局局长孙明远,"
                          "县人大常委会副主任苏振华出席活动。")
    employers = {t for h, r, t in triples(result, "worksFor") if h == "苏振华"}
    assert employers == {"阳高县人民代表大会常务委员会"}
    employers = {t for h, r, t in triples(result, "worksFor") if h == "孙明远"}
    assert employers == {"阳高县发展和改革局", "中国人民政治协商会议阳高县委员会"}


def test_a_qualified_title_keeps_its_chain():
    result = process_text("本报讯 阳高县委常委、常务副县长钱立新出席。")
    assert ("钱立新", "worksFor", "中共阳高县委员会") in triples(result)


@pytest.mark.parametrize("text, expected", [
    # a rank joined to a post (某部部长、一级巡视员): the post's body
    ("本报讯 阳高县委宣传部部长、一级巡视员钱立新出席活动。", ("钱立新", "worksFor", "中共阳高县委员会宣传部")),
    # a member title whose body ends inside it (县人大 + 人大代表)
    ("本报讯 阳高县委召开会议。县人大代表钱立新说,要做好项目。", ("钱立新", "worksFor", "阳高县人民代表大会")),
    # a head of government earlier in the chain (副县长、某局局长)
    ("本报讯 阳高县政府召开常务会议,副县长、县水务局局长钱立新汇报。", ("钱立新", "worksFor", "阳高县人民政府")),
    ("本报讯 阳高县政府召开常务会议,副县长、县水务局局长钱立新汇报。", ("钱立新", "worksFor", "阳高县水务局")),
])
def test_every_title_of_a_chain_names_its_body(text, expected):
    assert expected in triples(process_text(text), "worksFor")


def test_a_resident_title_names_no_employer():
    assert triples(process_text("本报讯 阳高县委召开会议。县城村民钱立新说,要做好项目。"), "worksFor") == set()


@pytest.mark.parametrize("text, expected", [
    # the government is named: the head of government works for it
    ("本报讯 阳高县政府召开常务会议。副县长钱立新出席。", True),
    # a bare 县长 creates no government (GUIDELINES, Titles)
    ("本报讯 阳高县委召开常委会议。阳高县委副书记、县长钱立新出席。", False),
])
def test_head_of_government_only_when_the_government_is_named(text, expected):
    assert (("钱立新", "worksFor", "阳高县人民政府") in triples(process_text(text))) is expected


def test_an_owner_inside_one_project_is_no_subject_of_the_next():
    result = process_text("本报讯 分别是总投资5亿元的阳高县禾丰新材料有限公司年产10万吨碳材料项目,"
                          "总投资0.6亿元的阳高县东山湿地公园项目。")
    assert triples(result, "undertakes") == {
        ("阳高县禾丰新材料有限公司", "undertakes", "阳高县禾丰新材料有限公司年产10万吨碳材料项目")}


@pytest.mark.parametrize("text, undertaker", [
    # a party committee with its government: the government undertakes (GUIDELINES, Undertakes)
    ("本报讯 阳高县委、县政府实施东山湿地公园项目。", "阳高县人民政府"),
    # a party committee alone undertakes nothing
    ("本报讯 阳高县委实施东山湿地公园项目。", None),
])
def test_a_party_committee_undertakes_through_its_government(text, undertaker):
    found = {h for h, r, t in triples(process_text(text), "undertakes") if t == "东山湿地公园项目"}
    assert found == ({undertaker} if undertaker else set())


@pytest.mark.parametrize("text", [
    # the object of a preposition is no subject: 与 with no body before it, 经 + a list of bodies
    "本报讯 推介会上,现场与山西禾丰餐饮公司等10家企业签约,标志着总投资3亿元的东山湿地公园项目启动。",
    "本报讯 经阳高县委、县政府研究决定,于5月1日起实施东山湿地公园项目。",
    # trigger + amount + 的 describes the project; a header line is no subject of the next paragraph
    "本报讯 山西禾丰餐饮公司总投资3亿元的东山湿地公园项目开工。",
    "来源: 山西禾丰餐饮公司  编辑: 钱立新\n\n今年阳高县将投资3亿元,实施东山湿地公园项目。",
])
def test_no_subject_trigger_from_a_body_that_is_no_subject(text):
    assert not {t for h, r, t in triples(process_text(text), "undertakes") if t.endswith("东山湿地公园项目")}


def test_two_bodies_joined_by_a_preposition_are_subjects():
    result = process_text("本报讯 阳高县住房和城乡建设局与山西禾丰新材料有限公司共同实施东山湿地公园项目。")
    assert ("山西禾丰新材料有限公司", "undertakes", "东山湿地公园项目") in triples(result)


def test_both_parties_of_a_signing_undertake_what_they_push_forward():
    result = process_text("本报讯 3月2日,阳高县住房和城乡建设局与山西禾丰新材料有限公司签订战略合作协议。"
                          "按照协议约定,双方今年加快推进东山湿地公园项目建设。")
    assert {h for h, r, t in triples(result, "undertakes") if t == "东山湿地公园项目"} == \
        {"阳高县住房和城乡建设局", "山西禾丰新材料有限公司"}


def test_a_tenant_signing_with_a_project_does_not_undertake_it():
    # 与X签约 without 的 + project: X signed with the project, it is not said to build it
    result = process_text("本报讯 东山湿地公园项目与山西禾丰餐饮公司等10家企业签约。")
    assert triples(result, "undertakes") == set()


@pytest.mark.parametrize("text, owner", [
    # a later clause of the project's sentence: 更是ORG…的…
    ("本报讯 东山湿地公园项目是阳高县重点项目之一,更是山西禾丰新材料有限公司转型发展的重要举措。",
     "山西禾丰新材料有限公司"),
    # an agency that chose the project is no owner
    ("本报讯 东山湿地公园项目是阳高县人民政府确定的重点项目。", None),
    # the project is not the subject of the clause
    ("本报讯 记者了解到东山湿地公园项目是山西禾丰新材料有限公司的重点项目。", None),
])
def test_copula_owner(text, owner):
    found = {h for h, r, t in triples(process_text(text), "undertakes") if t == "东山湿地公园项目"}
    assert found == ({owner} if owner else set())


def test_a_body_naming_a_persons_post_is_no_topic():
    result = process_text("本报讯 阳高县住房和城乡建设局局长钱立新出席开工仪式。将建设东山湿地公园项目。")
    assert triples(result, "undertakes") == set()


def test_passive_agent_after_this_project_takes_the_project_named_before():
    result = process_text("本报讯 阳高县东山湿地公园项目开工。据悉,该项目为首届招商大会签约项目,"
                          "由山西禾丰新材料有限公司投资建设。")
    assert ("山西禾丰新材料有限公司", "undertakes", "阳高县东山湿地公园项目") in triples(result)


def test_a_place_found_for_one_mention_holds_for_the_entity():
    # located-after places the project; its second mention is not placed again by its name
    result = process_text("本报讯 阳高县东山湿地公园项目位于阳高县龙泉镇。阳高县东山湿地公园项目年底完工。")
    assert {t for h, r, t in triples(result, "locatedIn")} == {"龙泉镇"}


@pytest.mark.parametrize("text, expected", [
    # the group named on its own, then its company written after the group's name
    ("本报讯 禾丰集团总经理钱立新介绍,禾丰集团鸿达公司承担建设任务。", {("禾丰集团鸿达公司", "禾丰集团")}),
    # a legal form adds nothing: the same company, no subsidiary
    ("本报讯 禾丰集团与阳高县签约。禾丰集团有限公司将投资建厂。", set()),
])
def test_branch_of_named(text, expected):
    assert {(h, t) for h, r, t in triples(process_text(text), "subOrganizationOf")} == expected


def test_a_parent_written_inside_its_branch_name_is_an_entity_with_a_mention():
    text = "本报讯 山西禾丰新材料有限公司阳高分公司扩大生产。"
    result = process_text(text)
    parent = next(e for e in result.entities if e.name == "山西禾丰新材料有限公司")
    assert parent.type == "Organization"
    spans = [(m.start, m.end) for m in result.mentions if m.entity_id == parent.entity_id]
    assert [text[s:e] for s, e in spans] == ["山西禾丰新材料有限公司"]


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


def test_the_paper_is_resolved_only_when_the_text_names_it():
    # guideline, "Only the text counts": 本报 is a paper only when the text names it
    unnamed = process_text("本报讯(记者张晓东)近日,晋城市召开会议。")
    assert not {e.name for e in unnamed.entities if e.type == "Organization"}
    assert not triples(unnamed, "worksFor")
    named = process_text("汾源日报讯(记者张晓东)近日,晋城市召开会议。本报将持续关注。")
    assert ("张晓东", "worksFor", "汾源日报") in triples(named, "worksFor")
