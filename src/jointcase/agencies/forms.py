"""Forms for agency administration.

The choices a form *offers* are the actor's ceiling (``jointcase.access.agencies``), but a form
*accepts* any value of the controlled vocabulary, so that a tampered POST asking for more than
the ceiling reaches the service, which refuses it and records a DENY alert, instead of being
waved away as a plain invalid choice. Fields the forms do not declare (``is_staff``,
``is_superuser``, ``agency``...) are never read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet

from jointcase.access.agencies import expiry_problem, vetting_max_years
from jointcase.accounts.models import Role, User
from jointcase.agencies.models import Caveat, VettingLevel
from jointcase.lib.forms import GovukDateField, JointCaseForm

USERNAME_HELP = "Lower-case letters, numbers, full stops, hyphens and underscores"


class CeilingChoiceField(forms.ChoiceField):
    """Offers ``choices`` (the ceiling) but accepts any of ``vocabulary``."""

    def __init__(self, *, vocabulary: Iterable[str], **kwargs: Any) -> None:
        self.vocabulary = {str(value) for value in vocabulary}
        super().__init__(**kwargs)

    def valid_value(self, value: Any) -> bool:
        return str(value) in self.vocabulary


class CeilingMultipleChoiceField(forms.MultipleChoiceField):
    def __init__(self, *, vocabulary: Iterable[str], **kwargs: Any) -> None:
        self.vocabulary = {str(value) for value in vocabulary}
        super().__init__(**kwargs)

    def valid_value(self, value: Any) -> bool:
        return str(value) in self.vocabulary


class ColleagueChoiceField(forms.ModelChoiceField[User]):
    """A person of the administrator's own agency, named with their username."""

    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.username})"


def _colleague_field(queryset: QuerySet[User], *, label: str, empty: str) -> ColleagueChoiceField:
    return ColleagueChoiceField(
        queryset=queryset,
        required=False,
        label=label,
        empty_label=empty,
        error_messages={"invalid_choice": "Select someone from the list"},
    )


def _role_choices(roles: Sequence[str]) -> list[tuple[str, str]]:
    return [(role, Role(role).label) for role in roles]


def _level_choices(levels: Sequence[str]) -> list[tuple[str, str]]:
    return [(level, VettingLevel(level).label) for level in levels]


def _vetting_expiry_problem(
    form: forms.Form, level: str | None, expires_on: dt.date | None
) -> None:
    if not level or level == VettingLevel.NONE or "expires_on" in form.errors:
        return
    if expires_on is None:
        form.add_error("expires_on", "Enter the date the vetting expires")
        return
    problem = expiry_problem(expires_on, what="the vetting", max_years=vetting_max_years())
    if problem:
        form.add_error("expires_on", problem)


class UserDetailsForm(JointCaseForm):
    first_name = forms.CharField(
        label="First name", max_length=150, error_messages={"required": "Enter a first name"}
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, error_messages={"required": "Enter a last name"}
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
    )
    job_title = forms.CharField(label="Job title", max_length=120, required=False)

    def __init__(self, *args: Any, colleagues: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line_manager"] = _colleague_field(
            colleagues, label="Line manager (optional)", empty="No line manager"
        )


class UserCreateForm(UserDetailsForm):
    username = forms.RegexField(
        label="Username",
        max_length=150,
        regex=r"^[A-Za-z0-9._-]+$",
        help_text=USERNAME_HELP,
        error_messages={
            "required": "Enter a username",
            "invalid": (
                "Username must only include letters, numbers, full stops, hyphens and underscores"
            ),
        },
    )
    field_order = [
        "first_name",
        "last_name",
        "username",
        "email",
        "job_title",
        "line_manager",
        "roles",
        "level",
        "expires_on",
    ]

    def __init__(
        self,
        *args: Any,
        roles: Sequence[str],
        levels: Sequence[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"] = CeilingMultipleChoiceField(
            label="Roles", required=False, choices=_role_choices(roles), vocabulary=Role.values
        )
        self.fields["level"] = CeilingChoiceField(
            label="Vetting level",
            choices=_level_choices(levels),
            vocabulary=VettingLevel.values,
            initial=VettingLevel.NONE,
            error_messages={
                "required": "Select a vetting level",
                "invalid_choice": "Select a vetting level",
            },
        )
        self.fields["expires_on"] = GovukDateField(
            what="the date the vetting expires",
            label="Vetting expiry date",
            required=False,
            help_text="Not needed for None. For example, 27 3 2029",
        )
        self.order_fields(self.field_order)

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _vetting_expiry_problem(self, data.get("level"), data.get("expires_on"))
        return data


class RolesForm(JointCaseForm):
    def __init__(self, *args: Any, roles: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"] = CeilingMultipleChoiceField(
            label="Roles",
            required=False,
            choices=_role_choices(roles),
            vocabulary=Role.values,
            error_messages={"invalid_choice": "Select roles from the list"},
        )


class VettingForm(JointCaseForm):
    def __init__(self, *args: Any, levels: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # No level is preselected unless the user's current one is on offer: a user vetted
        # above the administrator's ceiling must never be silently saved as "None".
        self.fields["level"] = CeilingChoiceField(
            label="Vetting level",
            choices=[("", "Select a vetting level"), *_level_choices(levels)],
            vocabulary=VettingLevel.values,
            error_messages={
                "required": "Select a vetting level",
                "invalid_choice": "Select a vetting level",
            },
        )
        self.fields["expires_on"] = GovukDateField(
            what="the date the vetting expires",
            label="Expiry date",
            required=False,
            help_text=(
                f"For example, 27 3 2029. No more than {vetting_max_years()} years from today."
            ),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _vetting_expiry_problem(self, data.get("level"), data.get("expires_on"))
        return data


def caveat_expiry_field_name(caveat: Caveat) -> str:
    return f"expires_{caveat.pk}"


class CaveatsForm(JointCaseForm):
    """One checkbox per caveat the actor holds, each revealing its own expiry date."""

    def __init__(
        self,
        *args: Any,
        grantable: Sequence[Caveat],
        vocabulary: Iterable[Caveat],
        current: Mapping[int, dt.date],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "caveats": [str(pk) for pk in current if pk in {c.pk for c in grantable}],
                **{
                    caveat_expiry_field_name(c): current[c.pk] for c in grantable if c.pk in current
                },
            },
        )
        super().__init__(*args, **kwargs)
        self.grantable = list(grantable)
        self.fields["caveats"] = CeilingMultipleChoiceField(
            label="Caveats",
            required=False,
            choices=[
                (str(c.pk), f"{c.code}: {c.name}" if c.name != c.code else c.code)
                for c in self.grantable
            ],
            vocabulary=[str(c.pk) for c in vocabulary],
            error_messages={"invalid_choice": "Select caveats from the list"},
        )
        for caveat in self.grantable:
            self.fields[caveat_expiry_field_name(caveat)] = GovukDateField(
                what=f"the date the {caveat.code} authorisation expires",
                label=f"{caveat.code} expiry date",
                required=False,
            )

    def expiry_field(self, caveat: Caveat) -> forms.BoundField:
        return self[caveat_expiry_field_name(caveat)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        grantable = {str(c.pk): c for c in self.grantable}
        for value in data.get("caveats") or []:
            caveat = grantable.get(str(value))
            if caveat is None:
                continue  # beyond the ceiling: the service refuses it and records the attempt
            name = caveat_expiry_field_name(caveat)
            if name in self.errors:
                continue
            expires_on = data.get(name)
            if expires_on is None:
                self.add_error(name, f"Enter the date the {caveat.code} authorisation expires")
                continue
            problem = expiry_problem(expires_on, what=f"the {caveat.code} authorisation")
            if problem:
                self.add_error(name, problem)
        return data

    def grants(self) -> dict[int, dt.date | None]:
        """``{caveat_id: expiry}`` for every ticked caveat (expiry None beyond the ceiling)."""
        return {
            int(value): self.cleaned_data.get(f"expires_{value}")
            for value in self.cleaned_data.get("caveats") or []
        }


class TeamForm(JointCaseForm):
    name = forms.CharField(
        label="Team name", max_length=200, error_messages={"required": "Enter the team name"}
    )

    def __init__(self, *args: Any, colleagues: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"] = _colleague_field(
            colleagues, label="Team manager (optional)", empty="No manager"
        )


class TeamMemberForm(JointCaseForm):
    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = _colleague_field(
            candidates, label="Who do you want to add?", empty="Select a person"
        )
        field.required = True
        field.error_messages["required"] = "Select a person to add"
        self.fields["user"] = field
