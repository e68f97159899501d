"""Form plumbing shared by every app's views (domain-free)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jointcase.lib.edits import ConcurrentEdit


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
    success_message: str,
    aliases: dict[str, str] | None = None,
) -> HttpResponse:
    """The one shape of every form page: valid and saved -> redirect with a success message;
    otherwise the form again (400 after a POST) with its errors in the GOV.UK error summary.

    ``save`` calls a service. Its field errors (``ValidationError``) and a stale version
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
            messages.success(request, success_message)
            return redirect(success_url(result) if callable(success_url) else success_url)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {**context, "form": form}, status=status)
