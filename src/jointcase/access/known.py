"""Who may ask "Known to you?" and who is shown which match (docs/exchange.md "Known to you?").

The question (names, a date of birth, perhaps an identifier) is answered with no more than
whether a managed record exists and which agency and role to contact. It is for the staff
who manage cases day to day and need to know whom to call before they act:

- NSD practitioners and senior operational leads, CTNM officers and CT supervisors, prison
  offender managers, prison CT leads, regional CT coordinators and intelligence partner
  liaisons, each with an active agency.

Not for national governance, inspectors, auditors, agency or system administrators: they
manage no person and need not learn whether someone is on the register (aggregates, audit
and administration are their business, not individuals).

A match the asker may see (``person_filter``) may be linked to; any other is answered only
by the documented answer. The queryset twin is ``persons_visible_among``.
"""

from __future__ import annotations

from collections.abc import Iterable

from jointcase.access.acting import Refusal
from jointcase.access.policy import AnyUser, gate_decision, persons_visible_to, signed_in
from jointcase.accounts.models import Role

KNOWN_ROLES = (
    Role.NSD_PRACTITIONER,
    Role.NSD_SENIOR_LEAD,
    Role.CTNM_OFFICER,
    Role.CT_SUPERVISOR,
    Role.POM,
    Role.PRISON_CT_LEAD,
    Role.REGIONAL_CT_COORDINATOR,
    Role.PARTNER_LIAISON,
)
KNOWN_REFUSED = "Only staff who manage cases can ask whether a person is known"


def known_ask_refusal(user: AnyUser) -> Refusal | None:
    """Asking "Known to you?" (the page and ``POST /api/v1/known``) at all."""
    if not signed_in(user):
        return Refusal(reason=gate_decision(user).reason, message=KNOWN_REFUSED)
    agency = user.agency
    if agency is None or not agency.is_active:
        return Refusal(reason="no_agency", message=KNOWN_REFUSED)
    if not user.has_role(*KNOWN_ROLES):
        return Refusal(reason="not_case_staff", message=KNOWN_REFUSED)
    return None


def known_nav_visible(user: AnyUser) -> bool:
    """The "Known to you?" navigation entry."""
    return known_ask_refusal(user) is None


def persons_visible_among(user: AnyUser, public_ids: Iterable[str]) -> set[str]:
    """Of these persons (public ids), those ``user`` may see: the candidates a match may list
    or link to. The rest are answered only with the documented answer."""
    ids = [str(value) for value in public_ids]
    if not ids:
        return set()
    found = persons_visible_to(user).filter(public_id__in=ids).values_list("public_id", flat=True)
    return {str(value) for value in found}
