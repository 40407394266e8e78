"""The README's examples run as written.

* every ```` ```console ```` block: each ``$ kg …`` line runs (``kg.cli.main``,
  in a scratch copy of the repository's corpus, gold, queries, fixtures and
  exports, so nothing of the checkout is written) and must exit 0; the lines
  shown under it must be lines of its output, in order (``…`` stands for any
  lines; a line ending in ``…`` for any line that starts with the rest);
* every ```` ```python ```` block written as a session (``>>>``) runs as a
  doctest in that copy;
* the README names no file outside the repository (``../``), and every path
  of the repository it names in backquotes exists.

The SPARQL section's examples are run by ``tests/test_query.py``, and the
spaCy example by ``tests/test_nlp.py``, too.
"""
from __future__ import annotations

import doctest
import re
import shlex
import shutil
from pathlib import Path

import pytest

from kg.cli import main
from support import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.M | re.S)
CONSOLE = [body for lang, body in FENCE.findall(README) if lang == "console"]
SESSIONS = [body for lang, body in FENCE.findall(README) if lang == "python" and body.startswith(">>> ")]

#: What the examples read, copied into the scratch folder (they write there too).
COPIED = ("corpus", "eval", "queries", "exports", "tests/fixtures")


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    for name in COPIED:
        shutil.copytree(ROOT / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def _commands(block: str) -> list[tuple[str, list[str]]]:
    """``($ line, the output lines shown under it)`` of a console block."""
    commands: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        else:
            assert commands, f"a console block starts with output: {line!r}"
            commands[-1][1].append(line)
    return commands


def _shown_in(shown: list[str], actual: list[str]) -> bool:
    """The shown lines occur in ``actual`` in order; ``…`` skips lines, ``text…`` is a prefix."""
    position = 0
    for want in shown:
        if want == "…":
            continue
        for i in range(position, len(actual)):
            line = actual[i].rstrip()
            if line == want.rstrip() or (want.endswith("…") and line.startswith(want[:-1])):
                position = i + 1
                break
        else:
            return False
    return True


def test_the_readme_has_examples_to_run():
    assert len(CONSOLE) >= 1 and sum(len(_commands(b)) for b in CONSOLE) >= 5
    assert any("kg.build_graph(" in s for s in SESSIONS)


@pytest.mark.parametrize("block", CONSOLE, ids=lambda b: b.splitlines()[0][2:40])
def test_console_examples_run_as_written(block, scratch, capsys):
    for command, shown in _commands(block):
        argv = shlex.split(command)
        assert argv[0] == "kg", f"only kg commands run here: {command}"
        code = main(argv[1:])
        captured = capsys.readouterr()
        assert code == 0, f"$ {command}: exit {code}\n{captured.err}"
        assert _shown_in(shown, captured.out.splitlines()), \
            f"$ {command}: the README shows\n" + "\n".join(shown) + "\nbut it printed\n" + captured.out


@pytest.mark.parametrize("session", SESSIONS, ids=lambda s: s.splitlines()[0][4:40])
def test_python_sessions_run_as_written(session, scratch):
    test = doctest.DocTestParser().get_doctest(session, {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    failed, attempted = runner.summarize(verbose=False)
    assert failed == 0 and attempted >= 3


def test_shown_lines_are_matched_in_order():
    assert _shown_in(["a", "…", "c…"], ["a", "b", "cde"])
    assert not _shown_in(["c", "a"], ["a", "b", "c"])
    assert not _shown_in(["b"], ["a", "bc"])


_REPO_PATH = re.compile(r"`((?:kg|docs|eval|ontology|queries|tests|benchmarks|scripts|corpus|exports)/[\w./-]*)`")


def test_the_readme_names_only_files_of_the_repository():
    assert "../" not in README
    missing = sorted({path for path in _REPO_PATH.findall(README)
                      if "*" not in path and not (ROOT / path).exists()})
    assert not missing, f"README.md names files the repository does not have: {missing}"
