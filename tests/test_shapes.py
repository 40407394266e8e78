"""The ontology and the SHACL shapes against the real export of the bundled corpus.

The shapes accept the export (from Turtle, TriG and JSON-LD alike) and reject
deliberately broken copies of it; every class and property the export uses is
declared in ``ontology/kg.ttl`` (labels and comments in Chinese and English)
and described by a shape.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyshacl
import pytest
from rdflib import DCTERMS, OWL, PROV, RDF, RDFS, SH, Dataset, Graph, Literal, Namespace, URIRef

from kg.export.quads import KG

from support import from_rapper

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ROOT / "ontology" / "shapes.ttl"
ONTOLOGY = ROOT / "ontology" / "kg.ttl"
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")

# rdflib's Dataset, used inside pyshacl, warns about its own deprecated API.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def validate(data: Graph) -> tuple[bool, str]:
    conforms, _, text = pyshacl.validate(data, shacl_graph=str(SHAPES), ont_graph=str(ONTOLOGY),
                                         allow_warnings=False)
    return conforms, text


@pytest.fixture(scope="module")
def export(corpus_exports) -> Graph:
    return Graph().parse(corpus_exports / "graph.ttl", format="turtle")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


# -- the export conforms -------------------------------------------------------------

def test_shapes_accept_the_turtle_export(export):
    conforms, report = validate(export)
    assert conforms, report


def test_shapes_accept_the_trig_and_jsonld_exports(corpus_exports):
    ds = Dataset()
    ds.parse(corpus_exports / "graph.trig", format="trig")
    union = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    for data in (union, Graph().parse(corpus_exports / "graph.jsonld", format="json-ld")):
        conforms, report = validate(data)
        assert conforms, report


def test_ontology_and_shapes_parse_with_rapper(rapper):
    assert len(from_rapper(rapper, ONTOLOGY, "turtle")) > 100
    assert len(from_rapper(rapper, SHAPES, "turtle")) > 100


# -- and broken copies do not -----------------------------------------------------------

def _first(export: Graph, level: str) -> URIRef:
    return min(export.subjects(KG.level, Literal(level)))


def _statement(export: Graph, rel: str) -> URIRef:
    return min(export.subjects(RDF.predicate, KG[rel]))


def _entity(export: Graph, kind: str) -> URIRef:
    return min(export.subjects(RDF.type, KG[kind]))


def _article(export: Graph) -> URIRef:
    return min(export.subjects(RDF.type, KG.Article))


BREAKAGES: dict[str, tuple[Callable[[Graph], None], str]] = {
    "missing label": (lambda g: g.remove((_entity(g, "Agency"), RDFS.label, None)),
                      "exactly one non-empty rdfs:label"),
    "two labels": (lambda g: g.add((_entity(g, "Project"), RDFS.label, Literal("另一个名称", lang="zh"))),
                   "exactly one non-empty rdfs:label"),
    "label not Chinese": (lambda g: g.set((_entity(g, "Person"), RDFS.label, Literal("x", lang="en"))),
                          "rdfs:label in Chinese"),
    "code not of Shanxi": (lambda g: g.set((_first(g, "county"), KG.adcode, Literal("110101"))),
                           "must be a Shanxi code"),
    "letters in code": (lambda g: g.set((_first(g, "prefecture"), KG.adcode, Literal("14O400"))),
                        "must be a Shanxi code"),
    "12-digit county": (lambda g: g.set((_first(g, "county"), KG.adcode, Literal("140400000000"))),
                        "has a 6-digit kg:adcode"),
    "6-digit township": (lambda g: g.set((_first(g, "township"), KG.adcode, Literal("140400"))),
                         "has a 12-digit kg:adcode"),
    "unknown level": (lambda g: g.set((_first(g, "county"), KG.level, Literal("district"))),
                      "kg:level must be one of"),
    "partOf a person": (lambda g: g.add((_first(g, "county"), KG.partOf, _entity(g, "Person"))),
                        "kg:partOf points to a kg:Division"),
    "statement without article": (lambda g: g.remove((_statement(g, "undertakes"), PROV.wasDerivedFrom, None)),
                                  "derived from exactly one kg:Article"),
    "statement without evidence": (lambda g: g.remove((_statement(g, "locatedIn"), KG.evidence, None)),
                                   "kg:evidence literal @zh"),
    "negative offset": (lambda g: g.set((_statement(g, "worksFor"), KG.start, Literal(-5))),
                        "Value is not >="),
    "article without source": (lambda g: g.remove((_article(g), DCTERMS.source, None)),
                               "dcterms:source"),
    "investment on an agency": (lambda g: g.add((_entity(g, "Agency"), KG.investment, Literal(1))),
                                "only a kg:Project has a kg:investment"),
    "mention of a non-article": (lambda g: g.add((_entity(g, "Agency"), KG.mentionedIn, _entity(g, "Person"))),
                                 "kg:Article"),
}


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_shapes_reject_a_broken_export(export, name):
    breakage, message = BREAKAGES[name]
    broken = Graph()
    for t in export:
        broken.add(t)
    breakage(broken)
    assert len(broken) != len(export) or set(broken) != set(export)
    conforms, report = validate(broken)
    assert not conforms, name
    assert message in report, report


# -- the ontology declares what the export uses, the shapes describe it ------------------

def test_every_term_of_the_export_is_declared_with_labels_and_comments(export, ontology):
    used = {p for p in export.predicates() if str(p).startswith(str(KG))}
    used |= {o for o in export.objects(None, RDF.type) if str(o).startswith(str(KG))}
    assert {KG.Division, KG.Agency, KG.Organization, KG.Project, KG.Person, KG.Article} <= used
    for term in sorted(used):
        assert set(ontology.objects(term, RDF.type)) & {OWL.Class, OWL.ObjectProperty,
                                                        OWL.DatatypeProperty}, term
        for prop in (RDFS.label, RDFS.comment):
            langs = {o.language for o in ontology.objects(term, prop)}
            assert {"zh", "en"} <= langs, (term, prop)


@pytest.mark.parametrize("sub, relation, sup", [
    (KG.Agency, RDFS.subClassOf, ORG.Organization),
    (KG.Agency, RDFS.subClassOf, SCHEMA.GovernmentOrganization),
    (KG.Organization, RDFS.subClassOf, ORG.Organization),
    (KG.Project, RDFS.subClassOf, SCHEMA.Project),
    (KG.Article, RDFS.subClassOf, PROV.Entity),
    (KG.Division, RDFS.subClassOf, GEO.Feature),
    (KG.subOrganizationOf, RDFS.subPropertyOf, ORG.subOrganizationOf),
    (KG.worksFor, RDFS.subPropertyOf, ORG.memberOf),
    (KG.partOf, RDFS.subPropertyOf, GEO.sfWithin),
])
def test_alignment_with_standard_vocabularies(ontology, sub, relation, sup):
    assert (sub, relation, sup) in ontology


def test_every_class_and_property_of_the_export_has_a_shape(export, shapes):
    targeted = set(shapes.objects(None, SH.targetClass))
    for cls in set(export.objects(None, RDF.type)):
        assert cls in targeted, f"no shape targets {cls}"
    paths = set(shapes.objects(None, SH.path))
    subject_targets = set(shapes.objects(None, SH.targetSubjectsOf))
    for p in set(export.predicates()) - {RDF.type}:
        assert p in paths or p in subject_targets, f"no shape describes {p}"
    assert SKOS.altLabel in paths
