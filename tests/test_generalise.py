"""Two invented articles in the style of Shanxi county news (not in the corpus):
the rules must find what a reader finds there, and nothing silly."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import names, triples
from kg.corpus import read_document as load_document
from kg.run.document import process_document

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def datong():
    return process_document(load_document(FIXTURES / "invented_datong_linfen.txt"))


@pytest.fixture(scope="module")
def xinzhou():
    return process_document(load_document(FIXTURES / "invented_xinzhou_jincheng.txt"))


def test_entities_of_the_first_article(datong):
    assert {"大同市云冈区住房和城乡建设局", "临汾市应急管理局", "临汾市消防救援支队"} <= names(datong, "Agency")
    assert {"山西路桥建设集团有限公司", "山西建邦集团有限公司", "云冈区人民医院"} <= names(datong, "Organization")
    assert {"和平街片区综合改造工程", "御河西路北延工程", "口泉河生态修复工程"} <= names(datong, "Project")
    assert {"王海涛", "李国强", "张明", "陈志刚", "刘芳", "赵军"} <= names(datong, "Person")
    assert {"屯里镇", "大阳镇", "临汾经济开发区"} <= names(datong, "Division")
    # generic activities and counts are not projects
    assert not {"老旧小区改造", "12个重点项目"} & names(datong, "Project")


def test_relations_of_the_first_article(datong):
    found = triples(datong)
    assert ("李国强", "worksFor", "大同市云冈区住房和城乡建设局") in found   # 区住建局局长 → the district's
    assert ("大同市云冈区住房和城乡建设局", "undertakes", "口泉河生态修复工程") in found
    assert ("山西建邦集团有限公司", "locatedIn", "临汾经济开发区") in found
    assert ("陈志刚", "worksFor", "临汾市应急管理局") in found                # 市应急局 = 应急管理局


def test_second_article(xinzhou):
    assert {"原平市发展和改革局", "阳城县文化和旅游局", "中共原平市委员会"} <= names(xinzhou, "Agency")
    assert {"孙红", "王振华", "张晓燕"} <= names(xinzhou, "Person")
    assert not {"长孙红", "李大爷"} & names(xinzhou, "Person")
    found = triples(xinzhou)
    assert ("孙红", "worksFor", "原平市发展和改革局") in found
    assert ("王振华", "worksFor", "中共原平市委员会") in found               # 市委 of a county-level city
    assert ("阳城县文化和旅游局", "undertakes", "阳城县润城镇砥洎城景区提质改造工程") in found  # 由X实施
    values = {a.value for a in xinzhou.attributes}
    assert {"560000000", "28000000"} <= values


@pytest.fixture(scope="module")
def yuncheng():
    return process_document(load_document(FIXTURES / "invented_yuncheng_lvliang.txt"))


def test_third_article(yuncheng):
    assert {"东城街道", "红旗社区"} <= names(yuncheng, "Division")       # a village read from its chain
    assert "交城县教育科技局" in names(yuncheng, "Agency")                 # not over-expanded
    found = triples(yuncheng)
    assert ("运城市热力有限公司", "undertakes", "东城片区供热管网更新工程") in found   # 由X承建
    assert ("闫俊峰", "worksFor", "运城市热力有限公司") in found
    assert ("柴文斌", "worksFor", "盐湖区住房和城乡建设局") in found
    assert ("赵建平", "worksFor", "中共交城县委员会") in found             # 县委副书记、县长
