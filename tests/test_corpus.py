"""Tests of kg.corpus: decoding, article splitting, normalisation, sentences."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.corpus import (
    LAYOUT_FILE,
    decode_bytes,
    iter_sentences,
    load_layout,
    normalize,
    read_document,
    split_articles,
    to_source,
)
from kg.errors import DataError, InputError

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

SAMPLE = "灵石县住建局实施工程\r\n\r\n本报讯 12月4日，左权县召开新闻发布会。\n(欧阳静怡)\n"


# --------------------------------------------------------------------------
# Decoding


def _bom16be(text: str) -> bytes:
    return b"\xfe\xff" + text.encode("utf-16-be")


@pytest.mark.parametrize(
    "encode, expected",
    [
        (lambda t: t.encode("utf-8"), "utf-8"),
        (lambda t: t.encode("utf-8-sig"), "utf-8-sig"),
        (lambda t: b"\xff\xfe" + t.encode("utf-16-le"), "utf-16-le"),
        (_bom16be, "utf-16-be"),
        (lambda t: t.encode("gb18030"), "gb18030"),
        (lambda t: t.encode("gbk"), "gb18030"),  # GB18030 is a superset of GBK
    ],
    ids=["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "gb18030", "gbk"],
)
def test_encodings_round_trip(tmp_path: Path, encode, expected: str) -> None:
    path = tmp_path / "page.txt"
    path.write_bytes(encode(SAMPLE))
    doc = read_document(path)
    assert doc.text == SAMPLE  # BOM dropped, \r\n kept: offsets index this text
    assert doc.encoding == expected
    assert doc.source == "page.txt"
    assert [a.title for a in doc.articles] == ["灵石县住建局实施工程"]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty file"),
        (b"  \n\t\r\n", "empty file"),
        ("\u3000\n\u3000".encode("utf-8"), "empty file"),
        (b"\xef\xbb\xbf", "empty file"),
        (b"\xff\xfe" + " \n".encode("utf-16-le"), "empty file"),
        (b"PK\x03\x04\x14\x00\x00\x00text", r"not text \(binary\)"),
        (bytes(range(1, 9)) * 20 + b"abc", r"not text \(binary\)"),
        (b"abc \xff\xff def", r"not text \(undecodable as UTF-8, UTF-16, GB18030 or Big5\)"),
        (b"\xff\xfea\x00b", r"not text \(undecodable"),  # odd byte count after a UTF-16 BOM
    ],
    ids=["empty", "whitespace", "ideographic-space", "bom-only", "utf16-blank", "nul", "controls",
         "undecodable", "utf16-truncated"],
)
def test_bad_files_raise_input_error_naming_the_file(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "bad_file.txt"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        read_document(path)
    text = str(info.value)
    assert "bad_file.txt" in text and "\n" not in text
    assert re.search(f": {message}", text)
    with pytest.raises(InputError, match=f"^x.txt: {message}"):
        decode_bytes(data, "x.txt")


@pytest.mark.parametrize("name", ["missing.txt", "a_directory"])
def test_unreadable_path_is_input_error(tmp_path: Path, name: str) -> None:
    (tmp_path / "a_directory").mkdir()
    with pytest.raises(InputError, match=name):
        read_document(tmp_path / name)


# --------------------------------------------------------------------------
# Articles

PAGE = (
    "左权县召开新闻发布会\n\n"
    "本报讯 12月4日，左权县召开第四季度新闻发布会。会上，县住建局发布成果。\n\n"
    "(欧阳静怡)\n\n"
    "寿阳中学举行助学捐赠仪式\n"
    "——基金会连续六年捐资助学\n\n"
    "记者 孙丽娟\n\n"
    "2025年12月7日，捐赠仪式在寿阳中学举行。\n\n"
    "基金会向两校捐赠47万元。\n\n"
    "□ 本报记者 杜卫东\n\n"
    "晋源区打造宜居家园\n\n"
    "本报讯 晋源区实施生态修复工程。\n\n"
    "(吴海鹏、郑晓光 文/摄)\n"
)


def test_three_article_page() -> None:
    articles = split_articles(PAGE, "page.txt")
    assert [a.title for a in articles] == [
        "左权县召开新闻发布会",
        "寿阳中学举行助学捐赠仪式 ——基金会连续六年捐资助学",
        "晋源区打造宜居家园",
    ]
    assert [a.article_id for a in articles] == ["page-1", "page-2", "page-3"]
    assert [a.date for a in articles] == [None, "2025-12-07", None]
    ends = ["(欧阳静怡)", "□ 本报记者 杜卫东", "(吴海鹏、郑晓光 文/摄)"]
    for article, end in zip(articles, ends):
        body = PAGE[article.start:article.end]
        assert body.startswith(article.title.split()[0])
        assert body.endswith(end)  # bylines stay with their article
    assert articles[0].start == 0
    assert articles[1].start == PAGE.index("寿阳中学举行")
    assert articles[2].end == PAGE.rindex(")") + 1


@pytest.mark.parametrize(
    "page, titles",
    [
        # markdown headings; a run of headings is one headline
        ("# 潞城区清洁取暖\n\n正文一。\n\n## 资讯\n\n### 小神头村: “小积分”\n\n正文二。",
         ["潞城区清洁取暖", "资讯 小神头村: “小积分”"]),
        ("# 标题\n正文。", ["标题"]),  # a markdown heading needs no blank line
        ("#话题# 不是标题，是正文。", ["#话题# 不是标题，是正文。"]),  # untitled: its first words
        # 本报讯 after a finished article starts one, even without a headline
        ("标题\n\n正文一。\n\n本报讯 正文二。", ["标题", "正文二。"]),
        # ... but not after a headline and photo captions
        ("标题\n\n图片说明 冯建平 摄\n\n本报讯 正文。", ["标题"]),
        # a headline after photo captions starts a new article
        ("标题一\n\n正文。\n\n标题二\n\n说明一 张三 摄\n\n说明二\n李四 摄影\n\n并州论坛\n\n正文三。",
         ["标题一", "标题二", "并州论坛"]),
        # byline between headline and section head keeps the headline run
        ("总标题\n\n记者 孙丽娟\n\n小标题\n\n正文。", ["总标题 小标题"]),
        # a headline printed after its untitled article becomes its title
        ("本报讯 正文一。\n\n正文二。\n\n许家宁基金会捐资助学\n情牵故土 善举润苗",
         ["许家宁基金会捐资助学 情牵故土 善举润苗"]),
        # a headline-like line cut from the next paragraph by the layout is body
        ("标题\n\n正文一。\n\n舞蹈《太行喜事》是根据何明远油画巨作《太行喜事》创作的同名左权小花\n\n戏。在太行山水间。",
         ["标题"]),
        # a short line with a comma is body text, not a headline
        ("标题\n\n正文。\n\n结合天气变化实际情况,左权县\n\n建立机制,提前供热。", ["标题"]),
        # notices: closing formula and signature stay with the notice
        ("大接访活动公告\n\n现将安排公告如下。\n\n特此公告\n\n晋城市信访局\n2023年2月10日\n\n公告\n\n采购项目已具备条件。",
         ["大接访活动公告", "公告"]),
        # jump lines and QR boxes end a teaser
        ("思想之光\n\n扫一扫\n读全文\n\n绘就新画卷\n\n正文。\n\n(下转第二版)\n\n锲而不舍\n\n(详见第四版)\n\n全力推动\n\n本报讯 正文。",
         ["思想之光", "绘就新画卷", "锲而不舍", "全力推动"]),
        ("没有结构的一段正文，没有标题。", ["没有结构的一段正文，没有标题。"]),
        ("本报讯 没有标题的文章，第一句话比二十个字长得多，还在继续。后文。", ["没有标题的文章，第一句话比二十个字长得…"]),
    ],
)
def test_split_titles(page: str, titles: list[str]) -> None:
    articles = split_articles(page, "p.txt")
    assert [a.title for a in articles] == titles
    _check_articles(page, articles)


@pytest.mark.parametrize("text", ["", " ", "\n\n\u3000\r\n"])
def test_blank_text_has_no_articles(text: str) -> None:
    assert split_articles(text, "p.txt") == ()


def test_unstructured_text_is_one_article() -> None:
    text = "\n  只有一段正文，没有标题。\n第二行也是正文。 \n"
    (article,) = split_articles(text, "p.txt")
    assert text[article.start:article.end] == text.strip()


@pytest.mark.parametrize(
    "body, date",
    [
        ("晋城市信访局 2023年2月10日", "2023-02-10"),
        ("会议于2025年12月7日举行，2026年1月1日起施行。", "2025-12-07"),
        ("12月7日，仪式举行。", None),
        ("2025年2月30日不存在，2024年2月29日存在。", "2024-02-29"),
        ("编号12025年1月1日", None),
        ("2025年至2026年", None),
    ],
)
def test_article_date(body: str, date: str | None) -> None:
    (article,) = split_articles("标题\n\n" + body, "p.txt")
    assert article.date == date


def _check_articles(text: str, articles: tuple) -> None:
    pos = 0
    for n, a in enumerate(articles, 1):
        assert a.article_id == f"p-{n}"
        assert pos <= a.start < a.end <= len(text)
        assert not text[pos:a.start].strip()  # only blank space between articles
        assert not text[a.start].isspace() and not text[a.end - 1].isspace()
        pos = a.end
    assert not text[pos:].strip()


# --------------------------------------------------------------------------
# Normalisation

CUT = "在提升城市品质方面，努力实施总投资16亿元的县\n\n城老旧小区及周边基础设施改造等项目建设。"


@pytest.mark.parametrize(
    "text, expected",
    [
        (CUT, CUT.replace("\n\n", "")),
        (CUT.replace("\n\n", "\r\n \r\n  "), CUT.replace("\n\n", "")),  # CRLF, spaces around
        (CUT.replace("\n\n", "\n"), CUT.replace("\n\n", "")),  # a single line break
        ("结合天气变化实际情况,左权县\n\n建立提前供热响应机制。", "结合天气变化实际情况,左权县建立提前供热响应机制。"),
        ("标题一\n\n正文……。", "标题一\n\n正文……。"),  # short headline: kept apart
        ("正文一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十。\n\n正文二。",) * 2,
        ("正文一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十“引语”\n\n正文二。",) * 2,
        # the line after is a headline, a byline, a caption, or a 本报讯 lead
        ("正文，持续提升群众获得感幸福感安全感\n\n精管细治提颜值 城市魅力再提升\n\n正文。",) * 2,
        ("正文，持续提升群众获得感幸福感安全感\n\n(欧阳静怡)",) * 2,
        ("正文，持续提升群众获得感幸福感安全感\n\n十字岭突围战文化园 冯建平 摄",) * 2,
        ("正文，持续提升群众获得感幸福感安全感\n\n本报讯 近日，正文。",) * 2,
        # the line before is a headline (under 30 characters) or a caption
        ("全国示范性老年友好型社区创建名单公布\n\n近日，正文。",) * 2,
        ("左权县天黎高速与207国道在太行山间交汇,路网交通勾勒画卷 冯建平 摄\n\n近日，正文。",) * 2,
    ],
)
def test_normalize(text: str, expected: str) -> None:
    norm, m = normalize(text, 0, len(text))
    assert norm == expected
    _check_map(text, 0, len(text), norm, m)


def test_normalize_maps_back_to_source() -> None:
    prefix = "标题\n\n"
    text = prefix + CUT + "\n\n(记者)"
    start, end = len(prefix), len(prefix) + len(CUT)
    norm, m = normalize(text, start, end)
    assert norm == CUT.replace("\n\n", "")
    _check_map(text, start, end, norm, m)
    s = norm.index("县城")
    assert to_source(m, s, s + 2) == (text.index("县\n"), text.index("城老") + 1)
    assert text[slice(*to_source(m, s, s + 2))] == "县\n\n城"
    assert to_source(m, 0, len(norm)) == (start, end)
    assert list(m[:3]) == [start, start + 1, start + 2] and m[-1] == end - 1
    assert m == list(m)


def test_to_source_edges() -> None:
    assert to_source([3, 4, 9], 2, 2) == (9, 9)
    assert to_source([3, 4, 9], 3, 3) == (10, 10)
    with pytest.raises(ValueError):
        to_source([3, 4, 9], 2, 4)
    with pytest.raises(ValueError):
        normalize("abc", 2, 5)


def _check_map(text: str, start: int, end: int, norm: str, m) -> None:
    assert len(m) == len(norm)
    offsets = list(m)
    assert all(text[o] == c for o, c in zip(offsets, norm))
    assert all(a < b for a, b in zip(offsets, offsets[1:]))
    assert all(start <= o < end for o in offsets)


# --------------------------------------------------------------------------
# Sentences


@pytest.mark.parametrize(
    "text, sentences",
    [
        ("他说：“好。”然后走了；\n标题\n", ["他说：“好。”", "然后走了；", "标题"]),
        ("一。二！三？", ["一。", "二！", "三？"]),
        ("真的吗？！对。", ["真的吗？！", "对。"]),
        ("无标点", ["无标点"]),
        ("  前后空格 。 \r\n\r\n 下一行", ["前后空格 。", "下一行"]),
        ("  \n\n\u3000", []),
        ("", []),
        ("会上，县住建局发布成果（见附件。）之后", ["会上，县住建局发布成果（见附件。）", "之后"]),
    ],
)
def test_iter_sentences(text: str, sentences: list[str]) -> None:
    assert [text[a:b] for a, b in iter_sentences(text)] == sentences


# --------------------------------------------------------------------------
# Properties, huge input, the seed corpus

LAYOUT_CHARS = list("本报讯记者摄影标题正文县城。，！？；：”“（）()#—□ \n\n\n\r\t\u30002025年12月7日abc")
texts = st.one_of(st.text(), st.text(alphabet=st.sampled_from(LAYOUT_CHARS), max_size=300))


@settings(max_examples=300, deadline=None)
@given(texts)
def test_split_and_normalize_properties(text: str) -> None:
    articles = split_articles(text, "p.txt")
    _check_articles(text, articles)
    assert bool(articles) == bool(text.strip())
    for start, end in [(0, len(text))] + [(a.start, a.end) for a in articles]:
        norm, m = normalize(text, start, end)
        _check_map(text, start, end, norm, m)
        for a, b in iter_sentences(norm):
            assert 0 <= a < b <= len(norm)
            assert norm[a:b] == norm[a:b].strip()


def test_huge_single_line_is_linear() -> None:
    line = "灵石县住房和城乡建设管理局实施总投资16亿元的老旧小区改造工程，" * 100_000  # ~3 M chars
    text = "标题\n\n" + line + "\n\n" + line
    (article,) = split_articles(text, "p.txt")
    norm, m = normalize(text, article.start, article.end)
    assert norm == "标题\n\n" + line + line  # the layout break between the lines is joined
    assert m[len(norm) - 1] == len(text) - 1 and to_source(m, 4, len(norm)) == (4, len(text))
    assert [norm[a:b] for a, b in iter_sentences(norm)][0] == "标题"
    assert sum(1 for _ in iter_sentences(norm)) == 2
    assert decode_bytes(text.encode("utf-8"), "big.txt")[0] == text


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.name)
def test_seed_corpus(path: Path) -> None:
    doc = read_document(path)
    assert doc.encoding == "utf-8"
    assert doc.articles and doc.articles[0].title
    pos = 0
    for a in doc.articles:
        assert pos <= a.start < a.end <= len(doc.text)
        pos = a.end
        norm, m = normalize(doc.text, a.start, a.end)
        _check_map(doc.text, a.start, a.end, norm, m)


@pytest.mark.parametrize(
    "name, title",
    [
        ("000_e487a97fcabaa823.txt", "连续六年捐资助学"),
        ("002_231d657270cb7023.txt", "清雪除冰 保障安全"),
        ("003_f049c3a94b54cb79.txt", "山西省长治市潞城区 清洁取暖纵深推进 乡村尽享“绿色暖冬”"),
        ("004_9e8b1df70881563f.txt", "全国示范性老年友好型社区创建名单公布 我市6个社区(村)入选"),
    ],
)
def test_seed_corpus_titles(name: str, title: str) -> None:
    assert any(title in a.title for a in read_document(CORPUS / name).articles)


# --------------------------------------------------------------------------
# Layout data


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("max_chars = 60", "max_chars = sixty", r"corpus\.toml:\d+: "),  # TOML syntax
        ("max_chars = 60", "max_chars = -1", r"corpus\.toml:\d+: 'heading\.max_chars' must be a positive integer"),
        ("'(?:^|\\s)摄影?$'", "'(?:^|\\s摄影?$'", r"corpus\.toml:\d+: 'insert\.patterns': bad regex"),
        ('markers = ["本报讯"', 'marker = ["本报讯"', r"corpus\.toml:\d+: unknown key 'lead\.marker'"),
        ("signature_max_lines = 3\n", "", r"corpus\.toml:\d+: missing key 'dates\.signature_max_lines'"),
    ],
)
def test_layout_errors_name_file_and_line(tmp_path: Path, old: str, new: str, message: str) -> None:
    source = LAYOUT_FILE.read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / "corpus.toml"
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataError, match=message) as info:
        load_layout(path)
    assert "\n" not in str(info.value)
