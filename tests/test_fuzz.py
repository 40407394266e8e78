"""Fuzzing the corpus reader, the tagger and the per-document pipeline (hypothesis).

Random bytes and random Unicode (controls, every kind of line break, CJK,
astral characters, layout words, names, suffixes and trigger words of the
naming grammar) must never raise anything but :class:`~kg.errors.InputError`
for unreadable bytes, and every offset that comes out must lie inside the
text and cut out exactly the text it claims.
"""
from __future__ import annotations

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from kg.corpus import (decode_bytes, iter_chunks, iter_sentences, normalize, read_document,
                       split_articles, to_simplified, to_source)
from kg.errors import InputError
from kg.records import ENTITY_TYPES, RELATIONS

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PIPELINE = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Pieces of Shanxi news: layout words, names, suffixes, titles, trigger words,
# numbers and the punctuation the rules look at, plus hostile characters.
WORDS = [
    "本报讯", "本報訊", "记者", "摄", "(李明)", "（王芳 文/摄）", "□ 本报记者 赵立新", "# ", "——",
    "山西省", "晋中市", "左权县", "左权", "长治市", "潞城区", "城区", "矿区", "郊区", "晋城市", "太原市",
    "桐峪镇", "麻田村", "经济技术开发区", "我市", "该区", "本县", "该局", "市", "县", "区", "乡", "镇", "村",
    "住房和城乡建设管理局", "住建局", "生态环境局", "水利局", "人民政府", "委员会", "党委", "办公室",
    "中心", "有限公司", "集团", "股份有限公司", "合作社", "学校", "医院", "中学",
    "工程", "项目", "改造工程", "提质改造", "建设项目", "一期", "二期", "东关街", "老旧小区",
    "董事长", "总经理", "局长", "县长", "书记", "校长", "负责人", "张建国", "王", "李",
    "实施", "负责", "承担", "承建", "位于", "投资", "总投资", "亿元", "万元", "元", "16", "3.5", "１６",
    "近日", "2025年12月7日", "12月4日", "表示", "召开", "举行", "推进",
    "。", "，", "、", "；", "：", "！", "？", ".", ",", ";", ":", "!", "?", "“", "”", "\"", "'",
    "（", "）", "(", ")", "《", "》", "【", "】", " ", "\u3000", "\t",
    "\n", "\n\n", "\r\n", "\r", "\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x00", "\x1f", "\x7f",
    "<script>", "\\", "`", "𠀀", "\ufeff", "\u200b", "\ufffd",
]
news = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=3)), max_size=120).map("".join)
any_text = st.one_of(st.text(), news)


# -- reading ---------------------------------------------------------------------------

@FUZZ
@given(st.binary(max_size=400))
def test_decode_bytes_returns_text_or_input_error(data):
    try:
        text, encoding = decode_bytes(data, "f.txt")
    except InputError as exc:
        assert str(exc).startswith("f.txt: ") and "\n" not in str(exc)
        return
    assert text.strip() and "\x00" not in text
    assert isinstance(encoding, str)


@FUZZ
@given(any_text, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be-bom", "gb18030"]))
def test_decoding_gives_back_the_text(text, encoding):
    if encoding == "utf-16-be-bom":
        data = b"\xfe\xff" + text.encode("utf-16-be", "surrogatepass")
    else:
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            assume(False)
    try:
        got, _ = decode_bytes(data, "f.txt")
    except InputError:
        # only blank, NUL-holding or control-heavy text may be refused
        controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\x0b\x0c" or 0x7f <= ord(c) <= 0x9f)
        # (a leading U+FEFF is read as a byte-order mark: a file of only that is empty)
        assert not text.lstrip("\ufeff").strip() or "\x00" in text or controls > 0.05 * len(text)
        return
    if encoding == "gb18030" and got != text:
        # a GB18030 text full of kana and Cyrillic may be read as Big5 (see decode_bytes);
        # Chinese news is not, which test_robustness checks
        assume(False)
    # UTF-8 without a BOM that starts with U+FEFF is byte for byte UTF-8 with a BOM:
    # that leading U+FEFF is read as the mark (the other encodings write their own mark first)
    expected = text[1:] if encoding == "utf-8" and text.startswith("\ufeff") else text
    assert got == expected


@FUZZ
@given(st.binary(max_size=300))
def test_read_document_returns_a_document_or_input_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "page.txt"
    path.write_bytes(data)
    try:
        doc = read_document(path)
    except InputError as exc:
        assert str(path) in str(exc)
        return
    _check_articles(doc.text, doc.articles)


# -- splitting, normalising, chunking ----------------------------------------------------

def _check_articles(text, articles):
    pos = 0
    for a in articles:
        assert pos <= a.start < a.end <= len(text)
        assert not text[pos:a.start].strip()
        assert text[a.start:a.end] == text[a.start:a.end].strip()
        assert a.title == a.title.strip() and "\n" not in a.title
        pos = a.end
    assert not text[pos:].strip()


@FUZZ
@given(any_text)
def test_split_normalize_and_sentences_keep_offsets(text):
    articles = split_articles(text, "p.txt")
    _check_articles(text, articles)
    for a in articles:
        norm, m = normalize(text, a.start, a.end)
        assert len(m) == len(norm)
        previous = a.start - 1
        for i, ch in enumerate(norm):
            assert previous < m[i] < a.end
            assert text[m[i]] == ch
            previous = m[i]
        for s, e in iter_sentences(norm):
            assert 0 <= s < e <= len(norm)
            ss, se = to_source(m, s, e)
            assert a.start <= ss < se <= a.end


@FUZZ
@given(any_text, st.integers(min_value=2, max_value=40))
def test_chunks_cover_the_text_in_bounded_pieces(text, max_chars):
    chunks = list(iter_chunks(text, 0, len(text), max_chars=max_chars))
    pos = 0
    for s, e in chunks:
        assert pos <= s < e <= len(text)
        assert e - s <= max_chars
        assert not text[pos:s].strip()
        assert text[s:e] == text[s:e].strip()
        pos = e
    assert not text[pos:].strip()


@FUZZ
@given(any_text)
def test_to_simplified_keeps_every_offset(text):
    out = to_simplified(text)
    assert len(out) == len(text)
    if out != text:
        traditional = "們這說國會發經過時對來與為個區縣進書長門開關見車東報實現還從當"
        assert any(c in text for c in traditional)
    # each character is kept or replaced by one character: offsets and spans stay valid
    assert all(a == b or len(b) == 1 for a, b in zip(text, out))


# -- the tagger and the pipeline ---------------------------------------------------------

@PIPELINE
@given(text=news)
def test_tagger_candidates_lie_inside_the_text(nlp, text):
    from kg.nlp.candidates import SPANS_KEY, candidates_of

    doc = nlp(text)
    assert doc.text == text
    for c in candidates_of(doc):
        assert 0 <= c.start < c.end <= len(text)
        assert text[c.start:c.end] == c.text
        assert c.type in ENTITY_TYPES
        if c.juris is not None:
            assert c.start <= c.juris[0] <= c.juris[1] <= c.end
    for span in doc.spans[SPANS_KEY]:
        assert 0 <= span.start_char < span.end_char <= len(text)
    # one form: the spans give back the finders' records, as the build's path finds them
    tagger = nlp.get_pipe("kg_candidates")
    assert candidates_of(doc) == tagger.match(nlp.make_doc(text)) == \
        tagger.match_words(text, nlp.tokenizer.segment(text))
    for ent in doc.ents:
        assert ent.label_ in ENTITY_TYPES and ent.kb_id_.startswith("https://w3id.org/shanxi-kg/id/")


NEWS_SENTENCE = ("本报讯 近日，左权县交通运输管理局实施左权县西关街提质改造工程，总投资3亿元。"
                 "该局局长张建国表示，工程年内完工。\n\n（李明）")


@PIPELINE
@example(text=NEWS_SENTENCE)
@example(text=NEWS_SENTENCE.replace("，", "\r\n").replace("左权县", "左权县\u2028"))
@given(text=news.filter(lambda t: t.strip()))
def test_pipeline_never_crashes_and_keeps_offsets(nlp, text):
    from kg.run.document import process_document
    from kg.records import Document

    doc = Document("fuzz.txt", text, "utf-8", split_articles(text, "fuzz.txt"))
    result = process_document(doc, nlp=nlp)
    if text == NEWS_SENTENCE:  # the property is not vacuous: real news gives every kind of record
        assert result.mentions and result.relations and result.attributes
    articles = {a.article_id: a for a in doc.articles}
    for m in result.mentions:
        a = articles[m.article_id]
        assert a.start <= m.start < m.end <= a.end
    for r in result.relations:
        a = articles[r.article_id]
        assert r.rel in RELATIONS
        assert a.start <= r.start < r.end <= a.end
        assert text[r.start:r.end] == r.evidence
    for at in result.attributes:
        a = articles[at.article_id]
        assert a.start <= at.start < at.end <= a.end and text[at.start:at.end] == at.evidence
    ids = {e.entity_id for e in result.entities}
    assert all(e.type in ENTITY_TYPES for e in result.entities)
    assert {m.entity_id for m in result.mentions if not m.entity_id.startswith("division:")} <= ids
