"""Tagging: candidate names found by the gazetteer and the naming rules."""
from __future__ import annotations

from pathlib import Path

import pytest

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
            assert rule in ("gazetteer", "gazetteer-short")
        else:
            assert finder_of(rule).family == type_, rule
    declared = {rule for f in finders() for rule in f.rules}
    assert len(declared) == sum(len(f.rules) for f in finders())  # no rule in two finders


# ---------------------------------------------------------------------------
# Every [examples.NAME] table of a pattern file (boundaries.toml, person.toml …):
# an invented sentence, the names the rule must find and the wrong spans it prevents

def _pattern_examples():
    from kg.knowledge.lexicon import load_lexicon, read_schema

    lexicon = load_lexicon()
    params = []
    for name in read_schema():
        patterns = lexicon.file(name)
        rules = dict.fromkeys(k.split(".")[1] for k in patterns.keys() if k.startswith("examples."))
        for rule in rules:
            example = patterns.section(f"examples.{rule}")
            params.append(pytest.param(example.string("text"), example.string("type"), example.words("found"),
                                       example.words("absent"), id=f"{name}:{rule}"))
    return params


@pytest.mark.parametrize("text, type_, expected, absent", _pattern_examples())
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
