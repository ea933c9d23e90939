"""The data administrator's forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from intake.models import AgencyKind


class ProgrammeForm(forms.Form):
    """One programme of the code list; an existing code is renamed, a new one added."""

    code = forms.RegexField(
        label=_("Programme code"),
        regex=r"^[A-Za-z0-9_-]{1,30}$",
        max_length=30,
        error_messages={
            "invalid": _("A code is 1 to 30 letters, digits, hyphens or underscores."),
        },
        help_text=_("As the extract writes it in its service code column."),
    )
    name_ko = forms.CharField(label=_("Korean name"), max_length=60)
    name_en = forms.CharField(label=_("English name"), max_length=80, required=False)
    agency = forms.ChoiceField(label=_("Agency"), choices=AgencyKind.choices)
