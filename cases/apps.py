from django.apps import AppConfig
from django.db.models.signals import post_migrate


def grant_caseworkers_unmask(sender, using="default", **kwargs) -> None:
    """Caseworkers may unmask identity numbers (with a reason, logged); nurses may not.

    Done after every migrate (and test flush) because permissions only exist by then; the group
    is the one ``bigcare.actions.ensure_role_groups`` uses.
    """
    from django.contrib.auth.models import Group, Permission

    perm = (
        Permission.objects.using(using)
        .filter(content_type__app_label="cases", codename="unmask_rrn")
        .first()
    )
    if perm is None:
        return
    group, _ = Group.objects.using(using).get_or_create(name="caseworker")
    group.permissions.add(perm)


class CasesConfig(AppConfig):
    name = "cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # After auth's handler has created this app's permissions (it was connected first;
        # receivers run in the order they were connected).
        post_migrate.connect(grant_caseworkers_unmask, sender=self, dispatch_uid="cases.unmask")
        from django.db.models.signals import post_delete, post_save

        from bigcare.access import grants_changed
        from bigcare.signals import membership_ended
        from cases import receivers  # noqa: F401 — cases follow merges (matching.signals)
        from cases.actions import withdraw_case_grants
        from cases.models import CaseUserObjectPermission, MedianIncome, ProgrammeRule
        from cases.rules import forget_rules

        membership_ended.connect(withdraw_case_grants, dispatch_uid="cases.membership_ended")
        # Referral and transfer grants are scope too (cases.access.granted_case_ids).
        post_save.connect(
            grants_changed, sender=CaseUserObjectPermission, dispatch_uid="scope.save.case"
        )
        post_delete.connect(
            grants_changed, sender=CaseUserObjectPermission, dispatch_uid="scope.del.case"
        )
        for model in (MedianIncome, ProgrammeRule):
            post_save.connect(forget_rules, sender=model, dispatch_uid=f"rules.save.{model}")
            post_delete.connect(forget_rules, sender=model, dispatch_uid=f"rules.del.{model}")
