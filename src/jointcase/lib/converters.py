"""The ``<id:...>`` URL converter: a positive 64-bit integer, so an id the database could never
hold is "not found" (404) before any view runs, never a 500.

Django 5.2 deprecates overriding the built-in ``int`` converter, so the routes use ``id``.
Importing this module registers it (each ``urls.py`` that uses it imports it).
"""

from __future__ import annotations

from django.urls import register_converter

from jointcase.lib.bounds import is_valid_id


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not is_valid_id(number):
            raise ValueError(value)  # no match: Django answers 404
        return number

    def to_url(self, value: int | str) -> str:
        return str(int(value))


register_converter(IdConverter, "id")
