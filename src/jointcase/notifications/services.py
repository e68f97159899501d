"""The one writer of in-app notices: ``notify``.

A notice often reaches someone who may not see what it is about (a line manager told of
break-glass, a requester told of a refusal), so it never carries anything but a **generic
sentence and a link** (docs/design.md "No leaks"; docs/operations.md "Notifications"):

- the sentence is one of ``SENTENCES``: fixed, reviewed text that names nothing (no case
  reference, person, item title, agency, date or number). Any other text is refused with a
  ``ValueError``, so no caller can interpolate a name into a notice; a new kind of notice adds
  its sentence here, where it is reviewed;
- the link is a path on this site (``/...``), without a query or a fragment, so it cannot carry
  a search term or point elsewhere;
- each user is told once per call, and a user who is no longer active is told nothing.

``notify`` writes in the caller's transaction: the notice and the action it reports commit or
roll back together (the caller's audit entry records the action).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from jointcase.notifications.models import Notification

if TYPE_CHECKING:
    from jointcase.accounts.models import User

#: The longest sentence or link a notice holds (the columns' width).
TEXT_MAX = Notification._meta.get_field("text").max_length or 300
LINK_MAX = Notification._meta.get_field("link").max_length or 300

#: Every sentence a notice may carry. Each names nothing; see the module's docstring.
SENTENCES: frozenset[str] = frozenset(
    {
        # material: share requests, grants, break-glass
        "Your request about an item of material was approved.",
        "Your request about an item of material was refused.",
        "Your access to an item of material has been revoked.",
        "Someone opened break-glass access. It needs a review.",
        "A tearline is waiting for your approval.",
        "A tearline you wrote was approved.",
        "A tearline you wrote was refused.",
        "A sanitised version of an item of material is now available to you.",
        "A request about an item of material is waiting for your decision.",
        "The tearline you asked for has been written and approved.",
        # meetings and agreed actions
        "You have been invited to a meeting",
        "An agreed action has been assigned to you",
        "An agreed action has been reassigned to you",
        "The due date of an agreed action you own has changed",
        # reminders and escalation of agreed actions
        "An agreed action you own is due soon",
        "An agreed action owned by someone you manage is overdue",
        "An agreed action on a case you oversee is still overdue",
        # reminders and escalation of required checks
        "A required check you are responsible for is due soon",
        "A required check held by someone you manage is overdue",
        "A required check on a case you oversee is still overdue",
        # contact standards (supervision)
        "A case you supervise has fallen below its contact standard",
        "A case held by someone you manage has fallen below its contact standard",
        # prison counter-terrorism training
        "Training you must hold expires soon",
        "Training held by someone you manage expires soon",
    }
)

_LINK = re.compile(r"/(?!/)[A-Za-z0-9._~/-]*")


class NoticeRefused(ValueError):
    """A notice that would say more than a generic sentence and a link (a programming error)."""


def notice_refusal(text: str, link: str) -> str | None:
    """Why a notice with this sentence and link may not be sent, or ``None`` if it may."""
    if text not in SENTENCES:
        return "a notice carries one of the generic sentences of notifications.services"
    if len(text) > TEXT_MAX:
        return f"a notice's sentence is at most {TEXT_MAX} characters"
    if link and (len(link) > LINK_MAX or not _LINK.fullmatch(link)):
        return "a notice's link is a path on this site, without a query or a fragment"
    return None


@transaction.atomic
def notify(*, recipients: Iterable[User | None], text: str, link: str) -> list[Notification]:
    """Tell each active user among ``recipients`` (once each) ``text``, with ``link``.

    Returns the notices written. Raises ``NoticeRefused`` (and writes nothing) for a sentence
    that is not one of ``SENTENCES`` or a link that is not a plain path on this site.
    """
    refusal = notice_refusal(text, link)
    if refusal is not None:
        raise NoticeRefused(refusal)
    wanted: dict[int, User] = {}
    for user in recipients:
        if user is not None and user.pk is not None:
            wanted.setdefault(user.pk, user)
    # Asked of the database, not of the objects passed in: one disabled since it was loaded
    # is told nothing either.
    active = set(
        get_user_model()
        .objects.filter(pk__in=list(wanted), is_active=True)
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    return Notification.objects.bulk_create(
        Notification(recipient=user, text=text, link=link, created_at=now)
        for pk, user in wanted.items()
        if pk in active
    )


def notification_mark_read(*, notification: Notification) -> None:
    """Record that the recipient has opened ``notification`` (the first opening counts).

    The caller passes a notice it fetched for the signed-in user (``notification_get_for``), so
    nobody marks another's notice. Not audited: the notice holds only a generic sentence and a
    link, and the page it leads to audits its own read.
    """
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
