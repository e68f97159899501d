"""Plain English for the codes the audit trail stores: the one place an action code
(``material.tearline_approved``) or a stored value (``OPEN``, ``POLICE_STATION``) becomes what a
person reads ("Material: tearline approved", "Open", "Police station").

- ``action_label``: an action's own wording when it has one (``ACTION_LABELS``), else its area's
  name (``AREAS``) and its verb, words spaced and acronyms kept (``ACRONYMS``). Every action the
  code writes reads as English this way; tests/audit/test_action_labels.py proves it for every
  action string in the source.
- ``value_label``: a stored choice code as its model's label (every ``choices`` of every model,
  collected once), so a change "status: OPEN -> DONE" reads "Status: Open -> Done".
- ``field_label``: a changed field's name as words.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from django.apps import apps

#: The area of an action (its first part) as a heading.
AREAS: dict[str, str] = {
    "accounts": "Account",
    "action": "Agreed action",
    "admin": "Administration",
    "agencies": "Agency administration",
    "api_token": "API token",
    "audit": "Audit",
    "auth": "Sign-in",
    "breakglass": "Break-glass",
    "case": "Case",
    "check": "Required check",
    "checks": "Required checks",
    "contact": "Supervision contact",
    "keys": "Encryption keys",
    "material": "Material",
    "meeting": "Meeting",
    "meetings": "Meetings",
    "mfa": "Second factor",
    "person": "Person",
    "risk": "Risk",
    "workforce": "Workforce",
    "training": "Prison training",
}

#: Actions whose generated wording would read badly.
ACTION_LABELS: dict[str, str] = {
    "audit.purpose_declared": "Purpose of consultation declared",
    "audit.checkpoint_created": "Audit checkpoint signed",
    "audit.checkpoint_posted": "Audit checkpoint sent to its witness",
    "auth.sign_in": "Signed in",
    "auth.sign_out": "Signed out",
    "auth.sign_in_failed": "Sign-in failed",
    "auth.sign_in_throttled": "Sign-in refused: too many attempts",
    "auth.sign_out_everywhere": "Signed out everywhere",
    "auth.session_ended": "Session ended",
    "auth.sessions_ended": "Every session ended",
    "auth.password_accepted": "Password accepted",
    "auth.api_token_refused": "API token refused",
    "breakglass.opened": "Break-glass access opened",
    "breakglass.refused": "Break-glass access refused",
    "case.risk_plan.add": "Case: risk management plan entry added",
    "mfa.totp_registered": "Second factor: authenticator app added",
    "mfa.totp_confirm_failed": "Second factor: authenticator code wrong",
    "mfa.webauthn_registered": "Second factor: security key or passkey added",
    "keys.data_key_destroyed": "Encryption keys: a data key destroyed",
}

#: The kinds of record an entry is about, as words.
RECORD_LABELS: dict[str, str] = {
    "action": "Agreed action",
    "agency": "Agency",
    "allocation": "Allocation",
    "api_token": "API token",
    "assessment": "Risk assessment",
    "assessment_section": "Risk assessment section",
    "audit.report": "Audit report",
    "audit.checkpoint": "Audit checkpoint",
    "breakglass": "Break-glass access",
    "case": "Case",
    "check": "Required check",
    "contact": "Supervision contact",
    "data_key": "Data key",
    "import": "Partner import",
    "key_rotation": "Key rotation",
    "known": "Known to you? question",
    "material": "Material",
    "material_grant": "Material grant",
    "meeting": "Meeting",
    "mfa_device": "Second factor",
    "minutes_section": "Minutes section",
    "person": "Person",
    "page": "Page",
    "quarantined_row": "Quarantined import row",
    "share_request": "Sharing request",
    "source_record": "Imported record",
    "survey": "Staff survey",
    "team": "Team",
    "team_membership": "Team membership",
    "training": "Prison training",
    "user": "User",
    "webhook": "Webhook",
    "workforce": "Workforce",
}

#: Access decisions' reasons (the policy's codes) whose generated wording would read badly.
REASON_LABELS: dict[str, str] = {
    "case_team": "On the case team",
    "team_member": "A member of a team on the case",
    "grant": "Granted access to the case",
    "managed_by_me": "Manages someone on the case",
    "excluded": "Excluded from the case",
    "not_on_case": "Not on the case",
    "break_glass": "Break-glass access",
    "material_grant": "Granted access to the material",
    "insufficient_vetting": "Vetting does not reach the marking",
    "clearance": "Vetting does not reach the marking",
    "caveats": "Does not hold a caveat",
    "not_releasable": "Not releasable to their agency",
    "above_system_high": "Marked above what JointCase holds",
    "national_role_aggregates_only": "National role: figures only",
    "aggregates_only": "Figures only",
    "no_purpose_declared": "No purpose declared",
    "not_found_or_forbidden": "Not found or not permitted",
    "rate_limited": "Too many requests",
    "token_scope": "API token not allowed this",
    "self": "Their own account",
}

_CODE = re.compile(r"^[a-z][a-z0-9_.]*$")

#: Words kept in capitals (or their own spelling) when a code is turned into words.
ACRONYMS: dict[str, str] = {
    "api": "API",
    "mfa": "MFA",
    "totp": "TOTP",
    "mappa": "MAPPA",
    "nsd": "NSD",
    "ctnm": "CTNM",
    "pom": "POM",
    "uk": "UK",
    "ddp": "DDP",
    "rosh": "RoSH",
    "crn": "CRN",
    "pnc": "PNC",
    "webauthn": "WebAuthn",
    "pdf": "PDF",
    "id": "ID",
}

_WORD = re.compile(r"[A-Za-z0-9]+")


def words(code: str) -> str:
    """``tearline_approve_form`` -> "tearline approve form" (acronyms kept)."""
    return " ".join(ACRONYMS.get(word.lower(), word.lower()) for word in _WORD.findall(code))


def sentence(text: str) -> str:
    """The first letter in capitals, the rest as it is."""
    return text[:1].upper() + text[1:] if text else text


def action_label(code: str) -> str:
    """An audit action in plain English ("material.label_changed" -> "Material: label changed")."""
    if code in ACTION_LABELS:
        return ACTION_LABELS[code]
    area, _, rest = code.partition(".")
    if not rest:
        return sentence(words(code))
    heading = AREAS.get(area, sentence(words(area)))
    return f"{heading}: {words(rest)}"


def reason_label(reason: str) -> str:
    """An entry's reason as people read it: a policy code in words ("case_team" -> "On the
    case team", "not_senior" -> "Not senior"); a reason a person typed, as they typed it."""
    if not reason or not _CODE.match(reason):
        return reason
    return REASON_LABELS.get(reason) or sentence(words(reason))


def record_label(object_type: str, object_id: str, name: str = "") -> str:
    """The record an entry is about ("Case JC-000001", "Material 3f2b..."): its kind in words,
    then its name when known, else its ID."""
    if not object_type:
        return ""
    kind = RECORD_LABELS.get(object_type) or sentence(words(object_type))
    shown = name or object_id
    return f"{kind} {shown}" if shown else kind


@functools.cache
def _choice_labels() -> dict[str, str]:
    """Every model's choice codes with their labels (the first label wins for a code two
    models share: the labels of a shared code are the same words)."""
    labels: dict[str, str] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and value and isinstance(label, str):
                    labels.setdefault(value, label)
    return labels


def value_label(value: Any) -> str:
    """A stored value as people read it: a choice code as its label, None as "(blank)"."""
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return _choice_labels().get(value, value)
    return str(value)


def field_label(name: str) -> str:
    """A changed field's name as words ("review_date" -> "Review date")."""
    return sentence(words(name))


def details_lines(details: Any) -> list[str]:
    """An entry's details as lines of plain English: each change "Field: old → new", each other
    detail "Key: value" (lists joined, nested mappings flattened one level)."""
    if not isinstance(details, dict) or not details:
        return []
    lines: list[str] = []
    changes = details.get("changes")
    if isinstance(changes, dict):
        for name, change in changes.items():
            if isinstance(change, list | tuple) and len(change) == 2:
                lines.append(
                    f"{field_label(str(name))}: {value_label(change[0])} → {value_label(change[1])}"
                )
            else:
                lines.append(f"{field_label(str(name))}: {_plain(change)}")
    for key, value in details.items():
        if key == "changes" and isinstance(changes, dict):
            continue
        lines.append(f"{field_label(str(key))}: {_plain(value)}")
    return lines


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{field_label(str(k))} {_plain(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_plain(item) for item in value) or "(none)"
    return value_label(value)
