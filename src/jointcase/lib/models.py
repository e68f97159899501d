"""Typed look-ups of Django model metadata (domain-free)."""

from __future__ import annotations

from typing import Any

from django.db.models import ManyToManyField, Model


def many_to_many(model: type[Model], name: str) -> ManyToManyField[Any, Any]:
    """The many-to-many field ``name`` of ``model``; a ``TypeError`` if it is not one."""
    field = model._meta.get_field(name)
    if not isinstance(field, ManyToManyField):
        raise TypeError(f"{model.__name__}.{name} is not a many-to-many field")
    return field


def through_of(model: type[Model], name: str) -> type[Model]:
    """The join model of the many-to-many field ``name`` of ``model``."""
    through = many_to_many(model, name).remote_field.through
    if through is None:  # only before the app registry is ready
        raise TypeError(f"{model.__name__}.{name} has no join model yet")
    return through
