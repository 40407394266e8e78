"""The compiled jieba cuts exactly as Python jieba, and the tokenizer makes spaCy's Doc."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import jieba
import pytest
import spacy
from spacy.util import get_words_and_spaces

from kg.nlp import segmenter
from kg.nlp.pipeline import make_nlp
from kg.nlp.segmenter import Dictionary, FastJieba
from kg.nlp.tokenizer import JiebaTokenizer, add_project_words, words_and_spaces

ROOT = Path(__file__).resolve().parents[1]
CORPUS = sorted((ROOT / "corpus").iterdir())


def prepare_python_jieba() -> None:
    """The project's words in Python jieba's own dictionary (``jieba.cut``, spaCy's jieba segmenter), as in a build."""
    add_project_words("", "")
    segmenter.python_jieba()


@pytest.fixture(scope="module")
def fast() -> FastJieba:
    prepare_python_jieba()
    return FastJieba.of(jieba.dt)


def python_cut(text: str) -> list[str]:
    return [w for w in jieba.cut(text) if w]


@pytest.mark.parametrize("text", [
    "左权县交通运输管理局实施左权县西关街提质改造工程。",
    "联系电话：0351-5661173，可容纳40-60个标准摊位，8-12月",
    "供热普及率98.85%，总投资1.753亿元，音体美劳1+1，C++与AT&T",
    "a-1b 2.a X1.0Z 三2.a伪 1.0Z丒b-",  # jieba-rs's HMM would cut these differently
    "行首\r\n\t 全角\u3000空格  两个空格\n\n",
    "生僻字㐀与鿠和豈以及𠀀在句中",  # ideographs outside jieba's block pattern
    "",
])
def test_cuts_like_jieba(fast, text):
    assert fast.cut(text) == python_cut(text)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_cuts_the_corpus_like_jieba(fast, path):
    text = path.read_text(encoding="utf-8")
    assert fast.cut(text) == python_cut(text)


def test_cuts_random_mixtures_like_jieba(fast):
    """Dictionary words, rare and common characters, Latin letters, digits, punctuation."""
    rnd = random.Random(20240601)
    words = sorted(w for w, f in jieba.dt.FREQ.items() if f > 0)
    latin = [w for w in words if any(c.isascii() for c in w)]
    pieces = (list("abcXYZ0123456789+#&._%- \n\t\r，。、（）()：:“”《》") + ["\r\n", "  ", "\u3000", "\xa0"]
              + [chr(c) for c in range(0x4E00, 0x9FD6, 97)] + ["\u9fd6", "\u3400", "\uf900", "é", "\U00020000"])
    for _ in range(3000):
        parts = []
        for _ in range(rnd.randint(1, 25)):
            r = rnd.random()
            parts.append(rnd.choice(words) if r < 0.35 else rnd.choice(latin) if r < 0.4 else rnd.choice(pieces))
        text = "".join(parts)
        assert fast.cut(text) == python_cut(text), text


def test_cuts_number_shapes_like_jieba(fast):
    """Blocks where jieba-rs's HMM splits non-Chinese runs differently from jieba's.

    Dense mixtures of digits, Latin letters, ``+#&._%-`` and Chinese (dictionary
    words and single characters), so that HMM buffers, dictionary words with
    Latin letters and buffers that are words meet those runs.
    """
    rnd = random.Random(20240602)
    words = sorted(w for w, f in jieba.dt.FREQ.items() if f > 0)
    latin = [w for w in words if any(c.isascii() for c in w)]
    short = [w for w in words if len(w) <= 2]
    shapes = list("0123456789aZx+#&._%-") + ["2023", "5", "1.5", "0351", "98.85%", "12"]
    for _ in range(6000):
        parts = []
        for _ in range(rnd.randint(1, 14)):
            r = rnd.random()
            parts.append(rnd.choice(shapes) if r < 0.55 else rnd.choice(latin) if r < 0.7
                         else rnd.choice(short) if r < 0.85 else rnd.choice(words) if r < 0.95
                         else rnd.choice("年月日号，、 "))
        text = "".join(parts)
        assert fast.cut(text) == python_cut(text), text


def test_words_and_spaces_like_spacy():
    rnd = random.Random(7)
    for _ in range(2000):
        words = [rnd.choice(["左权", "县", " ", "  ", "\n", "\t", "a", "1", "，", "\u3000"])
                 for _ in range(rnd.randint(0, 12))]
        text = "".join(words)
        assert words_and_spaces(words, text) == get_words_and_spaces(words, text), repr(text)


def test_words_holding_a_space_keep_their_own_trailing_space():
    assert words_and_spaces(["x y", " ", "z"], "x y z") == (["x y", "z"], [True, False])
    assert words_and_spaces([" \n", "县", " "], " \n县 ") == ([" \n", "县"], [False, True])


def test_words_must_tile_the_text():
    with pytest.raises(ValueError):
        words_and_spaces(["左权"], "左权县")


def test_tokenizer_makes_the_doc_of_spacys_jieba_tokenizer():
    prepare_python_jieba()
    theirs = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ours = make_nlp()
    assert isinstance(ours.tokenizer, JiebaTokenizer) and ours.tokenizer.compiled
    for path in CORPUS[:2]:
        text = path.read_text(encoding="utf-8")
        a, b = theirs.make_doc(text), ours.make_doc(text)
        assert [(t.text, t.whitespace_, t.idx) for t in a] == [(t.text, t.whitespace_, t.idx) for t in b]


def test_tokenizer_is_registered_in_the_config():
    nlp = make_nlp()
    assert nlp.config["nlp"]["tokenizer"]["@tokenizers"] == "kg.jieba_tokenizer.v1"
    again = spacy.util.load_model_from_config(nlp.config, auto_fill=True)
    assert isinstance(again.tokenizer, JiebaTokenizer)
    slow = make_nlp(compiled=False)
    assert not slow.tokenizer.compiled
    text = CORPUS[0].read_text(encoding="utf-8")
    assert [t.text for t in slow.make_doc(text)] == [t.text for t in again.make_doc(text)]


def test_gazetteer_names_stay_whole():
    doc = make_nlp().make_doc("左权县东关街和平遥县古城")
    assert {"左权县", "平遥县"} <= {t.text for t in doc}


def test_tokenizer_doc_from_hashes_is_the_doc_from_strings():
    """The Doc made from ORTH and TAG hashes is spaCy's Doc of the same words, spaces and tags."""
    nlp = make_nlp()
    tags = segmenter.word_tags()
    texts = [p.read_text(encoding="utf-8") for p in CORPUS[:2]] + ["新词𠀀测试 abc  123\n\n ", ""]
    for text in texts:
        ours = nlp.make_doc(text)
        words, spaces = words_and_spaces(segmenter.compiled().cut(text), text)
        plain = spacy.tokens.Doc(nlp.vocab, words=words, spaces=spaces, tags=[tags.get(w, "") for w in words])
        assert ours.to_bytes() == plain.to_bytes()
    with nlp.memory_zone():  # transient strings: words are passed as strings
        doc = nlp.make_doc("内存区域里的新词")
        assert doc.text == "内存区域里的新词" and doc[0].tag_ == tags.get(doc[0].text, "")


def test_tokens_carry_jiebas_tags():
    """token.tag_ is the word's tag in jieba's dictionary file, "" for a word it lacks."""
    doc = make_nlp().make_doc("左权县召开会议，研究 ABC 工作。\n\n")
    tags = segmenter.word_tags()
    assert [t.tag_ for t in doc] == [tags.get(t.text, "") for t in doc]
    assert doc[1].tag_ == tags["召开"] == "v"
    assert {t.tag_ for t in doc if t.is_space or t.is_punct} == {""}  # words the file lacks


def test_component_reads_the_docs_tokens():
    """The candidate component's context is the Doc's text and its non-space tokens with their tags."""
    nlp = make_nlp()
    tagger = nlp.get_pipe("kg_candidates")
    texts = [p.read_text(encoding="utf-8") for p in CORPUS[:3]]
    texts += ["左权县 交通局  局长\n\n 和顺县\u3000a b\r\n", " 行首空格", "行尾空格 ", "\n", "", "生僻字𠀀 在句中"]
    for text in texts:
        doc = nlp.make_doc(text)
        got_text, ctx = tagger.context(doc)
        words = [t for t in doc if not t.is_space]
        assert got_text == doc.text == text
        assert ctx._starts == [t.idx for t in words]
        assert ctx._ends == [t.idx + len(t) for t in words]
        assert [ctx._tags[k] for k in range(len(ctx._tags))] == [t.tag_ for t in words]


def test_snapshot_round_trip(tmp_path):
    prepare_python_jieba()
    dictionary = Dictionary.of(jieba.dt)
    path = tmp_path / "d.marshal"
    segmenter._write_snapshot(path, dictionary)
    again = segmenter._read_snapshot(path)
    assert (again.words, again.freqs, again.total, again.tags) == \
        (dictionary.words, dictionary.freqs, dictionary.total, dictionary.tags)
    assert again.total >= sum(again.freqs) and again.tags["北京"] == "ns"


def test_snapshot_tags_share_the_words_strings(tmp_path):
    """The tag table of a read snapshot is keyed by the word list's own strings, one string per tag."""
    dictionary = Dictionary(["北京", "上海", "的"], [3, 2, 5], 12, {"北京": "ns", "上海": "ns", "之乎": "x"})
    path = tmp_path / "d.marshal"
    segmenter._write_snapshot(path, dictionary)
    again = segmenter._read_snapshot(path)
    assert again.tags == dictionary.tags and again.words == dictionary.words
    keys = {id(k) for k in again.tags}
    assert id(again.words[0]) in keys and id(again.words[1]) in keys
    assert again.tags["北京"] is again.tags["上海"]


def _checksummed(body: bytes) -> bytes:
    """A snapshot file around ``body`` with a right checksum (so only the payload is wrong)."""
    import hashlib

    return segmenter._SNAPSHOT_MAGIC + hashlib.sha256(body).hexdigest().encode("ascii") + b"\n" + body


@pytest.mark.parametrize("data", [b"", b"not a snapshot", segmenter._SNAPSHOT_MAGIC + b"\x00garbage",
                                  _checksummed(b"\x00garbage"),
                                  _checksummed(__import__("marshal").dumps(([1], [], 0, {}))),
                                  _checksummed(__import__("marshal").dumps((["a"], [1], 1, [], {}))),
                                  _checksummed(__import__("marshal").dumps((["a"], [1], 1, ["n"], [])))])
def test_malformed_snapshot_is_never_read(tmp_path, data):
    path = tmp_path / "d.marshal"
    path.write_bytes(data)
    assert isinstance(segmenter._read_snapshot(path), str)  # the reason, never a dictionary
    assert segmenter._read_snapshot(tmp_path / "missing.marshal") is None


def test_snapshot_with_a_flipped_byte_is_never_read(tmp_path):
    """A byte flipped inside a word still unmarshals, as another dictionary: the checksum refuses it."""
    path = tmp_path / "d.marshal"
    segmenter._write_snapshot(path, Dictionary(["北京", "上海"], [3, 2], 5, {"北京": "ns"}))
    data = bytearray(path.read_bytes())
    data[data.index("上海".encode("utf-8")) + 2] ^= 0x01
    path.write_bytes(bytes(data))
    assert segmenter._read_snapshot(path) == "checksum mismatch"


def test_unwritable_snapshot_directory_is_left_alone(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    segmenter._write_snapshot(blocker / "sub" / "d.marshal", Dictionary(["a"], [1], 1, {}))
    assert blocker.read_text() == "x"


def test_dictionary_key_follows_the_added_words(monkeypatch):
    monkeypatch.setattr(segmenter, "_ADDED", [("左权县", 2000, "ns")])
    one = segmenter._dictionary_key()
    monkeypatch.setattr(segmenter, "_ADDED", [("左权县", 2000, "ns"), ("住建局", 2000, "n")])
    assert segmenter._dictionary_key() != one


_PROBE = """
import json, sys, jieba
from pathlib import Path
from kg.nlp.candidates import candidates_of
from kg.nlp.pipeline import make_nlp
nlp = make_nlp()
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).iterdir())[:3]]
texts.append("联系电话：0351-5661173，2023-5-1开工，a-1b X1.0Z")  # blocks checked by rjieba and jieba
docs = [nlp(t) for t in texts]
json.dump({"tokens": [[t.text for t in d] for d in docs],
           "candidates": [repr(candidates_of(d)) for d in docs],
           "python_jieba": jieba.dt.initialized}, sys.stdout)
"""


def test_a_process_with_the_snapshot_makes_the_same_docs(tmp_path):
    """The first process writes the dictionary's snapshot; the next loads it, without Python jieba."""
    env = dict(os.environ, KG_CACHE_DIR=str(tmp_path / "cache"))

    def probe():
        done = subprocess.run([sys.executable, "-c", _PROBE, str(ROOT / "corpus")], env=env, check=True,
                              capture_output=True, text=True)
        return json.loads(done.stdout)

    first = probe()
    snapshots = list((tmp_path / "cache" / "jieba").glob("*.marshal"))
    assert len(snapshots) == 1 and first["python_jieba"]
    second = probe()
    assert not second["python_jieba"]
    assert second["tokens"] == first["tokens"] and second["candidates"] == first["candidates"]
    snapshots[0].write_bytes(b"damaged")  # a damaged snapshot is made again, same results
    third = probe()
    assert third["python_jieba"] and third["tokens"] == first["tokens"]
    assert snapshots[0].read_bytes().startswith(segmenter._SNAPSHOT_MAGIC)
