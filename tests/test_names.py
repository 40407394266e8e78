"""Tagging: candidate names found by the gazetteer and the naming rules."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import names, process_text
from support import pattern_examples
from kg.names import finder_of, finders
from kg.nlp.candidates import candidates_of


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


# ---------------------------------------------------------------------------
# Lookup helpers: the fast forms give what the plain forms give

def _plain_alternation(words):
    import re

    from kg.names.trie import by_length as _by_length

    words = _by_length(words)
    return re.compile("|".join(map(re.escape, words)) if words else "(?!)")


@pytest.mark.parametrize("words", [
    ["局", "局长", "副局长", "主任", "主席"],
    ["公司", "有限公司", "集团有限公司", "司"],
    ["a.b", "a*", ".", "a"],                    # characters special to re
    [],
])
def test_word_tries_match_like_alternations(words):
    import random

    from kg.names.trie import alternation as _alternation, overlapping as _overlapping

    trie, plain = _alternation(words), _plain_alternation(words)
    rnd = random.Random(3)
    alphabet = "".join(sorted(set("".join(words)))) + "xy"
    for _ in range(300):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 20)))
        assert [m.span() for m in trie.finditer(text)] == [m.span() for m in plain.finditer(text)]
        assert list(_overlapping(trie, text)) == list(_overlapping(plain, text))


def test_overlapping_hits_see_a_suffix_inside_a_longer_one():
    from kg.names.trie import alternation as _alternation, overlapping as _overlapping

    assert list(_overlapping(_alternation(["分局", "局"]), "税务分局局长")) == [(2, 4, "分局"), (3, 4, "局"), (4, 5, "局")]


def test_words_by_length_find_the_longest_word_ending_there():
    from kg.names.trie import by_length_sets as _by_length_sets, ending_at as _ending_at

    groups = _by_length_sets(["公园", "园", "森林公园"])
    assert _ending_at("建设森林公园", 6, groups) == "森林公园"
    assert _ending_at("公园", 2, groups) == "公园"
    assert _ending_at("园", 1, groups) == "园"
    assert _ending_at("公园", 1, groups) is None


def test_context_tables_of_tokens(nlp):
    from kg.names import Context, TokenTags

    tags = {1: "ns", 2: "", 3: "n"}
    ctx = Context(nlp.get_pipe("kg_candidates").lexicon, None, [0, 3, 5], [3, 5, 6], TokenTags([1, 2, 3], tags))
    assert ctx.is_token(0, 3) and ctx.is_token(3, 6) and not ctx.is_token(1, 3)
    assert ctx.starting_at(3) == (5, "") and ctx.ending_at(6) == (5, "n") and ctx.ending_at(4) is None
    assert ctx.tag(0, 3) == "ns" and ctx.tag(0, 5) is None and ctx.tag_starting_at(5) == "n"
    assert list(ctx.tokens_in(1, 6)) == [(3, 5, ""), (5, 6, "n")]


def test_candidate_component_reads_whitespace_and_trailing_spaces(nlp):
    text = "左权县  住建局 \n\n平遥县\t古城 ABC 公司。 "
    doc = nlp.make_doc(text)
    read_text, ctx = nlp.get_pipe("kg_candidates").context(doc)
    assert read_text == doc.text == text
    words = [t for t in doc if not t.is_space]
    assert ctx._starts == [t.idx for t in words]
    assert ctx._ends == [t.idx + len(t.text) for t in words]


def test_every_candidate_rule_is_declared_by_the_finder_of_its_family(nlp):
    """A candidate's rule leads to the module that applies it (kg.names.finder_of)."""
    fixtures = sorted((Path(__file__).parent / "fixtures").glob("*.txt"))
    seen = set()
    for path in fixtures:
        for c in candidates_of(nlp(path.read_text(encoding="utf-8"))):
            seen.add((c.type, c.rule))
    assert {t for t, _ in seen} >= {"Division", "Agency", "Organization", "Project", "Person"}
    for type_, rule in seen:
        if type_ == "Division":
            assert rule in ("gazetteer", "gazetteer-short", "zone-named")
        else:
            assert finder_of(rule).family == type_, rule
    declared = {rule for f in finders() for rule in f.rules}
    assert len(declared) == sum(len(f.rules) for f in finders())  # no rule in two finders


# ---------------------------------------------------------------------------
# Media outlets, party and government short forms (issue 15: B-1, B-2)

@pytest.mark.parametrize("text, expected", [
    ("上党画报记者走进乡村。", {"上党画报"}),                                # media head
    ("太行新闻网榆社讯(记者王明)近日,榆社县召开会议。", {"太行新闻网"}),     # dateline
    ("来源:汾源晚报时间:2024-03-02\n本报讯 近日,会议召开。", {"汾源晚报"}),  # source line, label after it
    ("信息来源: 晋北在线12月3日,会议召开。", {"晋北在线"}),               # a date after it
    ("2024-03-02 来源:3306房网 编辑:李红梅", {"3306房网"}),
    ("沁水县融媒体中心开展直播。", {"沁水县融媒体中心"}),                   # a media centre, not a body
])
def test_media_outlets_are_organizations(nlp, text, expected):
    assert expected <= found(nlp, text, "Organization")
    assert not expected & found(nlp, text, "Agency")


def test_a_bodys_website_in_a_source_line_is_no_outlet(nlp):
    assert found(nlp, "(来源:沁水县人民政府网站)", "Organization") == set()


@pytest.mark.parametrize("text, expected", [
    ("认真贯彻落实省委部署。", {"省委"}),                # after a CJK character, as a word of its own
    ("希望县政府加快推进。", {"县政府"}),
    ("在市委、市政府的领导下。", {"市委", "市政府"}),
    ("会上,沁水县县委书记王明讲话。", {"县委"}),        # the level written again after the county
    ("县监委开展监督检查。", {"县监委"}),
    ("中央第三生态环境保护督察组进驻。", {"中央第三生态环境保护督察组"}),
    ("县里成立了教育工程领导组。", {"教育工程领导组"}),
])
def test_party_and_government_bodies(nlp, text, expected):
    assert expected <= found(nlp, text, "Agency")


@pytest.mark.parametrize("text", ["城市委员会议召开。", "他受省委托办理。"])
def test_party_short_forms_inside_other_words_are_no_bodies(nlp, text):
    assert not {"市委", "省委"} & found(nlp, text, "Agency")


@pytest.mark.parametrize("text, expected", [
    ("民盟晋城市委会主委李红梅带队调研。", {"中国民主同盟晋城市委员会"}),
    ("民建长治市委副主委王明出席。", {"中国民主建国会长治市委员会"}),
])
def test_democratic_party_committees_are_organizations_by_their_full_name(nlp, text, expected):
    assert expected <= found(nlp, text, "Organization")


# ---------------------------------------------------------------------------
# Which project names are specific (issue 15: B-3)

@pytest.mark.parametrize("text, expected", [
    ("五台山风景区建设项目开工。", {"五台山风景区建设项目"}),        # a place's name is no count (五 + 台)
    ("开工建设东山光伏电站、晋丰西梁一期等3个项目。", {"晋丰西梁一期"}),  # a list item with its phase
    ("总投资3亿元、年销售额5000万元的食品加工项目落户园区。", {"食品加工项目"}),  # its own amount
])
def test_specific_projects(nlp, text, expected):
    assert expected <= found(nlp, text, "Project")


@pytest.mark.parametrize("text, type_", [
    ("为全年开好局。", "Agency"),                       # an idiom ending in 局
    ("全区经济蓄势成局。", "Agency"),
    ("位于县城东南20公里处。", "Agency"),               # a distance, not a 处
    ("该园区是全市众多优质项目之一。", "Project"),       # one of the projects
    ("始终坚持项目化推进。", "Project"),                # a manner of working
    ("“夏季攻坚行动”项目全面启动。", "Project"),        # a campaign's programme
    ("全力抓好大项目。", "Project"),                    # generic head
    ("实施城区民生工程项目。", "Project"),              # a generic head written with 项目 again
])
def test_idioms_and_generic_heads_are_no_names(nlp, text, type_):
    assert found(nlp, text, type_) == set()


# ---------------------------------------------------------------------------
# Lists, enumerations, institutions being built, owners inside names (issue 15: B-4 … B-6)

def surfaces(nlp, text: str, type_: str) -> set[str]:
    """Names of the entities of ``type_`` once the resolver has chosen among overlaps."""
    return names(process_text(text), type_)


@pytest.mark.parametrize("text, expected", [
    # a category between the count and the head: each item + category + head
    ("本报讯 今年实施下石村、八里庄、周家庄等6个棚改项目。",
     {"下石村棚改项目", "八里庄棚改项目", "周家庄棚改项目"}),
    # items that already name a facility stay bare
    ("本报讯 建成汾水园、晋韵园等5个精品园林项目。", {"汾水园", "晋韵园"}),
    # a count after the list: what follows it is each item's
    ("本报讯 上石村、八里村、周庄村3所改扩建村级幼儿园开工。",
     {"上石村改扩建村级幼儿园", "八里村改扩建村级幼儿园", "周庄村改扩建村级幼儿园"}),
    # 3所学校的X: the X of each school
    ("本报讯 卧龙中学、城关二中、城关二小3所学校的教学设备购置工程完工。",
     {"卧龙中学教学设备购置工程", "城关二中教学设备购置工程", "城关二小教学设备购置工程"}),
    # an enumeration of projects
    ("本报讯 今年谋划文旅类项目3项,具体为:南山文化创意园、东岭湾、北坡采煤沉陷区治理。",
     {"南山文化创意园", "东岭湾", "北坡采煤沉陷区治理"}),
])
def test_list_items_are_projects(nlp, text, expected):
    assert expected <= surfaces(nlp, text, "Project")


def test_schools_named_by_a_distributed_list_stay_organizations(nlp):
    text = "本报讯 卧龙中学、城关二中、城关二小3所学校的教学设备购置工程完工。"
    assert "卧龙中学" in surfaces(nlp, text, "Organization")


def test_a_category_of_projects_is_no_project(nlp):
    assert "文旅类项目" not in found(nlp, "今年谋划文旅类项目3项,具体为:南山文化创意园、东岭湾。", "Project")


@pytest.mark.parametrize("text, expected", [
    ("本报讯 应县陶瓷职业技术学院、县日用瓷检验中心开工。", {"应县陶瓷职业技术学院"}),
    ("本报讯 育才幼儿园、阳光幼儿园两所新建幼儿园主体完工。", {"育才幼儿园", "阳光幼儿园"}),
])
def test_institutions_a_construction_list_names_are_projects(nlp, text, expected):
    assert expected <= surfaces(nlp, text, "Project")


def test_an_institution_that_builds_stays_an_organization(nlp):
    text = "本报讯 平遥县人民医院开工建设新住院楼。"
    assert "平遥县人民医院" in surfaces(nlp, text, "Organization")
    assert "平遥县人民医院" not in surfaces(nlp, text, "Project")


@pytest.mark.parametrize("text, expected", [
    ("投资2.6亿元的山西恒达环保科技15万吨再生铝项目开工。", {"山西恒达环保科技"}),   # up to a capacity
    ("宏盛药业公司中药饮片加工车间项目投产。", {"宏盛药业公司"}),                 # up to its first head
    ("旗下有大旺机械制造、中盛铸业等子公司。", {"大旺机械制造", "中盛铸业"}),     # brand + industry
])
def test_owners_and_brands_are_organizations(nlp, text, expected):
    assert expected <= found(nlp, text, "Organization")


def test_a_place_before_an_industry_word_is_no_owner(nlp):
    assert not found(nlp, "大同市清洁能源管网配套项目开工。", "Organization")


@pytest.mark.parametrize("text, expected", [
    ("本报讯 太谷区政府将办好十件实事。五是新建胜利东路第三小学人行天桥,缓解交通压力。",
     {"胜利东路第三小学人行天桥"}),
    ("本报讯 九是进一步建设完善东湖便民市场,方便市民。", {"东湖便民市场"}),
    ("本报讯 六是建设祁县“菜篮子”综合服务中心,完善平台。", {"祁县“菜篮子”综合服务中心"}),
])
def test_facilities_a_numbered_programme_builds_are_projects(nlp, text, expected):
    assert expected <= surfaces(nlp, text, "Project")


def test_a_programme_object_without_a_name_is_no_project(nlp):
    assert not found(nlp, "二是新建停车场,方便群众。", "Project")


@pytest.mark.parametrize("text, expected", [
    ("会议由县教育局、秸秆禁烧办、文明办、财政局负责人参加。", {"秸秆禁烧办", "文明办"}),  # weak heads in a list of bodies
    ("市人大代表王明说。", {"市人大"}),                                              # a member of the congress
])
def test_more_bodies(nlp, text, expected):
    assert expected <= found(nlp, text, "Agency")


@pytest.mark.parametrize("text, expected", [
    ("山西省地质研究所专家前来指导。", {"山西省地质研究所"}),        # an institute, not a 所 of the province
    ("中国石化平遥县东门加油站开展活动。", {"中国石化平遥县东门加油站"}),
])
def test_institutes_and_stations_are_organizations(nlp, text, expected):
    assert expected <= found(nlp, text, "Organization")
    assert not expected & found(nlp, text, "Agency")


def test_a_place_named_after_a_body_is_no_body(nlp):
    assert "县教育局" not in found(nlp, "县教育局片区的老旧小区完成改造。", "Agency")


def test_a_body_named_at_the_start_of_its_project_stays(nlp):
    text = "本报讯 沁源县检察院办案用房建设项目开工。"
    assert "沁源县检察院" in surfaces(nlp, text, "Agency")


# Every [examples.NAME] table of a pattern file (boundaries.toml, person.toml …):
# an invented sentence, the names the rule must find and the wrong spans it prevents


@pytest.mark.parametrize("text, type_, expected, absent", pattern_examples("examples"))
def test_every_pattern_example_finds_its_names(nlp, text, type_, expected, absent):
    assert expected or absent  # an example shows something
    names = found(nlp, text, type_)
    assert set(expected) <= names, f"{text!r}: {type_} {sorted(names)}"
    assert not set(absent) & names, f"{text!r}: {type_} {sorted(names)}"


@pytest.mark.parametrize("text, name, juris", [
    ("领导小组成员由区教育局组成。", "区教育局", "区"),   # 由区 is one segmenter word
    ("县总工会开展慰问。", "县总工会", "县"),             # one word: jurisdiction + body
])
def test_a_jurisdiction_word_glued_to_a_neighbour_is_still_the_prefix(nlp, text, name, juris):
    c = next(c for c in candidates_of(nlp(text)) if c.type == "Agency" and c.text == name)
    assert c.juris is not None and text[c.juris[0]:c.juris[1]] == juris


@pytest.mark.parametrize("text, expected", [
    # the count says how many items: each is a project, named or not
    ("本报讯 北山展览馆及周边绿化、文昌路——武安路连通道路、新区医院三项重点工程开工。",
     {"北山展览馆及周边绿化", "文昌路——武安路连通道路", "新区医院"}),
    # an enumeration after a class of projects
    ("本报讯 民生事业类3项,具体为:县中医院、西岭采煤沉陷区治理、南山绿化。",
     {"县中医院", "西岭采煤沉陷区治理", "南山绿化"}),
])
def test_counted_lists_name_their_items(nlp, text, expected):
    assert expected <= surfaces(nlp, text, "Project")


@pytest.mark.parametrize("text, type_", [
    ("全县完成30万平方米以上屋顶光伏改造。", "Project"),    # a measure: a description
    ("民进晋城市委会主委李红梅讲话。", "Agency"),           # 主委 is a title, not a 委
    ("新荣区二小3所学校参加。", "Agency"),                  # 3所: a count
    ("对砂矿进行整治。", "Organization"),                   # one character before 矿
])
def test_descriptions_titles_and_counts_are_no_names(nlp, text, type_):
    assert found(nlp, text, type_) == set()


def test_a_brand_before_a_staff_word_is_an_organization(nlp):
    assert "宏达环卫" in found(nlp, "县里宏达环卫职工代表参加揭幕。", "Organization")
