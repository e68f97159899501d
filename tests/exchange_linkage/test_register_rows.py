"""Live matching runs against the whole register: every name and address of every person."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from jointcase.exchange.linkage.model import link_classify, link_predict
from jointcase.exchange.linkage.register import register_frame
from jointcase.people.models import (
    Address,
    AddressKind,
    Identifier,
    IdentifierType,
    NameKind,
    Person,
    PersonName,
)

pytestmark = pytest.mark.django_db


def _person(given: str, family: str, born: dt.date) -> Person:
    person = Person.objects.create(date_of_birth=born, display_name=f"{family}, {given}")
    PersonName.objects.create(
        person=person, kind=NameKind.PRIMARY, given_names=given, family_name=family
    )
    return person


@pytest.fixture
def register():
    ada = _person("Adaline", "Quenby", dt.date(1981, 4, 17))
    PersonName.objects.create(
        person=ada, kind=NameKind.ALIAS, given_names="Addy", family_name="Marchetti"
    )
    for postcode, valid_to in (("LS1 4AP", None), ("M1 1AE", dt.date(2020, 1, 1))):
        Address.objects.create(
            person=ada,
            kind=AddressKind.HOME,
            line1="1 Example Row",
            town="Leeds",
            postcode=postcode,
            valid_to=valid_to,
        )
    Identifier.objects.create(person=ada, type=IdentifierType.CRN, value="X900001")
    Identifier.objects.create(person=ada, type=IdentifierType.PNC_ID, value="2019/0123456X")
    bert = _person("Bertram", "Oakhurst", dt.date(1975, 11, 2))
    return ada, bert


def test_every_name_and_address_of_a_person_is_a_row_with_their_identifiers(register):
    ada, bert = register
    frame = register_frame()
    ada_rows = frame[frame["person_id"] == str(ada.public_id)]
    assert len(ada_rows) == 4
    assert set(ada_rows["surname"]) == {"Quenby", "Marchetti"}
    assert set(ada_rows["postcode"]) == {"LS1 4AP", "M1 1AE"}
    assert set(ada_rows["crn"]) == {"X900001"}
    assert set(ada_rows["pnc_id"]) == {"2019/0123456X"}
    assert set(ada_rows["date_of_birth"]) == {"1981-04-17"}
    [bert_row] = frame[frame["person_id"] == str(bert.public_id)].to_dict("records")
    assert (bert_row["given_names"], bert_row["postcode"], bert_row["crn"]) == (
        "Bertram",
        "",
        "",
    )


def test_a_record_under_an_alias_at_an_old_address_finds_the_person(register):
    ada, _bert = register
    incoming = pd.DataFrame(
        [
            {
                "source": "police-pnd-extract",
                "source_record_id": "PND-1",
                "given_names": "Addy",
                "surname": "Marchetti",
                "date_of_birth": "1981-04-17",
                "postcode": "M1 1AE",
            }
        ]
    )
    candidates = link_predict(incoming, register_frame(), threshold=0.01)
    assert {c.person_id for c in candidates} == {str(ada.public_id)}
    [decision] = link_classify(["PND-1"], candidates)
    assert (decision.outcome, decision.person_id) == ("link", str(ada.public_id))
