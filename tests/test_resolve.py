"""Resolution: canonical names, home jurisdictions, one node per entity."""
from __future__ import annotations

import pytest

from helpers import names, process_text
from support import pattern_examples
from kg.knowledge.lexicon import load_lexicon


@pytest.mark.parametrize("text, expected", [
    # 市X局 in a paper about 长治 → 长治市X局
    ("本报讯 长治市潞州区召开会议。市生态环境局有关负责人介绍了情况。", {"长治市生态环境局"}),
    # abbreviations are expanded (住建局 → 住房和城乡建设局), listed bodies share the jurisdiction
    ("本报讯 吕梁市离石区持续发力。市自然资源局、住建局等部门参加。", {"吕梁市自然资源局", "吕梁市住房和城乡建设局"}),
    # party committee and government: 市委 → 中共X市委员会, 市政府 → X市人民政府
    ("本报讯 大同市平城区经济发展迅速。市委、市政府高度重视。", {"中共大同市委员会", "大同市人民政府"}),
    # in an article about a county-level city, 市委 is that city's
    ("本报讯 原平市经济发展迅速。市委、市政府高度重视。", {"中共原平市委员会", "原平市人民政府"}),
])
def test_agency_names_get_their_jurisdiction(text, expected):
    assert expected <= names(process_text(text), "Agency")


def test_county_institutions_take_the_home_county():
    text = "本报讯 今年以来,平遥县持续改善民生。县人民医院新增床位200张。"
    assert "平遥县人民医院" in names(process_text(text), "Organization")


def test_short_forms_resolve_to_the_full_name():
    text = "本报讯 平遥古城游客如织,平遥县文旅产业发展迅速。"
    assert "平遥县" in names(process_text(text), "Division")


def test_home_references_are_mentions_of_the_home_division():
    text = "本报讯 长治市潞州区召开会议。我市今年将新建10所学校,全市人民共享成果。"
    result = process_text(text)
    home = [m for m in result.mentions if m.text in ("我市", "全市")]
    ids = {e.entity_id: e.name for e in result.entities}
    assert home and {ids[m.entity_id] for m in home} == {"长治市"}


def test_same_name_divisions_in_different_cities_stay_apart():
    # 西村乡 exists in two counties: in each text it resolves to the one of its county
    a = process_text("本报讯 大同市云州区西村乡召开会议。")
    b = process_text("本报讯 运城市万荣县西村乡召开会议。")
    ida = {e.entity_id for e in a.entities if e.name == "西村乡"}
    idb = {e.entity_id for e in b.entities if e.name == "西村乡"}
    assert ida and idb and ida.isdisjoint(idb)


def test_units_missing_from_the_gazetteer_are_read_from_a_chain():
    # a township renamed after the data was published: the chain 县 + X镇 + Y村 says what it is
    result = process_text("本报讯 黎城县某某新镇东岭村、平顺县青羊镇入选示范名单。")
    levels = {e.name: e.level for e in result.entities if e.type == "Division"}
    assert levels.get("某某新镇") == "township" and levels.get("东岭村") == "village"


def test_name_variants_are_one_entity():
    text = ("本报讯 太原市某某建设集团有限公司中标。\n\n"
            "据悉,某某建设集团将于明年开工。")
    orgs = names(process_text(text), "Organization")
    assert "太原市某某建设集团有限公司" in orgs and "某某建设集团" not in orgs


def test_organization_anaphor_resolves_to_the_last_named():
    text = "本报讯 山西某某慈善基金会捐款100万元。基金会理事长张丽华表示,将继续资助。"
    result = process_text(text)
    people = {(h, t) for h, r, t in _works_for(result)}
    assert ("张丽华", "山西某某慈善基金会") in people


def _works_for(result):
    by_id = {e.entity_id: e.name for e in result.entities}
    return {(by_id[r.head], r.rel, by_id[r.tail]) for r in result.relations if r.rel == "worksFor"}


def test_home_references_are_not_aliases():
    result = process_text("本报讯 长治市潞州区召开会议。我市今年将新建10所学校,全市人民共享成果。")
    city = next(e for e in result.entities if e.name == "长治市")
    assert not {"我市", "全市"} & set(city.aliases)


BRANCH_HEADS = load_lexicon().words("agency", "branch_heads")


def _select_open_by_pairs(cands):
    """select_open as first written: every candidate against every other one.

    Of two candidates of one span it keeps the one ``select_open`` keeps of the
    two alone (the preference is not what this oracle checks: the window is).
    """
    from kg.resolve.select import select_open

    by_span = {}
    for c in cands:
        if c.type != "Division" and ((c.start, c.end) not in by_span
                                     or select_open([by_span[(c.start, c.end)], c], BRANCH_HEADS) == [c]):
            by_span[(c.start, c.end)] = c
    chosen = sorted(by_span.values(), key=lambda c: (c.start, -(c.end - c.start)))
    keep = []
    for c in chosen:
        drop = False
        for o in chosen:
            if o is c or (o.end - o.start) <= (c.end - c.start):
                continue
            if o.start <= c.start and c.end <= o.end:
                if c.type == "Agency" and o.type == "Agency" and c.start == o.start and \
                        o.text.endswith(BRANCH_HEADS):
                    continue
                if c.type in ("Organization", "Agency") and o.type == "Project" and c.start == o.start:
                    continue
                drop = True
                break
            if o.start < c.start < o.end < c.end or c.start < o.start < c.end < o.end:
                drop = True
                break
        if not drop:
            keep.append(c)
    return keep


def test_select_open_looks_only_at_near_candidates():
    import random

    from kg.names import Candidate
    from kg.resolve.select import select_open as _select_open

    rnd = random.Random(5)
    types = ["Agency", "Organization", "Project", "Person", "Division"]
    rules = ["project-head", "facility-built", "agency-suffix", "org-suffix", "credit"]
    for _ in range(3000):
        cands = []
        for _ in range(rnd.randint(0, 25)):
            s = rnd.randint(0, 60)
            e = s + rnd.randint(0, 12)
            text = "".join(rnd.choice("局分中心队公司厂") for _ in range(e - s))
            cands.append(Candidate(s, e, rnd.choice(types), text, rnd.choice(rules), title=rnd.choice([None, "x"])))
        assert _select_open(cands, BRANCH_HEADS) == _select_open_by_pairs(cands)


@pytest.mark.parametrize("text, type_, expected, absent", pattern_examples("resolved"))
def test_every_resolution_example_resolves_its_names(text, type_, expected, absent):
    assert expected or absent  # an example shows something
    got = names(process_text(text), type_)
    assert set(expected) <= got, f"{text!r}: {type_} {sorted(got)}"
    assert not set(absent) & got, f"{text!r}: {type_} {sorted(got)}"
