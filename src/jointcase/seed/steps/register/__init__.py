"""The nominal register of the synthetic world: persons and their cases with full histories.

Deterministic for a given seed: all randomness comes from ``context.rng`` and name pools drawn
from the seeded Faker. Identifiers have real formats (CRN X123456, prison number A1234BC,
PNC ID with a real check letter) but are generated from the case number through bijections,
so they are unique without lookups. Rows are written with the bulk ``Table`` writer in batches
so that the stress world (100,000 cases) builds in minutes.

Every phase appears: the first 60 cases cycle through the six phases; the rest follow a
realistic mix. The demo personas are placed on the first cases (``PERSONA_LEAD_CASES``).

One module per use case, each a set of functions of the shared ``seeder.RegisterSeeder``:
``plan`` (dates and sentence drawn first), ``people``, ``cases``, ``custody``, ``sentences``
(sentence, notification requirement, licence) and ``teams``; ``build`` runs them per case in
the order the random generator is drawn, so moving code between them must keep that order.
"""
