"""kg.run.engine: batches, the local pool and a real two-worker Dask LocalCluster."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from kg.run.build import build
from kg.run.engine import Task, batches, iter_outcomes, read_task, run_task
from kg.errors import DataError, InputError, KGError
from kg.records import pickled_by_value

from support import CORPUS, ROOT, copy_corpus, same_exports


def quiet(msg: str) -> None:
    pass


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return copy_corpus(tmp_path_factory.mktemp("corpus"), 3, {"empty.txt": b""})


@pytest.fixture(scope="module")
def local_build(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local")
    build([corpus], out, on_skip=quiet)
    return out


def test_batches_close_at_bytes_or_documents():
    tasks = [Task(f"{i}.txt", b"x" * size) for i, size in enumerate([10, 10, 100, 1, 1, 1])]
    assert [[t.path for t in b] for b in batches(tasks, max_bytes=20, max_docs=2)] == [
        ["0.txt", "1.txt"], ["2.txt"], ["3.txt", "4.txt"], ["5.txt"]]
    assert list(batches([])) == []


def test_run_task_drops_the_text_and_reports_bad_files():
    task = read_task(CORPUS[0])
    outcome = run_task(task)
    assert outcome.error is None and outcome.result.document.text == ""
    assert outcome.chars == len(CORPUS[0].read_text(encoding="utf-8"))
    assert outcome.result.document.articles and outcome.result.entities
    bad = run_task(Task("dir/b.txt", b"\x00\x00"))
    assert bad.result is None and bad.error.startswith("dir/b.txt")
    with pytest.raises(InputError, match="cannot read"):
        read_task(ROOT / "no-such-file.txt")


@pytest.mark.parametrize("kwargs, message", [
    ({"engine": "spark"}, "unknown engine"),
    ({"workers": 0}, "at least 1"),
    ({"scheduler": "tcp://127.0.0.1:8786"}, "needs --engine dask"),
])
def test_bad_engine_options(kwargs, message):
    with pytest.raises(KGError, match=message):
        iter_outcomes([], **kwargs)


def test_local_pool_equals_serial(corpus, local_build, tmp_path):
    summary = build([corpus], tmp_path / "out", engine="local", workers=2, on_skip=quiet)
    assert summary.documents == 3 and len(summary.skipped) == 1
    same_exports(local_build, tmp_path / "out")


def test_dask_local_cluster_with_two_workers_equals_local_engine(corpus, local_build, tmp_path):
    """A real LocalCluster: two worker processes on the loopback interface."""
    skipped: list[str] = []
    summary = build([corpus], tmp_path / "out", engine="dask", workers=2, on_skip=skipped.append)
    assert summary.documents == 3
    assert len(skipped) == 1 and "empty.txt" in skipped[0]
    same_exports(local_build, tmp_path / "out")


def test_dask_with_a_scheduler_address(corpus, local_build, tmp_path):
    """--scheduler tcp://HOST:PORT: the build connects to a running cluster."""
    import distributed  # a dependency (dask[distributed]); imported here, where it is used
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        build([corpus], tmp_path / "out", engine="dask", scheduler=cluster.scheduler_address, on_skip=quiet)
    same_exports(local_build, tmp_path / "out")


def _die(tasks):
    import os

    os._exit(3)


def test_a_dead_worker_is_an_error_not_a_hang(monkeypatch):
    import kg.run.engine

    monkeypatch.setattr(kg.run.engine, "run_tasks", _die)
    tasks = [Task(f"{i}.txt", b"x") for i in range(3)]
    with pytest.raises(KGError, match="worker process died"):
        list(iter_outcomes(tasks, workers=2))


class _MalformedData:
    """Stages whose data under ontology/ is malformed (as load_lexicon finds a misspelt key)."""

    error = "agency.toml:11: unknown key 'centre_words' (not declared in schema.toml [agency])"

    @classmethod
    def warm_up(cls):
        raise DataError(cls.error)

    @classmethod
    def process_document(cls, doc):
        raise DataError(cls.error)


@pytest.mark.parametrize("workers", [1, 2])
def test_malformed_data_ends_the_build_with_its_one_line_error(monkeypatch, workers):
    """Not a skip per file ("the pipeline failed on this file") nor a dead pool: the
    data error itself, once, naming file:line."""
    import kg.run.engine

    monkeypatch.setattr(kg.run.engine, "_stages", lambda: _MalformedData)
    tasks = [Task(f"{i}.txt", "本报讯 正文。".encode()) for i in range(3)]
    with pytest.raises(DataError, match=r"^agency\.toml:11: unknown key 'centre_words'"):
        list(iter_outcomes(tasks, workers=workers))


def test_records_pickle_as_their_values():
    """Results cross process boundaries by pickle: every record comes back equal, nested ones too."""
    import pickle

    from kg.run.engine import Outcome, Task
    from kg.records import Article, Attribute, Division, DocResult, Document, Entity, Mention, Relation

    art = Article("a-1", "a.txt", 0, 9, "标题", "2025-01-02")
    result = DocResult(Document("a.txt", "", "utf-8", (art,)),
                       entities=(Entity("agency:1", "Agency", "某县住建局", ("住建局",)),),
                       mentions=(Mention("agency:1", "a-1", 0, 5, "某县住建局"),),
                       relations=(Relation("agency:1", "administers", "division:1", "a-1", 0, 5, "证据", None, "r"),),
                       attributes=(Attribute("project:1", "investment", "100", "a-1", 0, 3, "1亿"),),
                       city="division:140700", notes=("n",))
    for obj in (art, result, Division("1", None, "某县", "county", None, ("某",)),
                Task("a.txt", b"\xff", "k"), Outcome("a.txt", result, None, "k", 9, True)):
        copy = pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
        assert copy == obj and type(copy) is type(obj)
    assert pickle.loads(pickle.dumps(_One((1, "二")))) == _One((1, "二"))  # (a single field)


@pickled_by_value
@dataclass(frozen=True, slots=True)
class _One:
    x: tuple
