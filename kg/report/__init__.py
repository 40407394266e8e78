"""Reports on a built graph (filled in by the next commit)."""
