"""Stage 4, relations between resolved mentions, each with its evidence sentence.

Rules over one sentence at a time (trigger words from
``ontology/patterns/relations.toml``) plus the structure of names:

* ``administers``: an agency's jurisdiction, from its name prefix or context;
* ``subOrganizationOf``: a body written inside a longer body's name
  (市税务局 in 市税务局城区分局), a sub-unit resolved to its parent;
* ``locatedIn``: the jurisdiction in an organization's or project's name,
  位于X的Y / 在X的Y, otherwise the article's home county for projects;
* ``undertakes``: ORG + trigger (实施, 建成, 投资 …) + PROJECT; ORG的PROJECT;
  a project named after its owner; 联合ORG启动PROJECT; role words (施工单位);
* ``worksFor``: ORG + title + NAME, chains of ORG+title joined by 、, reporters
  of 本报, titles with a fixed employer (总书记);
* ``investment``: 投资/投入 + amount (jionlp's money parser) on the project of
  the clause.

Evidence offsets are mapped back to the source file, so that
``document.text[start:end] == evidence``.
"""
from kg.relations.document import relate_document
from kg.relations.extract import extract_relations

__all__ = ["extract_relations", "relate_document"]
