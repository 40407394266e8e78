"""Tests of kg.rdfio: a graph is read from its file and nothing else (issue 16 items 6, 7, 15).

The command-line cases (a loopback server, a watched ``file://`` context, the
entity bomb) are in ``tests/test_attack_query.py``; these are the reader's
own cases: every form a JSON-LD reference to a document takes, entity
declarations of every kind, what is not a regular file, and the network
guard.
"""
from __future__ import annotations

import json
import os
import socket
import threading
from pathlib import Path

import pytest

from kg.rdfio import GraphError, NetworkRefused, check_graph, graph_file, iter_triples, load_dataset, load_store, \
    offline, parse_rdflib

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

INLINE = {"@context": {"ex": "http://example.org/", "name": "http://example.org/name"},
          "@id": "ex:a", "name": "东湖"}


@pytest.mark.parametrize("doc", [
    {"@context": "http://127.0.0.1:9/context.jsonld", "@id": "http://example.org/a"},
    {"@context": ["file:///etc/passwd.jsonld", {"ex": "http://example.org/"}], "@id": "ex:a"},
    {"@context": {"@import": "https://example.org/base.jsonld"}, "@id": "http://example.org/a"},
    {"@context": {"knows": {"@id": "http://example.org/knows", "@context": "ctx.jsonld"}}, "@id": "http://x/a"},
    {"@graph": [{"@id": "http://example.org/a", "http://example.org/p": {"@context": "http://x/c", "@value": 1}}]},
    [{"@context": "relative/context.jsonld"}],
])
def test_jsonld_naming_a_context_document_is_refused(tmp_path, doc):
    path = tmp_path / "g.jsonld"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(GraphError, match=r"g\.jsonld: remote JSON-LD context .* is not loaded \(kg never fetches"):
        check_graph("json-ld", path=path)
    with pytest.raises(GraphError, match="remote JSON-LD context"):
        parse_rdflib(json.dumps(doc), format="json-ld")


@pytest.mark.parametrize("read", [
    lambda p: load_store(p), lambda p: load_dataset(p), lambda p: list(iter_triples(p)),
    lambda p: list(iter_triples(p, "rdflib")), lambda p: parse_rdflib(path=p, format="json-ld")])
def test_every_reader_checks_jsonld(tmp_path, read):
    path = tmp_path / "g.jsonld"
    path.write_text(json.dumps({**INLINE, "@context": "http://127.0.0.1:9/c"}), encoding="utf-8")
    with pytest.raises(GraphError, match="remote JSON-LD context"):
        read(path)
    path.write_text(json.dumps(INLINE), encoding="utf-8")
    read(path)  # an inline context is read as before


def test_deeply_nested_jsonld_is_one_error(tmp_path):
    path = tmp_path / "deep.jsonld"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(GraphError, match="deep.jsonld: JSON-LD nested too deeply"):
        check_graph("json-ld", path=path)


_RDF = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
        '<rdf:Description rdf:about="http://example.org/s"><ex:p>{body}</ex:p></rdf:Description></rdf:RDF>')


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE rdf:RDF [<!ENTITY e "x">]>',  # one flat entity: a million uses still multiply the file
    '<!DOCTYPE rdf:RDF [<!ENTITY % p "x">]>',  # a parameter entity
    '<!DOCTYPE rdf:RDF [<!ENTITY ext SYSTEM "file:///etc/passwd">]>',  # an external one
    '<!DOCTYPE rdf:RDF [<!ENTITY img SYSTEM "a.png" NDATA png><!NOTATION png SYSTEM "image/png">]>',
])
@pytest.mark.parametrize("syntax", ["xml", "trix", "RDF/XML"])
def test_xml_declaring_entities_is_refused(tmp_path, doctype, syntax):
    path = tmp_path / "g.rdf"
    path.write_text('<?xml version="1.0"?>\n' + doctype + "\n" + _RDF.format(body="v"), encoding="utf-8")
    with pytest.raises(GraphError, match=r"g\.rdf: DTD entity declarations are not allowed in RDF/XML"):
        check_graph(syntax, path=path)
    with pytest.raises(GraphError, match="DTD entity declarations"):
        check_graph(syntax, data=path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("read", [lambda p: load_store(p), lambda p: load_dataset(p),
                                  lambda p: list(iter_triples(p)), lambda p: list(iter_triples(p, "rdflib"))])
def test_rdfxml_without_entities_is_read_and_with_them_refused(tmp_path, read):
    path = tmp_path / "g.rdf"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF>\n' + _RDF.format(body="东湖 &amp; 西岭"), encoding="utf-8")
    read(path)
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY a "东湖">]>\n' + _RDF.format(body="&a;"),
                    encoding="utf-8")
    with pytest.raises(GraphError, match="DTD entity declarations"):
        read(path)


def test_the_xml_check_reads_the_prolog_only(tmp_path):
    """The check stops where the root element starts: malformed XML after it is the parser's to report."""
    path = tmp_path / "g.rdf"
    path.write_text('<?xml version="1.0"?>\n' + _RDF.format(body="v") + "<<< not xml", encoding="utf-8")
    check_graph("xml", path=path)
    with pytest.raises(GraphError, match=r"g\.rdf: cannot load as RDF/XML"):
        load_store(path)


@pytest.mark.parametrize("make, kind", [(os.mkfifo, "a FIFO"), (os.mkdir, None)])
def test_only_a_regular_file_is_a_graph(tmp_path, make, kind):
    path = tmp_path / "g.ttl"
    make(path)
    message = f"{path}: not a regular file ({kind})" if kind else f"{path}: is a directory"
    for read in (graph_file, load_store, load_dataset, iter_triples, lambda p: parse_rdflib(path=p)):
        with pytest.raises(GraphError) as exc:
            read(path)
        assert str(exc.value).startswith(message), str(exc.value)


def test_a_file_name_in_a_message_cannot_drive_the_terminal(tmp_path):
    with pytest.raises(GraphError) as exc:
        load_store(tmp_path / "a\x1b[2J\nb.ttl")
    assert "\x1b" not in str(exc.value) and "\n" not in str(exc.value) and "a\\x1b[2J\\nb.ttl" in str(exc.value)


def _listener() -> tuple[socket.socket, int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    return server, server.getsockname()[1]


def test_offline_refuses_connections_of_this_thread_only():
    server, port = _listener()
    try:
        with offline():
            with pytest.raises(NetworkRefused, match="kg never reaches the network"):
                socket.create_connection(("127.0.0.1", port), timeout=5)
            other: list[Exception | None] = []

            def connect() -> None:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=5).close()
                    other.append(None)
                except Exception as exc:  # recorded for the assertion below
                    other.append(exc)

            thread = threading.Thread(target=connect)
            thread.start()
            thread.join(10)
            assert other == [None], "another thread was refused"
        socket.create_connection(("127.0.0.1", port), timeout=5).close()  # after the block: allowed again
    finally:
        server.close()


def test_rdflib_parsing_runs_offline(monkeypatch):
    """Even a fetch the checks missed is refused: rdflib's URL loading raises inside parse_rdflib."""
    import rdflib

    def fetch(*args, **kwargs):
        socket.create_connection(("127.0.0.1", 9), timeout=1)

    monkeypatch.setattr(rdflib.Graph, "parse", lambda self, *a, **k: fetch())
    with pytest.raises(GraphError, match="kg never reaches the network"):
        parse_rdflib("<http://example.org/a> <http://example.org/b> <http://example.org/c> .")
