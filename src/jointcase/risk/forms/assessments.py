"""Assessment forms: built from the assessment and its instrument (the instrument is data, so
the fields are too). Field names are the services' error keys (``domain_<DOMAIN>``,
``rosh_<SETTING>_<AUDIENCE>``, ``factor_<CODE>``...), so a service's refusal lands on its field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from jointcase.access.labels import Classification
from jointcase.access.material import above_system_high
from jointcase.lib.forms import GovukDateField, JointCaseForm
from jointcase.risk.domains import required_domains
from jointcase.risk.instruments import Section, instruments_current
from jointcase.risk.models.assessments import (
    ROSH_AUDIENCES,
    Assessment,
    DomainRating,
    RiskDomain,
    RoshAudience,
    RoshLevel,
    RoshSetting,
)
from jointcase.risk.services.assessments import SUMMARY_FIELDS, AssessmentInput, DomainInput

NOT_RATED = ("", "Not rated yet")
SUMMARY_LABELS = {
    "nature_of_risk": "Nature of the risk",
    "who_is_at_risk": "Who is at risk",
    "when_most_likely": "When the risk is most likely",
    "increasing_factors": "What increases the risk",
    "mitigating_factors": "What decreases the risk",
}


class StartForm(JointCaseForm):
    instrument = forms.ChoiceField(
        label="Instrument",
        error_messages={
            "required": "Select an instrument",
            "invalid_choice": "Select an instrument from the list",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instrument"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", "Select an instrument"),
            *((i.code, i.title) for i in instruments_current()),
        ]


class AssessmentForm(JointCaseForm):
    """Every domain (rating and evidence), the RoSH matrix, the summary, the next review."""

    def __init__(
        self,
        *args: Any,
        assessment: Assessment,
        material: Sequence[tuple[str, str]] = (),
        checks: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.assessment = assessment
        #: (label, rating field, evidence field, material field or None, checks field or None)
        self.domain_names: list[tuple[str, str, str, str | None, str | None]] = []
        for domain in required_domains(assessment):
            label = RiskDomain(domain).label
            self.fields[f"domain_{domain}"] = forms.ChoiceField(
                label=f"{label}: rating",
                required=False,
                choices=[NOT_RATED, *DomainRating.choices],
                error_messages={"invalid_choice": "Select a rating from the scale"},
            )
            self.fields[f"evidence_{domain}"] = forms.CharField(
                label=f"{label}: evidence, or the reason there are no concerns",
                required=False,
                max_length=5000,
                widget=forms.Textarea,
            )
            cite = self._citations(f"material_{domain}", f"{label}: material cited", material)
            cite_checks = self._citations(f"checks_{domain}", f"{label}: checks cited", checks)
            self.domain_names.append(
                (label, f"domain_{domain}", f"evidence_{domain}", cite, cite_checks)
            )
        self.rosh_names: list[tuple[str, list[tuple[str, str]]]] = []
        for setting, audiences in ROSH_AUDIENCES.items():
            row = []
            for audience in audiences:
                name = f"rosh_{setting}_{audience}"
                self.fields[name] = forms.ChoiceField(
                    label=f"{RoshAudience(audience).label} ({RoshSetting(setting).label.lower()})",
                    required=False,
                    choices=[NOT_RATED, *RoshLevel.choices],
                    error_messages={"invalid_choice": "Select Low, Medium, High or Very high"},
                )
                row.append((audience, name))
            self.rosh_names.append((RoshSetting(setting).label, row))
        for name in SUMMARY_FIELDS:
            self.fields[name] = forms.CharField(
                label=SUMMARY_LABELS[name], required=False, max_length=5000, widget=forms.Textarea
            )
        self.fields["next_review_on"] = GovukDateField(
            what="the date the next review is due", label="Next review due", required=False
        )

    def _citations(self, name: str, label: str, choices: Sequence[tuple[str, str]]) -> str | None:
        """A checkbox list of what a domain may cite as evidence (none when nothing may be)."""
        if not choices:
            return None
        what = "material items" if name.startswith("material_") else "required checks"
        self.fields[name] = forms.MultipleChoiceField(
            label=label,
            required=False,
            choices=list(choices),
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": f"Cite only {what} of this case that you can see"},
        )
        return name

    def to_input(self) -> AssessmentInput:
        data = self.cleaned_data
        return AssessmentInput(
            domains={
                domain: DomainInput(
                    rating=data.get(f"domain_{domain}", ""),
                    evidence=data.get(f"evidence_{domain}", ""),
                    material=tuple(data.get(f"material_{domain}") or ()),
                    checks=tuple(data.get(f"checks_{domain}") or ()),
                )
                for domain in required_domains(self.assessment)
            },
            rosh={
                (setting, audience): data.get(f"rosh_{setting}_{audience}", "")
                for setting, audiences in ROSH_AUDIENCES.items()
                for audience in audiences
            },
            summary={name: data.get(name, "") for name in SUMMARY_FIELDS},
            next_review_on=data.get("next_review_on"),
        )


def assessment_initial(assessment: Assessment) -> dict[str, Any]:
    """The form's initial values from what is saved."""
    initial: dict[str, Any] = {name: getattr(assessment, name) for name in SUMMARY_FIELDS}
    for row in assessment.domains.all():
        initial[f"domain_{row.domain}"] = row.rating
        initial[f"evidence_{row.domain}"] = row.evidence
        initial[f"material_{row.domain}"] = [
            str(pk) for pk in row.material.values_list("pk", flat=True)
        ]
        initial[f"checks_{row.domain}"] = [
            str(pk) for pk in row.checks.values_list("public_id", flat=True)
        ]
    for cell in assessment.rosh.all():
        initial[f"rosh_{cell.setting}_{cell.audience}"] = cell.level
    initial["next_review_on"] = assessment.next_review_on
    return initial


class SectionForm(JointCaseForm):
    """One instrument section: each factor on its scale, notes, and the section's label."""

    notes = forms.CharField(label="Notes", required=False, max_length=20000, widget=forms.Textarea)
    classification = forms.ChoiceField(
        label="Classification of this section",
        error_messages={"invalid_choice": "Select a classification"},
    )

    def __init__(self, *args: Any, section: Section, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section = section
        classification = self.fields["classification"]
        assert isinstance(classification, forms.ChoiceField)
        classification.choices = [
            (level, label)
            for level, label in Classification.choices
            if not above_system_high(level) and level != Classification.OFFICIAL
        ]
        self.factor_names = []
        for factor in section.factors:
            name = f"factor_{factor.code}"
            self.fields[name] = forms.ChoiceField(
                label=factor.name,
                help_text=factor.prompt,
                required=False,
                choices=[NOT_RATED, *((v.value, v.label) for v in factor.scale)],
                error_messages={"invalid_choice": "Select a rating from the factor's scale"},
            )
            self.factor_names.append(name)

    def factors(self) -> dict[str, str]:
        return {f.code: self.cleaned_data.get(f"factor_{f.code}", "") for f in self.section.factors}


class ReturnForm(JointCaseForm):
    reason = forms.CharField(
        label="Why are you returning it?",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Give the reason for returning the assessment"},
    )
