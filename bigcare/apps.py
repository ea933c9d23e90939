from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BigCareConfig(AppConfig):
    name = "bigcare"
    verbose_name = _("Organisation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from bigcare import checks, models  # noqa: F401 - checks registers bigcare.E101
        from bigcare.access import grants_changed

        # Anything a scope is read from: object grants, memberships, group membership.
        for model in (
            models.CentreUserObjectPermission,
            models.CentreGroupObjectPermission,
            models.DistrictUserObjectPermission,
            models.DistrictGroupObjectPermission,
            models.Membership,
        ):
            post_save.connect(grants_changed, sender=model, dispatch_uid=f"scope.save.{model}")
            post_delete.connect(grants_changed, sender=model, dispatch_uid=f"scope.del.{model}")
        m2m_changed.connect(
            grants_changed, sender=get_user_model().groups.through, dispatch_uid="scope.groups"
        )
