"""Stage 4, relations between resolved mentions, each with its evidence sentence.

Each rule is a small function registered by name
(:func:`~kg.relations.registry.relation_rule`) in a module of
:mod:`kg.relations.rules`; its words, an example sentence and the fact it must
read from it are its table in ``ontology/patterns/relations.toml``, whose
order is the order the rules run in:

* ``administers``, ``locatedIn``, ``subOrganizationOf`` from the structure of
  names (:mod:`~kg.relations.rules.structure`): the jurisdiction in a name,
  位于X的Y, the article's home county, a body inside a longer body's name, a
  sub-unit resolved to its parent, X组织Y;
* ``undertakes`` (:mod:`~kg.relations.rules.undertakes`): ORG + trigger (实施,
  建成, 投资 …) + PROJECT, ORG的PROJECT, a project named after its owner,
  由ORG实施, the article's topic body, role words (施工单位), partners (联合X);
* ``worksFor`` (:mod:`~kg.relations.rules.works_for`): ORG + title + NAME and
  chains of them, reporters of 本报, speakers after their unit, titles with a
  fixed employer (总书记);
* ``investment`` (:mod:`~kg.relations.rules.investment`): 投资/投入 + amount on
  the project of the clause.

:mod:`~kg.relations.article` is what a rule reads of an article,
:mod:`~kg.relations.extract` runs the rules over one article and
:mod:`~kg.relations.document` over a document.  Evidence offsets are mapped
back to the source file, so that ``document.text[start:end] == evidence``.
"""
from kg.relations.document import relate_document
from kg.relations.extract import extract_relations
from kg.relations.registry import RULES, relation_rule, rules_of

__all__ = ["extract_relations", "relate_document", "relation_rule", "rules_of", "RULES"]
