"""The licence conditions catalogue (``rules/licence_conditions.yaml``): loaded once, validated,
and used to validate the parameters of a condition added to a licence.

The catalogue is policy data. A malformed catalogue stops the service at start-up
(``CasesConfig.ready`` loads it) with a message naming the bad entry, never a 500 later.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ImproperlyConfigured, ValidationError

CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "rules" / "licence_conditions.yaml"
PARAMETER_TYPES = frozenset({"text", "date", "time", "integer", "boolean", "choice"})
FREQUENCIES = frozenset({"NONE", "WEEKLY", "FORTNIGHTLY", "MONTHLY", "QUARTERLY"})
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,59}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class ConditionParameter:
    name: str
    label: str
    type: str
    required: bool
    choices: tuple[str, ...] = ()
    #: The plain-English label of each choice (the code itself is what is stored).
    choice_labels: tuple[str, ...] = ()

    def label_of(self, value: Any) -> str:
        """How ``value`` of this parameter reads on a page (a choice's label, yes or no)."""
        if self.type == "choice" and str(value) in self.choices:
            return self.choice_labels[self.choices.index(str(value))]
        if self.type == "boolean" and isinstance(value, bool):
            return "Yes" if value else "No"
        return str(value)


@dataclass(frozen=True)
class ConditionSpec:
    code: str
    title: str
    description: str
    review_frequency: str
    parameters: tuple[ConditionParameter, ...]


def catalogue_parse(
    data: Any, *, source: str = "licence conditions catalogue"
) -> dict[str, ConditionSpec]:
    """Validate the YAML structure; raise ImproperlyConfigured naming the first problem."""

    def fail(message: str) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"{source}: {message}")

    if not isinstance(data, dict) or not isinstance(data.get("conditions"), list):
        raise fail("expected a mapping with a 'conditions' list")
    specs: dict[str, ConditionSpec] = {}
    for index, entry in enumerate(data["conditions"]):
        if not isinstance(entry, dict):
            raise fail(f"condition #{index + 1} is not a mapping")
        code = entry.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            raise fail(f"condition #{index + 1} has an invalid code {code!r}")
        if code in specs:
            raise fail(f"duplicate condition code {code}")
        title = entry.get("title")
        if not isinstance(title, str) or not title.strip():
            raise fail(f"{code} has no title")
        frequency = entry.get("review_frequency", "NONE")
        if frequency not in FREQUENCIES:
            raise fail(f"{code} has an unknown review_frequency {frequency!r}")
        parameters: list[ConditionParameter] = []
        for raw in entry.get("parameters") or []:
            if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
                raise fail(f"{code} has a parameter without a name")
            kind = raw.get("type", "text")
            if kind not in PARAMETER_TYPES:
                raise fail(f"{code}.{raw['name']} has an unknown type {kind!r}")
            choices, choice_labels = _choices_parse(
                raw.get("choices") or [], f"{code}.{raw['name']}"
            )
            if kind == "choice" and not choices:
                raise fail(f"{code}.{raw['name']} is a choice without choices")
            parameters.append(
                ConditionParameter(
                    name=raw["name"],
                    label=str(raw.get("label") or raw["name"]),
                    type=kind,
                    required=bool(raw.get("required", False)),
                    choices=choices,
                    choice_labels=choice_labels,
                )
            )
        specs[code] = ConditionSpec(
            code=code,
            title=title.strip(),
            description=str(entry.get("description", "")),
            review_frequency=frequency,
            parameters=tuple(parameters),
        )
    return specs


def _choices_parse(raw: Any, where: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A parameter's choices: each ``{code: X, label: Y}`` (or a bare code, read as a label
    made from it)."""
    codes: list[str] = []
    labels: list[str] = []
    for choice in raw if isinstance(raw, list) else []:
        if isinstance(choice, dict):
            code, label = str(choice.get("code", "")), str(choice.get("label", ""))
        else:
            code, label = str(choice), str(choice).replace("_", " ").capitalize()
        if not _CODE.match(code) or not label.strip():
            raise ImproperlyConfigured(f"{where} has a choice without a code and a label")
        codes.append(code)
        labels.append(label.strip())
    return tuple(codes), tuple(labels)


def condition_details(code: str, parameters: dict[str, Any]) -> list[tuple[str, str]]:
    """A condition's parameters as (label, value) pairs in plain English, in catalogue order."""
    spec = catalogue().get(code)
    if spec is None:
        return [
            (name.replace("_", " ").capitalize(), str(value)) for name, value in parameters.items()
        ]
    return [
        (parameter.label, parameter.label_of(parameters[parameter.name]))
        for parameter in spec.parameters
        if parameters.get(parameter.name) not in (None, "")
    ]


@functools.cache
def catalogue() -> dict[str, ConditionSpec]:
    """The catalogue by code (loaded once per process)."""
    try:
        data = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ImproperlyConfigured(f"cannot read {CATALOGUE_PATH}: {error}") from error
    return catalogue_parse(data, source=str(CATALOGUE_PATH))


def condition_title(code: str) -> str:
    spec = catalogue().get(code)
    return spec.title if spec else code


def _text(_parameter: ConditionParameter, value: Any) -> str:
    return str(value)[:500]


def _boolean(_parameter: ConditionParameter, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text not in {"true", "yes", "1", "false", "no", "0"}:
        raise ValueError(text)
    return text in {"true", "yes", "1"}


def _time(_parameter: ConditionParameter, value: Any) -> str:
    if not _TIME.match(str(value)):
        raise ValueError(value)
    return str(value)


def _date(_parameter: ConditionParameter, value: Any) -> str:
    return dt.date.fromisoformat(str(value)).isoformat()


def _integer(_parameter: ConditionParameter, value: Any) -> int:
    try:
        return int(value)
    except TypeError as error:
        raise ValueError(value) from error


def _choice(parameter: ConditionParameter, value: Any) -> str:
    if str(value) not in parameter.choices:
        raise ValueError(value)
    return str(value)


#: How a parameter of each type is read from what was given (``ValueError`` when it cannot be).
_PARSERS: dict[str, Callable[[ConditionParameter, Any], Any]] = {
    "text": _text,
    "boolean": _boolean,
    "integer": _integer,
    "time": _time,
    "date": _date,
    "choice": _choice,
}
#: What the user is told when a parameter of each type cannot be read.
_PARSE_ERRORS = {
    "boolean": "{label} must be yes or no",
    "integer": "{label} must be a whole number",
    "time": "{label} must be a time like 19:00",
    "date": "{label} must be a real date",
    "choice": "Choose {lower} from the list",
}


def condition_parameters_clean(code: str, parameters: dict[str, Any] | None) -> dict[str, Any]:
    """Parameters checked against the catalogue; ValidationError keyed by field otherwise.

    Keys: ``code`` for an unknown condition, ``parameters.<name>`` for a bad parameter.
    """
    spec = catalogue().get(code)
    if spec is None:
        raise ValidationError({"code": "Choose a licence condition from the list"})
    given = dict(parameters or {})
    errors: dict[str, str] = {}
    unknown = set(given) - {p.name for p in spec.parameters}
    for name in sorted(unknown):
        errors[f"parameters.{name}"] = f"{spec.title} has no parameter called {name}"
    cleaned: dict[str, Any] = {}
    for parameter in spec.parameters:
        value = given.get(parameter.name)
        if value is None or value == "":
            if parameter.required:
                errors[f"parameters.{parameter.name}"] = f"Enter {parameter.label.lower()}"
            continue
        parser = _PARSERS.get(parameter.type)
        if parser is None:
            continue
        try:
            cleaned[parameter.name] = parser(parameter, value)
        except ValueError:
            errors[f"parameters.{parameter.name}"] = _PARSE_ERRORS[parameter.type].format(
                label=parameter.label, lower=parameter.label.lower()
            )
    if errors:
        raise ValidationError(errors)
    return cleaned
