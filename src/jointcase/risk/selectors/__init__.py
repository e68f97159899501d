"""Reads of the risk app: each takes the acting user and returns an already-scoped result
(``checks``: required checks, lists and compliance figures)."""
