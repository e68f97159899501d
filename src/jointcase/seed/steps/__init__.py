"""The seed steps of the domain apps (material, meetings, and each app that follows).

A domain app never imports the seed tooling (an import contract in pyproject.toml): its step
lives here, beside the seeder's ``SeedContext`` and bulk ``Table`` writer, and is listed in
``jointcase.seed.extra_steps`` in dependency order.
"""
