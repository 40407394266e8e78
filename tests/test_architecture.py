"""The shape of the package: imports run one way, modules stay small, knowledge is data.

The import graph is read from the source (``ast``), not by importing: every
``import kg.x`` and ``from kg.x import y`` of every module under ``kg/``,
relative ones resolved, those inside functions too (an import moved into a
function to dodge a cycle is still an edge of it), and module names passed
to ``importlib.import_module``.  ``from kg.x import y`` is an edge to the
module ``kg.x.y`` when that is a module, else to ``kg.x``.
"""
from __future__ import annotations

import ast
import importlib
import io
import re
import tokenize
from pathlib import Path

import pytest

KG = Path(__file__).resolve().parents[1] / "kg"

#: Modules allowed over MAX_LINES, each with the reason (none today).
LONG_MODULES: dict[str, str] = {}
MAX_LINES = 500

#: Imports of kg modules inside functions, each with the reason (anything else goes at the top).
LAZY_KG_IMPORTS: dict[tuple[str, str], str] = {
    ("kg.cli", "*"): "each command imports what it runs, so kg eval and kg --help never load spaCy",
    ("kg.run.engine", "kg.run.document"): "spaCy and jieba load only in the process that runs documents",
    ("kg", "*"): "the Python API (kg.build_graph, kg.load_nlp …): `import kg` (so every kg module, kg --help, "
                 "kg eval) never loads spaCy, rdflib or the stages",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(KG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(KG.rglob("*.py"))}


def _package(name: str) -> str:
    return name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]


def _target(name: str) -> str | None:
    """The kg module an import of ``name`` runs: ``name`` itself, or the nearest package above it."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


class _Imports(ast.NodeVisitor):
    """Every import of a module as ``(target module, line, inside a function)``."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.found: list[tuple[str, int, bool]] = []
        self.depth = 0

    def _add(self, name: str | None, line: int) -> None:
        target = _target(name) if name else None
        if target and target != self.module:
            self.found.append((target, line, self.depth > 0))

    def visit_FunctionDef(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "kg" or alias.name.startswith("kg."):
                self._add(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = _package(self.module).split(".")
            base = base[:len(base) - (node.level - 1)]
            module = ".".join(base + ([node.module] if node.module else []))
        else:
            module = node.module or ""
        if module != "kg" and not module.startswith("kg."):
            return
        for alias in node.names:
            # from kg.x import y: the submodule kg.x.y if there is one (its package runs first)
            sub = f"{module}.{alias.name}"
            self._add(sub if sub in MODULES else module, node.lineno)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str) and node.args[0].value.startswith("kg"):
            self._add(node.args[0].value, node.lineno)
        self.generic_visit(node)


def _imports(module: str) -> list[tuple[str, int, bool]]:
    visitor = _Imports(module)
    visitor.visit(ast.parse(MODULES[module].read_text(encoding="utf-8")))
    return visitor.found


GRAPH = {module: _imports(module) for module in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module, or of one that imports itself (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph[v]:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_import_graph_is_read():
    """The checks below see the package: its modules and the imports between them."""
    assert {"kg.cli", "kg.run.build", "kg.names", "kg.export.turtle", "kg.rdfio"} <= MODULES.keys()
    edges = {(m, t) for m, found in GRAPH.items() for t, _, _ in found}
    assert ("kg.run.build", "kg.run.engine") in edges  # from kg.run.engine import …
    assert ("kg.nlp.tokenizer", "kg.nlp.segmenter") in edges  # from kg.nlp import segmenter
    assert ("kg.run.engine", "kg.run.document") in edges  # inside a function


def test_cycle_check_finds_cycles():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"a"}, "b": set()}) == [["a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle():
    graph = {m: {t for t, _, _ in found} for m, found in GRAPH.items()}
    cycles = _cycles(graph)
    described = []
    for cycle in cycles:
        lines = dict.fromkeys(f"  {m}:{line} -> {t}" for m in cycle for t, line, _ in GRAPH[m] if t in cycle)
        described.append(" <-> ".join(cycle) + "\n" + "\n".join(lines))
    assert not cycles, "import cycles:\n" + "\n".join(described)


#: The layers of the package, top down (docs/ARCHITECTURE.md draws them): a module imports
#: modules of its own room (package, or top-level module) and of rooms on lower layers only.
#: A room is the longest name here that is the module or a package above it; ``kg`` is the
#: package's own ``__init__`` (``kg.load_nlp``).
LAYERS: tuple[tuple[str, ...], ...] = (
    # the package's own module is the Python API (kg.build_graph …): it calls the build
    ("kg.cli", "kg"),
    ("kg.run",),
    ("kg.relations", "kg.nlp", "kg.report"),
    ("kg.resolve", "kg.export"),
    ("kg.corpus", "kg.names", "kg.rdfio"),
    # kg.nlp.segmenter is jieba alone (no spaCy): the compiled segmenter and the project's
    # dictionary, which resolution reads too (is a name made of common words?)
    ("kg.knowledge", "kg.graph", "kg.focus", "kg.vocab", "kg.nlp.segmenter", "kg.safeio"),
    ("kg.paths", "kg.records", "kg.ids", "kg.errors", "kg.textsafe"),
)
ROOM_LAYER = {room: len(LAYERS) - k for k, rooms in enumerate(LAYERS) for room in rooms}


def room_of(module: str) -> str:
    """The room of a kg module: the longest name of :data:`LAYERS` that is it or a package above it."""
    if module == "kg":
        return "kg"
    rooms = [r for r in ROOM_LAYER if r != "kg" and (module == r or module.startswith(r + "."))]
    if not rooms:
        raise KeyError(f"{module} is in no room of LAYERS: add it")
    return max(rooms, key=len)


def test_every_module_has_a_room_and_every_room_modules():
    assert {room_of(m) for m in MODULES} == set(ROOM_LAYER)


def test_imports_run_down_the_layers():
    upward = sorted(f"{m}:{line} -> {t} ({room_of(m)} on layer {ROOM_LAYER[room_of(m)]} imports "
                    f"{room_of(t)} on layer {ROOM_LAYER[room_of(t)]})"
                    for m, found in GRAPH.items() for t, line, _ in found
                    if room_of(t) != room_of(m) and ROOM_LAYER[room_of(t)] >= ROOM_LAYER[room_of(m)])
    assert not upward, "imports that do not run down the layers (move the code, or the room in LAYERS):\n" + \
        "\n".join(upward)


def test_no_kg_import_inside_a_function_without_a_reason():
    lazy = sorted((m, t, line) for m, found in GRAPH.items() for t, line, inside in found if inside
                  and (m, "*") not in LAZY_KG_IMPORTS and (m, t) not in LAZY_KG_IMPORTS)
    assert not lazy, ("imports of kg modules inside functions (move them to the top, or list them in "
                      f"LAZY_KG_IMPORTS with the reason): {lazy}")
    for module, target in LAZY_KG_IMPORTS:
        assert module in MODULES and (target == "*" or target in MODULES), (module, target)


def _function_imports_without_comment(path: Path) -> list[int]:
    """Lines of imports inside functions that carry no comment saying why."""
    source = path.read_text(encoding="utf-8")
    with path.open("rb") as fh:
        commented = {tok.start[0] for tok in tokenize.tokenize(fh.readline) if tok.type == tokenize.COMMENT}
    missing = []
    for fn in ast.walk(ast.parse(source)):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)) and \
                        not commented & set(range(node.lineno, node.end_lineno + 1)):
                    missing.append(node.lineno)
    return sorted(set(missing))


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "kg.cli"))
def test_imports_inside_functions_say_why(module):
    """Outside the CLI (whose docstring says why), an import inside a function is for an
    optional or heavy dependency, and its line says so."""
    assert _function_imports_without_comment(MODULES[module]) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    if module in LONG_MODULES:
        assert lines > MAX_LINES, f"{module} has {lines} lines now: take it off LONG_MODULES"
    else:
        assert lines <= MAX_LINES, (f"{module} has {lines} lines (over {MAX_LINES}): split it along its jobs, "
                                    "or list it in LONG_MODULES with the reason")


# Chinese characters: the CJK Unified Ideographs (and Extension A), the
# compatibility ideographs and the supplementary planes' ideographs.  Written
# in source as escapes (a script range such as [\u4e00-\u9fff]) they are no
# word of Chinese and pass; punctuation (、，。) is no word either.
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")


def _docstring_starts(tree: ast.AST) -> set[tuple[int, int]]:
    """(line, column) of every docstring: the first statement of a module, class or function."""
    starts = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                starts.add((body[0].value.lineno, body[0].value.col_offset))
    return starts


def chinese_literals(path: Path, root: Path = KG.parent) -> list[str]:
    """``file:line: literal`` for every string literal of ``path`` with a Chinese
    character written as such, docstrings and comments aside."""
    source = path.read_text(encoding="utf-8")
    docstrings = _docstring_starts(ast.parse(source, str(path)))
    found = []
    # the tokens give each literal as written (escapes stay escapes); comments are
    # tokens of their own, and an f-string is one token
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.STRING and tok.start not in docstrings and _HAN.search(tok.string):
            found.append(f"{path.relative_to(root)}:{tok.start[0]}: {tok.string[:60]}")
    return found


def test_no_chinese_literals():
    """Words, suffixes, triggers and titles live in ontology/ (patterns, gazetteer,
    kg.ttl labels), never in kg/**/*.py."""
    found = [hit for path in sorted(KG.rglob("*.py")) for hit in chinese_literals(path)]
    assert not found, "Chinese literals in code (move them to ontology/patterns):\n" + "\n".join(found)


def test_the_literal_check_sees_what_it_must(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('"""文档."""\n# 注释\nA = "[\\u4e00-\\u9fff]"\nB = "局"\nC = f"{A}元"\n'
                      'def f():\n    """说明."""\n    return "、"\n', encoding="utf-8")
    assert [hit.split(": ", 1)[0].rsplit(":", 1)[1] for hit in chinese_literals(module, tmp_path)] == ["4", "5"]



# -- the tests and tools around the package ---------------------------------------------

ROOT = KG.parent
TESTS = ROOT / "tests"
#: Python files outside kg/ that use the package: tests, benchmarks, scripts.
USERS = sorted([*TESTS.glob("*.py"), *(ROOT / "benchmarks").glob("*.py"), *(ROOT / "scripts").glob("*.py")])


def private_imports(path: Path, root: Path = ROOT) -> list[str]:
    """``file:line: kg.x._y`` for every ``from kg.x import _y`` (a private name of a kg module) in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module \
                and (node.module == "kg" or node.module.startswith("kg.")):
            found += [f"{path.relative_to(root)}:{node.lineno}: {node.module}.{a.name}" for a in node.names
                      if a.name.startswith("_") and not a.name.startswith("__")]
    return found


def imports_of_test_modules(path: Path, root: Path = ROOT) -> list[str]:
    """``file:line: name`` for every import of a test module or of ``conftest`` in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            first = name.removeprefix("tests.").split(".")[0]
            if first == "conftest" or first.startswith("test_"):
                found.append(f"{path.relative_to(root)}:{node.lineno}: {name}")
    return found


def test_nothing_imports_a_private_name_of_kg():
    """Tests, benchmarks, scripts and kg's own modules use public names (a private one
    is free to change; what a test needs is public, or the test reads it another way)."""
    found = [hit for path in [*sorted(KG.rglob("*.py")), *USERS] for hit in private_imports(path)]
    assert not found, "imports of private names:\n" + "\n".join(found)


def test_no_test_imports_another_test_module():
    """Fixtures come from conftest.py through pytest, shared code from tests/support.py."""
    found = [hit for path in sorted(TESTS.glob("*.py")) for hit in imports_of_test_modules(path)]
    assert not found, "test modules importing test modules or conftest (move what they share to " \
                      "tests/support.py):\n" + "\n".join(found)


def test_the_import_checks_see_what_they_must(tmp_path):
    module = tmp_path / "test_m.py"
    module.write_text("from kg.names import Candidate as _C\nfrom kg.resolve.select import _preference\n"
                      "from kg import __version__\nimport test_graph\nfrom tests.conftest import x\n"
                      "from support import y\nimport tests.support\ndef f():\n    from test_names import z\n",
                      encoding="utf-8")
    assert private_imports(module, tmp_path) == ["test_m.py:2: kg.resolve.select._preference"]
    assert imports_of_test_modules(module, tmp_path) == ["test_m.py:4: test_graph", "test_m.py:5: tests.conftest",
                                                     "test_m.py:9: test_names"]


# -- docs/ARCHITECTURE.md stays true -------------------------------------------------------

ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
_KG_PATH = re.compile(r"(?<![\w/.])kg/[\w/.*-]*")  # kg/… anywhere in the text
_BACKTICKED = re.compile(r"`([^`\n]+)`")
_DOTTED = re.compile(r"kg(?:\.[A-Za-z_]\w*)+(?:\(\))?")
_REPO_PATH = re.compile(r"(?:ontology|tests|benchmarks|scripts|docs|exports|queries|eval)/[\w/.-]*")
_FILE_NAME = re.compile(r"[\w-]+\.(?:py|toml|ttl|tsv|txt|js|css|html)")


def _resolves(dotted: str) -> bool:
    """Is ``kg.a.b.c`` a module, or an attribute path inside the longest module it starts with?"""
    parts = dotted.removesuffix("()").split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for attr in parts[i:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def missing_references(text: str, root: Path = ROOT) -> list[str]:
    """The ``kg/…`` paths (anywhere), backticked repository paths, backticked file names
    (``files.py``, ``agency.toml``: a file of that name under ``kg/`` or ``ontology/``, or at the top) and
    backticked ``kg.…`` names of ``text`` that do not exist."""
    missing = [p for p in _KG_PATH.findall(text) if "*" not in p and not (root / p).exists()]
    names = {p.name for folder in ("kg", "ontology") for p in (root / folder).rglob("*")} | \
        {p.name for p in root.iterdir()}
    for token in _BACKTICKED.findall(text):
        if _REPO_PATH.fullmatch(token) and not (root / token).exists():
            missing.append(token)
        elif _DOTTED.fullmatch(token) and not _resolves(token):
            missing.append(token)
        elif _FILE_NAME.fullmatch(token) and token not in names:
            missing.append(token)
    return sorted(set(missing))


def _module_of_path(path: str) -> str:
    """``kg/cli.py`` → ``kg.cli``, ``kg/run/`` → ``kg.run``, ``kg/__init__.py`` → ``kg``."""
    return path.removesuffix("/").removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def test_the_architecture_page_names_only_what_exists():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    assert len(_KG_PATH.findall(text)) > 50 and len([t for t in _BACKTICKED.findall(text) if _DOTTED.fullmatch(t)]) > 50
    assert missing_references(text) == []


def test_the_architecture_page_draws_the_layers_the_test_enforces():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("### Layers of imports", 1)[1].split("\n#", 1)[0]
    drawn = {}
    for layer, cells in re.findall(r"^\| (\d+) \| (.+) \|$", section, re.M):
        for token in _BACKTICKED.findall(cells):
            if "/" in token:
                drawn[_module_of_path(token)] = int(layer)
    assert drawn == ROOM_LAYER


def test_the_reference_check_sees_what_it_must(tmp_path):
    (tmp_path / "kg").mkdir()
    (tmp_path / "kg" / "a.py").write_text("", encoding="utf-8")
    (tmp_path / "ontology").mkdir()
    text = ("`kg/a.py` and kg/b.py, `ontology/` and `ontology/x.toml`, `kg/**/*.py`, `kg.records.Mention`, "
            "`kg.records.Nothing`, `kg.nowhere.f()`, `kg.load_nlp()`, `\"kg.jieba_tokenizer.v1\"`, "
            "`a.py`, `c.py`")
    assert missing_references(text, tmp_path) == ["c.py", "kg.nowhere.f()", "kg.records.Nothing", "kg/b.py",
                                                  "ontology/x.toml"]
