"""The relation rules, one small function each, registered by name (:mod:`kg.relations.registry`).

Each rule's words, example sentence and expected fact are its table in
``ontology/patterns/relations.toml``, which also fixes the order they run in.
One module per family:

* :mod:`~kg.relations.rules.structure`: what the structure of names says
  (located-context, name-jurisdiction, article-home, nested-name,
  subunit-of-parent, sub-trigger);
* :mod:`~kg.relations.rules.undertakes`: who undertakes a project
  (owner-in-name, possessive, subject-trigger, article-topic, passive-agent,
  role-word, partner);
* :mod:`~kg.relations.rules.works_for`: whom a person works for (reporter,
  speaker-unit, org-title, title-chain, fixed-employer, core-of);
* :mod:`~kg.relations.rules.investment`: a project's investment.

Adding a rule: a function in the module of its family, decorated with
``@relation_rule("its-name")``, and a table ``[its-name]`` in
``relations.toml`` (where in the order it runs, its words, an example and
the fact it reads from it); declare its words in ``schema.toml``.
"""
# importing the modules registers their rules
from kg.relations.rules import investment, structure, undertakes, works_for

__all__ = ["structure", "undertakes", "works_for", "investment"]
