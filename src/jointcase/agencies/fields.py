"""The one "Releasable to" field every labelled form uses (material, case notes, minutes,
supervision notes).

It offers the agencies grouped by kind, each kind with an "All <kind>" choice, and posts
agency codes (``nsd-north``) or a whole kind (``kind:POLICE``). Cleaning expands a kind into
its agencies, so the form hands on a plain list of agencies, ordered by name: a service never
sees the grouping. Rendered by ``releasable_to_field`` in ``components/forms.html``; without
JavaScript every agency is a checkbox, the long kinds folded in a details element.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from jointcase.agencies.models import Agency, AgencyKind

KIND_PREFIX = "kind:"

#: A kind's "all" choice, in the words of its fieldset ("All police agencies").
KIND_ALL_LABELS: dict[str, str] = {
    AgencyKind.PROBATION: "All probation agencies",
    AgencyKind.POLICE: "All police agencies",
    AgencyKind.PRISON: "All prisons",
    AgencyKind.PARTNER: "All intelligence partners",
    AgencyKind.NATIONAL: "All national governance bodies",
    AgencyKind.PLATFORM: "All platform operations teams",
}


@dataclass(frozen=True)
class AgencyGroup:
    """One kind of agency as the page shows it: its "all" choice and its agencies."""

    kind: str
    label: str
    all_value: str
    all_label: str
    agencies: tuple[tuple[str, str], ...]


class ReleasableToField(forms.MultipleChoiceField):
    """Agencies chosen one by one or a whole kind at once; cleans to ``list[Agency]``."""

    def __init__(self, *, agencies: QuerySet[Agency] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Releasable to")
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        messages = {"invalid_choice": "Choose agencies from the list"}
        messages.update(kwargs.pop("error_messages", None) or {})
        super().__init__(error_messages=messages, **kwargs)
        self.agencies = agencies

    @property
    def agencies(self) -> QuerySet[Agency]:
        return self._agencies

    @agencies.setter
    def agencies(self, queryset: QuerySet[Agency] | None) -> None:
        """Offer these agencies (every active agency when None)."""
        self._agencies = (
            queryset if queryset is not None else Agency.objects.filter(is_active=True)
        ).order_by("name")
        self._groups: tuple[AgencyGroup, ...] | None = None
        self.choices = self._choices_of

    def _choices_of(self) -> list[tuple[str, str]]:
        choices: list[tuple[str, str]] = []
        for group in self.groups():
            choices.append((group.all_value, group.all_label))
            choices.extend(group.agencies)
        return choices

    def groups(self) -> tuple[AgencyGroup, ...]:
        """The agencies on offer by kind, in the order of ``AgencyKind``, names sorted."""
        if self._groups is None:
            by_kind: dict[str, list[tuple[str, str]]] = {}
            for code, name, kind in self._agencies.values_list("code", "name", "kind"):
                by_kind.setdefault(kind, []).append((code, name))
            self._groups = tuple(
                AgencyGroup(
                    kind=kind.value,
                    label=kind.label,
                    all_value=KIND_PREFIX + kind.value,
                    all_label=KIND_ALL_LABELS.get(kind.value, f"All {kind.label.lower()}"),
                    agencies=tuple(by_kind[kind.value]),
                )
                for kind in AgencyKind
                if by_kind.get(kind.value)
            )
        return self._groups

    def __deepcopy__(self, memo: dict[int, Any]) -> ReleasableToField:
        """Each form's copy offers its own agencies (the choices follow the copy)."""
        result = super().__deepcopy__(memo)  # type: ignore[misc]
        assert isinstance(result, ReleasableToField)
        result.agencies = self._agencies
        return result

    def clean(self, value: Any) -> list[Agency]:
        chosen = super().clean(value) or []
        kinds = {v.removeprefix(KIND_PREFIX) for v in chosen if v.startswith(KIND_PREFIX)}
        codes = {v for v in chosen if not v.startswith(KIND_PREFIX)}
        if not kinds and not codes:
            return []
        return list(self._agencies.filter(Q(kind__in=kinds) | Q(code__in=codes)))
