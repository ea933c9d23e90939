"""Residents: one profile per person, derived from linked source records."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bigcare.models import CommunityCentre
from intake.models import SourceRecord


class Resident(models.Model):
    """One person, with golden fields derived from their linked records. The id is stable."""

    name = models.CharField(_("name"), max_length=100)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    rrn_enc = models.TextField(blank=True)
    rrn_index = models.CharField(max_length=32, blank=True)
    rrn_masked = models.CharField(_("RRN"), max_length=14, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    dong_code = models.CharField(_("administrative dong"), max_length=10, blank=True)
    home_centre = models.ForeignKey(
        CommunityCentre, models.PROTECT, null=True, blank=True, related_name="residents"
    )
    # Comparable forms of the golden name, for search (see matching.normalize).
    name_key = models.CharField(max_length=100, blank=True, db_index=True)
    active = models.BooleanField(default=True)  # False once merged into another resident
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # Search by birth date within a centre's scope.
            models.Index(fields=["home_centre", "birth_date"], name="resident_centre_birth"),
            models.Index(fields=["rrn_index"], name="resident_rrn_index"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.birth_date or '?'})"


class RecordLink(models.Model):
    """Which resident a source record belongs to (its current version or any version)."""

    record = models.OneToOneField(SourceRecord, models.PROTECT, primary_key=True,
                                  related_name="link")
    resident = models.ForeignKey(Resident, models.PROTECT, related_name="links")
    linked_at = models.DateTimeField(default=timezone.now)
