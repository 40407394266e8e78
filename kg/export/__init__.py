"""Exports of the knowledge graph (split into modules in the next commit)."""
