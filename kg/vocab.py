"""The RDF vocabularies of the graph contract, as namespace IRIs (plain strings), defined once.

The project's own namespaces (``kg:`` terms, ``id/`` instances) are built in
:mod:`kg.ids`; the W3C and DCMI namespaces the contract uses are here, with
the prefixes every RDF export binds (:data:`PREFIXES`).  Readers and
writers take their IRIs from here, so no module spells a namespace again.
"""
from __future__ import annotations

from kg.ids import ID_NS, KG_NS

__all__ = ["RDF", "RDFS", "XSD", "OWL", "PROV", "DCTERMS", "SKOS", "KG", "ID", "PREFIXES"]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
#: The project ontology (``kg:``) and its instances.
KG = KG_NS
ID = ID_NS

#: Prefixes bound by the RDF exports (Turtle, TriG, the JSON-LD context), by name.
PREFIXES: dict[str, str] = {
    "dcterms": DCTERMS,
    "kg": KG,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "skos": SKOS,
    "xsd": XSD,
}
