"""A cheaper Argon2 for the test suite only (same algorithm, lower cost); never in production."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class TestArgon2PasswordHasher(Argon2PasswordHasher):
    algorithm = "argon2"
    time_cost = 1
    memory_cost = 1024
    parallelism = 1
