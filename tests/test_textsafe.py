"""kg.textsafe.terminal_safe: what a terminal would act on is shown, never obeyed."""
from __future__ import annotations

import doctest
import re

import kg.textsafe
from kg.textsafe import terminal_safe

# every character terminal_safe promises to escape
_ACTIVE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def test_doctests():
    assert doctest.testmod(kg.textsafe).failed == 0


def test_every_control_character_becomes_a_visible_escape():
    text = "".join(chr(c) for c in [*range(0x20), *range(0x7f, 0xa0), 0x2028, 0x2029, 0x202e, 0x2066])
    safe = terminal_safe(text)
    assert not _ACTIVE.search(safe)
    assert safe.isprintable()
    assert "\\x1b" in safe and "\\n" in safe and "\\x9b" in safe and "\\u2028" in safe


def test_one_line_stays_one_line_and_text_is_unchanged():
    assert terminal_safe("a\r\nskipped b.txt: empty file").count("\n") == 0
    assert terminal_safe("左权县住房和城乡建设管理局 (3 rows)") == "左权县住房和城乡建设管理局 (3 rows)"
    assert terminal_safe("C:\\corpus\\a.txt") == "C:\\corpus\\a.txt"


def test_undecodable_bytes_of_a_file_name_show_as_the_bytes():
    name = "左权县".encode("gbk").decode("utf-8", "surrogateescape") + ".txt"  # a GBK file name
    safe = terminal_safe(name)
    assert "\\xd7\\xf3" in safe and safe.endswith(".txt")
    safe.encode("utf-8")  # never an encoding error on the way out


def test_any_object_is_shown_through_str():
    assert terminal_safe(OSError(2, "No such file", "a\x1b.txt")).count("\x1b") == 0
