"""Writes on material, one module per use case (docs/design.md "Layout"): ``items`` (adding items
and files), ``labels`` (changing a label), ``tearlines``, ``sharing`` (share requests and
grants), ``breakglass``, ``retention`` (retention dates, destroying, the retention run).

Every service is keyword-only, asks ``jointcase.access`` whether the actor may act
(``access.material_acts``) and is audited. Bad input raises ``ValidationError`` keyed by field
and nothing is stored; the refusal itself is audited (outcome FAILURE) in its own transaction,
so it survives the refusal. An object the actor may not see raises ``Http404`` (and a DENY
entry), exactly like a missing one. Callers import the module they need; this package
re-exports nothing.
"""
