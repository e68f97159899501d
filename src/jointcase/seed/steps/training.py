"""Seed step: prison counter-terrorism training, the staff confidence survey and POM
involvement, varying by establishment (synthetic).

- Each establishment gets a training culture (the share of its staff's required courses that
  are current, from about a third to nearly all); the rest are expired (completed once, not
  renewed) or never done, and some current courses have an earlier, lapsed completion behind
  them. The ``pom.bpss`` persona holds one current course, one expiring within weeks, one
  expired and (at HMP Frankland, which holds a separation centre) the induction missing.
- Every member of staff answers the survey in about half of the last eight quarters, more
  confident where the training culture is better and slowly improving.
- POM involvement: each establishment is given a rate; the POM of a custody case at it is, at
  that rate, involved in the last three months (a recorded contact, and presence at the case's
  meetings in the window); otherwise their invitations to its recent meetings are marked as
  not attended and they record no contact.

Rows are written with ``bulk_create`` in batches: the stress world's few hundred prison staff
and tens of thousands of custody cases take seconds.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from django.utils import timezone

from jointcase.access.policy import current_q
from jointcase.access.training import establishment_q, prison_staff_filter
from jointcase.accounts.models import Role, RoleAssignment, User
from jointcase.agencies.models import Agency
from jointcase.cases.models import CaseRole, CaseTeamMember
from jointcase.meetings.models import Invitation, Meeting
from jointcase.supervision.models import Contact, ContactKind, ContactOutcome
from jointcase.workforce.courses import add_months, courses_current
from jointcase.workforce.models import ConfidenceResponse, TrainingCompletion
from jointcase.workforce.selectors.pom import custody_case_rows, window_start

if TYPE_CHECKING:
    from jointcase.seed.context import SeedContext

BATCH = 5000
SURVEY_QUARTERS = 8
POM_PERSONA = "pom.bpss"


def seed_training(context: SeedContext) -> None:
    TrainingSeeder(context).run()


class TrainingSeeder:
    def __init__(self, context: SeedContext) -> None:
        self.context = context
        self.rng = context.rng
        self.today = context.today
        self.catalogue = courses_current()
        self.places = {
            place.pk: place for place in Agency.objects.filter(establishment_q()).order_by("code")
        }
        # A culture per establishment, spread evenly so the overview shows the whole range.
        ordered = list(self.places)
        self.rng.shuffle(ordered)
        span = max(len(ordered) - 1, 1)
        self.culture = {pk: 0.35 + 0.6 * index / span for index, pk in enumerate(ordered)}
        self.pom_rate = {pk: self.rng.choice((0.15, 0.45, 0.7, 0.95)) for pk in ordered}

    def run(self) -> None:
        staff = list(
            User.objects.filter(prison_staff_filter()).values_list("pk", "agency_id", "username")
        )
        roles: dict[int, set[str]] = defaultdict(set)
        for user_id, role in RoleAssignment.objects.filter(
            user_id__in=[row[0] for row in staff]
        ).values_list("user_id", "role"):
            roles[user_id].add(role)
        leads: dict[int, int] = {}
        for user_id, agency_id, _name in staff:
            if Role.PRISON_CT_LEAD in roles[user_id]:
                leads.setdefault(agency_id, user_id)
        self.completions(staff, roles, leads)
        self.survey(staff)
        self.involvement()

    # --- Training records -----------------------------------------------------------------

    def _completion(
        self, staff_id: int, code: str, completed: dt.date, recorder: int | None
    ) -> TrainingCompletion:
        course = self.catalogue.courses[code]
        return TrainingCompletion(
            staff_id=staff_id,
            course_code=code,
            completed_on=completed,
            expires_on=course.expires_on(completed),
            courses_version=self.catalogue.version,
            evidence_note=self.rng.choice(
                ("Certificate on file", "Classroom session", "E-learning module", "")
            ),
            recorded_by_id=recorder,
        )

    def _current_day(self, code: str, *, soon: bool = False) -> dt.date:
        """A completion day whose completion is current today (``soon``: lapsing in weeks)."""
        months = self.catalogue.courses[code].validity_months
        earliest = add_months(self.today, -months) + dt.timedelta(days=1)
        if soon:
            return earliest + dt.timedelta(days=self.rng.randint(5, 25))
        return earliest + dt.timedelta(days=self.rng.randint(0, (self.today - earliest).days))

    def _expired_day(self, code: str) -> dt.date:
        months = self.catalogue.courses[code].validity_months
        return add_months(self.today, -months) - dt.timedelta(days=self.rng.randint(0, 400))

    def completions(
        self, staff: list[tuple[int, int, str]], roles: dict[int, set[str]], leads: dict[int, int]
    ) -> None:
        rows: list[TrainingCompletion] = []
        for user_id, agency_id, username in self.context.progress(
            staff, total=len(staff), desc="prison training"
        ):
            place = self.places[agency_id]
            required = [
                code
                for code in self.catalogue.courses
                if code
                in self.catalogue.required_for(
                    roles[user_id], separation_centre=place.holds_separation_centre
                )
            ]
            recorder = leads.get(agency_id)
            if username == POM_PERSONA:
                rows += self._persona(user_id, required, recorder)
                continue
            rate = self.culture[agency_id]
            for code in required:
                draw = self.rng.random()
                if draw < rate:
                    if self.rng.random() < 0.4:
                        rows.append(
                            self._completion(user_id, code, self._expired_day(code), recorder)
                        )
                    soon = self.rng.random() < 0.1
                    rows.append(
                        self._completion(
                            user_id, code, self._current_day(code, soon=soon), recorder
                        )
                    )
                elif draw < rate + (1 - rate) * 0.6:
                    rows.append(self._completion(user_id, code, self._expired_day(code), recorder))
            if len(rows) >= BATCH:
                TrainingCompletion.objects.bulk_create(rows)
                rows = []
        TrainingCompletion.objects.bulk_create(rows)

    def _persona(
        self, user_id: int, required: list[str], recorder: int | None
    ) -> list[TrainingCompletion]:
        """The POM persona: current, lapsing soon, expired, and (where required) missing."""
        plan = ["current", "soon", "expired"]
        rows = []
        for code, state in zip(required, plan, strict=False):
            if state == "expired":
                day = self._expired_day(code)
            else:
                day = self._current_day(code, soon=state == "soon")
            rows.append(self._completion(user_id, code, day, recorder))
        return rows

    # --- The confidence survey ------------------------------------------------------------

    def survey(self, staff: list[tuple[int, int, str]]) -> None:
        rows: list[ConfidenceResponse] = []
        first = add_months(self.today.replace(day=1), -3 * (SURVEY_QUARTERS - 1))
        for user_id, agency_id, _name in staff:
            culture = self.culture[agency_id]
            for quarter in range(SURVEY_QUARTERS):
                if self.rng.random() >= 0.5:
                    continue
                start = add_months(first, 3 * quarter)
                day = min(start + dt.timedelta(days=self.rng.randint(0, 89)), self.today)
                base = 1.8 + 2.2 * culture + 0.6 * quarter / SURVEY_QUARTERS
                rows.append(
                    ConfidenceResponse(
                        establishment_id=agency_id,
                        respondent_id=user_id,
                        answered_on=day,
                        recognise=_score(self.rng.gauss(base, 0.8)),
                        challenge=_score(self.rng.gauss(base - 0.5, 0.9)),
                    )
                )
        ConfidenceResponse.objects.bulk_create(rows, batch_size=BATCH)

    # --- POM involvement ------------------------------------------------------------------

    def involvement(self) -> None:
        rows = custody_case_rows(list(self.places), self.today)
        case_place = {row[0]: row[4] for row in rows}
        poms: dict[int, int] = {}
        case_ids = list(case_place)
        for start in range(0, len(case_ids), BATCH):
            for case_id, user_id in CaseTeamMember.objects.filter(
                current_q(self.today),
                case_id__in=case_ids[start : start + BATCH],
                role=CaseRole.POM,
                user__isnull=False,
            ).values_list("case_id", "user_id"):
                poms.setdefault(case_id, user_id)
        since = timezone.make_aware(dt.datetime.combine(window_start(self.today), dt.time.min))
        contacts: list[Contact] = []
        involved: list[int] = []
        not_involved: list[int] = []
        for case_id, pom_id in poms.items():
            place = case_place[case_id]
            if self.rng.random() < self.pom_rate[place]:
                involved.append(case_id)
                day = self.today - dt.timedelta(days=self.rng.randint(1, 80))
                occurred = timezone.make_aware(
                    dt.datetime.combine(day, dt.time(9 + self.rng.randint(0, 7)))
                )
                contacts.append(
                    Contact(
                        case_id=case_id,
                        kind=self.rng.choice((ContactKind.OFFICE, ContactKind.VIDEO)),
                        practitioner_id=pom_id,
                        agency_id=place,
                        originator_id=place,
                        occurred_at=occurred,
                        outcome=ContactOutcome.ATTENDED,
                        recorded_by_id=pom_id,
                        created_at=occurred,
                        updated_at=occurred,
                    )
                )
            else:
                not_involved.append(case_id)
        Contact.objects.bulk_create(contacts, batch_size=BATCH)
        self._attendance(involved, poms, since, attended=True)
        self._attendance(not_involved, poms, since, attended=False)

    def _attendance(
        self, case_ids: list[int], poms: dict[int, int], since: dt.datetime, *, attended: bool
    ) -> None:
        """The POMs of ``case_ids`` attended (or missed) the cases' meetings in the window."""
        for start in range(0, len(case_ids), BATCH):
            chunk = case_ids[start : start + BATCH]
            meetings = Meeting.cases.through.objects.filter(
                case_id__in=chunk, meeting__starts_at__gte=since
            ).values_list("meeting_id", "case_id")
            by_pom: dict[int, list[int]] = defaultdict(list)
            for meeting_id, case_id in meetings:
                by_pom[poms[case_id]].append(meeting_id)
            for pom_id, meeting_ids in by_pom.items():
                Invitation.objects.filter(
                    meeting_id__in=meeting_ids, user_id=pom_id, apologies=False
                ).update(attended=attended)


def _score(value: float) -> int:
    return max(1, min(5, round(value)))
