"""Tagging: candidate names found by the gazetteer and the naming rules."""
from __future__ import annotations

import pytest

from kg.tagging import candidates_of, make_nlp


@pytest.fixture(scope="module")
def nlp():
    return make_nlp()


def found(nlp, text: str, type_: str) -> set[str]:
    return {c.surface for c in candidates_of(nlp(text)) if c.type == type_}


@pytest.mark.parametrize("text, expected", [
    ("昨日,平遥县召开大会。", {"平遥县"}),
    ("平遥古城游客如织,平遥人很自豪。", {"平遥"}),            # short form of 平遥县
    ("大同市云冈区某街道办事处。", {"大同市", "云冈区"}),
])
def test_divisions_by_full_name_and_short_form(nlp, text, expected):
    assert expected <= found(nlp, text, "Division")


@pytest.mark.parametrize("text", [
    "城区主次干道积雪已清扫。",     # 城区 is a generic word here
    "上党革命老区的红色文化。",     # historical region, not 上党区
])
def test_stoplisted_forms_are_not_divisions(nlp, text):
    assert not {"城区", "上党"} & found(nlp, text, "Division")


@pytest.mark.parametrize("text, expected", [
    ("会上,盂县发展和改革局、县教育局负责人发言。", {"盂县发展和改革局", "县教育局"}),
    ("根据市市场监督管理局印发的通知。", {"市市场监督管理局"}),
    ("由阳泉市文化和旅游局主办。", {"阳泉市文化和旅游局"}),
    ("市委、市政府高度重视。", {"市委", "市政府"}),
])
def test_agencies_by_jurisdiction_domain_body(nlp, text, expected):
    assert expected <= found(nlp, text, "Agency")


@pytest.mark.parametrize("text", ["形成新格局。", "打造发展大局。", "活动在车站举办。"])
def test_ordinary_words_ending_in_a_body_word_are_not_agencies(nlp, text):
    assert found(nlp, text, "Agency") == set()


@pytest.mark.parametrize("text, expected", [
    ("山西某某建设集团有限公司承建该工程。", {"山西某某建设集团有限公司"}),
    ("联合晋能控股集团启动项目。", {"晋能控股集团"}),
    ("县人民医院新增床位。", {"县人民医院"}),
    ("平遥二中学生参加比赛。", {"平遥二中"}),
])
def test_organizations_by_head(nlp, text, expected):
    assert expected <= found(nlp, text, "Organization")


@pytest.mark.parametrize("text, expected", [
    ("实施迎泽大街提质改造工程。", {"迎泽大街提质改造工程"}),
    ("加快推进汾河二期生态修复工程建设。", {"汾河二期生态修复工程"}),
    ("建成东湖公园、西山游园等5个游园项目。", {"东湖公园", "西山游园"}),
    ("开工建设榆次第五中学。", {"榆次第五中学"}),
    ("县图书馆投入50万元实施升级改造。", {"县图书馆升级改造"}),
])
def test_projects(nlp, text, expected):
    assert expected <= found(nlp, text, "Project")


@pytest.mark.parametrize("text", [
    "持续推进城镇老旧小区改造。",       # generic activity
    "提升垃圾分类处理水平。",
    "新建23个精品园林项目。",           # a count, not a name
    "春季补植补种工程。",               # time word: an activity
])
def test_generic_activities_are_not_projects(nlp, text):
    assert found(nlp, text, "Project") == set()


@pytest.mark.parametrize("text, expected", [
    ("某某集团有限公司董事长王建国表示,", {"王建国"}),
    ("本报记者 李明 摄", {"李明"}),
    ("(刘洋、陈晓丽)", {"刘洋", "陈晓丽"}),
    ("村民赵大山说:“好。”", {"赵大山"}),
])
def test_persons_need_evidence(nlp, text, expected):
    assert expected <= found(nlp, text, "Person")


def test_two_characters_are_not_a_person_without_evidence(nlp):
    assert found(nlp, "王者荣耀是一款游戏,高效推进工作。", "Person") == set()


def test_candidate_offsets_reproduce_the_text(nlp):
    text = "实施迎泽大街提质改造工程,太原市生态环境局局长张三表示。"
    for c in candidates_of(nlp(text)):
        assert text[c.start:c.end] == c.text
