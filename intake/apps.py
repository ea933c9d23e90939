from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bigcare.signals import membership_ended
        from intake.actions import revoke_sources_of_membership

        membership_ended.connect(
            revoke_sources_of_membership, dispatch_uid="intake.membership_ended"
        )
