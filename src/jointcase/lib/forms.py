"""Form plumbing shared by every app's views (domain-free): the base form, the one GOV.UK date
field, and the shape of every form page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jointcase.lib.bounds import ID_MAX, INT_MIN, RANGE_MESSAGE, fits_database
from jointcase.lib.edits import ConcurrentEdit
from jointcase.lib.text import forbidden_characters_message, has_forbidden_characters


class JointCaseForm(forms.Form):
    """The base of every JointCase form: free text without control characters or
    bidirectional overrides (``jointcase.lib.text``), and whole numbers that fit the database.

    The checks run on the cleaned values after the form's own cleaning, so a form cannot forget
    them; a refused value is a field error (the GOV.UK error summary), so nothing is saved.
    Passwords are left alone: they are never shown and are checked by the password validators.
    """

    def full_clean(self) -> None:
        super().full_clean()
        cleaned = getattr(self, "cleaned_data", None)
        if not cleaned:
            return
        for name, value in list(cleaned.items()):
            field = self.fields.get(name)
            if field is None or _is_password(name, field):
                continue
            problem = _value_problem(value, str(field.label or name.replace("_", " ")))
            if problem:
                self.add_error(name, problem)

    def choice_field(self, name: str) -> forms.ChoiceField:
        """The choice field ``name``, typed, for choices known only when the form is made."""
        field = self.fields[name]
        if not isinstance(field, forms.ChoiceField):
            raise TypeError(f"{name} is not a choice field")
        return field

    def model_choice_field(self, name: str) -> forms.ModelChoiceField[Any]:
        """The model choice field ``name``, typed, for a queryset scoped to the user."""
        field = self.fields[name]
        if not isinstance(field, forms.ModelChoiceField):
            raise TypeError(f"{name} is not a model choice field")
        return field


class LabelledModelChoiceField(forms.ModelChoiceField[Any]):
    """A model choice whose options read ``label_of(object)`` (a reference, a name with its
    agency) instead of the model's ``str``."""

    def __init__(self, *args: Any, label_of: Callable[[Any], str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label_of = label_of

    def label_from_instance(self, obj: Any) -> str:
        return self.label_of(obj)


class LabelledModelMultipleChoiceField(forms.ModelMultipleChoiceField[Any]):
    """The several-choice twin of ``LabelledModelChoiceField``."""

    def __init__(self, *args: Any, label_of: Callable[[Any], str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label_of = label_of

    def label_from_instance(self, obj: Any) -> str:
        return self.label_of(obj)


class GovukDateWidget(forms.Widget):
    """The GOV.UK date input: three boxes posted as ``<name>-day``, ``<name>-month`` and
    ``<name>-year`` (rendered by the ``date_input_field`` macro of ``components/forms.html``).

    Its value is always the (day, month, year) strings, each cut to 10 characters, so that a
    half-typed date comes back to the page exactly as it was typed."""

    parts = ("day", "month", "year")

    def value_from_datadict(self, data: Any, files: Any, name: str) -> tuple[str, str, str]:
        day, month, year = (str(data.get(f"{name}-{part}", ""))[:10].strip() for part in self.parts)
        return day, month, year

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return all(f"{name}-{part}" not in data for part in self.parts)

    def id_for_label(self, id_: str) -> str:
        return f"{id_}-day" if id_ else ""


class GovukDateField(forms.Field):
    """The one date field of every form: a GOV.UK date input whose messages follow the Design
    System's ("Enter the date of birth", "Date of birth must include a month", "... must be a
    real date").

    ``what`` names the date in the messages, as a phrase that reads after "Enter" ("the date
    the vetting expires"); by default it is the label ("Date of birth": "Enter the date of
    birth"). ``years`` (first, last) bounds the year, so that a slip of the keyboard (1084 for
    1984) is a field error, not a date far outside the record's life.
    """

    widget = GovukDateWidget

    def __init__(
        self, *, what: str | None = None, years: tuple[int, int] | None = None, **kwargs: Any
    ) -> None:
        label = str(kwargs.get("label") or "Date")
        self.what = what or f"the {label[:1].lower()}{label[1:]}"
        self.subject = what[:1].upper() + what[1:] if what else label
        self.years = years
        kwargs["error_messages"] = {"required": f"Enter {self.what}"} | (
            kwargs.get("error_messages") or {}
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.date):
            return (str(value.day), str(value.month), str(value.year))
        return value

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.date) or value is None:
            return value
        day, month, year = value
        if not (day or month or year):
            return None
        missing = [
            name for name, part in zip(GovukDateWidget.parts, value, strict=True) if not part
        ]
        if missing:
            raise ValidationError(
                f"{self.subject} must include a {' and '.join(missing)}", code="incomplete"
            )
        try:
            if len(year) != 4:
                raise ValueError
            parsed = dt.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{self.subject} must be a real date", code="invalid") from None
        if self.years and not self.years[0] <= parsed.year <= self.years[1]:
            raise ValidationError(
                f"{self.subject} must be between {self.years[0]} and {self.years[1]}",
                code="invalid",
            )
        return parsed


def _is_password(name: str, field: forms.Field) -> bool:
    return isinstance(field.widget, forms.PasswordInput) or "password" in name


def _value_problem(value: Any, label: str) -> str | None:
    values = value if isinstance(value, list | tuple | set | frozenset) else [value]
    for item in values:
        if isinstance(item, str) and has_forbidden_characters(item):
            return forbidden_characters_message(label)
        if isinstance(item, int) and not isinstance(item, bool) and not fits_database(item):
            return RANGE_MESSAGE.format(minimum=INT_MIN, maximum=ID_MAX)
        name = getattr(item, "name", None)  # an uploaded file's name is free text too
        if hasattr(item, "chunks") and isinstance(name, str) and has_forbidden_characters(name):
            return forbidden_characters_message(label)
    return None


def errors_onto_form(
    form: forms.Form, error: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError on the form: field errors by field, the rest on top.

    ``aliases`` maps a service's field name to the form's (``user`` -> ``username``).
    """
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            name = (aliases or {}).get(field, field)
            target = name if name in form.fields else None
            for message in messages_:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def form_page(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[dict[str, Any]], Any],
    *,
    template: str,
    context: dict[str, Any],
    success_url: str | Callable[[Any], str],
    success_message: str | Callable[[Any], str],
    aliases: dict[str, str] | None = None,
) -> HttpResponse:
    """The one shape of every form page: valid and saved -> redirect with a success message;
    otherwise the form again (400 after a POST) with its errors in the GOV.UK error summary.

    ``save`` calls a service; ``success_message`` may be worked out from its result (to say
    plainly what was decided). Its field errors (``ValidationError``) and a stale version
    (``ConcurrentEdit``: someone else saved first) re-render the form; the services are
    atomic, so nothing is written in either case. ``aliases`` maps a service's field names to
    the form's.
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as error:
            errors_onto_form(form, error, aliases)
        except ConcurrentEdit as error:
            form.add_error(None, str(error))
        else:
            message = success_message(result) if callable(success_message) else success_message
            messages.success(request, message)
            return redirect(success_url(result) if callable(success_url) else success_url)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {**context, "form": form}, status=status)
