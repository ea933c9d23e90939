"""Forms of the caseworker screens. Choices of people and centres are narrowed to scope."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bigcare.models import CommunityCentre, Role
from cases.actions import staff_of_centre
from cases.models import (
    Case,
    ClosureReason,
    ContactKind,
    NeedArea,
    PlannedService,
    ReferralKind,
    RiskLevel,
    VisitReason,
    VisitStatus,
)
from intake.models import Programme


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, birth date, phone or RRN"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "placeholder": _("e.g. 김영희, 1950-03-01, 01012345678"),
            }
        ),
    )
    birth_year = forms.IntegerField(
        label=_("Birth year (optional)"), required=False, min_value=1880, max_value=2100
    )


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label=_("Date"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    # Left out (an older client, a quick form): the visit was made.
    status = forms.ChoiceField(
        label=_("Status"), choices=VisitStatus.choices, initial=VisitStatus.DONE, required=False
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=VisitReason.choices)
    caseworker = forms.ModelChoiceField(label=_("Caseworker"), queryset=None)
    nurse = forms.ModelChoiceField(label=_("Nurse"), queryset=None, required=False)
    risk = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, centre_id: int, user, show_health: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = staff_of_centre(
            centre_id, (Role.CASEWORKER, Role.SUPERVISOR)
        ).order_by("username")
        self.fields["nurse"].queryset = staff_of_centre(centre_id, (Role.NURSE,)).order_by(
            "username"
        )
        self.fields["caseworker" if not show_health else "nurse"].initial = user.pk
        for area, label in NeedArea.choices:
            self.fields[f"finding_{area}"] = forms.CharField(
                label=label,
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        if show_health:
            # Only a nurse writes health notes; they are hidden from everyone but nurses and
            # the case owner.
            self.fields["health_notes"] = forms.CharField(
                label=_("Health notes (nurses and the case owner only)"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def clean(self):
        data = super().clean()
        data["status"] = data.get("status") or VisitStatus.DONE
        on = data.get("visited_on")
        if data.get("status") == VisitStatus.DONE and on and on > timezone.localdate():
            self.add_error(
                "visited_on", _("A visit dated in the future cannot be recorded as done.")
            )
        return data

    def visit_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "visited_on": data["visited_on"],
            "status": data["status"],
            "reason": data["reason"],
            "caseworker": data["caseworker"],
            "nurse": data["nurse"],
            "risk": data["risk"],
            "notes": data["notes"],
            "health_notes": data.get("health_notes", ""),
            "findings": {a: data[f"finding_{a}"] for a in NeedArea.values},
        }


class VisitEditForm(VisitForm):
    """The same fields for either member of the pair; the caseworker is who recorded it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["caseworker"]

    def visit_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            "visited_on": data["visited_on"],
            "status": data["status"],
            "reason": data["reason"],
            "nurse": data["nurse"],
            "risk": data["risk"],
            "notes": data["notes"],
            "findings": {a: data[f"finding_{a}"] for a in NeedArea.values},
        }
        if "health_notes" in self.fields:
            fields["health_notes"] = data["health_notes"]
        return fields


class OpenCaseForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), max_length=200, required=False)
    second_case_reason = forms.CharField(
        label=_("Why another open case (if one is open)"), max_length=300, required=False
    )


_TEXT = {"rows": 3}
_DATE = forms.DateInput(attrs={"type": "date"})


class ConsultationForm(forms.Form):
    consultation = forms.CharField(
        label=_("Initial consultation"), widget=forms.Textarea(attrs=_TEXT), max_length=5000
    )


class GoalsForm(forms.Form):
    plan_goals = forms.CharField(
        label=_("Goals of the plan"), widget=forms.Textarea(attrs=_TEXT), max_length=3000
    )


class ClosureForm(forms.Form):
    closure_reason = forms.ChoiceField(label=_("Closure reason"), choices=ClosureReason.choices)
    closure_outcome = forms.CharField(
        label=_("Outcome"), widget=forms.Textarea(attrs=_TEXT), max_length=3000
    )
    follow_up_due = forms.DateField(label=_("Follow-up due"), widget=_DATE)

    def clean_follow_up_due(self):
        due = self.cleaned_data["follow_up_due"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("The follow-up cannot be due in the past."))
        return due


class FollowUpForm(forms.Form):
    follow_up_result = forms.CharField(
        label=_("Follow-up result"), widget=forms.Textarea(attrs=_TEXT), max_length=3000
    )


# The parts of a case saved on the case itself (cases:case_edit's ``part``).
CASE_PARTS = {
    "consultation": ConsultationForm,
    "goals": GoalsForm,
    "closure": ClosureForm,
    "follow_up": FollowUpForm,
}


class AssessmentForm(forms.Form):
    area = forms.ChoiceField(label=_("Need area"), choices=NeedArea.choices)
    level = forms.ChoiceField(label=_("Level"), choices=RiskLevel.choices)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class ConferenceForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=_DATE, initial=timezone.localdate)
    participants = forms.CharField(label=_("Participants"), max_length=300)
    decisions = forms.CharField(
        label=_("Decisions"), widget=forms.Textarea(attrs=_TEXT), max_length=5000
    )


class ContactForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=_DATE, initial=timezone.localdate)
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactKind.choices)
    note = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 2}), max_length=3000
    )


class ReturnPlanForm(forms.Form):
    reason = forms.CharField(label=_("Why the plan is returned"), max_length=300)


def case_forms(case: Case) -> dict:
    """Unbound forms of the case page, filled with what the case holds."""
    return {
        "consultation_form": ConsultationForm(initial={"consultation": case.consultation}),
        "goals_form": GoalsForm(initial={"plan_goals": case.plan_goals}),
        "closure_form": ClosureForm(
            initial={
                "closure_reason": case.closure_reason,
                "closure_outcome": case.closure_outcome,
                "follow_up_due": case.follow_up_due,
            }
        ),
        "follow_up_form": FollowUpForm(initial={"follow_up_result": case.follow_up_result}),
        # Ids of their own: both have a "note" field on the same page.
        "assessment_form": AssessmentForm(auto_id="assess_%s"),
        "conference_form": ConferenceForm(),
        "contact_form": ContactForm(auto_id="contact_%s"),
        "return_form": ReturnPlanForm(),
    }


class ServiceForm(forms.ModelForm):
    class Meta:
        model = PlannedService
        fields = ["programme", "facility_name", "description", "provider", "start", "end"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.order_by("code")

    def clean(self):
        data = super().clean()
        if not data.get("programme") and not data.get("facility_name"):
            raise forms.ValidationError(_("Name a programme or a facility."))
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("A service cannot end before it starts."))
        return data


class ReferralForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReferralKind.choices)
    to_centre = forms.ModelChoiceField(
        label=_("To community centre"),
        required=False,
        queryset=CommunityCentre.objects.current()
        .select_related("district")
        .order_by("district__code", "name_ko"),
    )
    facility_name = forms.CharField(label=_("Or to a facility"), max_length=120, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    consent_on = forms.DateField(
        label=_("Consent given on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    consent_note = forms.CharField(label=_("How consent was given"), max_length=200)

    def clean(self):
        data = super().clean()
        if not data.get("to_centre") and not data.get("facility_name"):
            raise forms.ValidationError(_("Choose a centre or name a facility."))
        if data.get("kind") == ReferralKind.TRANSFER and not data.get("to_centre"):
            raise forms.ValidationError(_("A transfer goes to a community centre."))
        return data


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Caseworker"), queryset=None)

    def __init__(self, *args, centre_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_of_centre(
            centre_id, (Role.CASEWORKER, Role.SUPERVISOR)
        ).order_by("username")


class UnmaskForm(forms.Form):
    reason = forms.CharField(label=_("Reason for unmasking"), min_length=5, max_length=300)


class AccessLogFilter(forms.Form):
    user = forms.CharField(label=_("User"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False)
    start = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    resident = forms.IntegerField(label=_("Resident id"), required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        from bigcare.models import AccessAction

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Any"))] + list(AccessAction.choices)
