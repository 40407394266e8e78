"""kg.corpus.list_corpus: which files a corpus path stands for, and the source that identifies each."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.corpus import is_documentation, list_corpus
from kg.errors import InputError
from kg.ids import article_id

ROOT = Path(__file__).resolve().parents[1]


def _sources(paths, skipped=None) -> list[str]:
    return [f.source for f in list_corpus(paths, None if skipped is None else skipped.append)]


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_sources_are_paths_in_the_corpus_folder(tmp_path):
    corpus = _tree(tmp_path / "c", {"b.txt": "x", "2024-01-01/page1.txt": "x", "2024-01-02/page1.txt": "x"})
    assert _sources([corpus]) == ["2024-01-01/page1.txt", "2024-01-02/page1.txt", "b.txt"]
    assert _sources([corpus / "2024-01-02" / "page1.txt"]) == ["page1.txt"]  # a file named: its name
    ids = {article_id(s, 1) for s in _sources([corpus])}
    assert ids == {"2024-01-01~page1-1", "2024-01-02~page1-1", "b-1"}


def test_documentation_of_a_corpus_folder_is_not_news(tmp_path):
    corpus = _tree(tmp_path / "c", {"a.txt": "x", "README": "x", "SOURCES.md": "x", "LICENSE.txt": "x",
                                    "notes.md": "x", "sub/readme.txt": "x", "licensed_shops.txt": "x"})
    assert _sources([corpus]) == ["a.txt", "licensed_shops.txt"]
    assert _sources([corpus / "SOURCES.md"]) == ["SOURCES.md"]  # named on the command line: read
    assert is_documentation("Readme.rst") and not is_documentation("readmeister.txt")


def test_the_bundled_corpus_lists_its_pages_only():
    sources = _sources([ROOT / "corpus"])
    assert len(sources) == 5 and all(s.endswith(".txt") for s in sources)


def test_linked_folders_are_walked_once(tmp_path):
    corpus = _tree(tmp_path / "c", {"a.txt": "x"})
    other = _tree(tmp_path / "other", {"b.txt": "x"})
    (corpus / "one").symlink_to(other, target_is_directory=True)
    (corpus / "two").symlink_to(other, target_is_directory=True)  # the same folder again
    (other / "up").symlink_to(corpus, target_is_directory=True)  # a loop back to the root
    (corpus / "self").symlink_to(".", target_is_directory=True)
    skipped: list[str] = []
    assert _sources([corpus], skipped) == ["a.txt", "one/b.txt"]
    assert skipped == []  # nothing was lost: no skip


def test_a_link_to_itself_is_listed_so_that_reading_names_it(tmp_path):
    corpus = _tree(tmp_path / "c", {"a.txt": "x"})
    (corpus / "loop").symlink_to("loop")
    (corpus / "gone").symlink_to(tmp_path / "nowhere", target_is_directory=True)
    assert _sources([corpus]) == ["a.txt", "gone", "loop"]


def test_undecodable_file_names_get_an_escaped_source(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    with open(os.path.join(os.fsencode(corpus), b"\xff\xfeb.txt"), "wb") as fh:
        fh.write(b"x")
    (source,) = _sources([corpus])
    assert source == "\\xff\\xfeb.txt"
    source.encode("utf-8")  # valid UTF-8 for every export
    assert article_id(source, 1).startswith("doc")


_LIST = """
import sys
from kg.corpus import list_corpus
skipped = []
print([f.source for f in list_corpus([sys.argv[1]], skipped.append)])
print(skipped)
"""


def test_a_folder_that_cannot_be_read_is_reported(tmp_path):
    prefix: list[str] = []
    if os.geteuid() == 0:  # root reads every folder: drop the capabilities that let it
        setpriv = shutil.which("setpriv")
        if setpriv is None or subprocess.run([setpriv, "--bounding-set=-dac_override,-dac_read_search", "true"],
                                             capture_output=True).returncode:
            pytest.skip("running as root without setpriv: permissions cannot be enforced")
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search"]
    corpus = _tree(tmp_path / "c", {"a.txt": "x", "locked/b.txt": "x"})
    (corpus / "locked").chmod(0)
    try:
        run = subprocess.run([*prefix, sys.executable, "-c", _LIST, str(corpus)], capture_output=True, text=True,
                             env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120)
    finally:
        (corpus / "locked").chmod(0o755)
    assert run.returncode == 0, run.stderr
    sources, skipped = run.stdout.splitlines()
    assert sources == "['a.txt']"
    assert "locked: cannot read this folder (Permission denied)" in skipped


def test_bad_corpus_paths_are_errors(tmp_path):
    with pytest.raises(InputError, match="^'': empty corpus path$"):
        list_corpus([""])
    with pytest.raises(InputError, match="no such file or directory"):
        list_corpus([tmp_path / "missing"])
    _tree(tmp_path / "docs", {"README.md": "x"})
    with pytest.raises(InputError, match="no corpus files"):
        list_corpus([tmp_path / "docs"])
