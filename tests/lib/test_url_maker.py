"""``lib.urls.url_maker`` gives, for every row, the very string ``reverse`` gives."""

from __future__ import annotations

import uuid

from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from jointcase.lib.urls import url_maker


@settings(deadline=None)  # the first call loads the URLconf
@given(case_id=st.uuids(), contact_id=st.uuids())
def test_two_uuid_arguments_make_the_url_reverse_makes(
    case_id: uuid.UUID, contact_id: uuid.UUID
) -> None:
    make = url_maker("supervision:contact", 2)
    assert make(case_id, contact_id) == reverse("supervision:contact", args=[case_id, contact_id])


@settings(deadline=None)
@given(person_id=st.integers(min_value=1, max_value=2**63 - 1))
def test_an_integer_argument_makes_the_url_reverse_makes(person_id: int) -> None:
    make = url_maker("workforce:caseload-person", 1, "int")
    assert make(person_id) == reverse("workforce:caseload-person", args=[person_id])


def test_one_maker_serves_many_rows() -> None:
    make = url_maker("supervision:case-contacts")
    ids = [uuid.uuid4() for _ in range(3)]
    assert [make(i) for i in ids] == [reverse("supervision:case-contacts", args=[i]) for i in ids]
