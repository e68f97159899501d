"""Sign-in, second factor, recovery, account security and sign-out pages (thin views)."""

from __future__ import annotations

import base64

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from jointcase.accounts import enrolment, services
from jointcase.accounts.forms import (
    ApiTokenForm,
    EnrolmentForm,
    PasswordChangeForm,
    SecurityCodeForm,
    SignInForm,
    TotpSetupForm,
)
from jointcase.accounts.middleware import SIGNED_OUT_MESSAGES, SIGNED_OUT_REASON_KEY
from jointcase.accounts.models import ApiToken, User
from jointcase.accounts.tokens import (
    ApiTokenError,
    api_token_create,
    api_token_revoke,
    token_scope_names,
)
from jointcase.accounts.webauthn import webauthn_config


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home:home")


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.user.is_verified():
        return HttpResponseRedirect(_safe_next(request))
    ended = request.session.pop(SIGNED_OUT_REASON_KEY, None)
    if ended in SIGNED_OUT_MESSAGES:
        messages.info(request, SIGNED_OUT_MESSAGES[ended])
    form = SignInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = services.sign_in_with_password(
            request=request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if result.user is not None:
            target = reverse("accounts:second-factor")
            next_url = request.POST.get("next")
            if next_url:
                target += "?" + urlencode({"next": next_url})
            return HttpResponseRedirect(target)
        form.add_error(None, result.error or services.SIGN_IN_FAILED)
        data = request.POST.copy()
        data["password"] = ""
        form.data = data
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "title": "Sign in", "next": request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:sign-in")
    assert isinstance(user, User)
    if user.is_verified():
        return HttpResponseRedirect(_safe_next(request))
    if not services.user_has_second_factor(user):
        # Only an enrolment link leads to a first second factor: a password alone never does.
        return render(
            request,
            "accounts/enrolment_needed.html",
            {"title": "Finish setting up your account"},
        )
    has_webauthn = WebAuthnCredential.objects.filter(user=user).exists()
    form = SecurityCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        error = services.second_factor_verify_totp(
            request=request, user=user, code=form.cleaned_data["code"]
        )
        if error is None:
            return HttpResponseRedirect(_safe_next(request))
        form.add_error("code", error)
    return render(
        request,
        "accounts/second_factor.html",
        {
            "form": form,
            "title": "Enter your security code",
            "next": request.GET.get("next", ""),
            "has_webauthn": has_webauthn,
            "webauthn_config": webauthn_config(request) if has_webauthn else "",
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def totp_setup(request: HttpRequest) -> HttpResponse:
    """Register an authenticator app: first sign-in (no factor yet) or from the account page."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:sign-in")
    assert isinstance(user, User)
    if not user.is_verified():
        # A password-only session never enrols a factor: a first one comes with an enrolment
        # link only (``enrol``), so that whoever knows a password cannot make it a sign-in.
        return redirect("accounts:second-factor")
    device_id = request.session.get("jc_pending_totp")
    device = TOTPDevice.objects.filter(user=user, pk=device_id, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
        request.session["jc_pending_totp"] = device.pk
    form = TotpSetupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if services.totp_device_confirm(
            request=request, user=user, device=device, code=form.cleaned_data["code"]
        ):
            request.session.pop("jc_pending_totp", None)
            messages.success(request, "Your authenticator app is set up")
            return redirect("accounts:security")
        form.add_error(
            "code", "The code does not match: check the time on your device and try again"
        )
    qr_svg, setup_key = _totp_qr(device)
    return render(
        request,
        "accounts/totp_setup.html",
        {
            "form": form,
            "title": "Set up your authenticator app",
            "qr_svg": qr_svg,
            "secret": setup_key,
        },
        status=400 if form.errors else 200,
    )


def recovery(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/recovery.html", {"title": "Problems signing in"})


def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    return render(
        request,
        "accounts/security.html",
        {
            "title": "Your account",
            "totp_devices": TOTPDevice.objects.filter(user=user, confirmed=True),
            "webauthn_devices": WebAuthnCredential.objects.filter(user=user),
            "api_tokens": [
                {"token": token, "scope_names": token_scope_names(token.scope_list)}
                for token in ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
            ],
            "webauthn_config": webauthn_config(request),
            "backup_codes_remaining": services.backup_codes_remaining(user),
        },
    )


@require_POST
def device_remove(request: HttpRequest, kind: str, device_id: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if services.mfa_device_remove(
        request=request, actor=user, device_kind=kind, device_id=device_id
    ):
        messages.success(request, "Second factor removed")
    else:
        messages.info(request, "That second factor cannot be removed: you must keep at least one")
    return redirect("accounts:security")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    services.sign_out(request=request)
    messages.info(request, "You have signed out")
    return redirect("accounts:sign-in")


@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    services.sign_out_everywhere(request=request, actor=user)
    messages.info(request, "You have signed out on every device")
    return redirect("accounts:sign-in")


@require_http_methods(["GET", "POST"])
def api_token_new(request: HttpRequest) -> HttpResponse:
    """Create one of your own API tokens; the secret is shown on this response only."""
    user = request.user
    assert isinstance(user, User)
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            token, plaintext = api_token_create(
                actor=user,
                user=user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                purpose=form.cleaned_data["purpose"],
                scopes=form.cleaned_data["scopes"],
                ceiling=form.cleaned_data["ceiling"],
                request=request,
            )
        except ApiTokenError as error:
            form.add_error(None, str(error))
        else:
            response = render(
                request,
                "accounts/api_token_created.html",
                {"title": "Your new API token", "token": token, "plaintext": plaintext},
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "accounts/api_token_new.html",
        {"form": form, "title": "Create an API token"},
        status=400 if form.errors else 200,
    )


@require_POST
def api_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise Http404
    api_token_revoke(actor=user, token=token, request=request)
    messages.success(request, f"API token {token.prefix} revoked")
    return redirect("accounts:security")


@require_http_methods(["GET", "POST"])
def backup_codes(request: HttpRequest) -> HttpResponse:
    """Generate single-use backup codes; they are shown on the POST response only."""
    user = request.user
    assert isinstance(user, User)
    codes: list[str] = []
    if request.method == "POST":
        codes = services.backup_codes_generate(request=request, actor=user)
    response = render(
        request,
        "accounts/backup_codes.html",
        {
            "title": "Your new backup codes" if codes else "Backup codes",
            "codes": codes,
            "remaining": services.backup_codes_remaining(user),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def _totp_qr(device: TOTPDevice) -> tuple[str, str]:
    """The QR code (inline SVG) and the grouped setup key of an authenticator app."""
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#0b0c0c")
    secret = base64.b32encode(device.bin_key).decode("ascii")
    return qr_svg, " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _private(response: HttpResponse) -> HttpResponse:
    """A page whose address or content is a secret: never cached, and its address never sent
    as a referrer to another site ("same-origin": "no-referrer" makes the browser send
    `Origin: null` with the page's own form, which the CSRF check rightly refuses)."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest, secret: str) -> HttpResponse:
    """An enrolment link: the user sets their own password and authenticator app, once."""
    link = enrolment.enrolment_link_find(secret)
    if link is None:
        services.enrolment_link_refused(request=request)
        return _private(
            render(
                request,
                "accounts/enrol_unusable.html",
                {"title": enrolment.LINK_UNUSABLE},
                status=410,
            )
        )
    session_key = f"jc_enrol_device:{link.pk}"
    device = enrolment.enrolment_device_for(link, request.session.get(session_key))
    request.session[session_key] = device.pk
    form = EnrolmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment.enrolment_complete(
                request=request,
                link=link,
                device=device,
                password=form.cleaned_data["password"],
                code=form.cleaned_data["code"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field, errors)
            else:
                form.add_error(None, error)
        else:
            request.session.pop(session_key, None)
            messages.success(request, "Your account is set up and you are signed in")
            return redirect("home:home")
    qr_svg, setup_key = _totp_qr(device)
    return _private(
        render(
            request,
            "accounts/enrol.html",
            {
                "form": form,
                "title": "Set up your JointCase account",
                "subject": link.user,
                "qr_svg": qr_svg,
                "secret": setup_key,
            },
            status=400 if form.errors else 200,
        )
    )


@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password: the current password and a second-factor code required."""
    user = request.user
    assert isinstance(user, User)
    form = PasswordChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                request=request,
                actor=user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                code=form.cleaned_data["code"],
            )
        except services.PasswordChangeRefused as refusal:
            for field, errors in refusal.errors.items():
                form.add_error(field, errors)
        else:
            messages.success(
                request, "Your password has been changed and your other sessions have ended"
            )
            return redirect("accounts:security")
    return _private(
        render(
            request,
            "accounts/password_change.html",
            {"form": form, "title": "Change your password"},
            status=400 if form.errors else 200,
        )
    )
