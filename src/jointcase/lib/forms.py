"""Form plumbing shared by every app's views (domain-free)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


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
