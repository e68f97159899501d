""" "Known to you?": the question form and the documented answer (docs/exchange.md).

Thin: parse, call ``services.known.known_ask``, render. Who may ask is
``jointcase.access.known``; the answer is built by ``services.known.known_answer`` alone.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from jointcase.access.acting import permission_require
from jointcase.access.known import known_ask_refusal
from jointcase.exchange.forms.known import KnownForm
from jointcase.exchange.services.known import (
    ASK_ACTION,
    KnownRateLimited,
    known_ask,
    question_clean,
)
from jointcase.lib.forms import errors_onto_form
from jointcase.people.views import acting_user


@require_http_methods(["GET", "POST"])
def known(request: HttpRequest) -> HttpResponse:
    """The question; after a valid POST, the answer (or why it cannot be given now)."""
    user = acting_user(request)
    permission_require(
        actor=user,
        refusal=known_ask_refusal(user),
        action=ASK_ACTION,
        object_type="known",
        object_id="",
        request=request,
    )
    form = KnownForm(request.POST if request.method == "POST" else None)
    context = {"title": "Known to you?", "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            question = question_clean(
                given_names=data["given_names"],
                surname=data["surname"],
                date_of_birth=data["date_of_birth"],
                identifier_type=data["identifier_type"],
                identifier_value=data["identifier_value"],
            )
            answer = known_ask(actor=user, question=question, request=request)
        except ValidationError as error:
            errors_onto_form(form, error)
        except KnownRateLimited as limited:
            response = render(
                request,
                "exchange/known/limited.html",
                {"title": "You have asked too many times", "limited": limited},
                status=429,
            )
            response["Retry-After"] = str(limited.retry_after)
            return response
        else:
            return render(
                request,
                "exchange/known/answer.html",
                {"title": "Known to you?", "answer": answer},
            )
    status = 400 if request.method == "POST" else 200
    return render(request, "exchange/known/ask.html", context, status=status)
