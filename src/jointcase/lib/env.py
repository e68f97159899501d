"""One strict reader for the environment, used by ``jointcase.settings``.

A setting that cannot be read stops start-up with ``ImproperlyConfigured`` naming the variable,
instead of falling back to a default nobody chose: ``JOINTCASE_AUDIT_ENABLED=true`` once read as
"off" because only ``1`` counted as on. An unset or empty variable takes its default.
docs/operations.md lists every variable.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured

_Number = TypeVar("_Number", int, float)

#: The only spellings a boolean variable accepts (any case).
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def env_str(name: str, default: str = "", *, environ: Mapping[str, str] | None = None) -> str:
    """The variable as text (``default`` when unset or empty)."""
    value = _raw(name, environ)
    return default if value is None else value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    """1/0, true/false, yes/no or on/off (any case); anything else stops start-up."""
    value = _raw(name, environ)
    if value is None:
        return default
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1, true, yes, on, 0, false, no or off (got {value[:20]!r}). "
        "See docs/operations.md."
    )


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = 0,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """A whole number (no sign unless ``minimum`` allows it), within its bounds."""
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = int(value, 10)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a whole number (got {value[:20]!r}). See docs/operations.md."
        ) from None
    return _within(name, number, minimum, maximum)


def env_float(
    name: str,
    default: float,
    *,
    minimum: float | None = 0,
    maximum: float | None = None,
    environ: Mapping[str, str] | None = None,
) -> float:
    """A finite decimal number within its bounds."""
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if number != number or number in (float("inf"), float("-inf")):
        raise ImproperlyConfigured(
            f"{name} must be a number (got {value[:20]!r}). See docs/operations.md."
        )
    return _within(name, number, minimum, maximum)


def env_choice(
    name: str, default: str, choices: Collection[str], *, environ: Mapping[str, str] | None = None
) -> str:
    """One of ``choices`` (exact spelling); anything else stops start-up."""
    value = _raw(name, environ)
    if value is None:
        return default
    if value not in choices:
        raise ImproperlyConfigured(
            f"{name} must be one of {', '.join(sorted(choices))} (got {value[:30]!r}). "
            "See docs/operations.md."
        )
    return value


def env_list(
    name: str, default: str = "", *, environ: Mapping[str, str] | None = None
) -> list[str]:
    """Comma-separated items, blanks dropped."""
    value = env_str(name, default, environ=environ)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_mapping(
    name: str, *, key_prefix: str = "", environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``key=value`` items separated by semicolons (values may hold commas and spaces), every
    key starting with ``key_prefix``; a malformed item stops start-up."""
    mapping: dict[str, str] = {}
    for item in env_str(name, environ=environ).split(";"):
        if not item.strip():
            continue
        key, equals, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not equals or not key.startswith(key_prefix) or not value:
            raise ImproperlyConfigured(
                f"{name} must be {key_prefix}NAME=VALUE items separated by semicolons "
                f"(got {item.strip()[:40]!r}). See docs/operations.md."
            )
        mapping[key] = value
    return mapping


def _within(name: str, number: _Number, minimum: float | None, maximum: float | None) -> _Number:
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum} (got {number}).")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum} (got {number}).")
    return number
