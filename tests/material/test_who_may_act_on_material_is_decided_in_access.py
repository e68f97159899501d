"""Who may act on material is decided in ``jointcase.access`` (``access.material_acts``), with
the one ``Refusal``/``NotPermitted``/``permission_require`` of ``access.acting``: the material
app keeps no refusal, no role group and no originator or label-order comparison of its own,
and its pages write denials through ``audited_denial`` and single reads through
``audited_read``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from jointcase.access import acting, material_acts
from jointcase.access.roles import SENIOR_ROLES
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.material import models as material_models
from jointcase.material import services as material_services
from jointcase.material.services import items, labels, retention, sharing, tearlines
from tests.material.item_helpers import secret_report

MATERIAL = Path(material_models.__file__).parent


def _sources() -> dict[str, str]:
    return {
        str(path.relative_to(MATERIAL)): path.read_text()
        for path in sorted(MATERIAL.rglob("*.py"))
        if "migrations" not in path.parts
    }


def test_the_material_app_defines_no_refusal_of_its_own() -> None:
    defined = {
        (name, node.name)
        for name, source in _sources().items()
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.FunctionDef, ast.ClassDef))
        and (
            node.name.endswith("_refusal")
            or node.name in {"Refusal", "NotPermitted", "permission_require", "is_senior"}
        )
    }
    assert defined == set()


@pytest.mark.parametrize("module", [items, labels, retention, sharing, tearlines])
def test_every_material_service_module_uses_the_one_not_permitted_of_access(module) -> None:
    assert getattr(module, "NotPermitted", acting.NotPermitted) is acting.NotPermitted
    assert getattr(module, "Refusal", acting.Refusal) is acting.Refusal
    assert not hasattr(material_services, "NotPermitted")


def test_no_originator_role_or_label_order_comparison_is_written_in_the_material_app() -> None:
    patterns = {
        "originating agency": re.compile(r"agency_id\s*(==|!=)"),
        "role group": re.compile(r"\bSENIOR_ROLES\b|\bhas_role\("),
        "label order": re.compile(r"CLASSIFICATION_RANK\[|_rank\("),
        "writer's reach": re.compile(r"\bwithin_reach\("),
    }
    found = [
        (name, what)
        for name, source in _sources().items()
        for what, pattern in patterns.items()
        if pattern.search(source)
    ]
    assert found == []


def test_material_pages_write_no_deny_entry_by_hand() -> None:
    for name in ("views.py", "api.py", "selectors.py"):
        assert "Outcome.DENY" not in _sources()[name], name


def test_the_material_models_do_not_import_the_crypto_module() -> None:
    tree = ast.parse((MATERIAL / "models.py").read_text())
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module is not None
    }
    assert "jointcase.material.crypto" not in imported


def test_seniors_are_the_one_role_group_of_access(material_world) -> None:
    lead = material_world.personas.nsd_lead
    practitioner = material_world.personas.nsd_practitioner
    assert lead.has_role(*SENIOR_ROLES)
    assert material_acts.is_senior(lead)
    assert not material_acts.is_senior(practitioner)


def test_only_the_originator_agency_may_export_an_orcon_item(material_world, keyring) -> None:
    item = secret_report(material_world, orcon=True, caveats=[])
    refusal = material_acts.export_refusal(material_world.personas.nsd_practitioner, item)
    assert refusal is not None
    assert refusal.reason == "orcon_no_consent"
    assert material_acts.export_refusal(material_world.personas.ctnm_officer, item) is None
    plain = secret_report(material_world, caveats=[])
    assert material_acts.export_refusal(material_world.personas.nsd_practitioner, plain) is None


def test_a_refused_export_is_one_deny_entry_with_the_reason(
    material_world, client_for, keyring
) -> None:
    item = secret_report(material_world, orcon=True, caveats=[])
    response = client_for(material_world.personas.nsd_practitioner).get(
        f"/material/{item.pk}/export/"
    )
    assert response.status_code == 403
    denials = AuditEntry.objects.filter(action="material.export", outcome=Outcome.DENY)
    assert list(denials.values_list("reason", "object_type", "object_id")) == [
        ("orcon_no_consent", "material", str(item.pk))
    ]


@pytest.mark.parametrize(
    ("label", "than", "lower"),
    [
        (("OFFICIAL-SENSITIVE", set()), ("SECRET", set()), True),
        (("SECRET", set()), ("SECRET", {1}), True),
        (("SECRET", {1}), ("SECRET", {1}), False),
        (("OFFICIAL", {2}), ("SECRET", {1}), False),
        (("TOP SECRET", set()), ("SECRET", set()), False),
        (("OFFICIAL", set()), ("OFFICIAL-SENSITIVE", {1, 2}), True),
    ],
)
def test_a_label_is_lower_only_below_and_never_with_a_caveat_the_other_lacks(
    label, than, lower
) -> None:
    assert (
        material_acts.label_is_lower(
            classification=label[0],
            caveat_ids=label[1],
            than_classification=than[0],
            than_caveat_ids=than[1],
        )
        is lower
    )


def test_the_writers_label_check_names_clearance_and_caveats_not_held(material_world) -> None:
    from jointcase.agencies.models import Caveat

    pom = material_world.personas.pom  # BPSS: OFFICIAL-SENSITIVE, no caveats
    caveat = Caveat.objects.get(code="UK EYES ONLY")
    errors = material_acts.writer_label_errors(pom, classification="SECRET", caveats=[caveat])
    assert errors == {
        "classification": ["You cannot record material above your own clearance"],
        "caveats": ["You can only use caveats you hold: UK EYES ONLY"],
    }
    assert (
        material_acts.writer_label_errors(pom, classification="OFFICIAL-SENSITIVE", caveats=[])
        == {}
    )


def test_break_glass_is_refused_to_an_excluded_user_by_access(material_world) -> None:
    excluded = material_world.personas.excluded_officer
    refusal = material_acts.breakglass_open_refusal(excluded, material_world.case)
    assert refusal == acting.Refusal("excluded", material_acts.BREAKGLASS_REFUSED)
    outsider = material_world.personas.officer_not_on_case
    assert material_acts.breakglass_open_refusal(outsider, material_world.case) is None
