"""The pattern files are checked against ontology/patterns/schema.toml at load:
every error is one line naming file:line and the key."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.errors import DataError
from kg.knowledge.lexicon import KINDS, PATTERNS_DIR, SCHEMA_FILE, load_lexicon, read_pattern_file, read_schema


def _copy_with(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """A copy of ontology/patterns with one edit of ``file``."""
    for path in PATTERNS_DIR.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        if path.name == file:
            if isinstance(old, re.Pattern):  # a whole line, whatever its value is today
                assert old.search(text), old.pattern
                text = old.sub(new, text, count=1)
            else:
                assert old in text, old
                text = text.replace(old, new, 1)
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    return tmp_path


def _line_with(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


@pytest.mark.parametrize("file, old, new, message, at", [
    # a misspelt key would silently turn its rule off: it is an unknown key
    ("agency.toml", "center_words = [", "centre_words = [",
     r"agency\.toml:{line}: unknown key 'centre_words' \(not declared in schema\.toml \[agency\]\)", "centre_words"),
    # a key of a table, misspelt
    ("organization.toml", "strong = [", "strnog = [",
     r"organization\.toml:{line}: unknown key 'suffixes\.strnog'", "strnog"),
    # a declared key that is not there: named at the table that should hold it
    ("relations.toml", 'marker = "由"\n', "",
     r"relations\.toml:{line}: missing key 'passive-agent\.marker' \(a non-empty string\)", "[passive-agent]"),
    ("person.toml", re.compile(r"^name_followers = .*\n", re.M), "",
     r"person\.toml:{line}: missing key 'name_followers'", None),
    # a value of another kind
    ("boundaries.toml", 'possessive = "的"', 'possessive = ["的"]',
     r"boundaries\.toml:{line}: 'possessive' must be a non-empty string", "possessive ="),
    ("project.toml", 'list_closers = "等"', "list_closers = 1",
     r"project\.toml:{line}: 'list_closers' must be a non-empty string of characters", "list_closers ="),
    ("relations.toml", 'expect = { head = "盂县教育局", rel = "administers", tail = "盂县" }',
     'expect = { head = "盂县教育局", rel = "administers" }',
     r"relations\.toml:{line}: 'name-jurisdiction\.expect' must be a table \{{ head, rel, tail \}}", "盂县教育局\", rel"),
    ("money.toml", '"万" = 10000', '"万" = "10000"',
     r"money\.toml:{line}: 'units' must be a table of positive integers", "[units]"),
    # a regular expression that does not compile
    ("boundaries.toml", "quantity_pattern = \"[0-9", "quantity_pattern = \"([0-9",
     r"boundaries\.toml:{line}: 'quantity_pattern': bad regex .*: missing \), unterminated subpattern",
     "quantity_pattern"),
    ("relations.toml", "dateline = '^本报讯", "dateline = '*^本报讯",
     r"relations\.toml:{line}: 'article-topic\.dateline': bad regex .*: nothing to repeat", "dateline ="),
])
def test_errors_are_one_line_naming_file_line_and_key(tmp_path, file, old, new, message, at):
    directory = _copy_with(tmp_path, file, old, new)
    line = _line_with(directory / file, at) if at else 1
    with pytest.raises(DataError) as info:
        load_lexicon(str(directory))
    text = str(info.value)
    assert "\n" not in text
    assert re.search(message.format(line=line), text), text


def test_pattern_files_must_be_the_declared_ones(tmp_path):
    directory = _copy_with(tmp_path, "agency.toml", "", "")
    (directory / "agencies.toml").write_text("x = 1\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"agencies\.toml:1: unknown pattern file 'agencies'"):
        load_lexicon(str(directory))
    (directory / "agencies.toml").unlink()
    (directory / "money.toml").unlink()
    with pytest.raises(DataError, match=r"money\.toml: pattern file missing"):
        load_lexicon(str(directory))


def test_the_schema_declares_kind_and_description(tmp_path):
    schema = read_schema()
    assert set(schema) == {p.stem for p in PATTERNS_DIR.glob("*.toml")} - {SCHEMA_FILE.stem}
    bad = tmp_path / "schema.toml"
    bad.write_text('[agency]\nleft = { kind = "wordlist", about = "x" }\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"schema\.toml:2: declaration 'agency\.left' has unknown kind 'wordlist'"):
        read_schema(bad)
    bad.write_text('[agency]\nleft = { kind = "words" }\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"schema\.toml:2: declaration 'agency\.left' needs exactly kind and about"):
        read_schema(bad)


def test_accessors_are_typed_and_have_no_default():
    lexicon = load_lexicon()
    assert "局" in lexicon.words("agency", "suffixes.strong")
    assert lexicon.regex("boundaries", "phase_pattern").match("(二期)")
    assert lexicon.numbers("money", "units")["万"] == 10000
    assert lexicon.triple("relations", "investment.expect")[1] == "investment"
    with pytest.raises(KeyError, match="not declared in schema.toml"):
        lexicon.words("agency", "centre_words")
    with pytest.raises(KeyError, match="'hard_stops' is declared as chars, not words"):
        lexicon.words("boundaries", "hard_stops")
    with pytest.raises(KeyError, match="no pattern file 'agencies'"):
        lexicon.words("agencies", "left")


def test_every_kind_is_used_and_described():
    kinds = set()

    def walk(section):
        for value in section.values():
            if hasattr(value, "kind"):
                kinds.add(value.kind)
            else:
                walk(value)

    walk(read_schema())
    assert kinds == set(KINDS)


def test_a_single_file_is_checked_against_its_section(tmp_path):
    path = tmp_path / "corpus.toml"
    path.write_text((PATTERNS_DIR / "corpus.toml").read_text(encoding="utf-8").replace("[lead]", "[leed]"),
                    encoding="utf-8")
    with pytest.raises(DataError, match=r"corpus\.toml:\d+: unknown key 'leed'"):
        read_pattern_file(path, "corpus")
