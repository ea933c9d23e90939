"""The organisation (districts, community centres, staff) and the access log."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class District(models.Model):
    """One of Seoul's 25 autonomous districts (구)."""

    code = models.CharField(_("MOIS code"), max_length=5, unique=True)
    code_kostat = models.CharField(_("KOSTAT code"), max_length=5)
    name_ko = models.CharField(_("Korean name"), max_length=20)
    name_en = models.CharField(_("English name"), max_length=40)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        permissions = [
            ("serve_district", _("Serve the residents of every centre in this district")),
            ("supervise_district", _("Supervise every centre in this district")),
        ]

    def __str__(self) -> str:
        return self.name_ko


class CentreQuerySet(models.QuerySet):
    def current(self, on: date | None = None) -> CentreQuerySet:
        on = on or timezone.localdate()
        return self.filter(Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gt=on))


class CommunityCentre(models.Model):
    """The community centre (동주민센터) of one administrative dong (행정동).

    Dongs split and get renamed, so a centre is valid from one date to another; the code is the
    MOIS 10-digit administrative dong code, which changes with them.
    """

    code = models.CharField(_("administrative dong code"), max_length=10, unique=True)
    code8 = models.CharField(_("KOSTAT dong code"), max_length=8)
    district = models.ForeignKey(District, models.PROTECT, related_name="centres")
    name_ko = models.CharField(_("Korean name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=80)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), default=date(2000, 1, 1))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = CentreQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("community centre")
        verbose_name_plural = _("community centres")
        permissions = [
            ("serve_centre", _("Serve the residents of this centre")),
            ("supervise_centre", _("Supervise this centre")),
        ]

    def __str__(self) -> str:
        return f"{self.district.name_ko} {self.name_ko}"


# Direct-foreign-key permission tables: guardian then joins on a real FK instead of a
# (content type, text id) pair, which is what keeps scoped queries fast (DESIGN.md principle 5).
class CentreUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(CommunityCentre, models.CASCADE)


class CentreGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(CommunityCentre, models.CASCADE)


class DistrictUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(District, models.CASCADE)


class DistrictGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(District, models.CASCADE)


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker (복지플래너)")
    NURSE = "nurse", _("Visiting nurse (방문간호사)")
    SUPERVISOR = "supervisor", _("Supervisor")
    DATA_ADMIN = "data_admin", _("Data administrator")
    AUDITOR = "auditor", _("Auditor")


class Membership(models.Model):
    """Who works where, in which role: the record that object permissions are granted from.

    Scope itself is the guardian grant on the centre or district (``bigcare.actions``); a
    membership is the reason for it and ends it when it ends.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    centre = models.ForeignKey(
        CommunityCentre, models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    district = models.ForeignKey(
        District, models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    started = models.DateField(_("started"), default=timezone.localdate)
    ended = models.DateField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        constraints = [
            models.CheckConstraint(
                name="membership_scope_fits_role",
                condition=(
                    Q(role__in=["caseworker", "nurse"], centre__isnull=False, district__isnull=True)
                    | Q(role="supervisor", centre__isnull=False, district__isnull=True)
                    | Q(role="supervisor", centre__isnull=True, district__isnull=False)
                    | Q(role__in=["data_admin", "auditor"], centre__isnull=True,
                        district__isnull=True)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.centre or self.district or '-'}"

    @property
    def is_active(self) -> bool:
        return self.ended is None or self.ended > timezone.localdate()


class AccessAction(models.TextChoices):
    VIEW_PROFILE = "view_profile", _("Viewed a profile")
    SEARCH = "search", _("Searched")
    UNMASK = "unmask", _("Unmasked an identity number")
    EXPORT = "export", _("Exported")
    VIEW_RECORD = "view_record", _("Viewed source records")
    REVIEW_LINK = "review_link", _("Reviewed a record link")
    VIEW_VISIT = "view_visit", _("Viewed a visit")
    VIEW_CASE = "view_case", _("Viewed a case")
    VIEW_REFERRAL = "view_referral", _("Viewed a referral")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("the access log is append-only")

    def delete(self):
        raise PermissionError("the access log is append-only")


class AccessLog(models.Model):
    """One look at personal data: who, when, from where, what, why (DESIGN.md principle 7).

    Append-only: the model refuses updates and deletes, and on PostgreSQL a trigger refuses them
    too, except deleting rows past the two-year retention.
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    # Kept in clear so the row still says who it was after the account is gone.
    username = models.CharField(_("user"), max_length=150)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AccessAction.choices)
    path = models.CharField(_("path"), max_length=300, blank=True)
    # What was asked (a search's terms, an export's filter), never an identity number.
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    subject_count = models.PositiveIntegerField(_("residents"), default=0)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [
            # The auditor's monthly review filters by user and period.
            models.Index(fields=["username", "at"], name="accesslog_user_at"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the access log is append-only")


class AccessLogSubject(models.Model):
    """A resident an access-log entry touched: answers "who looked at this person?"."""

    entry = models.ForeignKey(AccessLog, models.PROTECT, related_name="subjects")
    # A plain id, not a foreign key: bigcare does not import matching, and the log must outlive
    # merges and splits of residents.
    resident_id = models.BigIntegerField(_("resident"), db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "resident_id"], name="accesslog_subject_once")
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the access log is append-only")
