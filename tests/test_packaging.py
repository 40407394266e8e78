"""The installed package: a built wheel carries everything ``kg`` needs and works outside the repository.

``test_the_wheel_builds_the_corpus_outside_the_repository`` builds the
wheel from a copy of the working tree, installs it in a new virtual
environment in a temporary folder, and runs ``kg build``, ``kg eval``,
``kg query`` and the Python API there, from a folder that is not the
repository: the exports of the bundled corpus must be the committed ones,
byte for byte.  The new environment gets the wheel's dependencies (spaCy,
jieba, rdflib …) from the environment running the tests, through a ``.pth``
line: fetching them again from the registry is what ``pip install`` does
and is not what is tested here, and ``kg`` itself must come from the wheel
(checked).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
from setuptools import find_packages

from kg.paths import data_dir
from support import ROOT, same_exports

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def test_every_package_of_the_tree_is_listed():
    """``packages`` is a list (the data folders are mapped into kg/), so a new sub-package must be added."""
    mapped = tuple(SETUPTOOLS["package-dir"])
    listed = {p for p in SETUPTOOLS["packages"] if not p.startswith(mapped)}
    found = set(find_packages(str(ROOT), include=["kg", "kg.*"]))
    assert listed == found, ("[tool.setuptools] packages in pyproject.toml: add "
                             f"{sorted(found - listed)}, remove {sorted(listed - found)}")


def test_the_data_folders_are_mapped_into_the_package():
    assert SETUPTOOLS["package-dir"] == {"kg.ontology": "ontology", "kg.eval": "eval", "kg.queries": "queries"}
    for folder in SETUPTOOLS["package-dir"].values():
        assert (ROOT / folder).is_dir()


def test_an_installed_data_folder_wins_over_the_checkout(tmp_path):
    package = tmp_path / "site" / "kg"
    package.mkdir(parents=True)
    assert data_dir("ontology", package) == tmp_path / "site" / "ontology"  # a checkout: beside kg/
    (package / "ontology").mkdir()
    assert data_dir("ontology", package) == package / "ontology"  # a wheel: inside kg/


def _copy_tree(dest: Path) -> Path:
    """The working tree's files (tracked or new, not ignored): what a wheel is built from."""
    listing = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                             capture_output=True, check=True).stdout
    for name in filter(None, listing.decode("utf-8", "surrogateescape").split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def _build_wheel(source: Path, dist: Path) -> Path:
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-cache-dir", "-q", "-w", str(dist)]
    try:  # the build backend of pyproject.toml, if this environment has it: no download
        import setuptools
        import wheel  # noqa: F401

        if int(setuptools.__version__.split(".")[0]) >= 68:
            command.append("--no-build-isolation")
    except ImportError:
        pass
    subprocess.run([*command, str(source)], check=True, capture_output=True, cwd=source)
    (built,) = dist.glob("shanxi_kg-*.whl")
    return built


def _venv_with(wheel: Path, folder: Path) -> Path:
    """A new virtual environment with ``wheel`` installed; its ``bin`` folder."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, capture_output=True)
    python = folder / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    ours = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    Path(site, "zz_test_dependencies.pth").write_text("".join(f"{p}\n" for p in ours), encoding="utf-8")
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
                   check=True, capture_output=True)
    return folder / "bin"


@pytest.mark.slow
def test_the_wheel_builds_the_corpus_outside_the_repository(tmp_path):
    wheel = _build_wheel(_copy_tree(tmp_path / "src"), tmp_path / "dist")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for needed in ("kg/ontology/divisions.tsv", "kg/ontology/kg.ttl", "kg/ontology/shortform_stoplist.txt",
                   "kg/ontology/patterns/schema.toml", "kg/ontology/patterns/relations.toml",
                   "kg/export/static/page.js", "kg/eval/corpus.jsonl", "kg/queries/people_and_roles.rq"):
        assert needed in names, f"the wheel has no {needed}"
    assert not any(name.startswith(("tests/", "corpus/", "exports/")) for name in names)
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names), "the wheel carries no LICENSE"

    bin_dir = _venv_with(wheel, tmp_path / "venv")
    work = tmp_path / "work"  # not the repository: nothing there to fall back on
    work.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", KG_CACHE_DIR=str(tmp_path / "cache"))

    def run(*argv: str) -> str:
        done = subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{' '.join(argv)}: exit {done.returncode}\n{done.stderr}"
        return done.stdout

    where = run("python", "-c", "import json, kg, sys; print(kg.__file__); print(json.dumps(sys.path))").splitlines()
    assert Path(where[0]).is_relative_to(tmp_path / "venv"), where[0]
    # no entry of the path inside the repository (by path, not by text: /tmp/repo-venv is not /tmp/repo)
    assert not any(Path(entry).resolve().is_relative_to(ROOT.resolve()) for entry in json.loads(where[1]) if entry)

    run("kg", "build", str(ROOT / "corpus"), "--out", "out", "--no-cache")
    same_exports(work / "out", ROOT / "exports")

    report = run("kg", "eval", "--graph", "out/graph.ttl")  # the shipped gold of the bundled corpus
    assert report.startswith("gold: 5 document(s) from ") and "kg/eval/corpus.jsonl" in report.splitlines()[0]
    assert "\nentities " in report

    rows = run("kg", "query", "queries/people_and_roles.rq", "--graph", "out/graph.ttl", "--format", "csv")
    assert rows.splitlines()[0] == "person,role,employer" and len(rows.splitlines()) > 5
    count = run("kg", "query", "SELECT (COUNT(*) AS ?n) WHERE { ?a a kg:Agency }", "--graph", "out/graph.ttl",
                "--format", "csv").splitlines()
    assert count[0] == "n" and int(count[1]) > 0

    api = run("python", "-c", "import kg; g = kg.read_graph('out/graph.ttl'); "
                              "print(len(kg.write_exports(g, 'again'))); print(len(kg.to_rdflib(g)))")
    assert api.split()[0] == "10" and int(api.split()[1]) > 1000
    assert (work / "again" / "graph.ttl").read_bytes() == (ROOT / "exports" / "graph.ttl").read_bytes()
