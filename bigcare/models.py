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


class MembershipQuerySet(models.QuerySet):
    def in_force(self, on: date | None = None) -> MembershipQuerySet:
        """Memberships that have started and not ended on ``on`` (today): the only ones that
        give scope. ``ended`` is the first day without it."""
        on = on or timezone.localdate()
        return self.filter(Q(started__lte=on), Q(ended__isnull=True) | Q(ended__gt=on))


class Membership(models.Model):
    """Who works where, in which role: the record that object permissions are granted from.

    Scope itself is the guardian grant on the centre or district (``bigcare.actions``); a
    membership is the reason for it: scope is read only through a membership in force on the
    day (``bigcare.access``), and ending one withdraws the grants it carried.
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

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        constraints = [
            models.CheckConstraint(
                name="membership_scope_fits_role",
                condition=(
                    Q(role__in=["caseworker", "nurse"], centre__isnull=False, district__isnull=True)
                    | Q(role="supervisor", centre__isnull=False, district__isnull=True)
                    | Q(role="supervisor", centre__isnull=True, district__isnull=False)
                    | Q(
                        role__in=["data_admin", "auditor"],
                        centre__isnull=True,
                        district__isnull=True,
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.centre or self.district or '-'}"

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return self.started <= today and (self.ended is None or self.ended > today)


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


class AppendOnly(models.Model):
    """A row that is written once and never changed: the model refuses updates and deletes,
    and on PostgreSQL a trigger refuses them too (migrations 0002 and 0004)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError(f"{self._meta.verbose_name} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{self._meta.verbose_name} is append-only")


class AccessLog(AppendOnly):
    """One look at personal data: who, when, from where, what, why (DESIGN.md principle 7).

    Append-only: the model refuses updates and deletes, and on PostgreSQL a trigger refuses them
    too, except deleting rows past the two-year retention.
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    # Kept in clear so the row still says who it was after the account is gone.
    username = models.CharField(_("user"), max_length=150)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AccessAction.choices)
    path = models.CharField(_("path"), max_length=300, blank=True)
    # What was asked (a search's terms, an export's filter), never an identity number.
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    subject_count = models.PositiveIntegerField(_("residents"), default=0)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [
            # The auditor's monthly review filters by user and period.
            models.Index(fields=["username", "at"], name="accesslog_user_at"),
        ]


class AccessLogSubject(AppendOnly):
    """A resident an access-log entry touched: answers "who looked at this person?"."""

    entry = models.ForeignKey(AccessLog, models.PROTECT, related_name="subjects")
    # A plain id, not a foreign key: bigcare does not import matching, and the log must outlive
    # merges and splits of residents.
    resident_id = models.BigIntegerField(_("resident"), db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "resident_id"], name="accesslog_subject_once")
        ]


class AdminAction(models.TextChoices):
    GRANT_MEMBERSHIP = "grant_membership", _("Granted a membership")
    END_MEMBERSHIP = "end_membership", _("Ended a membership")
    GRANT_SOURCE = "grant_source", _("Granted a data source")
    REVOKE_SOURCE = "revoke_source", _("Revoked a data source")
    DEFINE_SOURCE = "define_source", _("Registered or redefined a data source")
    EDIT_MAPPING = "edit_mapping", _("Edited a column mapping")
    EDIT_RULE = "edit_rule", _("Edited a programme rule")
    EDIT_MEDIAN = "edit_median", _("Edited the median income table")
    EDIT_PROGRAMME = "edit_programme", _("Added or renamed a programme")


class AdminEvent(AppendOnly):
    """One change to who may see what, or to how data is read and judged: a membership or a
    source grant given or ended, a mapping, a rule or a median figure edited. Written by the
    action itself (``bigcare.audit.record_admin_event``), read by the auditor."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    # None: the command line (a deployment's own tools), shown as such.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    username = models.CharField(_("by"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AdminAction.choices)
    # What was changed, as "app_label.model" and its id, plus a label that outlives it.
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    object_repr = models.CharField(_("object"), max_length=200)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("administrative event")
        verbose_name_plural = _("administrative events")
        indexes = [
            # The auditor's screen filters by user and period, like the access log.
            models.Index(fields=["username", "at"], name="adminevent_user_at"),
            # "Who changed this source / membership?" from an object's id.
            models.Index(fields=["object_type", "object_id"], name="adminevent_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or '-'} {self.action} {self.object_repr}"
